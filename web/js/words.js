// What the pages say when the server refuses something, in the words of the people who use
// them. The API's messages are precise and meant for programs ("max_passes_to: must be a
// whole number from 1 to 100000, or null for no limit"); a page shows a sentence instead and
// never a field name. Pure: takes the error's status, field and message, tested in Node.

export const LIMIT_WORDS = 'Leave empty for no limit, or enter a whole number from 1 to 100000.';
export const SAME_ROOM_WORDS = 'Choose a different destination: the pass already leaves from this room.';
export const ENDED_WORDS = 'This pass has already ended.';
export const NETWORK_WORDS = 'Cannot reach the hallpass server. Check the connection and try again.';
export const OFFER_LAPSED_WORDS = 'The time to start ran out before the pass was started.';
export const LINE_GONE_WORDS = 'This place in line is gone: the pass may have started, or the place was removed.';

// Each rule: the status (or 0 for any), the field ('' for none, '*' for any), a test of the
// message, and the words (a string, or a function of the match).
const RULES = [
  [400, 'max_passes_from', /./, LIMIT_WORDS],
  [400, 'max_passes_to', /./, LIMIT_WORDS],
  [400, 'destination', /same room/, SAME_ROOM_WORDS],
  [400, '*', /no room named/, 'Choose a room from the list.'],
  [400, 'student', /no student|missing/, 'No student has that student ID or email. Check it and try again.'],
  [400, 'student', /not a student/, 'That is not a student\u2019s ID or email. Check it and try again.'],
  [400, 'start', /future/, 'Choose a start time later than now.'],
  [400, 'start', /./, 'Choose when the pass starts.'],
  [400, 'name', /missing|empty/, 'Enter the room\u2019s name.'],
  [400, 'name', /./, 'Use a shorter name, without special characters.'],
  [400, 'folder', /./, 'Use a shorter folder name, without special characters.'],
  [409, '', /room named .* already exists/, 'Another room already has this name. Choose a different name.'],
  [409, 'name', /./, 'Another room already has this name. Choose a different name.'],
  [409, '*', /already has an active pass/, (m) => `${m.input.replace(/ already has an active pass.*/, '')} is already out on a pass.`],
  [409, '*', /^(.*): (\d+) of (\d+) passes (from|to) this room/, (m) => `${m[1]} is full right now (${m[2]} of ${m[3]} passes ${m[4] === 'from' ? 'out from it' : 'going to it'}). Try again when someone is back.`],
  [409, '', /ended itself/, 'This pass ended by itself when its time ran out. Start a new pass instead.'],
  [409, '', /has not ended/, 'This pass is still active.'],
  [409, '', /already ended/, ENDED_WORDS],
  [409, '', /cancelled/, 'This pass was cancelled.'],
  [409, '', /not started/, 'This pass has not started yet. Cancel it instead.'],
  [409, '*', /^(.*) is already in line/, (m) => `${m[1]} is already in line.`],
  [409, '', /offer has lapsed/, OFFER_LAPSED_WORDS],
  [409, '', /offer has not come yet/, 'It is not this student\u2019s turn yet. \u201cStart now\u201d shows when there is room.'],
  [409, '', /line/, LINE_GONE_WORDS],
  [404, '', /line|entry/, LINE_GONE_WORDS],
  [404, '', /pass/, 'This pass is no longer here. It may have ended or been cancelled.'],
  [403, 'override', /./, 'Only staff can override a room limit.'],
  [403, '', /./, 'You may not do that here.'],
  [503, '', /./, 'The hallpass server cannot answer right now. Try again in a moment.'],
];

// A password typed wrong too often (429): how long to wait.
export function waitWords(retryAfter) {
  return `Too many wrong passwords. Wait ${retryAfter || 60} seconds, then try again.`;
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The pass rules that staff may pass with an override; a refusal by one of them offers the
// "Override" button to staff.
export const OVERRIDABLE_RULES = ['encounter', 'student_limit', 'max_from', 'max_to'];

function sentence(text) {
  return capitalize(text).replace(/([^.!?])$/, '$1.');
}

// A refusal of a pass by one of the rules (409 with `rule`), in the words of the person who
// asked: staff read the student's name, a student reads "you" (name: the student's own).
// The server's messages are already plain ("Sam Lee has used 4 of 4 passes today"); what
// changes is the ending and the person.
const RULE_WORDS = {
  student_active: (m) => {
    const offer = /^(.*) already has an offer from the line/.exec(m);
    if (offer) return `${offer[1]} already has a place offered from the line. Start that pass, or leave the line first.`;
    return `${m.replace(/ already has an active pass.*/, '')} is already out on a pass.`;
  },
  no_pass_time: (m) => sentence(m),
  encounter: (m) => {
    const group = /^Encounter group "(.*)":/.exec(m);
    return group ? `Another student of the group \u201c${group[1]}\u201d is out right now, so this student should wait.` : sentence(m);
  },
  cooldown: (m) => sentence(m),
  student_limit: (m) => sentence(m),
  hallway_cap: (m) => {
    const n = /(\d+) of (\d+)/.exec(m);
    return n ? `The hallway is full right now (${n[1]} of ${n[2]} passes are out). Try again when someone is back.` : sentence(m);
  },
};

// The same words for a student about themselves: "Sam Lee has used 4 of 4 passes today"
// becomes "You have used 4 of 4 passes today."
function toSecondPerson(text, name) {
  if (!name || !text.startsWith(`${name} `)) return text;
  return (
    'You ' +
    text
      .slice(name.length + 1)
      .replace(/^is already out on a pass/, 'are already out on a pass')
      .replace(/^has used/, 'have used')
      .replace(/^already has/, 'already have')
      .replace(/^is already in line/, 'are already in line')
  );
}

// {status, field, message, rule, name} -> the sentence to show; `name`, when given, is the
// person reading (a student), who is spoken to as "you".
export function say({ status = 0, field = '', message = '', rule = '', name = '' } = {}) {
  if (status === 0) return NETWORK_WORDS;
  if (status === 401) return 'Your session ended. Please sign in again.';
  if (status === 409 && rule && RULE_WORDS[rule]) return toSecondPerson(RULE_WORDS[rule](message), name);
  if (status === 409 && name) return toSecondPerson(sayPlain(status, field, message), name);
  return sayPlain(status, field, message);
}

function sayPlain(status, field, message) {
  for (const [st, f, re, words] of RULES) {
    if (st && st !== status) continue;
    if (f === '' ? field !== '' : f !== '*' && f !== field) continue;
    const m = re.exec(message);
    if (!m) continue;
    return typeof words === 'function' ? words(m) : words;
  }
  if (status >= 500) return 'The hallpass server had a problem. Try again in a moment.';
  // A message no rule knows: its words without the field name, as a sentence.
  const text = field ? message.slice(field.length + 2) : message;
  return sentence(text);
}

// The pass rules by name, as an admin reads them in the insights (the API's names, such as
// `max_to`, never show on a page). In the order the server checks them.
export const RULE_NAMES = {
  student_active: 'Already out on a pass',
  no_pass_time: 'No-pass time',
  encounter: 'Encounter group',
  cooldown: 'Wait between passes',
  student_limit: 'Passes per student',
  max_from: 'Max passes from a room',
  max_to: 'Max passes to a room',
  hallway_cap: 'Hallway cap',
};

// Who made a pass, and its type, in words.
export const SOURCE_NAMES = { student: 'Student', teacher: 'Teacher', kiosk_mode: 'Kiosk mode', kiosk_login: 'Kiosk login' };
export const TYPE_NAMES = { now: 'Now', scheduled: 'Scheduled' };

// A rule, source or type in words; a name no table knows shows as it came, without underscores.
export function nameOf(table, code) {
  return table[code] || String(code ?? '').replace(/_/g, ' ');
}

// ---- The waiting line ----
// A full room or hallway may offer a place in line; the words of the line, for the student
// (spoken to as "you"), the kiosk (the student by name) and staff. Never a state's code.

export const START_NOW_WORDS = 'Start now';
export const LEFT_LINE_WORDS = 'You left the line.';

// "(27 s)": the seconds left to take an offer.
export function countdownWords(seconds) {
  return `(${Math.max(0, seconds)} s)`;
}

// "You are number 3 in line for Restroom B".
export function positionWords(entry) {
  return `You are number ${entry.position} in line for ${entry.destination}`;
}

// An offer, to the student: their turn has come.
export function offerWords(entry) {
  return `It\u2019s your turn: ${entry.destination} has room for you now. Press \u201cStart now\u201d before the time runs out.`;
}

// After an offer ran out and the entry went back to waiting.
export function lapsedWords(entry) {
  return `The time to start ran out, so your turn went to the next student. You are back in line, number ${entry.position}.`;
}

// The student's place is gone without a pass: after an offer that ran out (`expired`), or
// removed by someone else.
export function leftLineWords(expired) {
  return expired ? 'The time to start ran out, so you are no longer in line. You can ask for the pass again.' : 'You are no longer in line.';
}

// A place in line was taken: "Sam Lee is number 2 in line for Restroom B." (staff, kiosk), or
// about the reader ("You are number 2 ...") when `you`.
export function joinedWords(entry, { you = false } = {}) {
  if (you) return `${positionWords(entry)}.`;
  return `${entry.student_name || entry.student} is number ${entry.position} in line for ${entry.destination}.`;
}

// At a kiosk, to the student whose pass just started (from the form or from the line).
export function kioskStartedWords(pass) {
  return `${pass.student_name}, your pass to ${pass.destination} has started. Press \u201cI\u2019m back\u201d when you return.`;
}

// At a kiosk, to the student who just took a place: by name, and where to look.
export function kioskJoinedWords(entry) {
  return `${entry.student_name || entry.student}, you are number ${entry.position} in line for ${entry.destination}. \u201cStart now\u201d shows beside your name below when there is room.`;
}

// An offer at a kiosk or on the Passes page, said once when it comes.
export function offerCameWords(entry) {
  return `${entry.student_name || entry.student}: it\u2019s your turn to go to ${entry.destination}. Press \u201cStart now\u201d.`;
}

// Beside a refusal on the Passes page: what staff may do about it (Override, Send to line).
export function refusalHint({ override = false, line = false } = {}) {
  if (override && line) return 'Staff may let this pass out anyway (the pass records the override), or send the student to the line to start when there is room.';
  if (override) return 'Staff may let this pass out anyway; the pass records the override.';
  if (line) return 'The student can wait in line and start when there is room.';
  return '';
}

// The state of an entry in a list, beside its countdown: staff read "Waiting" or "Offered a
// place"; at a kiosk, where the student reads it, an offer is "Your turn".
export function lineStateWords(entry, { kiosk = false } = {}) {
  if (entry.state === 'offered') return kiosk ? 'Your turn' : 'Offered a place';
  return 'Waiting';
}

// What a pass made with an override passed over, in words: "Passed over: Max passes to a
// room, Passes per student". Empty when it passed over nothing.
export function overridesWords(rules) {
  if (!rules || rules.length === 0) return '';
  return `Passed over: ${rules.map((r) => nameOf(RULE_NAMES, r)).join(', ')}`;
}
