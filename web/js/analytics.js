// Analytics (admins): a date range and the Room Usage and Staff Usage reports. The server
// sorts (GET /api/reports/...?from&to&sort&order) and the rows are shown in the order
// received, so that the screen and the CSV/XLSX downloads agree. The columns and their titles
// come from the server (/pages.json), the same as the downloads'. The range and both sorts
// live in the address (?from&to&rooms_sort&rooms_order&staff_sort&staff_order), so that a
// reload or a bookmark shows the same.

import { get, describe } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice } from './dom.js';
import { startPage } from './header.js';
import { todayIn, isDate, presetRanges, PRESET_NAMES, formatRange } from './dates.js';
import { naturalCompare } from './natural.js';
import { barChart } from './chart.js';

const fmt = (n) => Number(n).toLocaleString('en-US');

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

// A report as the page uses it, from the server's description {title, columns}.
export function reportInfo(kind, described) {
  const list = described.columns;
  return {
    title: described.title,
    path: `/api/reports/${kind}`,
    keys: list.map((c) => c.key),
    defaultSort: list[0].key,
    columns: Object.fromEntries(list.map((c) => [c.key, c.title])),
    list,
  };
}

// One row's cells, as data: [{text, numeric, header, empty, link}]. The first column names
// the row; a room links to its place on the Rooms page.
export function rowCells(info, row, roomIds = new Map()) {
  return info.list.map((col, i) => {
    const value = row[col.field];
    if (col.numeric) return { text: fmt(value), numeric: true, header: false };
    const text = value === null || value === undefined ? '' : String(value);
    const id = col.key === 'room' ? roomIds.get(text.toLowerCase()) : undefined;
    return { text, numeric: false, header: i === 0, empty: text === '', link: id ? `/rooms?room=${id}` : '' };
  });
}

// What is wrong with a range typed in, as [field, words], or null when it is good.
export function rangeProblem(from, to) {
  if (!from && !to) return ['from', 'Enter a start date and an end date, or choose one of the ranges above.'];
  if (!isDate(from)) return ['from', from ? 'The start date is not a whole date. Enter it as month, day and year.' : 'Enter a start date.'];
  if (!isDate(to)) return ['to', to ? 'The end date is not a whole date. Enter it as month, day and year.' : 'Enter an end date.'];
  if (from > to) return ['to', 'The end date must be on or after the start date.'];
  return null;
}

const state = {
  from: '',
  to: '',
  today: '',
  rooms: { sort: 'room', order: 'asc', seq: 0, controller: null, loaded: false },
  staff: { sort: 'staff', order: 'asc', seq: 0, controller: null, loaded: false },
};

let roomIds = new Map(); // lower-case room name -> id, for the links to the Rooms dashboard
let roomIdsReady = Promise.resolve();

let fromInput;
let toInput;
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
  for (const kind of Object.keys(REPORTS)) {
    q.set(`${kind}_sort`, state[kind].sort);
    q.set(`${kind}_order`, state[kind].order);
  }
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

function reportQuery(kind, format) {
  const q = new URLSearchParams({ from: state.from, to: state.to, sort: state[kind].sort, order: state[kind].order });
  if (format) q.set('format', format);
  return `${REPORTS[kind].path}?${q}`;
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
  summary.textContent = (active ? `${active}: ` : '') + formatRange(state.from, state.to);
  for (const kind of Object.keys(REPORTS)) {
    document.getElementById(`${kind}-csv`).href = reportQuery(kind, 'csv');
    document.getElementById(`${kind}-xlsx`).href = reportQuery(kind, 'xlsx');
    document.getElementById(`${kind}-caption`).textContent = `${REPORTS[kind].title}, ${formatRange(state.from, state.to)}`;
  }
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

function cell(c) {
  if (c.numeric) return h('td', { class: 'num' }, c.text);
  const content = c.empty
    ? [h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'none')]
    : c.link
      ? h('a', { href: c.link }, c.text)
      : c.text;
  return h(c.header ? 'th' : 'td', { scope: c.header ? 'row' : null, class: c.empty ? 'muted' : null }, content);
}

function renderRows(kind, rows) {
  const tbody = document.querySelector(`#${kind}-table tbody`);
  const info = REPORTS[kind];
  clear(tbody);
  if (rows.length === 0) {
    tbody.append(messageRow(kind, kind === 'rooms' ? 'No rooms yet. Add rooms on the Rooms page.' : 'No staff yet.'));
    return;
  }
  const frag = document.createDocumentFragment();
  for (const row of rows) {
    // Each cell carries its column's title, for the stacked rows of a narrow screen.
    const cells = rowCells(info, row, roomIds).map((c, i) => {
      const el = cell(c);
      el.dataset.title = info.list[i].title;
      return el;
    });
    frag.append(h('tr', {}, cells));
  }
  tbody.append(frag);
}

// The head of a report's table, from its columns.
function renderHead(kind) {
  const info = REPORTS[kind];
  const tr = h(
    'tr',
    {},
    info.list.map((col) =>
      h(
        'th',
        { scope: 'col', class: col.numeric ? 'sortable num' : 'sortable', 'data-key': col.key },
        h('button', { type: 'button', class: 'sort-button' }, col.title, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' })),
      ),
    ),
  );
  clear(document.querySelector(`#${kind}-table thead`)).append(tr);
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
    clear(table.tBodies[0]).append(messageRow(kind, `Loading ${info.title}…`));
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
    clear(table.tBodies[0]).append(messageRow(kind, 'The report did not load.', 'empty'));
    clear(document.querySelector(`#${kind}-chart .chart-body`)).append(h('p', { class: 'empty' }, 'No chart: the report did not load.'));
    return;
  }
  if (seq !== r.seq) return;
  r.loaded = true;
  renderRows(kind, data.rows);
  renderChart(kind, data.rows);
  table.removeAttribute('aria-busy');
  table.classList.remove('is-loading');
  const passes = kind === 'rooms' ? data.rows.reduce((a, row) => a + row.passes_from, 0) : data.rows.reduce((a, row) => a + row.total, 0);
  const what = kind === 'rooms' ? `${fmt(data.rows.length)} room${data.rows.length === 1 ? '' : 's'}` : `${fmt(data.rows.length)} staff`;
  const order = `sorted by ${info.columns[data.sort]}, ${data.order === 'asc' ? 'ascending' : 'descending'}`;
  status.textContent =
    passes === 0 ? `No passes in this range · ${what}, ${order}` : `${fmt(passes)} pass${passes === 1 ? '' : 'es'} · ${what}, ${order}`;
  section.dataset.state = passes === 0 ? 'empty' : 'ready';
  section.dataset.sort = data.sort;
  section.dataset.order = data.order;
  section.dataset.from = data.from;
  section.dataset.to = data.to;
}

function setRange(from, to) {
  state.from = from;
  state.to = to;
  clearFieldError(fromInput);
  clearFieldError(toInput);
  hideNotice(rangeError);
  writeAddress();
  showRange();
  load('rooms');
  load('staff');
  announce(`Showing ${formatRange(from, to)}.`);
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
  load(kind);
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
    const problem = rangeProblem(from, to);
    if (problem) {
      const input = problem[0] === 'from' ? fromInput : toInput;
      setFieldError(input, problem[1]);
      showNotice(rangeError, `The reports still show ${formatRange(state.from, state.to)}. ${problem[1]}`);
      input.focus();
      return;
    }
    setRange(from, to);
  });
  for (const kind of Object.keys(REPORTS)) {
    for (const th of document.querySelectorAll(`#${kind}-table th[data-key]`)) {
      th.querySelector('button').addEventListener('click', () => setSort(kind, th.dataset.key));
    }
  }
}

async function main() {
  fromInput = document.getElementById('from');
  toInput = document.getElementById('to');
  rangeForm = document.getElementById('range-form');
  rangeError = document.getElementById('range-error');
  summary = document.getElementById('range-summary');
  const session = await startPage();
  for (const kind of ['rooms', 'staff']) {
    REPORTS[kind] = reportInfo(kind, session.site.reports[kind]);
    renderHead(kind);
  }
  state.today = todayIn(session.school.timezone);
  document.getElementById('print-school').textContent = `${session.school.name} · printed ${formatRange(state.today, state.today)}`;
  readAddress();
  roomIdsReady = get('/api/rooms').then(
    (data) => {
      roomIds = new Map(data.rooms.map((room) => [room.name.toLowerCase(), room.id]));
    },
    () => {
      roomIds = new Map(); // The names still show, without links.
    },
  );
  wire();
  writeAddress();
  showRange();
  showSort('rooms');
  showSort('staff');
  load('rooms');
  load('staff');
}

if (typeof document !== 'undefined') main();
