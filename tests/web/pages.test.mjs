// The render functions of the page modules, in Node without a browser: importing a page
// module does not touch the DOM, and each function turns API data into what the page shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kioskCards, emptyText, enterAction, studentKey } from '../../web/js/kiosk.js';
import { studentView, requestProblems } from '../../web/js/student.js';
import { studentOption, defaultOrigin, passRowView, summaryText, createProblems, resultsCountText } from '../../web/js/passes.js';
import { reportInfo, rowCells, rangeProblem } from '../../web/js/analytics.js';
import { limitValue, readLimits, isDirty, roomsSummary } from '../../web/js/rooms.js';
import { headerLinks, deniedMessage, isKioskLogin } from '../../web/js/header.js';
import { nextTarget, ssoButtons } from '../../web/js/signin.js';

const NOW = Date.parse('2026-03-02T15:00:00Z');
const TZ = 'America/Chicago';
const pass = (over) => ({ id: 1, student: 'sam@test.example', student_name: 'Sam Student', origin: 'Library', destination: 'Nurse', start: '2026-03-02T14:50:00Z', active: true, creator: 't@test.example', creator_name: 'Theo', ...over });

test('kiosk: the cards of passes out from or to its room, and the Enter of a barcode reader', () => {
  const cards = kioskCards([pass(), pass({ id: 2, origin: 'Gym', destination: 'Library' }), pass({ id: 3, active: false, start: '2026-03-02T16:00:00Z' })], 'library', NOW);
  assert.deepEqual(cards.map((c) => [c.id, c.where]), [[1, 'To Nurse'], [2, 'From Gym']]);
  assert.equal(cards[0].endLabel, ' (end Sam Student\u2019s pass)');
  assert.equal(emptyText('Library'), 'Nobody is out from or to Library.');
  assert.equal(studentKey('  S-1234 \n'), 'S-1234');
  assert.equal(enterAction('S-1234', ''), 'next', 'a scan with no destination yet goes on to it');
  assert.equal(enterAction('S-1234', 'Nurse'), 'submit', 'a scan after the destination starts the pass');
  assert.equal(enterAction('  ', 'Nurse'), 'none');
});

test('student: the pass out now and the ones to come; a request to the same room is refused here', () => {
  const view = studentView([pass(), pass({ id: 2, active: false, start: '2026-03-02T17:00:00Z' }), pass({ id: 3, active: false, cancelled: true, start: '2026-03-02T18:00:00Z' })], NOW);
  assert.equal(view.active.id, 1);
  assert.deepEqual(view.upcoming.map((p) => p.id), [2]);
  assert.equal(studentView([], NOW).active, null);
  assert.deepEqual(requestProblems('Room 2', 'room 2'), [['destination', 'Choose a different destination: the pass already leaves from this room.']]);
  assert.deepEqual(requestProblems('', ''), [['origin', 'Choose the room you are in.'], ['destination', 'Choose where you are going.']]);
});

test('passes: search results show the student ID when there is one; From starts at the home room', () => {
  assert.deepEqual(studentOption({ name: 'Sam', email: 'sam@x', student_id: 'S-1' }), { name: 'Sam', detail: 'ID S-1 · sam@x' });
  assert.deepEqual(studentOption({ name: 'Sam', email: 'sam@x' }), { name: 'Sam', detail: 'sam@x' }, 'works before the API sends student_id');
  assert.deepEqual(studentOption({ name: 'Sam', email: 'sam@x', student_id: null }), { name: 'Sam', detail: 'sam@x' });
  assert.equal(defaultOrigin({ room: 'Room 2' }, 'Gym'), 'Room 2');
  assert.equal(defaultOrigin({ room: null }, 'Gym'), 'Gym');
  assert.equal(defaultOrigin({}, null), '');
  assert.match(resultsCountText(2), /^2 students found/);
  const row = passRowView(pass(), NOW, TZ);
  assert.equal(row.action, 'end');
  assert.equal(row.when, 'since 8:50 AM');
  const later = passRowView(pass({ active: false, start: '2026-03-02T17:00:00Z' }), NOW, TZ);
  assert.equal(later.action, 'cancel');
  assert.equal(summaryText([pass(), pass({ id: 2, active: false, start: '2026-03-02T17:00:00Z' })], NOW), '1 out now · 1 scheduled');
  assert.deepEqual(createProblems({ student: 's', origin: 'Gym', destination: 'gym', type: 'now' }).map((p) => p[0]), ['destination']);
  assert.deepEqual(createProblems({ student: '', origin: 'Gym', destination: 'Nurse', type: 'scheduled', start: null }).map((p) => p[0]), ['student', 'start']);
});

test('analytics: columns from the server description; an empty date says what is missing', () => {
  const info = reportInfo('staff', {
    title: 'Staff Usage',
    columns: [
      { key: 'staff', title: 'Staff', field: 'staff', numeric: false },
      { key: 'email', title: 'Email', field: 'email', numeric: false },
      { key: 'total', title: 'Total Passes', field: 'total', numeric: true },
    ],
  });
  assert.equal(info.path, '/api/reports/staff');
  assert.equal(info.defaultSort, 'staff');
  assert.equal(info.columns.total, 'Total Passes');
  const cells = rowCells(info, { staff: 'Ada', email: '', total: 1234 });
  assert.deepEqual(cells.map((c) => [c.text, c.header, c.numeric, Boolean(c.empty)]), [['Ada', true, false, false], ['', false, false, true], ['1,234', false, true, false]]);
  const rooms = reportInfo('rooms', { title: 'Room Usage', columns: [{ key: 'room', title: 'Room', field: 'room', numeric: false }] });
  assert.equal(rowCells(rooms, { room: 'Gym' }, new Map([['gym', 7]]))[0].link, '/rooms?room=7');
  assert.deepEqual(rangeProblem('', ''), ['from', 'Enter a start date and an end date, or choose one of the ranges above.']);
  assert.deepEqual(rangeProblem('2026-03-01', ''), ['to', 'Enter an end date.']);
  assert.equal(rangeProblem('2026-03-05', '2026-03-01')[0], 'to');
  assert.equal(rangeProblem('2026-03-01', '2026-03-05'), null);
});

test('rooms: limits read as the API takes them; edits not saved are noticed', () => {
  assert.equal(limitValue(' '), null);
  assert.equal(limitValue('12'), 12);
  assert.equal(limitValue('2.5'), undefined);
  const [body, problems] = readLimits({ max_passes_from: '3', max_passes_to: 'ten' });
  assert.deepEqual(body, { max_passes_from: 3 });
  assert.equal(problems[0][0], 'max_passes_to');
  assert.match(problems[0][1], /^Leave empty for no limit/);
  assert.equal(isDirty([{ name: 'name', value: 'Gym', saved: 'Gym' }]), false);
  assert.equal(isDirty([{ name: 'name', value: 'Gym 2', saved: 'Gym' }]), true);
  assert.equal(roomsSummary([{}, {}], [{ name: 'A' }, { name: '' }]), '2 rooms in 1 folder');
});

test('header: the links come from the server; a page denied says why; a kiosk login needs staff to sign out', () => {
  const site = {
    pages: [
      { path: '/analytics', label: 'Analytics', audience: 'admins', yours: false },
      { path: '/passes', label: 'Passes', audience: 'staff', yours: true },
    ],
  };
  assert.deepEqual(headerLinks(site, { user: {} }, '/passes'), [], 'no links when the only page is this one');
  assert.deepEqual(headerLinks({ pages: [...site.pages, { path: '/rooms', label: 'Rooms', yours: true }] }, { user: {} }, '/passes').map((l) => [l.label, l.current]), [['Passes', true], ['Rooms', false]]);
  assert.deepEqual(headerLinks(site, { kiosk: { kiosk_mode: true } }, '/kiosk'), []);
  assert.equal(deniedMessage(site, '?denied=analytics'), 'Analytics is for admins. You were brought to your own page instead.');
  assert.equal(deniedMessage(site, '?denied=nowhere'), '');
  assert.equal(deniedMessage(site, ''), '');
  assert.equal(isKioskLogin({ kiosk: { kiosk_mode: false } }), true);
  assert.equal(isKioskLogin({ kiosk: { kiosk_mode: true } }), false);
  assert.equal(isKioskLogin({ kiosk: null }), false);
});

test('sign-in: next stays on this site', () => {
  globalThis.location = new URL('http://school.example/signin');
  try {
    assert.equal(nextTarget('?next=%2Fanalytics%3Ffrom%3D2026-01-01'), '/analytics?from=2026-01-01');
    assert.equal(nextTarget('?next=//evil.example/'), '/');
    assert.equal(nextTarget('?next=/signin'), '/');
  } finally {
    delete globalThis.location;
  }
});

test('sign-in: one sign-on button per school, named after the school only when there are several', () => {
  const lincoln = { id: 1, name: 'Lincoln High', label: 'Sign in with Google', start: '/auth/oidc/start?school=1' };
  const roosevelt = { id: 2, name: 'Roosevelt High', label: 'Sign in with Microsoft', start: '/auth/oidc/start?school=2' };
  assert.deepEqual(ssoButtons([]), []);
  assert.deepEqual(ssoButtons([lincoln]), [{ text: 'Sign in with Google', href: '/auth/oidc/start?school=1' }]);
  assert.deepEqual(
    ssoButtons([lincoln, roosevelt]).map((b) => b.text),
    ['Sign in with Google (Lincoln High)', 'Sign in with Microsoft (Roosevelt High)'],
  );
});
