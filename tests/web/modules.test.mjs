// The pages' pure modules, run in Node: natural order (as the reports sort), the
// Analytics presets and the date-time a scheduled pass sends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { naturalCompare } from '../../web/js/natural.js';
import { presetRanges, formatRange, isDate, todayIn, localInputToIso } from '../../web/js/dates.js';

test('natural order: digit runs by value, letters without case, then bytes', () => {
  const sorted = ['Room 10A', 'room 10', 'Room 2', '', 'Room 010', 'Room 1', 'Library', 'B', 'a', '9', 'Room'].sort(naturalCompare);
  assert.deepEqual(sorted, ['', '9', 'a', 'B', 'Library', 'Room', 'Room 1', 'Room 2', 'Room 010', 'room 10', 'Room 10A']);
  assert.equal(naturalCompare('Room 2', 'room 10'), -1);
  assert.equal(naturalCompare('room 10', 'Room 10A'), -1);
  assert.equal(naturalCompare('x99999999999999999999', 'x100000000000000000000'), -1, 'digit runs of any length');
  assert.equal(naturalCompare('same', 'same'), 0);
});

test('presets: weeks start on Monday, school years on August 1', () => {
  const sunday = presetRanges('2026-11-29');
  assert.deepEqual(sunday.today, ['2026-11-29', '2026-11-29']);
  assert.deepEqual(sunday.week, ['2026-11-23', '2026-11-29']);
  assert.deepEqual(sunday.last30, ['2026-10-31', '2026-11-29']);
  assert.deepEqual(sunday.month, ['2026-11-01', '2026-11-30']);
  assert.deepEqual(sunday.year, ['2026-08-01', '2027-07-31']);
  const july = presetRanges('2026-07-31');
  assert.deepEqual(july.year, ['2025-08-01', '2026-07-31']);
  assert.deepEqual(presetRanges('2024-02-12').month, ['2024-02-01', '2024-02-29']);
  assert.deepEqual(presetRanges('2026-11-30').week, ['2026-11-30', '2026-12-06']);
});

test('dates: validation, today in a zone, ranges in words', () => {
  assert.equal(isDate('2026-02-28'), true);
  assert.equal(isDate('2026-02-30'), false);
  assert.equal(isDate('26-02-01'), false);
  // 03:30 UTC on Nov 30 is still Nov 29 in Chicago.
  assert.equal(todayIn('America/Chicago', new Date('2026-11-30T03:30:00Z')), '2026-11-29');
  assert.equal(todayIn('Asia/Tokyo', new Date('2026-11-30T03:30:00Z')), '2026-11-30');
  assert.equal(formatRange('2026-11-02', '2026-11-06'), 'Nov 2 – 6, 2026');
  assert.equal(formatRange('2026-10-31', '2026-11-29'), 'Oct 31 – Nov 29, 2026');
  assert.equal(formatRange('2026-08-01', '2027-07-31'), 'Aug 1, 2026 – Jul 31, 2027');
  assert.equal(formatRange('2026-11-29', '2026-11-29'), 'Nov 29, 2026');
});

test('a scheduled start is sent with the browser\u2019s offset at that moment', () => {
  const zone = process.env.TZ;
  process.env.TZ = 'America/Chicago';
  try {
    assert.equal(localInputToIso('2026-11-30T09:00'), '2026-11-30T09:00:00-06:00');
    assert.equal(localInputToIso('2026-07-01T13:45'), '2026-07-01T13:45:00-05:00');
    assert.equal(localInputToIso('not a time'), null);
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});
