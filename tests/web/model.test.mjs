// The shared facts of the pages (web/js/model.js, words.js, live.js), in Node without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupRooms, isStarted, mergePasses, sameRoom } from '../../web/js/model.js';
import { say, LIMIT_WORDS, SAME_ROOM_WORDS, ENDED_WORDS } from '../../web/js/words.js';
import { serialize } from '../../web/js/live.js';

test('rooms group by folder in natural order, rooms without a folder last', () => {
  const rooms = [
    { name: 'room 10', folder: 'Wing 10' },
    { name: 'Gym', folder: '' },
    { name: 'Room 2', folder: 'Wing 2' },
    { name: 'Room 10A', folder: 'Wing 10' },
    { name: 'Library', folder: null },
    { name: 'Room 1', folder: 'Wing 2' },
  ];
  const groups = groupRooms(rooms);
  assert.deepEqual(
    groups.map((g) => [g.name, g.rooms.map((r) => r.name)]),
    [
      ['Wing 2', ['Room 1', 'Room 2']],
      ['Wing 10', ['room 10', 'Room 10A']],
      ['', ['Gym', 'Library']],
    ],
  );
  assert.deepEqual(
    groupRooms(rooms, { exclude: 'ROOM 2' }).map((g) => g.rooms.length),
    [1, 2, 2],
    'the kiosk leaves its own room out, ignoring case',
  );
  assert.equal(rooms[0].name, 'room 10', 'the list given is not reordered');
});

test('a pass has started when active, or when its start came and it neither ended nor was cancelled', () => {
  const now = Date.parse('2026-03-02T10:00:00Z');
  assert.equal(isStarted({ active: true, start: '2026-03-02T11:00:00Z' }, now), true);
  assert.equal(isStarted({ active: false, start: '2026-03-02T09:59:00Z' }, now), true);
  assert.equal(isStarted({ active: false, start: '2026-03-02T10:01:00Z' }, now), false);
  assert.equal(isStarted({ active: false, cancelled: true, start: '2026-03-02T09:00:00Z' }, now), false);
  assert.equal(isStarted({ active: false, end: '2026-03-02T09:30:00Z', start: '2026-03-02T09:00:00Z' }, now), false);
});

test('the two lists merge without a pass twice, out-now first', () => {
  const merged = mergePasses([{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 3 }]);
  assert.deepEqual(merged.map((p) => p.id), [1, 2, 3]);
  assert.equal(sameRoom('Room 2', 'room 2'), true);
  assert.equal(sameRoom('Room 2', 'Room 20'), false);
});

test("refusals are said in a teacher's words, never with field names", () => {
  assert.equal(say({ status: 400, field: 'max_passes_to', message: 'max_passes_to: must be a whole number from 1 to 100000, or null for no limit' }), LIMIT_WORDS);
  assert.match(LIMIT_WORDS, /^Leave empty for no limit/);
  assert.equal(say({ status: 400, field: 'destination', message: 'destination: the same room as the origin' }), SAME_ROOM_WORDS);
  assert.match(SAME_ROOM_WORDS, /^Choose a different destination/);
  assert.equal(say({ status: 409, field: '', message: 'the pass has already ended' }), ENDED_WORDS);
  assert.equal(ENDED_WORDS, 'This pass has already ended.');
  assert.equal(
    say({ status: 409, field: '', message: 'Restroom: 1 of 1 passes to this room are active' }),
    'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.',
  );
  assert.equal(say({ status: 409, message: 'Sam Student already has an active pass' }), 'Sam Student is already out on a pass.');
  assert.equal(say({ status: 400, field: 'student', message: 'student: no student "1234"' }), 'No student has that student ID or email. Check it and try again.');
  assert.equal(say({ status: 0, message: 'x' }), 'Cannot reach the hallpass server. Check the connection and try again.');
  // A message no rule knows loses its field name and reads as a sentence.
  assert.equal(say({ status: 400, field: 'colour', message: 'colour: not today' }), 'Not today.');
  for (const words of [LIMIT_WORDS, SAME_ROOM_WORDS, ENDED_WORDS]) assert.doesNotMatch(words, /max_passes|null|origin/);
});

test('loads never overlap: a request while one runs queues one more, not many', async () => {
  let running = 0;
  let most = 0;
  let runs = 0;
  const release = [];
  const run = serialize(async () => {
    running++;
    runs++;
    most = Math.max(most, running);
    await new Promise((resolve) => release.push(resolve));
    running--;
  });
  const first = run();
  run();
  run();
  run();
  assert.equal(runs, 1, 'one load at a time');
  release.shift()();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(runs, 2, 'the requests made meanwhile run once, after');
  release.shift()();
  await first;
  assert.equal(most, 1);
  assert.equal(runs, 2);
  const failing = serialize(async () => {
    throw new Error('boom');
  });
  await failing(); // A failed load does not stop the next one.
  await failing();
});
