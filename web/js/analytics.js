// Analytics (admins): a date range and the Room Usage and Staff Usage reports. The server
// sorts (GET /api/reports/...?from&to&sort&order) and the rows are shown in the order
// received, so that the screen and the CSV/XLSX downloads agree. The columns and their titles
// come from the server (/pages.json), the same as the downloads'. The range and both sorts
// live in the address (?from&to&rooms_sort&rooms_order&staff_sort&staff_order), so that a
// reload or a bookmark shows the same; so do the compare switch (&compare=previous or
// FROM..TO: each count then shows its change) and Room Usage grouped by folder (&group=folder,
// each folder with its subtotal and median, and a button that folds its rooms away).
// The insights (GET /api/insights/KIND, insights.js) are tabs of the same page under the same
// range: passes by day, the weekday x hour heatmap, durations, limits, rules, encounters,
// sources and students; a tab loads when it is shown (&tab=), so that the Students tab's
// personal data is read only by an admin who opens it. "Share" beside each report makes a
// read-only link to it over the range shown, and the school's links are listed (shares.js).

import { get, describe } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice } from './dom.js';
import { startPage } from './header.js';
import { todayIn, isDate, presetRanges, PRESET_NAMES, formatRange } from './dates.js';
import { naturalCompare } from './natural.js';
import { barChart, toDom } from './chart.js';
import { fillRoomSelect, selectRoom } from './rooms-select.js';
import { headRow, reportInfo, rowCells, rowElement } from './report-table.js';
import { wireShares } from './shares.js';
import { INSIGHTS, INSIGHT_KINDS, STUDENTS_NOTE, columnPeaks, emptyText, dailyChart, dailyTable, heatmapCharts, heatmapTable, insightCells, insightInfo, insightStatus } from './insights.js';
import { changeView, compareParam, compareProblem, folderGroups, folderLabel, formatMedian, previousRange, readCompare } from './compare.js';

const fmt = (n) => Number(n).toLocaleString('en-US');

// The tests read these from here, where the page has always had them.
export { reportInfo, rowCells };

// Bars in each chart: the busiest rooms or staff; the table below it has them all.
export const CHART_TOP = 10;

// The chart's items: each row as toItem makes it ({label, values, total}), those with no
// passes left out, the largest total first (ties by name, as the table sorts), at most
// CHART_TOP.
export function topItems(rows, toItem) {
  return rows
    .map(toItem)
    .filter((it) => it.total > 0)
    .sort((a, b) => b.total - a.total || naturalCompare(a.label, b.label))
    .slice(0, CHART_TOP);
}

// Filled from the server's report descriptions: {title, path, keys, defaultSort, columns
// (key -> title), list ([{key, title, field, numeric}])}.
const REPORTS = {};

// A folder's subtotal and median rows as cells, like rowCells: [{kind, label, cells}]. The
// subtotal's first cell is the folder's disclosure button; the median row comes only for a
// folder with a median (three rooms or more).
export function folderRows(info, group, compare = false) {
  const cellsOf = (values, withChange) =>
    info.list.map((col, i) => {
      if (i === 0) return { text: '', numeric: false, header: true };
      if (!col.numeric) return { text: col.key === 'folder' ? values.label : '', numeric: false, header: false };
      const value = values[col.field];
      const prev = values[`prev_${col.field}`];
      const text = values.median ? formatMedian(value) : fmt(value);
      return { text, numeric: true, header: false, change: withChange && compare && typeof prev === 'number' ? changeView(value, prev) : null };
    });
  const out = [{ kind: 'subtotal', label: folderLabel(group), cells: cellsOf({ ...group.subtotal, label: 'Subtotal' }, true) }];
  if (group.median) out.push({ kind: 'median', label: `Median of ${group.label}`, cells: cellsOf({ ...group.median, label: 'Median', median: true }, false) });
  return out;
}

// What is wrong with a range typed in, as [field, words], or null when it is good.
export function rangeProblem(from, to) {
  if (!from && !to) return ['from', 'Enter a start date and an end date, or choose one of the ranges above.'];
  if (!isDate(from)) return ['from', from ? 'The start date is not a whole date. Enter it as month, day and year.' : 'Enter a start date.'];
  if (!isDate(to)) return ['to', to ? 'The end date is not a whole date. Enter it as month, day and year.' : 'Enter an end date.'];
  if (from > to) return ['to', 'The end date must be on or after the start date.'];
  return null;
}

// The tabs, each with the tables and charts it shows (the kinds of REPORTS and CHARTS).
export const TABS = {
  usage: ['rooms', 'staff'],
  daily: ['daily', 'sources'],
  hours: ['heatmap'],
  durations: ['durations'],
  limits: ['limits', 'rules', 'encounters'],
  students: ['students'],
};

// The insights drawn as charts (their tables are what a screen reader reads); the others
// are sortable tables like the reports.
const CHARTS = ['daily', 'heatmap'];

const loadState = () => ({ sort: '', order: 'asc', seq: 0, controller: null, loaded: false, stale: true });

const state = {
  from: '',
  to: '',
  today: '',
  tab: 'usage',
  compare: { mode: 'off', from: '', to: '' },
  group: false, // Room Usage grouped by folder
  folded: new Set(), // folders whose rooms are folded away
  destination: '', // the heatmap's room, '' for all
  ...Object.fromEntries(['rooms', 'staff', ...INSIGHT_KINDS].map((kind) => [kind, loadState()])),
};

let roomIds = new Map(); // lower-case room name -> id, for the links to the Rooms dashboard
let roomIdsReady = Promise.resolve();

let fromInput;
let toInput;
let compareFromInput;
let compareToInput;
let rangeForm;
let rangeError;
let summary;

function readAddress() {
  const q = new URLSearchParams(location.search);
  const from = q.get('from') || '';
  const to = q.get('to') || '';
  if (isDate(from) && isDate(to) && from <= to) {
    state.from = from;
    state.to = to;
  } else {
    [state.from, state.to] = presetRanges(state.today).last30;
  }
  state.compare = readCompare(q.get('compare'));
  state.group = q.get('group') === 'folder';
  state.tab = Object.hasOwn(TABS, q.get('tab')) ? q.get('tab') : 'usage';
  state.destination = q.get('heatmap_room') || '';
  for (const kind of Object.keys(REPORTS)) {
    const sort = q.get(`${kind}_sort`);
    const order = q.get(`${kind}_order`);
    state[kind].sort = REPORTS[kind].keys.includes(sort) ? sort : REPORTS[kind].defaultSort;
    state[kind].order = order === 'desc' ? 'desc' : 'asc';
  }
}

function writeAddress() {
  const q = new URLSearchParams();
  q.set('from', state.from);
  q.set('to', state.to);
  const compare = compareParam(state.compare.mode, state.compare.from, state.compare.to);
  if (compare) q.set('compare', compare);
  if (state.group) q.set('group', 'folder');
  if (state.tab !== 'usage') q.set('tab', state.tab);
  if (state.destination) q.set('heatmap_room', state.destination);
  for (const kind of Object.keys(REPORTS)) {
    // The reports' sorts always; an insight's only when it is not the default.
    if (REPORTS[kind].insight && state[kind].sort === REPORTS[kind].defaultSort && state[kind].order === 'asc') continue;
    q.set(`${kind}_sort`, state[kind].sort);
    q.set(`${kind}_order`, state[kind].order);
  }
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

// The address of a report or an insight over the range: its sort, compare where it takes it,
// the heatmap's room, and the format of a download.
function reportQuery(kind, format) {
  const q = new URLSearchParams({ from: state.from, to: state.to });
  if (REPORTS[kind]) {
    q.set('sort', state[kind].sort);
    q.set('order', state[kind].order);
  }
  const compare = compareParam(state.compare.mode, state.compare.from, state.compare.to);
  if (compare && (!REPORTS[kind] || REPORTS[kind].compare !== false) && !CHARTS.includes(kind)) q.set('compare', compare);
  if (kind === 'heatmap' && state.destination) q.set('destination', state.destination);
  if (format) q.set('format', format);
  return `${REPORTS[kind] ? REPORTS[kind].path : `/api/insights/${kind}`}?${q}`;
}

function showRange() {
  fromInput.value = state.from;
  toInput.value = state.to;
  const presets = presetRanges(state.today);
  let active = '';
  for (const button of document.querySelectorAll('[data-preset]')) {
    const [f, t] = presets[button.dataset.preset];
    const on = f === state.from && t === state.to;
    button.setAttribute('aria-pressed', String(on));
    if (on) active = PRESET_NAMES[button.dataset.preset];
  }
  summary.textContent = (active ? `${active}: ` : '') + formatRange(state.from, state.to) + compareSummary();
  for (const radio of document.querySelectorAll('input[name="compare"]')) radio.checked = radio.value === state.compare.mode;
  const custom = state.compare.mode === 'custom';
  document.getElementById('compare-custom').hidden = !custom;
  if (custom) {
    compareFromInput.value = state.compare.from;
    compareToInput.value = state.compare.to;
  }
  document.getElementById('group-folders').checked = state.group;
  for (const kind of [...Object.keys(REPORTS), ...CHARTS]) {
    document.getElementById(`${kind}-csv`).href = reportQuery(kind, 'csv');
    document.getElementById(`${kind}-xlsx`).href = reportQuery(kind, 'xlsx');
  }
  for (const kind of Object.keys(REPORTS)) {
    document.getElementById(`${kind}-caption`).textContent = `${REPORTS[kind].title}, ${formatRange(state.from, state.to)}`;
  }
}

// " · compared with Aug 2 – 31, 2026", or '' with compare off.
function compareSummary() {
  const { mode } = state.compare;
  if (mode === 'off') return '';
  const [f, t] = mode === 'previous' ? previousRange(state.from, state.to) : [state.compare.from, state.compare.to];
  return ` · compared with ${formatRange(f, t)}`;
}

function showSort(kind) {
  const { sort, order } = state[kind];
  const table = document.getElementById(`${kind}-table`);
  for (const th of table.querySelectorAll('th[data-key]')) {
    const arrow = th.querySelector('.sort-arrow');
    if (th.dataset.key === sort) {
      th.setAttribute('aria-sort', order === 'asc' ? 'ascending' : 'descending');
      arrow.textContent = order === 'asc' ? '▲' : '▼';
    } else {
      th.removeAttribute('aria-sort');
      arrow.textContent = '↕';
    }
  }
  document.getElementById(`${kind}-csv`).href = reportQuery(kind, 'csv');
  document.getElementById(`${kind}-xlsx`).href = reportQuery(kind, 'xlsx');
}

function messageRow(kind, text, cls = 'empty') {
  const cols = REPORTS[kind].keys.length;
  return h('tr', {}, h('td', { colspan: cols, class: cls }, text));
}

// Replaces a table's bodies: one tbody per group of rows (a folder's head, its rooms).
function setBodies(kind, bodies) {
  const table = document.getElementById(`${kind}-table`);
  for (const tbody of Array.from(table.tBodies)) tbody.remove();
  table.append(...bodies);
}

function renderRows(kind, rows) {
  const info = REPORTS[kind];
  const compare = state.compare.mode !== 'off';
  if (info.insight) {
    const empty = rows.length === 0 ? messageRow(kind, emptyText(kind)) : null;
    const peaks = columnPeaks(info, rows);
    setBodies(kind, [h('tbody', {}, empty || rows.map((row) => rowElement(info, insightCells(info, row, { compare: compare && info.compare, peaks, roomIds }))))]);
    return;
  }
  if (rows.length === 0) {
    setBodies(kind, [h('tbody', {}, messageRow(kind, kind === 'rooms' ? 'No rooms yet. Add rooms on the Rooms page.' : 'No staff yet.'))]);
    return;
  }
  if (kind !== 'rooms' || !state.group) {
    setBodies(kind, [h('tbody', {}, rows.map((row) => rowElement(info, rowCells(info, row, roomIds, compare))))]);
    return;
  }
  const bodies = [];
  folderGroups(rows).forEach((group, g) => {
    const id = `rooms-folder-${g}`;
    const folded = state.folded.has(group.folder);
    const head = folderRows(info, group, compare).map((fr) => {
      const tr = rowElement(info, fr.cells, { class: `folder-${fr.kind}` });
      const th = tr.cells[0];
      if (fr.kind === 'subtotal') {
        const button = h(
          'button',
          { type: 'button', class: 'folder-toggle', 'aria-expanded': String(!folded), 'aria-controls': id, 'data-folder': group.folder },
          h('span', { class: 'folder-arrow', 'aria-hidden': 'true' }, folded ? '▸' : '▾'),
          ` ${fr.label}`,
        );
        button.addEventListener('click', () => toggleFolder(group.folder, button));
        th.append(button);
      } else {
        th.append(fr.label);
      }
      return tr;
    });
    bodies.push(h('tbody', { class: 'folder-head' }, head));
    const roomsBody = h('tbody', { id, class: 'folder-rooms' }, group.rows.map((row) => rowElement(info, rowCells(info, row, roomIds, compare))));
    roomsBody.hidden = folded;
    bodies.push(roomsBody);
  });
  setBodies(kind, bodies);
}

// Folds a folder's rooms away, or shows them again; the subtotal and median stay.
function toggleFolder(folder, button) {
  const open = button.getAttribute('aria-expanded') !== 'true';
  if (open) state.folded.delete(folder);
  else state.folded.add(folder);
  button.setAttribute('aria-expanded', String(open));
  button.querySelector('.folder-arrow').textContent = open ? '▾' : '▸';
  document.getElementById(button.getAttribute('aria-controls')).hidden = !open;
}

// The head of a report's table, from its columns.
function renderHead(kind) {
  clear(document.querySelector(`#${kind}-table thead`)).append(headRow(REPORTS[kind]));
}

function renderChart(kind, rows) {
  const body = document.querySelector(`#${kind}-chart .chart-body`);
  clear(body);
  const range = formatRange(state.from, state.to);
  let items;
  let chart;
  if (kind === 'rooms') {
    items = topItems(rows, (r) => ({ label: r.room, values: [r.passes_from, r.passes_to], total: r.passes_from + r.passes_to }));
    if (items.length === 0) {
      body.append(h('p', { class: 'empty' }, 'No passes in this range'));
      return;
    }
    chart = barChart({
      title: `Busiest rooms, ${range}`,
      description:
        `The ${items.length} rooms with the most passes from and to them: ` +
        items.map((it) => `${it.label}, ${fmt(it.values[0])} from and ${fmt(it.values[1])} to`).join('; ') + '.',
      items,
      series: [
        { name: 'Passes from', className: 'series-1' },
        { name: 'Passes to', className: 'series-2' },
      ],
      mode: 'grouped',
    });
  } else {
    items = topItems(rows, (r) => ({ label: r.staff, values: [r.now, r.scheduled], total: r.total }));
    if (items.length === 0) {
      body.append(h('p', { class: 'empty' }, 'No passes in this range'));
      return;
    }
    chart = barChart({
      title: `Staff who write the most passes, ${range}`,
      description:
        `The ${items.length} staff members with the most passes, now and scheduled: ` +
        items.map((it) => `${it.label}, ${fmt(it.values[0])} now and ${fmt(it.values[1])} scheduled`).join('; ') + '.',
      items,
      series: [
        { name: 'Now passes', className: 'series-1' },
        { name: 'Scheduled passes', className: 'series-2' },
      ],
      mode: 'stacked',
    });
  }
  body.append(chart.svg, chart.legend);
}

async function load(kind) {
  const r = state[kind];
  const info = REPORTS[kind];
  const section = document.getElementById(`${kind}-report`);
  const table = document.getElementById(`${kind}-table`);
  const status = document.getElementById(`${kind}-status`);
  if (r.controller) r.controller.abort();
  r.controller = new AbortController();
  const seq = ++r.seq;
  section.dataset.state = 'loading';
  table.setAttribute('aria-busy', 'true');
  table.classList.add('is-loading');
  status.classList.remove('error');
  status.textContent = `Loading ${info.title}…`;
  if (!r.loaded) {
    setBodies(kind, [h('tbody', {}, messageRow(kind, `Loading ${info.title}…`))]);
  }
  let data;
  try {
    [data] = await Promise.all([get(reportQuery(kind), { signal: r.controller.signal }), roomIdsReady]);
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (seq !== r.seq) return;
    r.loaded = false;
    section.dataset.state = 'error';
    table.removeAttribute('aria-busy');
    table.classList.remove('is-loading');
    const text = `${info.title} could not be loaded: ${describe(err)}`;
    status.textContent = text;
    status.classList.add('error');
    setBodies(kind, [h('tbody', {}, messageRow(kind, 'The report did not load.', 'empty'))]);
    if (!info.insight) clear(document.querySelector(`#${kind}-chart .chart-body`)).append(h('p', { class: 'empty' }, 'No chart: the report did not load.'));
    return;
  }
  if (seq !== r.seq) return;
  r.loaded = true;
  renderRows(kind, data.rows);
  table.removeAttribute('aria-busy');
  table.classList.remove('is-loading');
  section.dataset.sort = data.sort;
  section.dataset.order = data.order;
  section.dataset.from = data.from;
  section.dataset.to = data.to;
  section.dataset.compare = data.compare_from ? `${data.compare_from}..${data.compare_to}` : 'off';
  if (info.insight) {
    status.textContent = insightStatus(kind, info, data);
    section.dataset.state = data.rows.length === 0 ? 'empty' : 'ready';
    return;
  }
  renderChart(kind, data.rows);
  const passes = kind === 'rooms' ? data.rows.reduce((a, row) => a + row.passes_from, 0) : data.rows.reduce((a, row) => a + row.total, 0);
  const what = kind === 'rooms' ? `${fmt(data.rows.length)} room${data.rows.length === 1 ? '' : 's'}` : `${fmt(data.rows.length)} staff`;
  const order = `sorted by ${info.columns[data.sort]}, ${data.order === 'asc' ? 'ascending' : 'descending'}`;
  status.textContent =
    passes === 0 ? `No passes in this range · ${what}, ${order}` : `${fmt(passes)} pass${passes === 1 ? '' : 'es'} · ${what}, ${order}`;
  section.dataset.state = passes === 0 ? 'empty' : 'ready';
  section.dataset.group = kind === 'rooms' && state.group ? 'folder' : 'none';
}

// An insight's section, built from its kind: the heading with the downloads, the status line,
// and a sortable table (like the reports') or a chart with its table for screen readers.
function buildSection(section) {
  const kind = section.id.replace(/-report$/, '');
  const { title, caption } = INSIGHTS[kind];
  const link = (format) =>
    h('a', { class: 'button small', id: `${kind}-${format}`, href: `/api/insights/${kind}?format=${format}`, download: '' }, `Download ${format.toUpperCase()}`, h('span', { class: 'visually-hidden' }, ` of ${title}`));
  const extra =
    kind === 'heatmap'
      ? h('div', { class: 'field inline-field' }, h('label', { for: 'heatmap-room' }, 'Passes to'), h('select', { id: 'heatmap-room' }, h('option', { value: '' }, 'All rooms')))
      : null;
  section.append(h('div', { class: 'report-head' }, h('h2', { id: `${kind}-title` }, title), extra, h('div', { class: 'downloads' }, link('csv'), link('xlsx'))));
  if (kind === 'students') section.append(h('p', { class: 'personal-note', id: 'students-note' }, STUDENTS_NOTE));
  section.append(h('p', { class: 'report-status', id: `${kind}-status`, role: 'status' }));
  const table = (id, cls, captionId, captionText, captionCls) =>
    h('table', { class: cls, id }, h('caption', { id: captionId, class: captionCls }, captionText), h('thead'), h('tbody'));
  if (section.dataset.build === 'table') {
    section.append(h('div', { class: 'table-wrap' }, table(`${kind}-table`, 'data report-table insight-table', `${kind}-caption`, title, 'visually-hidden')));
    return;
  }
  section.append(
    h(
      'figure',
      { class: 'chart wide-chart', id: `${kind}-chart`, 'aria-labelledby': `${kind}-figcaption` },
      h('figcaption', { id: `${kind}-figcaption` }, caption),
      h('div', { class: 'chart-body' }),
      h('button', { type: 'button', class: 'button small show-table', id: `${kind}-show-table`, 'aria-pressed': 'false', 'aria-controls': `${kind}-data` }, 'Show as table'),
    ),
    h('div', { class: 'data-table visually-hidden', id: `${kind}-data`, role: 'region', 'aria-labelledby': `${kind}-datacaption` }, table(`${kind}-datatable`, 'data', `${kind}-datacaption`, caption)),
  );
}

// A table for a screen reader (and for anyone who asks for it): {head, rows}, the first
// cell of each row its header.
function fillDataTable(kind, table) {
  const el = document.getElementById(`${kind}-datatable`);
  clear(el.tHead).append(h('tr', {}, table.head.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t))));
  clear(el.tBodies[0]).append(...table.rows.map((row) => h('tr', {}, row.map((v, i) => (i ? h('td', { class: 'num' }, v) : h('th', { scope: 'row' }, v))))));
}

// Loads a chart's insight and draws it, with its table; the latest request wins.
async function loadChart(kind) {
  const r = state[kind];
  const section = document.getElementById(`${kind}-report`);
  const status = document.getElementById(`${kind}-status`);
  const body = document.querySelector(`#${kind}-chart .chart-body`);
  const title = kind === 'daily' ? 'Passes by day' : 'Busiest hours';
  if (r.controller) r.controller.abort();
  r.controller = new AbortController();
  const seq = ++r.seq;
  r.stale = false;
  section.dataset.state = 'loading';
  status.classList.remove('error');
  status.textContent = `Loading ${title}…`;
  let data;
  try {
    data = await get(reportQuery(kind), { signal: r.controller.signal });
  } catch (err) {
    if ((err && err.name === 'AbortError') || seq !== r.seq) return;
    section.dataset.state = 'error';
    status.textContent = `${title} could not be loaded: ${describe(err)}`;
    status.classList.add('error');
    clear(body).append(h('p', { class: 'empty' }, 'No chart: the insight did not load.'));
    return;
  }
  if (seq !== r.seq) return;
  const range = formatRange(data.from, data.to);
  const total = data.rows.reduce((a, row) => a + row.passes, 0);
  clear(body);
  if (kind === 'daily') {
    const chart = dailyChart(data.rows, range);
    body.append(toDom(chart.svg), toDom(chart.legend));
    fillDataTable(kind, dailyTable(data.rows));
    document.getElementById('daily-datacaption').textContent = `${INSIGHTS.daily.caption}, ${range}`;
    status.textContent = `${fmt(total)} pass${total === 1 ? '' : 'es'} over ${fmt(data.rows.length)} day${data.rows.length === 1 ? '' : 's'}`;
  } else {
    const where = data.destination ? ` to ${data.destination}` : '';
    const charts = heatmapCharts(data.rows, range, data.destination || '');
    body.append(toDom(charts.wide), toDom(charts.tall));
    fillDataTable(kind, heatmapTable(data.rows));
    document.getElementById('heatmap-datacaption').textContent = `Passes${where} by weekday and hour of start, ${range}`;
    status.textContent = total === 0 ? `No passes${where} in this range` : `${fmt(total)} pass${total === 1 ? '' : 'es'}${where}, by the local weekday and hour they started`;
  }
  section.dataset.from = data.from;
  section.dataset.to = data.to;
  section.dataset.destination = data.destination || '';
  section.dataset.state = total === 0 ? 'empty' : 'ready';
}

function loadKind(kind) {
  state[kind].stale = false;
  if (CHARTS.includes(kind)) loadChart(kind);
  else load(kind);
}

// Loads what the tab shown holds; the other tabs load when they are shown.
function refresh(kinds = Object.keys(TABS).flatMap((t) => TABS[t])) {
  for (const kind of kinds) state[kind].stale = true;
  for (const kind of TABS[state.tab]) if (state[kind].stale) loadKind(kind);
}

function showTab(tab, { focus = false } = {}) {
  state.tab = tab;
  for (const button of document.querySelectorAll('[role="tab"]')) {
    const on = button.dataset.tab === tab;
    button.setAttribute('aria-selected', String(on));
    button.tabIndex = on ? 0 : -1;
    document.getElementById(button.getAttribute('aria-controls')).hidden = !on;
    if (on && focus) button.focus();
  }
  document.body.dataset.tab = tab;
  writeAddress();
  refresh([]);
}

function setRange(from, to, compare = state.compare) {
  state.from = from;
  state.to = to;
  state.compare = compare;
  for (const input of [fromInput, toInput, compareFromInput, compareToInput]) clearFieldError(input);
  hideNotice(rangeError);
  writeAddress();
  showRange();
  refresh();
  announce(`Showing ${formatRange(from, to)}${compareSummary()}.`);
}

// The compare switch as the form holds it now.
function formCompare() {
  const mode = document.querySelector('input[name="compare"]:checked')?.value || 'off';
  return { mode, from: mode === 'custom' ? compareFromInput.value : '', to: mode === 'custom' ? compareToInput.value : '' };
}

function setSort(kind, key) {
  const r = state[kind];
  if (r.sort === key) {
    r.order = r.order === 'asc' ? 'desc' : 'asc';
  } else {
    r.sort = key;
    r.order = 'asc';
  }
  writeAddress();
  showSort(kind);
  loadKind(kind);
  announce(`${REPORTS[kind].title} sorted by ${REPORTS[kind].columns[key]}, ${r.order === 'asc' ? 'ascending' : 'descending'}.`);
}

function wire() {
  for (const button of document.querySelectorAll('[data-preset]')) {
    button.addEventListener('click', () => {
      const [from, to] = presetRanges(state.today)[button.dataset.preset];
      setRange(from, to);
    });
  }
  rangeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(fromInput);
    clearFieldError(toInput);
    hideNotice(rangeError);
    const from = fromInput.value;
    const to = toInput.value;
    const compare = formCompare();
    const problem = rangeProblem(from, to) || compareProblem(compare.mode, compare.from, compare.to);
    if (problem) {
      const input = { from: fromInput, to: toInput, 'compare-from': compareFromInput, 'compare-to': compareToInput }[problem[0]];
      setFieldError(input, problem[1]);
      showNotice(rangeError, `The reports still show ${formatRange(state.from, state.to)}${compareSummary()}. ${problem[1]}`);
      input.focus();
      return;
    }
    setRange(from, to, compare);
  });
  // Off and the previous period apply at once; a custom range waits for its dates and Apply.
  for (const radio of document.querySelectorAll('input[name="compare"]')) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      const custom = radio.value === 'custom';
      document.getElementById('compare-custom').hidden = !custom;
      if (custom) {
        if (!compareFromInput.value || !compareToInput.value) [compareFromInput.value, compareToInput.value] = previousRange(state.from, state.to);
        return;
      }
      clearFieldError(compareFromInput);
      clearFieldError(compareToInput);
      setRange(state.from, state.to, { mode: radio.value, from: '', to: '' });
    });
  }
  document.getElementById('group-folders').addEventListener('change', (event) => {
    state.group = event.target.checked;
    writeAddress();
    load('rooms');
    announce(state.group ? 'Room Usage grouped by folder.' : 'Room Usage as one list.');
  });
  for (const kind of Object.keys(REPORTS)) {
    for (const th of document.querySelectorAll(`#${kind}-table th[data-key]`)) {
      th.querySelector('button').addEventListener('click', () => setSort(kind, th.dataset.key));
    }
  }
  // The tabs: a click or Enter shows one; the arrow keys, Home and End move along them.
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  tabs.forEach((button, i) => {
    button.addEventListener('click', () => showTab(button.dataset.tab));
    button.addEventListener('keydown', (event) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      showTab(tabs[(next + tabs.length) % tabs.length].dataset.tab, { focus: true });
    });
  });
  for (const kind of CHARTS) {
    const button = document.getElementById(`${kind}-show-table`);
    button.addEventListener('click', () => {
      const shown = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(shown));
      button.textContent = shown ? 'Hide the table' : 'Show as table';
      // Shown, the table may scroll sideways in its box, so it takes the focus for the arrow
      // keys; hidden (for screen readers only), it stays out of the tab order.
      const wrap = document.getElementById(`${kind}-data`);
      wrap.classList.toggle('visually-hidden', !shown);
      wrap.classList.toggle('table-wrap', shown);
      if (shown) wrap.tabIndex = 0;
      else wrap.removeAttribute('tabindex');
    });
  }
  document.getElementById('heatmap-room').addEventListener('change', (event) => {
    state.destination = event.target.value;
    writeAddress();
    showRange();
    loadChart('heatmap');
    announce(state.destination ? `Busiest hours of passes to ${state.destination}.` : 'Busiest hours of passes to all rooms.');
  });
}

async function main() {
  fromInput = document.getElementById('from');
  toInput = document.getElementById('to');
  compareFromInput = document.getElementById('compare-from');
  compareToInput = document.getElementById('compare-to');
  rangeForm = document.getElementById('range-form');
  rangeError = document.getElementById('range-error');
  summary = document.getElementById('range-summary');
  const session = await startPage();
  for (const kind of ['rooms', 'staff']) {
    REPORTS[kind] = reportInfo(kind, session.site.reports[kind]);
    renderHead(kind);
  }
  for (const section of document.querySelectorAll('section[data-build]')) buildSection(section);
  for (const kind of INSIGHT_KINDS) {
    if (CHARTS.includes(kind)) continue;
    REPORTS[kind] = insightInfo(kind, session.site.insights[kind]);
    renderHead(kind);
  }
  state.today = todayIn(session.school.timezone);
  document.getElementById('print-school').textContent = `${session.school.name} · printed ${formatRange(state.today, state.today)}`;
  readAddress();
  roomIdsReady = get('/api/rooms').then(
    (data) => {
      roomIds = new Map(data.rooms.map((room) => [room.name.toLowerCase(), room.id]));
      const select = document.getElementById('heatmap-room');
      fillRoomSelect(select, data.rooms, { placeholder: 'All rooms' });
      // A room from an old bookmark that is gone: all rooms instead.
      if (state.destination && !selectRoom(select, state.destination)) {
        state.destination = '';
        writeAddress();
        showRange();
        if (state.tab === 'hours') loadChart('heatmap');
      }
    },
    () => {
      roomIds = new Map(); // The names still show, without links.
    },
  );
  wire();
  wireShares(session.school.timezone, () => ({ from: state.from, to: state.to }), { rooms: REPORTS.rooms.title, staff: REPORTS.staff.title });
  showRange();
  for (const kind of Object.keys(REPORTS)) showSort(kind);
  showTab(state.tab);
}

if (typeof document !== 'undefined') main();
