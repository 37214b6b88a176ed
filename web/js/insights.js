// The insights on the Analytics page, as pure functions tested in Node: what the page adds to
// each insight's columns (which the server lists in /pages.json, titled as its downloads), a row's cells
// with their small bars, marks and changes, and the data of the passes-by-day bars and the
// weekday x hour heatmap with the tables that say the same to a screen reader.

import { changeView, tableInfo } from './compare.js';
import { RULE_NAMES, SOURCE_NAMES, TYPE_NAMES, nameOf } from './words.js';
import { heatmap, inlineBar, longDate, shortDate, stackedColumns, hourText, weekdayName } from './chart.js';

const fmt = (n) => Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

const yesNo = (v) => (v ? 'Yes' : 'No');

// Each insight as the page shows it: its heading (in the page's words; the downloads keep the
// server's titles), whether it takes compare, and what the page adds to the server's columns
// (/pages.json), by field: `bar` draws a small bar under the count, `mark` marks a count above
// zero in words, `words` turns a code or a truth into words (and makes the column text).
export const INSIGHTS = {
  daily: { title: 'Passes by day', caption: 'Passes by day, by who made them', compare: false, extras: {} },
  heatmap: { title: 'Busiest hours', caption: 'Passes by weekday and hour of start', compare: false, extras: {} },
  durations: { title: 'Time out of class', compare: true, extras: { average_minutes: { bar: true }, overtime: { mark: 'overtime' } } },
  students: { title: 'Students', compare: true, extras: { minutes_out: { bar: true }, overtime: { mark: 'overtime' } } },
  limits: { title: 'Room limits', compare: true, extras: { refused_from: { bar: true }, refused_to: { bar: true } } },
  rules: { title: 'Pass rules', compare: false, extras: { rule: { words: (v) => nameOf(RULE_NAMES, v) }, refused: { bar: true } } },
  sources: {
    title: 'Who makes passes',
    compare: false,
    extras: { source: { words: (v) => nameOf(SOURCE_NAMES, v) }, type: { words: (v) => nameOf(TYPE_NAMES, v) }, passes: { bar: true }, in_staff_usage: { words: yesNo } },
  },
  encounters: { title: 'Encounter groups', compare: false, extras: { active: { words: yesNo }, prevented: { bar: true } } },
};

export const INSIGHT_KINDS = Object.keys(INSIGHTS);

// An insight as the page's tables use it, in the shape of a report's (reportInfo), from the
// server's description of it ({title, columns: [{key, title, field, numeric}]}).
export function insightInfo(kind, described) {
  const d = INSIGHTS[kind];
  const list = described.columns.map((c) => {
    const extra = d.extras[c.field] || {};
    return { ...c, ...extra, numeric: extra.words ? false : c.numeric };
  });
  return { ...tableInfo(d.title, list), path: `/api/insights/${kind}`, compare: d.compare, insight: true };
}

// The largest value of each barred column over the rows, for the bars' scale.
export function columnPeaks(info, rows) {
  const peaks = {};
  for (const col of info.list) if (col.bar) peaks[col.field] = Math.max(0, ...rows.map((r) => Number(r[col.field]) || 0));
  return peaks;
}

// What a count above zero in a marked column says: the mark's short text and its detail.
const MARKS = {
  overtime: (n) => ({ text: 'overtime', detail: `${plural(n, 'pass', 'passes')} over the time limit` }),
};

// One insight row's cells: [{text, numeric, header, empty, change, bar, mark}]. A number that
// has no value (an average of no passes) is empty, like an empty text; with compare a count
// has its change from the row's prev_ twin, when both have a value.
export function insightCells(info, row, { compare = false, peaks = {}, roomIds = new Map() } = {}) {
  return info.list.map((col, i) => {
    const value = row[col.field];
    if (col.numeric) {
      if (value === null || value === undefined) return { text: '', numeric: true, header: false, empty: true, change: null, bar: null, mark: null };
      const prev = row[`prev_${col.field}`];
      return {
        text: fmt(value),
        numeric: true,
        header: false,
        empty: false,
        change: compare && typeof prev === 'number' ? changeView(value, prev) : null,
        bar: col.bar ? inlineBar(value, peaks[col.field] ?? value) : null,
        mark: col.mark && value > 0 ? MARKS[col.mark](value) : null,
      };
    }
    const shown = value === null || value === undefined ? '' : col.words ? col.words(value) : String(value);
    const id = col.key === 'room' ? roomIds.get(shown.toLowerCase()) : undefined;
    return { text: shown, numeric: false, header: i === 0, empty: shown === '', link: id ? `/rooms?room=${id}` : '' };
  });
}

// The sources of a pass in the daily bars, in the API's order, each with its colour class.
export const DAILY_SERIES = [
  { key: 'student', name: 'Student', words: 'by students', className: 'series-1' },
  { key: 'teacher', name: 'Teacher', words: 'by teachers', className: 'series-2' },
  { key: 'kiosk_mode', name: 'Kiosk mode', words: 'at a kiosk in kiosk mode', className: 'series-3' },
  { key: 'kiosk_login', name: 'Kiosk login', words: 'at a kiosk login', className: 'series-4' },
];

// Passes by day as stacked bars (trees: {svg, legend}), one bar per date of the range.
export function dailyChart(rows, rangeText) {
  const total = rows.reduce((a, r) => a + r.passes, 0);
  const busiest = rows.reduce((best, r) => (r.passes > (best ? best.passes : 0) ? r : best), null);
  const parts = DAILY_SERIES.map((se) => `${fmt(rows.reduce((a, r) => a + r[se.key], 0))} ${se.words}`);
  const description =
    total === 0
      ? `No passes on any of the ${plural(rows.length, 'day', 'days')}.`
      : `${plural(total, 'pass', 'passes')} over ${plural(rows.length, 'day', 'days')}: ${parts.join(', ')}. The busiest day was ${longDate(busiest.date)}, with ${fmt(busiest.passes)}. The table of passes by day says the same.`;
  return stackedColumns({
    title: `Passes by day and by who made them, ${rangeText}`,
    description,
    items: rows.map((r) => ({ key: r.date, label: shortDate(r.date), long: longDate(r.date), values: DAILY_SERIES.map((se) => r[se.key]) })),
    series: DAILY_SERIES,
    xTitle: 'Date',
    yTitle: 'Passes',
  });
}

// The table a screen reader reads for the daily bars: {head, rows}, each row [date, counts...].
export function dailyTable(rows) {
  return {
    head: ['Date', ...DAILY_SERIES.map((se) => se.name), 'All passes'],
    rows: rows.map((r) => [longDate(r.date), ...DAILY_SERIES.map((se) => fmt(r[se.key])), fmt(r.passes)]),
  };
}

// The busiest hour in words: "Tuesday, 10 AM to 11 AM (12 passes)", or '' with none.
export function busiestHour(rows) {
  const top = rows.reduce((best, r) => (r.passes > (best ? best.passes : 0) ? r : best), null);
  return top ? `${weekdayName(top.weekday)}, ${hourText(top.hour)} to ${hourText((top.hour + 1) % 24)} (${plural(top.passes, 'pass', 'passes')})` : '';
}

// The heatmap, wide (hours across) and tall (hours down, for a phone), as trees.
export function heatmapCharts(rows, rangeText, destination = '') {
  const where = destination ? ` to ${destination}` : '';
  const total = rows.reduce((a, r) => a + r.passes, 0);
  const title = `Passes${where} by weekday and hour of start, ${rangeText}`;
  const description =
    total === 0
      ? `No passes${where} in this range.`
      : `${plural(total, 'pass', 'passes')}${where}; the busiest hour is ${busiestHour(rows)}. Each cell is an hour of a weekday, darker for more passes, with its count written in it. The table of passes by weekday and hour says the same.`;
  return { wide: heatmap({ title, description, rows }), tall: heatmap({ title, description, rows, tall: true }) };
}

// The heatmap as a table: a row per weekday, a column per hour.
export function heatmapTable(rows) {
  const counts = new Map(rows.map((r) => [`${r.weekday}-${r.hour}`, r.passes]));
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return {
    head: ['Weekday', ...hours.map((h) => hourText(h))],
    rows: [1, 2, 3, 4, 5, 6, 7].map((d) => [weekdayName(d), ...hours.map((h) => fmt(counts.get(`${d}-${h}`) || 0))]),
  };
}

// What an empty table says.
const EMPTY_WORDS = {
  students: 'No student had a pass or a refusal in this range.',
  encounters: 'No encounter groups yet. Add them on the Pass rules page.',
  durations: 'No rooms yet. Add rooms on the Rooms page.',
  limits: 'No rooms yet. Add rooms on the Rooms page.',
};

// What an empty table's one row says.
export function emptyText(kind) {
  return EMPTY_WORDS[kind] || 'Nothing in this range.';
}

// A table's status line: "12 rooms, sorted by Average Minutes, descending", and, when the
// students insight reaches days a purge removed, which those are.
export function insightStatus(kind, info, data) {
  const status = insightRowsStatus(kind, info, data);
  return data.purged_through ? `${status} · the days through ${data.purged_through} were purged and are left out` : status;
}

function insightRowsStatus(kind, info, data) {
  const n = data.rows.length;
  const what = {
    durations: plural(n, 'room', 'rooms'),
    limits: plural(n, 'room', 'rooms'),
    students: plural(n, 'student', 'students'),
    rules: plural(n, 'rule', 'rules'),
    sources: plural(n, 'source and type', 'sources and types'),
    encounters: plural(n, 'encounter group', 'encounter groups'),
  }[kind];
  if (n === 0) return what;
  return `${what}, sorted by ${info.columns[data.sort] || data.sort}, ${data.order === 'asc' ? 'ascending' : 'descending'}`;
}

// The note on the Students tab, for an admin.
export const STUDENTS_NOTE = 'Student details are personal data. Every view and download of this tab is recorded in the audit log.';
