// The Analytics page's comparison and folder benchmarks, in Node: the compare range the page
// asks for, the change beside a count (arrow, difference and words), a room's flag, and Room
// Usage grouped by folder with each folder's subtotal and median.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeView, compareParam, compareProblem, flagView, folderGroups, folderLabel, formatMedian, previousRange, readCompare } from '../../web/js/compare.js';
import { folderRows, reportInfo, rowCells } from '../../web/js/analytics.js';

const ROOMS = reportInfo('rooms', {
  title: 'Room Usage',
  columns: [
    { key: 'room', title: 'Room', field: 'room', numeric: false },
    { key: 'folder', title: 'Folder', field: 'folder', numeric: false },
    { key: 'from', title: 'Passes From This Room', field: 'passes_from', numeric: true },
    { key: 'to', title: 'Passes To This Room', field: 'passes_to', numeric: true },
  ],
});

const room = (name, folder, from, to, extra = {}) => ({
  room: name,
  folder,
  passes_from: from,
  passes_to: to,
  folder_median_from: null,
  folder_median_to: null,
  from_flag: null,
  ...extra,
});

test('the compare switch: previous, a custom range, or off, to and from the address', () => {
  assert.equal(compareParam('off', '', ''), '');
  assert.equal(compareParam('previous', '', ''), 'previous');
  assert.equal(compareParam('custom', '2025-09-01', '2025-09-30'), '2025-09-01..2025-09-30');
  assert.deepEqual(readCompare('previous'), { mode: 'previous', from: '', to: '' });
  assert.deepEqual(readCompare('2025-09-01..2025-09-30'), { mode: 'custom', from: '2025-09-01', to: '2025-09-30' });
  for (const bad of [null, '', 'last', '2025-09-30..2025-09-01', '2025-02-30..2025-03-01']) assert.equal(readCompare(bad).mode, 'off', bad);
});

test('the previous period has as many days and ends the day before', () => {
  assert.deepEqual(previousRange('2026-09-01', '2026-09-30'), ['2026-08-02', '2026-08-31']);
  assert.deepEqual(previousRange('2026-03-08', '2026-03-08'), ['2026-03-07', '2026-03-07']);
  assert.deepEqual(previousRange('2026-03-01', '2026-03-31'), ['2026-01-29', '2026-02-28']);
});

test('a custom compare range must be two whole dates in order', () => {
  assert.equal(compareProblem('previous', '', ''), null);
  assert.equal(compareProblem('custom', '2025-09-01', '2025-09-30'), null);
  assert.deepEqual(compareProblem('custom', '', '2025-09-30'), ['compare-from', 'Enter the first day to compare with.']);
  assert.equal(compareProblem('custom', '2025-09-01', '2025-02-30')[0], 'compare-to');
  assert.deepEqual(compareProblem('custom', '2025-09-30', '2025-09-01'), ['compare-to', 'The last day to compare with must be on or after the first.']);
});

test('a change reads as an arrow, the difference and words, never colour alone', () => {
  assert.deepEqual(changeView(12, 9), { direction: 'up', arrow: '▲', text: '+3', words: 'up 3 from 9' });
  assert.deepEqual(changeView(2, 1500), { direction: 'down', arrow: '▼', text: '−1,498', words: 'down 1,498 from 1,500' });
  assert.deepEqual(changeView(4, 4), { direction: 'same', arrow: '=', text: '0', words: 'no change from 4' });
});

test('cells carry their change only with compare, and a room its flag', () => {
  const row = room('Restroom 1', 'Restrooms', 40, 3, { prev_passes_from: 30, prev_passes_to: 5, folder_median_from: 12.5, from_flag: 'high' });
  const plain = rowCells(ROOMS, row);
  assert.equal(plain[2].change, null);
  assert.equal(plain[0].flag.text, 'high for its folder');
  assert.equal(plain[0].flag.detail, '40 passes from it, more than twice the median of Restrooms (12.5)');
  const cells = rowCells(ROOMS, row, new Map(), true);
  assert.equal(cells[2].text, '40');
  assert.equal(cells[2].change.words, 'up 10 from 30');
  assert.equal(cells[3].change.words, 'down 2 from 5');
  assert.equal(rowCells(ROOMS, room('Lab', 'Science', 1, 0, { from_flag: 'low', folder_median_from: 8 }))[0].flag.text, 'low for its folder');
  assert.equal(flagView(room('Gym', '', 99, 0)), null);
  // Compare on, but a row from an older server without prev_ counts: no change shown.
  assert.equal(rowCells(ROOMS, room('Gym', '', 1, 0), new Map(), true)[2].change, null);
});

test('folders group in the order of their first room, with subtotals and medians', () => {
  const rows = [
    room('Restroom 1', 'Restrooms', 20, 1, { folder_median_from: 5.5, folder_median_to: 1 }),
    room('Gym', '', 3, 4),
    room('Restroom 2', 'Restrooms', 5, 2, { folder_median_from: 5.5, folder_median_to: 1 }),
    room('Pair A', 'Pair', 1, 1),
    room('Restroom 3', 'Restrooms', 6, 0, { folder_median_from: 5.5, folder_median_to: 1 }),
    room('Office', '', 0, 7),
  ];
  const groups = folderGroups(rows);
  assert.deepEqual(groups.map((g) => [g.label, g.rows.map((r) => r.room)]), [
    ['Restrooms', ['Restroom 1', 'Restroom 2', 'Restroom 3']],
    ['No folder', ['Gym', 'Office']],
    ['Pair', ['Pair A']],
  ]);
  assert.deepEqual(groups[0].subtotal, { passes_from: 31, passes_to: 3 });
  assert.deepEqual(groups[0].median, { passes_from: 5.5, passes_to: 1 });
  assert.equal(groups[1].median, null, 'rooms with no folder have no median');
  assert.equal(groups[2].median, null, 'a folder of fewer than three rooms has none');
  assert.equal(folderLabel(groups[0]), 'Restrooms, 3 rooms');
  assert.equal(folderLabel(groups[2]), 'Pair, 1 room');

  const [subtotal, median] = folderRows(ROOMS, groups[0]);
  assert.equal(subtotal.kind, 'subtotal');
  assert.deepEqual(subtotal.cells.map((c) => c.text), ['', 'Subtotal', '31', '3']);
  assert.equal(median.label, 'Median of Restrooms');
  assert.deepEqual(median.cells.map((c) => c.text), ['', 'Median', '5.5', '1']);
  assert.equal(folderRows(ROOMS, groups[2]).length, 1, 'no median row without a median');
});

test('with compare a folder subtotal shows its change; a median does not', () => {
  const rows = [
    room('A', 'Wing', 10, 0, { prev_passes_from: 4, prev_passes_to: 0, folder_median_from: 6, folder_median_to: 0 }),
    room('B', 'Wing', 6, 1, { prev_passes_from: 8, prev_passes_to: 1, folder_median_from: 6, folder_median_to: 0 }),
    room('C', 'Wing', 2, 0, { prev_passes_from: 2, prev_passes_to: 0, folder_median_from: 6, folder_median_to: 0 }),
  ];
  const [group] = folderGroups(rows);
  assert.deepEqual(group.subtotal, { passes_from: 18, passes_to: 1, prev_passes_from: 14, prev_passes_to: 1 });
  const [subtotal, median] = folderRows(ROOMS, group, true);
  assert.equal(subtotal.cells[2].change.words, 'up 4 from 14');
  assert.equal(subtotal.cells[3].change.words, 'no change from 1');
  assert.equal(median.cells[2].change, null);
  assert.equal(formatMedian(16.5), '16.5');
  assert.equal(formatMedian(null), '');
});
