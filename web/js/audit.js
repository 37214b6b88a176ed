// The Audit log page (admins): who did what, when and from where, newest first, filtered by
// dates, user and action (GET /api/audit), a page of records at a time with "Older" for the
// next, and the same records as a CSV file. The pure parts (the words of an action, a change
// as a person reads it, the query of the filters) are exported for the Node tests; main()
// wires the page.

import { get, describe } from './api.js';
import { h, clear, announce, showNotice, hideNotice } from './dom.js';
import { startPage } from './header.js';

// Each action of the log in words, in the order the filter lists them.
export const ACTIONS = [
  ['sign_in', 'Signed in'],
  ['sign_in_failed', 'Sign-in refused'],
  ['sign_out', 'Signed out'],
  ['report_view', 'Viewed a report'],
  ['report_download', 'Downloaded a report'],
  ['insight_view', 'Viewed an insight'],
  ['insight_download', 'Downloaded an insight'],
  ['room_create', 'Added a room'],
  ['room_update', 'Changed a room'],
  ['room_delete', 'Removed a room'],
  ['settings_update', 'Changed the pass rules'],
  ['group_create', 'Added an encounter group'],
  ['group_update', 'Changed an encounter group'],
  ['group_delete', 'Removed an encounter group'],
  ['schedule_update', 'Changed the bell schedule'],
  ['blackout_create', 'Added a blackout'],
  ['blackout_delete', 'Removed a blackout'],
  ['user_create', 'Added a user'],
  ['user_update', 'Changed a user'],
  ['user_deactivate', 'Deactivated a user'],
  ['user_activate', 'Activated a user'],
  ['user_password_reset', 'Reset a password'],
  ['import', 'Imported a file'],
  ['purge', 'Removed old records'],
  ['share_create', 'Made a share link'],
  ['share_open', 'A share link was opened'],
  ['share_revoke', 'Revoked a share link'],
  ['student_export', 'Exported a student\u2019s records'],
  ['student_delete', 'Deleted a student\u2019s records'],
];
const ACTION_WORDS = new Map(ACTIONS);

// What the reports and insights are called on the Analytics page.
const KIND_WORDS = {
  rooms: 'Room Usage',
  staff: 'Staff Usage',
  daily: 'Passes by day',
  heatmap: 'Busiest hours',
  durations: 'Time out',
  students: 'Students',
  limits: 'Limits',
  rules: 'Rules',
  sources: 'Sources',
  encounters: 'Encounter groups',
};

export function actionWords(action) {
  return ACTION_WORDS.get(action) || action;
}

// A value of a change as a person reads it: none for null, yes/no, a list joined.
export function valueWords(value) {
  if (value === null || value === undefined || value === '') return 'none';
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// A field's name in words: max_passes_from reads "max passes from".
export function fieldWords(key) {
  return key.replace(/_/g, ' ');
}

// What a record's target is, in words: a report's or insight's name, else as stored.
export function targetWords(record) {
  if (/^(report|insight)_/.test(record.action)) return KIND_WORDS[record.target] || record.target;
  return record.target;
}

// The detail of a record as lines a person reads: a change's fields as "before -> after"
// (only "after" for a creation, "before" for a removal), a read's range and format, or an
// object's members as "key: value".
export function detailLines(record) {
  const d = record.detail;
  if (!d) return [];
  if (d.before || d.after) {
    const before = d.before || {};
    const after = d.after || {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.map((k) => {
      if (!d.before) return `${fieldWords(k)}: ${valueWords(after[k])}`;
      if (!d.after) return `${fieldWords(k)} was ${valueWords(before[k])}`;
      return `${fieldWords(k)}: ${valueWords(before[k])} -> ${valueWords(after[k])}`;
    });
  }
  if (/^(report|insight)_/.test(record.action)) {
    const lines = [`${d.from} to ${d.to}, ${String(d.format).toUpperCase()}`];
    if (d.compare) lines.push(`compared with ${d.compare.replace('..', ' to ')}`);
    if (d.destination) lines.push(`to ${d.destination}`);
    return lines;
  }
  return Object.entries(d).map(([k, v]) => `${fieldWords(k)}: ${valueWords(v)}`);
}

// When, as the school's clock read it: "2026-12-02 08:09:25" from the server's
// "2026-12-02T08:09:25-06:00" (already in the school's zone).
export function timeWords(at) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(at || '');
  return m ? `${m[1]} ${m[2]}` : at;
}

// A record as the table's cells.
export function recordCells(record) {
  return {
    when: timeWords(record.at),
    who: record.who,
    from: record.address || '',
    what: `${actionWords(record.action)}${record.target ? `: ${targetWords(record)}` : ''}`,
    change: detailLines(record),
  };
}

// The query of the filters (empty ones left out), with the page's extras (before, format).
export function auditQuery(filters, extra = {}) {
  const q = new URLSearchParams();
  for (const key of ['from', 'to', 'user', 'action']) {
    const v = (filters[key] || '').trim();
    if (v) q.set(key, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

// The filters as the address keeps them, so that a reload or a bookmark shows the same.
export function filtersFrom(search) {
  const q = new URLSearchParams(search);
  return { from: q.get('from') || '', to: q.get('to') || '', user: q.get('user') || '', action: q.get('action') || '' };
}

// What the status line says of the records shown.
export function statusWords(count, more) {
  if (count === 0) return 'No records match.';
  return `${count} record${count === 1 ? '' : 's'} shown${more ? '; older ones follow' : ''}.`;
}

let filters = { from: '', to: '', user: '', action: '' };
let older = null;
let shown = 0;
const els = {};

function rowOf(record) {
  const c = recordCells(record);
  const change = c.change.length ? h('ul', { class: 'audit-change' }, ...c.change.map((line) => h('li', {}, line))) : '';
  return h('tr', { 'data-id': String(record.id) }, h('td', {}, c.when), h('td', {}, c.who), h('td', {}, c.from), h('td', {}, c.what), h('td', {}, change));
}

function showStatus() {
  els.status.textContent = statusWords(shown, older !== null);
  els.older.hidden = older === null;
}

async function load(append) {
  hideNotice(els.error);
  const query = auditQuery(filters, append ? { before: older } : {});
  let data;
  try {
    data = await get(`/api/audit${query}`);
  } catch (err) {
    showNotice(els.error, `The audit log could not be loaded: ${describe(err)}`);
    return;
  }
  if (!append) {
    clear(els.body);
    shown = 0;
  }
  for (const record of data.records) els.body.append(rowOf(record));
  shown += data.records.length;
  older = data.older;
  els.table.hidden = shown === 0;
  els.csv.href = `/api/audit${auditQuery(filters, { format: 'csv' })}`;
  showStatus();
  if (append) announce(`${data.records.length} older records shown.`);
}

function readForm() {
  return { from: els.from.value, to: els.to.value, user: els.user.value, action: els.action.value };
}

function fillForm() {
  els.from.value = filters.from;
  els.to.value = filters.to;
  els.user.value = filters.user;
  els.action.value = filters.action;
}

async function main() {
  for (const id of ['audit-form', 'from', 'to', 'user', 'action', 'audit-error', 'audit-status', 'audit-table', 'audit-older', 'audit-csv']) {
    els[id.replace('audit-', '')] = document.getElementById(id);
  }
  els.body = els.table.querySelector('tbody');
  for (const [value, words] of ACTIONS) els.action.append(h('option', { value }, words));
  await startPage();
  filters = filtersFrom(location.search);
  fillForm();
  els.form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = readForm();
    history.replaceState(null, '', `${location.pathname}${auditQuery(filters)}`);
    load(false);
  });
  els.older.addEventListener('click', () => load(true));
  await load(false);
}

if (typeof document !== 'undefined') main();
