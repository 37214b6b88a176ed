// The Users page's pure parts, in Node: the search's address, a user's row, the dialog's
// checks and what it sends, the server's refusals in an office's words, and the roster
// import's dry run and errors (the answer shapes of POST /api/users/import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchPath, userCells, summaryText, readUserForm, userWords, deactivateText, fieldsFor } from '../../web/js/users.js';
import { rosterView, rosterErrorText, changeWords, fileProblem } from '../../web/js/roster.js';

const student = { id: 7, name: 'Sam Lee', email: 'sam@x.example', role: 'student', student_id: 'S-1', room: null, max_passes_per_day: null, active: true };
const teacher = { id: 8, name: 'Tia Park', email: 'tia@x.example', role: 'teacher', student_id: null, room: 'Room 2', max_passes_per_day: null, active: true };

test('the search sends only the filters given, with the limit', () => {
  assert.equal(searchPath({ q: '  sam ' }), '/api/users?q=sam&limit=100');
  assert.equal(searchPath({ q: '', role: 'student', active: 'false' }, 20), '/api/users?role=student&active=false&limit=20');
  assert.equal(searchPath({ q: 'a&b' }), '/api/users?q=a%26b&limit=100');
});

test('a row: the role and account in words, a student\u2019s limit or the school\u2019s', () => {
  assert.deepEqual(userCells(student), { name: 'Sam Lee', email: 'sam@x.example', role: 'Student', studentId: 'S-1', room: '', limit: 'School\u2019s limit', account: 'Active', toggle: 'Deactivate' });
  const c = userCells({ ...teacher, active: false });
  assert.equal(c.room, 'Room 2');
  assert.equal(c.limit, '', 'staff have no daily limit');
  assert.equal(c.account, 'Deactivated');
  assert.equal(c.toggle, 'Reactivate');
  assert.equal(userCells({ ...student, max_passes_per_day: 6 }).limit, '6');
});

test('the summary says how many, and how to find the rest', () => {
  assert.equal(summaryText(1, false, false), '1 person');
  assert.equal(summaryText(3, false, true), '3 people');
  assert.match(summaryText(100, true, false), /^Showing the first 100 people\. Type a name/);
  assert.equal(summaryText(0, false, true), 'Nobody matches this search.');
  assert.match(summaryText(0, false, false), /^No people yet/);
});

test('a new person: required fields, the fields of their role only, and a password if given', () => {
  const [body, problems] = readUserForm({ name: ' Ann ', email: 'ann@x.example', role: 'teacher', room: 'Gym', student_id: 'S-9', max_passes_per_day: '4', password: 'pw-1' });
  assert.deepEqual(problems, []);
  assert.deepEqual(body, { name: 'Ann', email: 'ann@x.example', role: 'teacher', room: 'Gym', password: 'pw-1' }, 'a teacher sends no student ID nor limit');
  const [sbody] = readUserForm({ name: 'Bo', email: 'bo@x.example', role: 'student', room: 'Gym', student_id: 's-2', max_passes_per_day: '3' });
  assert.deepEqual(sbody, { name: 'Bo', email: 'bo@x.example', role: 'student', student_id: 's-2', max_passes_per_day: 3 }, 'a student sends no room');
  const [, bad] = readUserForm({ name: '', email: 'nope', role: 'student', student_id: 'S 1', max_passes_per_day: '51' });
  assert.deepEqual(bad.map((p) => p[0]), ['name', 'email', 'student_id', 'max_passes_per_day']);
  assert.ok(bad.every(([, words]) => !/_/.test(words)), 'never a field name in the words');
  const [, kiosk] = readUserForm({ name: 'K', email: 'k@x.example', role: 'kiosk', room: '' });
  assert.deepEqual(kiosk, [['room', 'Choose the room the kiosk stands in.']]);
  assert.deepEqual(fieldsFor('kiosk'), { room: true, student: false, roomRequired: true });
});

test('a change sends only what differs; emptied fields become none', () => {
  const values = { name: 'Sam Lee', email: 'sam@x.example', role: 'student', room: '', student_id: 'S-1', max_passes_per_day: '' };
  assert.deepEqual(readUserForm(values, student)[0], {});
  assert.deepEqual(readUserForm({ ...values, student_id: '', max_passes_per_day: '5' }, student)[0], { student_id: null, max_passes_per_day: 5 });
  assert.deepEqual(readUserForm({ ...values, role: 'teacher', room: 'Gym' }, student)[0], { role: 'teacher', room: 'Gym' });
  assert.deepEqual(readUserForm({ name: 'Tia Park', email: 'tia@x.example', role: 'teacher', room: '' }, teacher)[0], { room: null });
  assert.deepEqual(readUserForm({ ...values, password: 'x' }, student)[0], {}, 'no password in a change');
});

test('the server\u2019s refusals in an office\u2019s words, next to their field', () => {
  assert.deepEqual(userWords({ status: 409, field: 'email', message: 'email: Lee Park ("lee@x") has that email already' }), ['email', 'Lee Park already has this email. Each person needs their own.']);
  assert.deepEqual(userWords({ status: 409, field: 'email', message: 'email: a user with email "x" already exists' })[0], 'email');
  assert.deepEqual(userWords({ status: 409, field: 'student_id', message: 'student_id: "A-1" is already the student ID of Ada Ames ("ada@x"); each student\'s ID is their own' }), ['student_id', 'Ada Ames already has this student ID. Each student\u2019s ID is their own.']);
  assert.deepEqual(userWords({ status: 400, field: 'room', message: 'room: no room named "Gym"' }), ['room', 'Choose a room from the list.']);
  assert.deepEqual(userWords({ status: 400, field: 'max_passes_per_day', message: 'max_passes_per_day: "3": only a student has a daily limit of their own, not a teacher' }), ['max_passes_per_day', 'Only students have a daily limit of their own. Leave it empty.']);
  assert.match(userWords({ status: 400, field: 'max_passes_per_day', message: 'max_passes_per_day: 51 is not from 1 to 50' })[1], /from 1 to 50/);
  assert.deepEqual(userWords({ status: 400, field: 'active', message: 'active: you cannot deactivate your own account' }), ['active', 'You cannot deactivate your own account. Another admin can.']);
  assert.equal(userWords({ status: 404, message: 'no such user' })[0], '');
  assert.deepEqual(userWords({ status: 500, message: 'x' }, 'fallback'), ['', 'fallback']);
  assert.match(deactivateText(student), /^Sam Lee is signed out at once/);
});

// The import's answers, exactly as POST /api/users/import gives them.
const DRY_RUN = {
  applied: false,
  added: [{ email: 'new@x.example', name: 'Nia New', role: 'student' }],
  updated: [{ email: 'sam@x.example', name: 'Sam Lee', role: 'student', changes: ['student_id', { field: 'room', from: 'Room 2', to: 'Room 9' }] }],
  deactivated: [{ email: 'old@x.example', name: 'Olu Old' }],
  left_out: [{ file: 'users.csv', line: 14, reason: 'role "guardian" is not taken' }],
};

test('the dry run: what would be added, updated, deactivated and left out, and Apply', () => {
  const view = rosterView(DRY_RUN);
  assert.equal(view.summary, 'If you apply this file: 1 added, 1 updated, 1 deactivated. 1 row left out (see below).');
  assert.equal(view.canApply, true);
  assert.deepEqual(view.sections.map((s) => s.title), ['Would add: 1 person', 'Would update: 1 person', 'Would deactivate: 1 person', 'Left out: 1 row']);
  assert.deepEqual(view.sections[0].items, ['Nia New, new@x.example (student)']);
  assert.deepEqual(view.sections[1].items, ['Sam Lee, sam@x.example (student): student ID; home room: Room 2 \u2192 Room 9']);
  assert.deepEqual(view.sections[2].items, ['Olu Old, old@x.example']);
  assert.deepEqual(view.sections[3].items, ['users.csv, line 14: role "guardian" is not taken']);
  const done = rosterView({ ...DRY_RUN, applied: true });
  assert.match(done.summary, /^Done\. Added: 1 person\. Updated: 1 person\. Deactivated: 1 person\./);
  assert.equal(done.canApply, false);
  const same = rosterView({ applied: false, added: [], updated: [], deactivated: [], left_out: [] });
  assert.equal(same.summary, 'The file matches hallpass already: applying it would change nothing.');
  assert.equal(same.canApply, false);
  assert.equal(changeWords('max_passes_per_day'), 'passes a day');
  assert.equal(changeWords({ field: 'name', from: 'A', to: null }), 'name: A \u2192 none');
});

test('a refused file says where, the value and why, and that nothing changed', () => {
  assert.equal(
    rosterErrorText({ error: 'email: "x@" is not an email address', file: 'users.csv', line: 3, column: 'email', value: 'x@' }),
    'This file cannot be imported. users.csv, line 3, column \u201cemail\u201d (\u201cx@\u201d): "x@" is not an email address. Nothing was changed.',
  );
  assert.equal(rosterErrorText({ error: 'not a zip file' }), 'This file cannot be imported: Not a zip file. Nothing was changed.');
  assert.match(fileProblem(null), /Choose the OneRoster export/);
  assert.match(fileProblem({ name: 'users.csv' }), /\.zip file/);
  assert.equal(fileProblem({ name: 'Export.ZIP' }), '');
});
