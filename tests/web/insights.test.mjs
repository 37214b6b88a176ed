// The insights on the Analytics page, in Node: the passes-by-day bars, the weekday x hour
// heatmap, the tables with their small bars, marks and changes, and the tables that say what
// each chart says to a screen reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNodes, textOf, heatLevel, hourText, inlineBar, shortDate, longDate, INLINE_BAR_WIDTH, HEAT_LEVELS } from '../../web/js/chart.js';
import { INSIGHTS, INSIGHT_KINDS, DAILY_SERIES, columnPeaks, dailyChart, dailyTable, heatmapCharts, heatmapTable, insightCells, insightInfo, insightStatus, emptyText, busiestHour, STUDENTS_NOTE } from '../../web/js/insights.js';
import { RULE_NAMES, nameOf } from '../../web/js/words.js';
import { changeView } from '../../web/js/compare.js';
import { TABS } from '../../web/js/analytics.js';

const day = (date, student, teacher, kioskMode, kioskLogin) => ({ date, passes: student + teacher + kioskMode + kioskLogin, student, teacher, kiosk_mode: kioskMode, kiosk_login: kioskLogin });
const DAYS = [day('2025-03-03', 4, 10, 2, 1), day('2025-03-04', 0, 0, 0, 0), day('2025-03-05', 1, 3, 0, 6)];
const byClass = (cls) => (n) => typeof n.attrs.class === 'string' && n.attrs.class.split(' ').includes(cls);

test('passes by day: one bar per date, stacked by source, heights as the counts', () => {
  const { svg, legend } = dailyChart(DAYS, 'Mar 3 – 5, 2025');
  assert.equal(svg.attrs.role, 'img');
  const columns = findNodes(svg, byClass('column'));
  assert.deepEqual(columns.map((c) => [c.attrs['data-key'], c.attrs['data-total']]), [['2025-03-03', 17], ['2025-03-04', 0], ['2025-03-05', 10]]);
  const first = findNodes(columns[0], (n) => n.tag === 'rect');
  assert.deepEqual(first.map((r) => r.attrs['data-series']), ['student', 'teacher', 'kiosk_mode', 'kiosk_login']);
  // Heights are proportional: teacher's 10 is 2.5 times student's 4.
  assert.ok(Math.abs(first[1].attrs.height / first[0].attrs.height - 2.5) < 0.05);
  // The pieces stack: each starts where the one below ends.
  for (let i = 1; i < first.length; i++) assert.ok(Math.abs(first[i].attrs.y + first[i].attrs.height - first[i - 1].attrs.y) < 0.2);
  assert.equal(textOf(findNodes(first[1], (n) => n.tag === 'title')[0]), 'Mon, Mar 3, 2025: 10 by teachers');
  assert.equal(findNodes(columns[1], (n) => n.tag === 'rect').length, 0, 'a day with none has no bar');
  assert.equal(textOf(findNodes(columns[1], (n) => n.tag === 'title')[0]), 'Tue, Mar 4, 2025: 0 passes');
  // The totals above the bars, the dates under them, both axes titled.
  assert.deepEqual(findNodes(svg, byClass('chart-value')).map(textOf), ['17', '10']);
  assert.deepEqual(findNodes(svg, byClass('chart-date')).map(textOf), ['Mar 3', 'Mar 4', 'Mar 5']);
  assert.deepEqual(findNodes(svg, byClass('chart-axis-title')).map(textOf), ['Date', 'Passes']);
  assert.match(textOf(findNodes(svg, (n) => n.tag === 'desc')[0]), /^27 passes over 3 days: 5 by students, 13 by teachers, 2 at a kiosk in kiosk mode, 7 at a kiosk login\. The busiest day was Mon, Mar 3, 2025, with 17\./);
  assert.deepEqual(findNodes(legend, (n) => n.tag === 'li').map(textOf), ['Student', 'Teacher', 'Kiosk mode', 'Kiosk login']);
  assert.equal(legend.attrs['aria-hidden'], 'true', 'the legend repeats what the titles and the table say');
});

test('passes by day over a long range: every day a bar, at most 10 date labels, no totals', () => {
  const rows = Array.from({ length: 92 }, (_, i) => day(new Date(Date.UTC(2025, 8, 1 + i)).toISOString().slice(0, 10), i % 3, 1, 0, 0));
  const { svg } = dailyChart(rows, 'Sep – Nov');
  assert.equal(findNodes(svg, byClass('column')).length, 92);
  const labels = findNodes(svg, byClass('chart-date'));
  assert.ok(labels.length <= 10 && labels.length >= 8, `${labels.length} labels`);
  assert.equal(findNodes(svg, byClass('chart-value')).length, 0);
  const one = findNodes(dailyChart([day('2025-03-03', 1, 2, 0, 0)], 'Mar 3, 2025').svg, (n) => n.tag === 'rect');
  assert.ok(one.every((r) => r.attrs.width <= 48), 'a single day is a bar, not a slab');
  const empty = dailyChart([day('2025-03-04', 0, 0, 0, 0)], 'Mar 4, 2025').svg;
  assert.equal(textOf(findNodes(empty, (n) => n.tag === 'desc')[0]), 'No passes on any of the 1 day.');
});

test('the daily table says what the bars say', () => {
  const t = dailyTable(DAYS);
  assert.deepEqual(t.head, ['Date', 'Student', 'Teacher', 'Kiosk mode', 'Kiosk login', 'All passes']);
  assert.deepEqual(t.rows[0], ['Mon, Mar 3, 2025', '4', '10', '2', '1', '17']);
  assert.equal(t.rows.length, DAYS.length);
  assert.deepEqual(DAILY_SERIES.map((s) => s.key), ['student', 'teacher', 'kiosk_mode', 'kiosk_login']);
  assert.equal(shortDate('2025-12-01'), 'Dec 1');
  assert.equal(longDate('2025-03-09'), 'Sun, Mar 9, 2025');
});

function heatRows(fill) {
  const rows = [];
  for (let weekday = 1; weekday <= 7; weekday++) for (let hour = 0; hour < 24; hour++) rows.push({ weekday, hour, passes: fill(weekday, hour) });
  return rows;
}

test('the heatmap: 7 x 24 cells, each with its count in text and in its title, shaded by count', () => {
  const rows = heatRows((d, h) => (d === 2 && h === 10 ? 40 : d <= 5 && h >= 8 && h < 15 ? d + h : 0));
  const { wide, tall } = heatmapCharts(rows, 'Mar 2025', 'Library');
  for (const svg of [wide, tall]) {
    const cells = findNodes(svg, byClass('heat-cell'));
    assert.equal(cells.length, 168);
    for (const cell of cells) {
      const want = rows.find((r) => r.weekday === cell.attrs['data-weekday'] && r.hour === cell.attrs['data-hour']).passes;
      assert.equal(cell.attrs['data-passes'], want);
      const written = findNodes(cell, (n) => n.tag === 'text').map(textOf);
      assert.deepEqual(written, want ? [String(want)] : [], 'the count is written in the cell (none for no passes)');
      assert.ok(cell.attrs.class.includes(`heat-${heatLevel(want, 40)}`));
    }
    const busiest = cells.find((c) => c.attrs['data-passes'] === 40);
    assert.equal(textOf(findNodes(busiest, (n) => n.tag === 'title')[0]), 'Tuesday, 10 AM to 11 AM: 40 passes');
    assert.ok(busiest.attrs.class.includes(`heat-${HEAT_LEVELS}`), 'the busiest cell is the darkest');
    const quiet = cells.find((c) => c.attrs['data-weekday'] === 7 && c.attrs['data-hour'] === 23);
    assert.equal(textOf(findNodes(quiet, (n) => n.tag === 'title')[0]), 'Sunday, 11 PM to 12 AM: no passes');
    assert.match(textOf(findNodes(svg, (n) => n.tag === 'title')[0]), /^Passes to Library by weekday and hour of start, Mar 2025$/);
    assert.match(textOf(findNodes(svg, (n) => n.tag === 'desc')[0]), /the busiest hour is Tuesday, 10 AM to 11 AM \(40 passes\)/);
  }
  // Wide: hours across (Monday's row at one height); tall: hours down.
  const at = (svg, d, h) => findNodes(findNodes(svg, (n) => n.attrs['data-weekday'] === d && n.attrs['data-hour'] === h)[0], (n) => n.tag === 'rect')[0].attrs;
  assert.equal(at(wide, 1, 0).y, at(wide, 1, 23).y);
  assert.ok(at(wide, 1, 23).x > at(wide, 1, 0).x);
  assert.equal(at(tall, 1, 0).x, at(tall, 1, 23).x);
  assert.ok(at(tall, 1, 23).y > at(tall, 1, 0).y);
  assert.equal(busiestHour(heatRows(() => 0)), '');
});

test('the heatmap table: a row per weekday, a column per hour, the same counts', () => {
  const rows = heatRows((d, h) => d * 100 + h);
  const t = heatmapTable(rows);
  assert.equal(t.head.length, 25);
  assert.equal(t.head[1], '12 AM');
  assert.equal(t.head[14], '1 PM');
  assert.equal(t.rows.length, 7);
  assert.deepEqual(t.rows[2].slice(0, 3), ['Wednesday', '300', '301']);
  assert.equal(t.rows[6][24], '723');
  assert.equal(hourText(0, true), '12a');
  assert.equal(hourText(12), '12 PM');
  assert.equal(heatLevel(0, 10), 0);
  assert.equal(heatLevel(1, 1000), 1, 'any pass shows');
});

test('small bars in the tables: the length is the share of the column’s largest', () => {
  const full = findNodes(inlineBar(20, 20), byClass('inline-bar-fill'))[0];
  assert.equal(full.attrs.width, INLINE_BAR_WIDTH);
  assert.equal(findNodes(inlineBar(5, 20), byClass('inline-bar-fill'))[0].attrs.width, INLINE_BAR_WIDTH / 4);
  assert.equal(findNodes(inlineBar(0, 20), byClass('inline-bar-fill')).length, 0);
  assert.equal(inlineBar(1, 20).attrs['aria-hidden'], 'true');
});

// The server's descriptions, as /pages.json sends them (`insights`): JSON field, title, and
// whether the value is not text.
const col = (field, title, numeric) => ({ key: field, title, field, numeric });
const SITE = {
  durations: { title: 'Durations', columns: [col('room', 'Room', false), col('folder', 'Folder', false), col('ended', 'Ended', true), col('average_minutes', 'Average Minutes', true), col('median_minutes', 'Median Minutes', true), col('overtime', 'Overtime', true), col('open', 'Open', true)] },
  students: {
    title: 'Students',
    columns: [col('student', 'Student', false), col('email', 'Email', false), col('student_id', 'Student ID', false), ...['passes', 'now', 'scheduled', 'minutes_out', 'overtime', 'refused', 'prevented'].map((f) => col(f, f, true))],
  },
  limits: { title: 'Limits', columns: [col('room', 'Room', false), col('folder', 'Folder', false), ...['refused_from', 'refused_to', 'waited', 'average_wait_seconds', 'overridden'].map((f) => col(f, f, true))] },
  rules: { title: 'Rules', columns: [col('rule', 'Rule', false), col('refused', 'Refused', true), col('overridden', 'Overridden', true)] },
  sources: { title: 'Sources', columns: [col('source', 'Source', false), col('type', 'Type', false), col('passes', 'Passes', true), col('in_staff_usage', 'In Staff Usage', true)] },
  encounters: { title: 'Encounters', columns: [col('group', 'Group', false), col('members', 'Members', true), col('active', 'Active', true), col('prevented', 'Prevented', true), col('overridden', 'Overridden', true)] },
};
const info = (kind) => insightInfo(kind, SITE[kind]);
const DURATIONS = info('durations');

test('durations: an average of no passes is empty, overtime is marked in words, bars on the average', () => {
  const rows = [
    { room: 'Nurse', folder: 'Offices', ended: 12, average_minutes: 8.5, median_minutes: 7, overtime: 3, open: 1 },
    { room: 'Gym', folder: '', ended: 0, average_minutes: null, median_minutes: null, overtime: 0, open: 0 },
    { room: 'Library', folder: '', ended: 4, average_minutes: 17, median_minutes: 16, overtime: 0, open: 0 },
  ];
  const peaks = columnPeaks(DURATIONS, rows);
  assert.deepEqual(peaks, { average_minutes: 17 });
  const nurse = insightCells(DURATIONS, rows[0], { peaks, roomIds: new Map([['nurse', 4]]) });
  assert.deepEqual(nurse.map((c) => c.text), ['Nurse', 'Offices', '12', '8.5', '7', '3', '1']);
  assert.equal(nurse[0].header, true);
  assert.equal(nurse[0].link, '/rooms?room=4');
  assert.equal(findNodes(nurse[3].bar, byClass('inline-bar-fill'))[0].attrs.width, Math.round((8.5 / 17) * INLINE_BAR_WIDTH));
  assert.deepEqual(nurse[5].mark, { text: 'overtime', detail: '3 passes over the time limit' });
  assert.equal(nurse[2].change, null, 'no change without compare');
  const gym = insightCells(DURATIONS, rows[1], { peaks });
  assert.equal(gym[3].empty, true);
  assert.equal(gym[3].text, '');
  assert.equal(gym[5].mark, null, 'no mark for no overtime');
  assert.equal(gym[1].empty, true);
});

test('with compare every count has its change, averages to one decimal; none against an empty one', () => {
  const row = { room: 'Nurse', folder: '', ended: 12, average_minutes: 12.3, median_minutes: 7, overtime: 3, open: 0, prev_ended: 9, prev_average_minutes: 11.1, prev_median_minutes: 7, prev_overtime: 5, prev_open: 0 };
  const cells = insightCells(DURATIONS, row, { compare: true });
  assert.deepEqual(cells.slice(2).map((c) => c.change.words), ['up 3 from 9', 'up 1.2 from 11.1', 'no change from 7', 'down 2 from 5', 'no change from 0']);
  assert.equal(cells[3].change.text, '+1.2');
  const none = insightCells(DURATIONS, { ...row, prev_average_minutes: null }, { compare: true });
  assert.equal(none[3].change, null);
  assert.deepEqual(changeView(10, 10.5), { direction: 'down', arrow: '▼', text: '−0.5', words: 'down 0.5 from 10.5' });
  const students = insightCells(info('students'), { student: 'Sam', email: 's@x', student_id: null, passes: 3, now: 3, scheduled: 0, minutes_out: 40, overtime: 1, refused: 2, prevented: 1, prev_passes: 1, prev_now: 1, prev_scheduled: 0, prev_minutes_out: 5, prev_overtime: 0, prev_refused: 0, prev_prevented: 0 }, { compare: true });
  assert.equal(students[2].empty, true, 'no student ID');
  assert.equal(students[6].change.words, 'up 35 from 5');
  assert.equal(students[7].mark.text, 'overtime');
});

test('rules, sources and encounters read in words, never the internal codes', () => {
  const rules = info('rules');
  const names = Object.keys(RULE_NAMES);
  assert.deepEqual(names, ['student_active', 'no_pass_time', 'encounter', 'cooldown', 'student_limit', 'max_from', 'max_to', 'hallway_cap']);
  for (const code of names) {
    const [cell] = insightCells(rules, { rule: code, refused: 1, overridden: 0 });
    assert.ok(!/_/.test(cell.text) && cell.text !== code, `${code} reads ${cell.text}`);
  }
  assert.equal(insightCells(rules, { rule: 'max_to', refused: 4, overridden: 2 })[0].text, 'Max passes to a room');
  assert.equal(nameOf(RULE_NAMES, 'new_rule'), 'new rule');
  const sources = info('sources');
  assert.deepEqual(insightCells(sources, { source: 'kiosk_mode', type: 'now', passes: 1234, in_staff_usage: true }).map((c) => c.text), ['Kiosk mode', 'Now', '1,234', 'Yes']);
  assert.deepEqual(insightCells(sources, { source: 'kiosk_login', type: 'scheduled', passes: 0, in_staff_usage: false }).map((c) => c.text), ['Kiosk login', 'Scheduled', '0', 'No']);
  const enc = info('encounters');
  assert.deepEqual(insightCells(enc, { group: 'B12', members: 3, active: false, prevented: 2, overridden: 1 }).map((c) => c.text), ['B12', '3', 'No', '2', '1']);
});

test('every insight kind has its columns; compare only where the server takes it; each tab has its place', () => {
  assert.deepEqual(INSIGHT_KINDS, ['daily', 'heatmap', 'durations', 'students', 'limits', 'rules', 'sources', 'encounters']);
  assert.deepEqual(INSIGHT_KINDS.filter((k) => INSIGHTS[k].compare), ['durations', 'students', 'limits']);
  // The server's titles; a truth in words reads as text, not as a count.
  assert.equal(info('durations').columns.average_minutes, 'Average Minutes');
  assert.equal(info('durations').title, 'Time out of class', 'the heading in the page\u2019s words');
  assert.deepEqual(info('sources').list.map((c) => c.numeric), [false, false, true, false]);
  assert.deepEqual(info('encounters').list.map((c) => c.numeric), [false, true, false, true, true]);
  assert.deepEqual(info('limits').keys, ['room', 'folder', 'refused_from', 'refused_to', 'waited', 'average_wait_seconds', 'overridden']);
  assert.equal(info('students').path, '/api/insights/students');
  assert.deepEqual(Object.values(TABS).flat().sort(), ['rooms', 'staff', ...INSIGHT_KINDS].sort(), 'every table and chart is on one tab');
  assert.equal(insightStatus('durations', DURATIONS, { rows: [{}, {}], sort: 'average_minutes', order: 'desc' }), '2 rooms, sorted by Average Minutes, descending');
  assert.equal(insightStatus('students', info('students'), { rows: [] }), '0 students');
  assert.equal(
    insightStatus('students', info('students'), { rows: [], purged_through: '2026-05-31' }),
    '0 students · the days through 2026-05-31 were purged and are left out',
    'a range that reaches purged days says which',
  );
  assert.equal(emptyText('students'), 'No student had a pass or a refusal in this range.');
  assert.equal(emptyText('rules'), 'Nothing in this range.');
  assert.match(STUDENTS_NOTE, /personal data.*audit log/);
});
