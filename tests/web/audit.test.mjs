// The Audit log page's words, in Node: each action in words, a change as "before -> after",
// a read's range and format, the school's time, and the query the filters make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, actionWords, detailLines, recordCells, auditQuery, filtersFrom, statusWords, timeWords, valueWords } from '../../web/js/audit.js';

const record = (action, target, detail, extra = {}) => ({ id: 7, at: '2026-12-02T08:09:25-06:00', who: 'ann@lincoln.test', address: '127.0.0.1', action, target, detail, ...extra });

test('a change reads before -> after, a creation its values, a removal what was', () => {
  const update = record('room_update', 'Room 101', { before: { max_passes_from: 3, time_limit_minutes: null }, after: { max_passes_from: 5, time_limit_minutes: 10 } });
  assert.deepEqual(detailLines(update), ['max passes from: 3 -> 5', 'time limit minutes: none -> 10']);
  const created = record('group_create', 'Pair', { after: { name: 'Pair', active: true, students: ['a@x.test', 'b@x.test'] } });
  assert.deepEqual(detailLines(created), ['name: Pair', 'active: yes', 'students: a@x.test, b@x.test']);
  const removed = record('blackout_delete', '2031-03-04T10:00:00-06:00 to 2031-03-04T11:00:00-06:00', { before: { reason: 'Fire drill' } });
  assert.deepEqual(detailLines(removed), ['reason was Fire drill']);
  const settings = record('settings_update', 'settings', { before: { wait_in_line: true }, after: { wait_in_line: false } });
  assert.deepEqual(detailLines(settings), ['wait in line: yes -> no']);
});

test('a read of the students insight names the insight, its range and its format', () => {
  const cells = recordCells(record('insight_download', 'students', { from: '2026-11-02', to: '2026-11-06', format: 'csv', compare: '2026-10-28..2026-11-01' }));
  assert.deepEqual(cells, {
    when: '2026-12-02 08:09:25',
    who: 'ann@lincoln.test',
    from: '127.0.0.1',
    what: 'Downloaded an insight: Students',
    change: ['2026-11-02 to 2026-11-06, CSV', 'compared with 2026-10-28 to 2026-11-01'],
  });
  assert.equal(recordCells(record('report_view', 'rooms', { from: '2026-11-01', to: '2026-11-30', format: 'json', compare: null })).what, 'Viewed a report: Room Usage');
});

test('records without a detail, an address or known words still read', () => {
  const cells = recordCells(record('import', 'rooms', { file: 'rooms.csv', added: 1 }, { who: 'command line', address: null }));
  assert.equal(cells.from, '');
  assert.deepEqual(cells.change, ['file: rooms.csv', 'added: 1']);
  assert.deepEqual(recordCells(record('sign_out', 'ann@lincoln.test', null)).change, []);
  assert.equal(actionWords('something_new'), 'something_new');
  assert.equal(valueWords([]), 'none');
  assert.equal(timeWords('2026-12-02T23:59:59+01:00'), '2026-12-02 23:59:59');
});

test('every action of the server has words, once', () => {
  const names = ACTIONS.map(([name]) => name);
  assert.equal(new Set(names).size, names.length);
  for (const name of ['sign_in', 'insight_view', 'insight_download', 'room_update', 'settings_update', 'schedule_update', 'blackout_create', 'import']) assert.ok(names.includes(name), name);
});

test('the filters make the query; empty ones are left out, and the address gives them back', () => {
  assert.equal(auditQuery({ from: '2026-11-01', to: '', user: ' ann@ ', action: 'insight_view' }), '?from=2026-11-01&user=ann%40&action=insight_view');
  assert.equal(auditQuery({}, { before: 42 }), '?before=42');
  assert.equal(auditQuery({}, { before: null }), '');
  assert.equal(auditQuery({ user: 'ann' }, { format: 'csv' }), '?user=ann&format=csv');
  assert.deepEqual(filtersFrom('?user=ann&action=sign_in'), { from: '', to: '', user: 'ann', action: 'sign_in' });
  assert.equal(statusWords(0, false), 'No records match.');
  assert.equal(statusWords(1, false), '1 record shown.');
  assert.equal(statusWords(100, true), '100 records shown; older ones follow.');
});
