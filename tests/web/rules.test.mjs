// The pure parts of the pass rules on the pages, in Node: the Pass rules page's settings,
// rooms, groups, schedule and no-pass times; overtime; and refusals by a rule in a teacher's
// or a student's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTINGS, listError, rangeText, settingWords, readSettings, readRoomRules, absentText, groupView, parseMembers, scheduleProblems, scheduleRows, isOn, stoppedBy, blackoutView, stopStateText } from '../../web/js/rules.js';
import { overtimeMs, overtimeText, minutesText, UNDO_MS } from '../../web/js/model.js';
import { say, OVERRIDABLE_RULES, overridesWords } from '../../web/js/words.js';
import { ApiError } from '../../web/js/api.js';
import { canOverride, endedText, passRowView } from '../../web/js/passes.js';
import { limitText, studentWords } from '../../web/js/student.js';

const TZ = 'America/Chicago';
const NOW = Date.parse('2026-03-02T15:00:00Z');
const SAVED = { auto_end_minutes: 120, default_time_limit_minutes: null, max_active_passes: null, max_passes_per_day: null, max_passes_per_week: null, cooldown_minutes: null, no_pass_first_minutes: null, no_pass_last_minutes: null, wait_in_line: true, line_offer_seconds: 30, retain_passes_days: null };

test('every setting of the API is on the page, with its range in words', () => {
  assert.deepEqual(SETTINGS.map((s) => s.key), Object.keys(SAVED));
  const spec = (key) => SETTINGS.find((s) => s.key === key);
  assert.equal(rangeText(spec('auto_end_minutes')), '10 to 720 minutes; empty means 120.');
  assert.equal(rangeText(spec('max_passes_per_week')), '1 to 200 passes; empty turns it off.');
  assert.equal(settingWords(spec('line_offer_seconds')), 'Enter a whole number from 10 to 300 (seconds), or leave it empty for the default (30).');
  assert.equal(settingWords(spec('cooldown_minutes')), 'Enter a whole number from 1 to 120 (minutes), or leave it empty to turn this rule off.');
  for (const s of SETTINGS) assert.ok(s.meaning && s.label, `${s.key} has words`);
});

test('settings: only what changed is sent; empty turns off or restores the default; bad values are named', () => {
  const values = Object.fromEntries(Object.entries(SAVED).map(([k, v]) => [k, typeof v === 'boolean' ? v : v === null ? '' : String(v)]));
  assert.deepEqual(readSettings(values, SAVED), [{}, []], 'nothing changed');
  assert.deepEqual(readSettings({ ...values, max_active_passes: ' 40 ', wait_in_line: false, auto_end_minutes: '' }, { ...SAVED, auto_end_minutes: 90 }), [{ max_active_passes: 40, wait_in_line: false, auto_end_minutes: 120 }, []]);
  assert.deepEqual(readSettings({ ...values, cooldown_minutes: '' }, { ...SAVED, cooldown_minutes: 5 }), [{ cooldown_minutes: null }, []]);
  const [body, problems] = readSettings({ ...values, max_passes_per_day: '0', cooldown_minutes: '5.5', auto_end_minutes: '721', max_active_passes: '-3', line_offer_seconds: '30' }, SAVED);
  assert.deepEqual(body, {});
  assert.deepEqual(problems.map((p) => p[0]), ['auto_end_minutes', 'max_active_passes', 'max_passes_per_day', 'cooldown_minutes']);
  assert.ok(problems.every(([, words]) => !/_/.test(words)), 'no field names in the words');
});

test('rooms: a time limit from 1 to 240 or empty; counting on by default', () => {
  const room = { id: 7, name: 'Nurse', time_limit_minutes: null, counts_toward_limit: true };
  assert.deepEqual(readRoomRules(room, '', true), [{}, '']);
  assert.deepEqual(readRoomRules(room, '15', false), [{ time_limit_minutes: 15, counts_toward_limit: false }, '']);
  assert.deepEqual(readRoomRules({ ...room, time_limit_minutes: 15 }, ' ', true), [{ time_limit_minutes: null }, '']);
  assert.match(readRoomRules(room, '241', true)[1], /from 1 to 240/);
  assert.match(readRoomRules(room, 'ten', true)[1], /from 1 to 240/);
});

test('a refusal about one entry of a list names the entry, not the field', () => {
  assert.deepEqual(listError('schedule[1]: start: Period 2 08:40-09:30 overlaps Period 1 08:00-08:50 on mon', 'schedule'), { index: 1, field: 'start', text: 'Period 2 08:40-09:30 overlaps Period 1 08:00-08:50 on mon.' });
  assert.deepEqual(listError('students[0]: no student has the email or ID "x"', 'students'), { index: 0, field: '', text: 'No student has the email or ID "x".' });
  assert.equal(listError('name: missing', 'students'), null);
});

test('a section without its endpoint says so', () => {
  assert.equal(absentText('Encounter groups'), 'Encounter groups are not available on this server yet. This part of the page will work once the server has them.');
});

test('encounter groups: members shown by name, edited by email or student ID, 2 to 20 of them', () => {
  const v = groupView({ id: 3, name: 'B12', active: false, students: [{ name: 'Sam Lee', email: 'sam@x', student_id: 'S-1' }, { name: 'Ana', email: 'ana@x', student_id: null }] });
  assert.deepEqual([v.state, v.toggle, v.members, v.keys], ['Paused', 'Resume', ['Sam Lee (ID S-1)', 'Ana (ana@x)'], 'S-1\nana@x']);
  assert.equal(groupView({ id: 4, name: 'C', members: ['a@x', 'b@x'] }).state, 'Active', 'active unless paused; plain keys too');
  assert.deepEqual(parseMembers(' a@x \nS-2, a@X\n\n'), [['a@x', 'S-2'], '']);
  assert.match(parseMembers('a@x')[1], /2 to 20 students; this one has 1/);
  assert.match(parseMembers(Array.from({ length: 21 }, (_, i) => `s${i}`).join('\n'))[1], /this one has 21/);
});

test('the bell schedule: days, names and times checked before saving; rows in day order', () => {
  const ok = { day: 'mon', period: 'Period 1', start: '08:00', end: '08:50' };
  assert.deepEqual(scheduleProblems([ok, { ...ok, day: '2026-12-24' }]), []);
  const problems = scheduleProblems([{ day: 'monday', period: ' ', start: '8:00', end: '08:50' }, { ...ok, start: '09:00', end: '09:00' }]);
  assert.deepEqual(problems.map(([i, f]) => [i, f]), [[0, 'day'], [0, 'period'], [0, 'start'], [1, 'end']]);
  assert.match(problems[3][2], /end after it starts/);
  const rows = scheduleRows({ schedule: [{ day: 'tue', period: 'P1', start: '08:00', end: '09:00' }, { day: 'mon', period: 'P2', start: '10:00', end: '11:00' }, { day: 'mon', period: 'P1', start: '08:00', end: '09:00' }, { day: '2026-12-24', period: 'P1', start: '08:00', end: '09:00' }] });
  assert.deepEqual(rows.map((r) => `${r.day} ${r.period}`), ['mon P1', 'mon P2', 'tue P1', '2026-12-24 P1']);
  assert.deepEqual(scheduleRows(null), []);
});

test('no-pass times: on now, stopping all passes, and their words', () => {
  const stop = { id: 1, start: '2026-03-02T14:00:00Z', end: null, reason: 'All passes stopped' };
  const later = { id: 2, start: '2026-03-03T15:00:00Z', end: '2026-03-03T16:30:00Z', reason: 'Assembly' };
  const past = { id: 3, start: '2026-03-02T13:00:00Z', end: '2026-03-02T14:30:00Z', reason: 'Test' };
  assert.deepEqual([isOn(stop, NOW), isOn(later, NOW), isOn(past, NOW)], [true, false, false]);
  assert.deepEqual(stoppedBy([stop, later, past, { ...stop, id: 4, start: '2026-03-05T00:00:00Z' }], NOW).map((b) => b.id), [1]);
  assert.match(blackoutView(later, TZ, NOW).when, /^.*9:00 AM to .*10:30 AM$/);
  assert.match(blackoutView(stop, TZ, NOW).when, /^From .*, until it is removed$/);
  assert.equal(blackoutView({ ...later, reason: '' }, TZ, NOW).reason, 'No reason given');
  assert.match(stopStateText([], TZ), /^Passes are allowed\./);
  assert.match(stopStateText([stop], TZ), /^All passes are stopped since .*8:00 AM/);
});

test('overtime: strictly over the limit, counted to now or to the end, in words', () => {
  const pass = { start: '2026-03-02T13:30:00Z', time_limit_minutes: 5, end: null };
  assert.equal(overtimeMs(pass, NOW), 85 * 60000);
  assert.equal(overtimeText(pass, NOW), 'Overtime: 1 h 25 min over the 5-minute limit');
  assert.equal(overtimeText({ ...pass, time_limit_minutes: null }, NOW), '', 'no limit, never overtime');
  assert.equal(overtimeText({ ...pass, start: '2026-03-02T14:55:00Z' }, NOW), '', 'exactly at the limit is not over');
  assert.equal(overtimeText({ ...pass, end: '2026-03-02T13:47:00Z' }, NOW), 'Overtime: 12 min over the 5-minute limit');
  assert.equal(minutesText(30000), 'under 1 min');
  assert.equal(minutesText(120 * 60000), '2 h');
  const row = passRowView({ id: 1, student: 's@x', student_name: 'Sam', origin: 'A', destination: 'B', start: pass.start, active: true, time_limit_minutes: 5 }, NOW, TZ);
  assert.equal(row.overtime, 'Overtime: 1 h 25 min over the 5-minute limit');
  assert.equal(UNDO_MS, 10000);
});

test('refusals by a rule: a teacher\u2019s words, a student\u2019s "you", Override only where staff may pass', () => {
  const staff = (rule, message) => say({ status: 409, rule, message });
  assert.equal(staff('student_active', 'Sam Lee already has an active pass'), 'Sam Lee is already out on a pass.');
  assert.equal(staff('student_limit', 'Sam Lee has used 4 of 4 passes today'), 'Sam Lee has used 4 of 4 passes today.');
  assert.equal(staff('cooldown', 'Sam Lee can start a new pass at 10:42'), 'Sam Lee can start a new pass at 10:42.');
  assert.equal(staff('encounter', 'Encounter group "B12": another student of this group is out'), 'Another student of the group \u201cB12\u201d is out right now, so this student should wait.');
  assert.equal(staff('hallway_cap', 'The hallway is full: 40 of 40 passes are active'), 'The hallway is full right now (40 of 40 passes are out). Try again when someone is back.');
  assert.equal(staff('max_to', 'Restroom B: 3 of 3 passes to this room are active'), 'Restroom B is full right now (3 of 3 passes going to it). Try again when someone is back.');
  assert.equal(staff('no_pass_time', 'No passes until 10:15 (first 10 minutes of Period 2)'), 'No passes until 10:15 (first 10 minutes of Period 2).');
  for (const text of [staff('student_limit', 'x'), staff('encounter', 'x')]) assert.ok(!/student_limit|encounter\b/.test(text));

  const me = (rule, message) => say({ status: 409, rule, message, name: 'Sam Lee' });
  assert.equal(me('student_limit', 'Sam Lee has used 4 of 4 passes today'), 'You have used 4 of 4 passes today.');
  assert.equal(me('cooldown', 'Sam Lee can start a new pass at 10:42'), 'You can start a new pass at 10:42.');
  assert.equal(me('student_active', 'Sam Lee already has an active pass'), 'You are already out on a pass.');
  assert.equal(me('', "You can't start a pass right now. Please ask your teacher."), "You can't start a pass right now. Please ask your teacher.", 'a group is never named to a student');
  const err = new ApiError(409, 'Sam Lee has used 4 of 4 passes this week', { rule: 'student_limit' });
  assert.equal(studentWords(err, 'Sam Lee'), 'You have used 4 of 4 passes this week.');
  assert.equal(err.text, 'Sam Lee has used 4 of 4 passes this week.');

  assert.deepEqual(OVERRIDABLE_RULES, ['encounter', 'student_limit', 'max_from', 'max_to']);
  assert.equal(canOverride(err), true);
  assert.equal(canOverride(new ApiError(409, 'x', { rule: 'hallway_cap' })), false, 'staff are not held to the hallway cap');
  assert.equal(canOverride(new ApiError(409, 'x', { rule: 'student_active' })), false, 'nobody passes one active pass');
  assert.equal(canOverride(new ApiError(400, 'x')), false);
  assert.equal(endedText({ student: 's@x', student_name: 'Sam Lee' }), 'Ended Sam Lee\u2019s pass.');
  assert.equal(limitText({ time_limit_minutes: 1 }), 'Time limit: 1 minute');
  assert.equal(limitText({ time_limit_minutes: null }), '');
  assert.equal(say({ status: 409, message: 'the pass ended itself after its time out; start a new pass' }), 'This pass ended by itself when its time ran out. Start a new pass instead.');
});

test('what an override passed over is said in words, never as the rules\' codes', () => {
  assert.equal(overridesWords(['student_limit', 'max_to']), 'Passed over: Passes per student, Max passes to a room');
  assert.equal(overridesWords(['encounter']), 'Passed over: Encounter group');
  assert.equal(overridesWords([]), '');
  assert.equal(overridesWords(undefined), '');
});
