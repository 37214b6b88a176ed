// Comparison and folder benchmarks on the Analytics page, as pure functions: the compare
// range the page asks for (?compare=previous or FROM..TO), the change beside a count (an
// arrow and the difference, with words for screen readers), a room's flag against its
// folder, and Room Usage's rows grouped by folder with each folder's subtotal and median.
// The server computes the medians and flags (Room Usage JSON); the page only shows them.

import { addDays, dayCount, isDate } from './dates.js';

const fmt = (n) => Number(n).toLocaleString('en-US');
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

// The compare switch: off, the previous period, or a custom range.
export const COMPARE_MODES = ['off', 'previous', 'custom'];

// The ?compare= value for a mode, or '' for none.
export function compareParam(mode, from, to) {
  if (mode === 'previous') return 'previous';
  if (mode === 'custom') return `${from}..${to}`;
  return '';
}

// The switch's state from an address value: {mode, from, to} (dates '' unless custom).
export function readCompare(value) {
  if (value === 'previous') return { mode: 'previous', from: '', to: '' };
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(value || '');
  if (m && isDate(m[1]) && isDate(m[2]) && m[1] <= m[2]) return { mode: 'custom', from: m[1], to: m[2] };
  return { mode: 'off', from: '', to: '' };
}

// The previous period of a range: as many days, ending the day before it starts.
export function previousRange(from, to) {
  const days = dayCount(from, to);
  return [addDays(from, -days), addDays(from, -1)];
}

// What is wrong with a custom compare range, as [field, words], or null.
export function compareProblem(mode, from, to) {
  if (mode !== 'custom') return null;
  if (!isDate(from)) return ['compare-from', from ? 'The first day to compare with is not a whole date.' : 'Enter the first day to compare with.'];
  if (!isDate(to)) return ['compare-to', to ? 'The last day to compare with is not a whole date.' : 'Enter the last day to compare with.'];
  if (from > to) return ['compare-to', 'The last day to compare with must be on or after the first.'];
  return null;
}

// The change from a previous count: {direction, arrow, text, words}. The arrow and the signed
// difference are what the eye reads; words say the same to a screen reader ("up 3 from 9"),
// so that nothing is told by colour alone.
// Averages have one decimal; their difference is rounded to it, so that 12.3 - 11.1 reads 1.2.
export function changeView(current, previous) {
  const diff = Math.round((current - previous) * 10) / 10;
  if (diff > 0) return { direction: 'up', arrow: '▲', text: `+${fmt(diff)}`, words: `up ${fmt(diff)} from ${fmt(previous)}` };
  if (diff < 0) return { direction: 'down', arrow: '▼', text: `−${fmt(-diff)}`, words: `down ${fmt(-diff)} from ${fmt(previous)}` };
  return { direction: 'same', arrow: '=', text: '0', words: `no change from ${fmt(previous)}` };
}

// A median as people read it: whole, or with its half.
export function formatMedian(value) {
  return value === null || value === undefined ? '' : Number(value).toLocaleString('en-US', { maximumFractionDigits: 1 });
}

// A room's flag as shown: {flag, text, detail} or null when it has none.
export function flagView(row) {
  if (row.from_flag !== 'high' && row.from_flag !== 'low') return null;
  const median = formatMedian(row.folder_median_from);
  const detail =
    row.from_flag === 'high'
      ? `${plural(row.passes_from, 'pass', 'passes')} from it, more than twice the median of ${row.folder} (${median})`
      : `${plural(row.passes_from, 'pass', 'passes')} from it, under half the median of ${row.folder} (${median})`;
  return { flag: row.from_flag, text: `${row.from_flag} for its folder`, detail };
}

// The counts a folder's subtotal adds up: each count field, and its prev_ twin when there.
const ROOM_COUNTS = ['passes_from', 'passes_to'];

// Room Usage's rows by folder, the folders in the order their first room comes (so the
// server's sort still decides), each folder's rooms in the order received:
// [{folder, label, rows, subtotal: {field: n}, median: {passes_from, passes_to} | null}].
// Rooms with no folder form one group of their own, with no median.
export function folderGroups(rows) {
  const groups = new Map();
  for (const row of rows) {
    const key = row.folder || '';
    if (!groups.has(key)) groups.set(key, { folder: key, label: key || 'No folder', rows: [], subtotal: {}, median: null });
    groups.get(key).rows.push(row);
  }
  for (const g of groups.values()) {
    for (const field of ROOM_COUNTS) {
      g.subtotal[field] = g.rows.reduce((a, r) => a + r[field], 0);
      if (g.rows.every((r) => typeof r[`prev_${field}`] === 'number')) g.subtotal[`prev_${field}`] = g.rows.reduce((a, r) => a + r[`prev_${field}`], 0);
    }
    const first = g.rows[0];
    if (g.folder && first.folder_median_from !== null && first.folder_median_from !== undefined) {
      g.median = { passes_from: first.folder_median_from, passes_to: first.folder_median_to };
    }
  }
  return [...groups.values()];
}

// What a folder's disclosure button says: "Restrooms, 4 rooms".
export function folderLabel(group) {
  return `${group.label}, ${plural(group.rows.length, 'room', 'rooms')}`;
}

// A table of the Analytics page as its code uses it, from its title and columns
// ([{key, title, field, numeric}]): the sort keys, the default sort (the first column) and
// the titles by key. The reports and the insights both build theirs with it.
export function tableInfo(title, list) {
  return { title, keys: list.map((c) => c.key), defaultSort: list[0].key, columns: Object.fromEntries(list.map((c) => [c.key, c.title])), list };
}
