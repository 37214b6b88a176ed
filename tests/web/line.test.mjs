// The waiting line on the pages (web/js/line.js, its words in words.js, and the Passes page's
// choices beside a refusal), in Node without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offerDeadline, secondsLeft, countdownAt, isLineEntry, ownEntry, studentLineView, lineNote, isNewOffer, lineRowView, roomLine, lineSummary } from '../../web/js/line.js';
import { say, countdownWords, positionWords, joinedWords, kioskJoinedWords, offerCameWords, lineStateWords, refusalHint, OFFER_LAPSED_WORDS, LINE_GONE_WORDS } from '../../web/js/words.js';
import { refusalChoices, roomLineTitle } from '../../web/js/passes.js';
import { getOrNull } from '../../web/js/api.js';

const entry = (over) => ({
  id: 12,
  student: 'sam@test.example',
  student_name: 'Sam Lee',
  student_id: 'S-1042',
  origin: 'Room 104',
  destination: 'Restroom B',
  state: 'waiting',
  position: 3,
  joined: '2026-03-02T09:00:00-06:00',
  offered_at: null,
  offer_expires: null,
  offer_seconds_left: null,
  pass: null,
  ...over,
});
const offered = (over) => entry({ state: 'offered', position: 1, offered_at: '2026-03-02T09:05:00-06:00', offer_expires: '2026-03-02T09:05:30-06:00', offer_seconds_left: 27, ...over });

test('an offer counts down on the device from the seconds the server gave, whatever its clock says', () => {
  const readAt = 5000; // performance.now() when the answer came
  const deadline = offerDeadline(offered(), readAt);
  assert.equal(deadline, 32000);
  assert.equal(secondsLeft(deadline, readAt), 27);
  assert.equal(secondsLeft(deadline, readAt + 400), 27, 'the same second until a full one has gone');
  assert.equal(secondsLeft(deadline, readAt + 1000), 26);
  assert.equal(secondsLeft(deadline, readAt + 26500), 1);
  assert.equal(secondsLeft(deadline, readAt + 27000), 0);
  assert.equal(secondsLeft(deadline, readAt + 90000), 0, 'never below 0');
  assert.equal(countdownAt(deadline, readAt + 2000), '(25 s)');
  assert.equal(countdownWords(27), '(27 s)');
  assert.equal(offerDeadline(entry(), readAt), null, 'a waiting entry has no countdown');
  assert.equal(offerDeadline(null, readAt), null);
});

test('a 202 answer is a place in line, a 201 a pass', () => {
  assert.equal(isLineEntry(entry()), true);
  assert.equal(isLineEntry({ id: 7, student: 'sam@test.example', origin: 'Room 104', destination: 'Restroom B', start: '2026-03-02T09:00:00-06:00', active: true }), false);
  assert.equal(isLineEntry(null), false);
});

test('the student in line: their place, then their turn; a lapse says so', () => {
  assert.equal(ownEntry([]), null);
  assert.equal(ownEntry([entry()]).id, 12);
  assert.deepEqual(studentLineView(null), { kind: 'none', title: '', text: '' });
  const waiting = studentLineView(entry());
  assert.equal(waiting.kind, 'waiting');
  assert.equal(waiting.text, 'You are number 3 in line for Restroom B');
  assert.equal(positionWords(entry({ position: 1 })), 'You are number 1 in line for Restroom B');
  const turn = studentLineView(offered());
  assert.equal(turn.kind, 'offered');
  assert.equal(turn.title, 'Your turn');
  assert.match(turn.text, /Restroom B has room for you now\. Press \u201cStart now\u201d/);

  // An offer that ran out and went back to waiting.
  assert.equal(lineNote(offered(), entry({ position: 2 })), 'The time to start ran out, so your turn went to the next student. You are back in line, number 2.');
  // Still waiting, or moved up: nothing to say.
  assert.equal(lineNote(entry(), entry({ position: 2 })), '');
  assert.equal(lineNote(null, entry()), '');
  // The place gone with no pass: after an offer ran out, or removed by someone.
  assert.equal(lineNote(offered(), null, { expired: true }), 'The time to start ran out, so you are no longer in line. You can ask for the pass again.');
  assert.equal(lineNote(entry(), null), 'You are no longer in line.');
  assert.equal(lineNote(offered(), null, { expired: false }), 'You are no longer in line.');
  // The offer taken (by the student or for them): the pass shows, no note.
  assert.equal(lineNote(offered(), null, { hasPass: true }), '');

  assert.equal(isNewOffer(entry(), offered()), true);
  assert.equal(isNewOffer(null, offered()), true);
  assert.equal(isNewOffer(offered(), offered({ offer_seconds_left: 20 })), false, 'said once, not on every read');
  assert.equal(isNewOffer(offered(), entry()), false);
});

test('the lists of the line: place, student, route, state, and whose place each button acts on', () => {
  const row = lineRowView(offered());
  assert.equal(row.positionText, '1.');
  assert.equal(row.name, 'Sam Lee');
  assert.equal(row.detail, 'ID S-1042 · sam@test.example');
  assert.equal(row.where, 'Room 104 \u2192 Restroom B');
  assert.equal(row.offered, true);
  assert.equal(row.stateText, 'Offered a place');
  assert.equal(lineRowView(offered(), { kiosk: true }).stateText, 'Your turn', 'at the kiosk the student reads it');
  assert.equal(row.startDetail, ' Sam Lee\u2019s pass to Restroom B');
  assert.equal(row.removeDetail, ' Sam Lee from the line');
  const plain = lineRowView(entry({ student_name: '', student_id: null }));
  assert.equal(plain.name, 'sam@test.example');
  assert.equal(plain.detail, 'sam@test.example');
  assert.equal(plain.stateText, 'Waiting');
  assert.equal(lineStateWords(entry()), 'Waiting');

  const line = [entry({ id: 1, origin: 'Room 2', destination: 'Gym' }), entry({ id: 2, origin: 'room 104' }), entry({ id: 3, origin: 'Library', destination: 'ROOM 104' })];
  assert.deepEqual(roomLine(line, 'Room 104').map((e) => e.id), [2, 3], 'from or to the room, any case');
  assert.deepEqual(roomLine(line, ''), []);
  assert.equal(roomLineTitle('Room 104'), 'From or to Room 104');
  assert.equal(lineSummary([]), 'Nobody is waiting.');
  assert.equal(lineSummary([entry(), offered()]), '2 in line, 1 offered a place');
  assert.equal(lineSummary([entry()]), '1 in line');
});

test('joining, an offer, and the line\u2019s refusals in words, never codes', () => {
  assert.equal(joinedWords(entry()), 'Sam Lee is number 3 in line for Restroom B.');
  assert.equal(joinedWords(entry(), { you: true }), 'You are number 3 in line for Restroom B.');
  assert.match(kioskJoinedWords(entry()), /^Sam Lee, you are number 3 in line for Restroom B\. \u201cStart now\u201d shows/);
  assert.equal(offerCameWords(offered()), 'Sam Lee: it\u2019s your turn to go to Restroom B. Press \u201cStart now\u201d.');

  assert.equal(say({ status: 409, message: 'Sam Lee is already in line' }), 'Sam Lee is already in line.');
  assert.equal(say({ status: 409, message: 'Sam Lee is already in line', name: 'Sam Lee' }), 'You are already in line.');
  // A pass for a student who holds an offer from the line.
  assert.equal(
    say({ status: 409, rule: 'student_active', message: 'Sam Lee already has an offer from the line to take' }),
    'Sam Lee already has a place offered from the line. Start that pass, or leave the line first.',
  );
  assert.equal(
    say({ status: 409, rule: 'student_active', message: 'Sam Lee already has an offer from the line to take', name: 'Sam Lee' }),
    'You already have a place offered from the line. Start that pass, or leave the line first.',
  );
  assert.equal(say({ status: 409, rule: 'student_active', message: 'Sam Lee already has an active pass' }), 'Sam Lee is already out on a pass.');
  assert.equal(say({ status: 409, message: 'the offer has lapsed' }), OFFER_LAPSED_WORDS);
  assert.match(say({ status: 409, message: 'the offer has not come yet' }), /not this student\u2019s turn yet/);
  assert.equal(say({ status: 404, message: 'no line entry 12' }), LINE_GONE_WORDS);
  for (const words of [OFFER_LAPSED_WORDS, LINE_GONE_WORDS, kioskJoinedWords(entry()), offerCameWords(offered())]) assert.doesNotMatch(words, /offered_at|offer_seconds|state|lapsed|waiting|null/);
});

test('a refusal on the Passes page offers Override, Send to line, or both, each once', () => {
  const full = { status: 409, rule: 'max_to', canWait: true };
  assert.deepEqual(refusalChoices(full, { type: 'now' }), { override: true, line: true, hint: refusalHint({ override: true, line: true }) });
  assert.match(refusalHint({ override: true, line: true }), /or send the student to the line/);
  assert.deepEqual(refusalChoices(full, { type: 'now', override: true }).override, false, 'no second Override');
  assert.equal(refusalChoices(full, { type: 'now', wait: true }).line, false, 'no second Send to line');
  assert.equal(refusalChoices({ status: 409, rule: 'student_limit', canWait: false }, { type: 'now' }).line, false);
  assert.equal(refusalChoices({ status: 409, rule: 'student_active', canWait: false }, { type: 'now' }).override, false);
  assert.equal(refusalChoices({ status: 409, rule: 'hallway_cap', canWait: true }, { type: 'now' }).override, false, 'a rule staff are not checked against is no override');
  assert.equal(refusalChoices({ status: 409, rule: 'hallway_cap', canWait: true }, { type: 'now' }).hint, 'The student can wait in line and start when there is room.');
  assert.equal(refusalChoices(full, { type: 'scheduled' }).line, false, 'a scheduled pass never waits');
  assert.equal(refusalHint({}), '');
});

test('a server without a line: the optional read answers null for 404, and fails on anything else', async () => {
  const saved = globalThis.fetch;
  const answer = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  globalThis.fetch = async (path) => {
    if (path === '/api/line') return answer(200, { entries: [entry()] });
    if (path === '/api/missing') return answer(404, { error: 'not found' });
    return answer(500, { error: 'boom' });
  };
  try {
    assert.equal((await getOrNull('/api/line')).entries[0].id, 12);
    assert.equal(await getOrNull('/api/missing'), null);
    await assert.rejects(getOrNull('/api/broken'), (err) => err.status === 500);
  } finally {
    globalThis.fetch = saved;
  }
});
