// A share link's page (/shared/TOKEN): the one report an admin shared, over the one range
// they chose, for anyone who holds the link and without signing in. It shows the table,
// sorted on the server by a click on a column title (GET /api/shared/TOKEN?sort&order, the
// sort kept in the address), and the CSV and XLSX downloads of the same rows; nothing else:
// no links to other pages, no other report. A link that is wrong, expired or revoked shows
// the server's words for it and no table.

import { get, ApiError } from './api.js';
import { h, clear, announce, showNotice } from './dom.js';
import { formatRange, formatDateTime } from './dates.js';
import { headRow, reportInfo, rowCells, rowElement } from './report-table.js';

const fmt = (n) => Number(n).toLocaleString('en-US');

// The token of a share link's address, or '' when the address holds none.
export function shareToken(pathname) {
  const m = /^\/shared\/([A-Za-z0-9_-]+)$/.exec(pathname || '');
  return m ? m[1] : '';
}

// The address of the link's report, sorted, in a format ('' for the page's JSON).
export function sharedAddress(token, sort, order, format = '') {
  const q = new URLSearchParams();
  if (sort) q.set('sort', sort);
  if (order) q.set('order', order);
  if (format) q.set('format', format);
  const query = q.toString();
  return `/api/shared/${token}${query ? `?${query}` : ''}`;
}

// What the page says when the link cannot show its report: the server's words as a
// sentence, and what to do.
export function problemText(status, message) {
  if (status === 404 || status === 410) {
    const words = message ? message.charAt(0).toUpperCase() + message.slice(1) : 'This link does not open a report';
    return words.endsWith('.') ? words : `${words}.`;
  }
  if (status === 0) return message;
  return `The report could not be loaded (the server answered ${status}). Try again in a moment.`;
}

// The line under the title: until when the link works.
export function expiryText(expiresAt, timeZone) {
  return `This link works until ${formatDateTime(expiresAt, timeZone)}. It shows this report only; it cannot change anything.`;
}

// The status line: how many passes and rows, and the order.
export function statusText(kind, info, data) {
  const passes = kind === 'rooms' ? data.rows.reduce((a, row) => a + row.passes_from, 0) : data.rows.reduce((a, row) => a + row.total, 0);
  const what = kind === 'rooms' ? `${fmt(data.rows.length)} room${data.rows.length === 1 ? '' : 's'}` : `${fmt(data.rows.length)} staff`;
  const order = `sorted by ${info.columns[data.sort]}, ${data.order === 'asc' ? 'ascending' : 'descending'}`;
  return passes === 0 ? `No passes in this range · ${what}, ${order}` : `${fmt(passes)} pass${passes === 1 ? '' : 'es'} · ${what}, ${order}`;
}

const state = { token: '', sort: '', order: 'asc', info: null, kind: '', seq: 0 };

function showProblem(err) {
  const status = err instanceof ApiError ? err.status : 0;
  const message = err instanceof Error ? err.message : String(err);
  document.getElementById('shared-report').hidden = true;
  document.getElementById('shared-note').hidden = true;
  document.getElementById('shared-title').textContent = status === 404 || status === 410 ? 'This link cannot be opened' : 'Shared report';
  showNotice(document.getElementById('shared-error'), problemText(status, message));
  document.body.dataset.state = status === 410 ? 'gone' : status === 404 ? 'unknown' : 'error';
}

function showSort() {
  for (const th of document.querySelectorAll('#shared-table th[data-key]')) {
    const arrow = th.querySelector('.sort-arrow');
    if (th.dataset.key === state.sort) {
      th.setAttribute('aria-sort', state.order === 'asc' ? 'ascending' : 'descending');
      arrow.textContent = state.order === 'asc' ? '▲' : '▼';
    } else {
      th.removeAttribute('aria-sort');
      arrow.textContent = '↕';
    }
  }
  document.getElementById('shared-csv').href = sharedAddress(state.token, state.sort, state.order, 'csv');
  document.getElementById('shared-xlsx').href = sharedAddress(state.token, state.sort, state.order, 'xlsx');
}

// The first answer names the report: the head, the title and the range come from it.
function setUp(site, data) {
  state.kind = data.report;
  state.info = reportInfo(data.report, site.reports[data.report]);
  const range = formatRange(data.from, data.to);
  document.title = `${state.info.title}, ${range} · hallpass`;
  document.getElementById('shared-title').textContent = state.info.title;
  document.getElementById('shared-range').textContent = range;
  document.getElementById('shared-school').textContent = data.school;
  document.getElementById('shared-caption').textContent = `${state.info.title}, ${range}`;
  const note = document.getElementById('shared-note');
  note.textContent = expiryText(data.expires_at);
  note.hidden = false;
  const thead = document.querySelector('#shared-table thead');
  clear(thead).append(headRow(state.info));
  for (const th of thead.querySelectorAll('th[data-key]')) {
    th.querySelector('button').addEventListener('click', () => setSort(th.dataset.key));
  }
  for (const format of ['csv', 'xlsx']) {
    document.getElementById(`shared-${format}`).append(h('span', { class: 'visually-hidden' }, ` of ${state.info.title}`));
  }
  document.getElementById('shared-report').hidden = false;
}

function render(data) {
  const table = document.getElementById('shared-table');
  for (const tbody of Array.from(table.tBodies)) tbody.remove();
  table.append(document.createElement('tbody'));
  table.tBodies[0].append(...data.rows.map((row) => rowElement(state.info, rowCells(state.info, row))));
  state.sort = data.sort;
  state.order = data.order;
  showSort();
  const section = document.getElementById('shared-report');
  section.dataset.sort = data.sort;
  section.dataset.order = data.order;
  section.dataset.state = 'ready';
  document.getElementById('shared-status').textContent = statusText(state.kind, state.info, data);
}

async function load(site) {
  const seq = ++state.seq;
  const data = await get(sharedAddress(state.token, state.sort, state.order), { redirectOn401: false });
  if (seq !== state.seq) return null;
  if (!state.info) setUp(site, data);
  render(data);
  return data;
}

function setSort(key) {
  if (state.sort === key) state.order = state.order === 'asc' ? 'desc' : 'asc';
  else {
    state.sort = key;
    state.order = 'asc';
  }
  history.replaceState(null, '', `${location.pathname}?${new URLSearchParams({ sort: state.sort, order: state.order })}`);
  document.getElementById('shared-report').dataset.state = 'loading';
  load(null).then(
    (data) => data && announce(`${state.info.title} sorted by ${state.info.columns[state.sort]}, ${state.order === 'asc' ? 'ascending' : 'descending'}.`),
    showProblem,
  );
}

async function main() {
  state.token = shareToken(location.pathname);
  const q = new URLSearchParams(location.search);
  state.sort = q.get('sort') || '';
  state.order = q.get('order') === 'desc' ? 'desc' : 'asc';
  try {
    const site = await get('/pages.json', { redirectOn401: false });
    await load(site);
    document.body.dataset.state = 'ready';
  } catch (err) {
    showProblem(err);
  }
  document.body.classList.add('is-ready');
}

if (typeof document !== 'undefined') main();
