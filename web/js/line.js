// The waiting line on the pages: what an entry of GET /api/line shows as, for the student,
// the kiosk and staff. Pure functions of the API's entries, with no DOM, tested in Node; the
// words come from words.js.
//
// An offer's countdown runs on the device from `offer_seconds_left`, the seconds the server
// counted when it answered, so that a device whose clock is wrong still counts right: the
// page notes when it read the answer (its own monotonic clock) and counts down from there.

import { sameRoom, studentDetail } from './model.js';
import { countdownWords, positionWords, offerWords, lapsedWords, leftLineWords, lineStateWords } from './words.js';

// When a countdown reaches 0 a page reads the line again this long after: the server lapses
// the offer within a second of its end (and announces it, but a page may be polling).
export const READ_AFTER_ZERO_MS = 1200;

// The local instant (ms, on the clock `readAt` came from) when an offer read at `readAt`
// runs out, or null when the entry holds no offer.
export function offerDeadline(entry, readAt) {
  if (!entry || entry.state !== 'offered' || typeof entry.offer_seconds_left !== 'number') return null;
  return readAt + entry.offer_seconds_left * 1000;
}

// Whole seconds left until `deadline` at `now`, never below 0: 27 until a full second has
// gone, as the server rounds down when it answers.
export function secondsLeft(deadline, now) {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

// The countdown's words at `now` for a deadline from offerDeadline().
export function countdownAt(deadline, now) {
  return countdownWords(secondsLeft(deadline, now));
}

// Whether an answer is a place in line (202 from POST /api/passes with wait) rather than a
// pass (201: the rules let it out after all).
export function isLineEntry(data) {
  return Boolean(data && typeof data === 'object' && 'joined' in data && 'position' in data);
}

// The student's own entry (GET /api/line gives them 0 or 1), or null.
export function ownEntry(entries) {
  return (entries || []).find((e) => e.state === 'waiting' || e.state === 'offered') || null;
}

// The student's page in line: {kind: 'none'|'waiting'|'offered', title, text}.
export function studentLineView(entry) {
  if (!entry) return { kind: 'none', title: '', text: '' };
  if (entry.state === 'offered') return { kind: 'offered', title: 'Your turn', text: offerWords(entry) };
  return { kind: 'waiting', title: 'You are in line', text: positionWords(entry) };
}

// What changed for the student between two reads of their entry, as a note to show, or ''
// when there is nothing to say: an offer that ran out and sent them back to waiting, or a
// place gone without a pass (the offer ran out a second time, or someone removed it).
// `expired`: the countdown of the earlier offer had reached 0.
export function lineNote(before, after, { hasPass = false, expired = false } = {}) {
  if (!before || hasPass) return '';
  if (after && after.id === before.id) return before.state === 'offered' && after.state === 'waiting' ? lapsedWords(after) : '';
  return leftLineWords(before.state === 'offered' && expired);
}

// Whether a new read brought an offer that was not there before (to announce it once).
export function isNewOffer(before, after) {
  return Boolean(after && after.state === 'offered' && !(before && before.id === after.id && before.state === 'offered'));
}

// One entry as a row of a list (the kiosk's cards, the Passes page's tables).
export function lineRowView(entry, { kiosk = false } = {}) {
  const name = entry.student_name || entry.student;
  const offered = entry.state === 'offered';
  return {
    id: entry.id,
    student: entry.student,
    name,
    detail: studentDetail(entry.student_id, entry.student),
    position: entry.position,
    positionText: `${entry.position}.`,
    origin: entry.origin,
    destination: entry.destination,
    where: `${entry.origin} \u2192 ${entry.destination}`,
    state: entry.state,
    stateText: lineStateWords(entry, { kiosk }),
    offered,
    // The buttons' words for a screen reader: whose place they act on.
    startDetail: ` ${name}\u2019s pass to ${entry.destination}`,
    removeDetail: ` ${name} from the line`,
  };
}

// The entries of the line that concern a room: leaving it or going to it.
export function roomLine(entries, room) {
  if (!room) return [];
  return entries.filter((e) => sameRoom(e.origin, room) || sameRoom(e.destination, room));
}

// "3 in line, 1 offered a place", or "Nobody is waiting."
export function lineSummary(entries) {
  if (!entries.length) return 'Nobody is waiting.';
  const offered = entries.filter((e) => e.state === 'offered').length;
  return `${entries.length} in line${offered ? `, ${offered} offered a place` : ''}`;
}
