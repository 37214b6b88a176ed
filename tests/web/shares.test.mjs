// Share links in Node: the token a shared page reads from its address and the addresses it
// asks (sorted, and the downloads), its words for a link that does not open, and on the
// Analytics page the check of the days typed in and a link's row in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problemText, shareToken, sharedAddress, statusText } from '../../web/js/shared.js';
import { daysProblem, linkAddress, shareRow } from '../../web/js/shares.js';
import { reportInfo } from '../../web/js/report-table.js';

test('a shared page reads its token from the address, and nothing else', () => {
  assert.equal(shareToken('/shared/EGE0ml9mMJJQ_qMRdnQE-JrKL2A9wH3R3pevSNYfUAo'), 'EGE0ml9mMJJQ_qMRdnQE-JrKL2A9wH3R3pevSNYfUAo');
  assert.equal(shareToken('/shared/'), '');
  assert.equal(shareToken('/shared/abc/def'), '');
  assert.equal(shareToken('/analytics'), '');
});

test('the report, sorted, and its downloads come from the link alone: no range is ever sent', () => {
  assert.equal(sharedAddress('T0k', '', ''), '/api/shared/T0k');
  assert.equal(sharedAddress('T0k', 'to', 'desc'), '/api/shared/T0k?sort=to&order=desc');
  assert.equal(sharedAddress('T0k', 'room', 'asc', 'csv'), '/api/shared/T0k?sort=room&order=asc&format=csv');
  assert.doesNotMatch(sharedAddress('T0k', 'to', 'desc', 'xlsx'), /from|compare/);
});

test('a link that does not open says why, as a sentence', () => {
  assert.equal(problemText(410, 'this share link has expired; ask the school for a new one'), 'This share link has expired; ask the school for a new one.');
  assert.equal(problemText(404, 'no such share link; check that the whole link was copied'), 'No such share link; check that the whole link was copied.');
  assert.match(problemText(503, 'the store is not answering'), /could not be loaded .*503/);
});

test('the status line counts the passes and says the order', () => {
  const info = reportInfo('rooms', {
    title: 'Room Usage',
    columns: [
      { key: 'room', title: 'Room', field: 'room', numeric: false },
      { key: 'to', title: 'Passes To This Room', field: 'passes_to', numeric: true },
    ],
  });
  const data = { sort: 'to', order: 'desc', rows: [{ room: 'A', passes_from: 2, passes_to: 1 }, { room: 'B', passes_from: 1, passes_to: 0 }] };
  assert.equal(statusText('rooms', info, data), '3 passes · 2 rooms, sorted by Passes To This Room, descending');
  assert.equal(statusText('rooms', info, { ...data, rows: [] }), 'No passes in this range · 0 rooms, sorted by Passes To This Room, descending');
});

test('the Analytics page: days from 1 to 90, the whole address, a row in words', () => {
  assert.equal(daysProblem('7'), '');
  assert.equal(daysProblem(' 90 '), '');
  assert.match(daysProblem('0'), /1 to 90 days/);
  assert.match(daysProblem('91'), /1 to 90 days/);
  assert.match(daysProblem('2.5'), /whole number/);
  assert.match(daysProblem(''), /whole number/);
  assert.equal(linkAddress('https://hallpass.lincoln.example', '/shared/T0k'), 'https://hallpass.lincoln.example/shared/T0k');
  const row = shareRow({ title: 'Staff Usage', from: '2026-11-02', to: '2026-11-06', expires_at: '2026-12-09T15:04:00-06:00', created_by: 'Ann Admin' }, 'America/Chicago');
  assert.deepEqual(row, ['Staff Usage', 'Nov 2 – 6, 2026', 'Wed, Dec 9, 3:04 PM', 'Ann Admin']);
});
