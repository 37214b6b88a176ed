// The Passes page: a teacher creates a scheduled pass and a now pass, sees a refusal and
// overrides it with the refusal's Override button, ends an active pass and cancels a
// scheduled one; sends a refused student to the line and, in the Line panel (their room's
// line and the school's), starts the student's offer and removes another entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { withPage, signIn, USERS, PASSWORD, BIN, unlabelledControls, useSchool, axeViolations } from './helpers.mjs';

let env;
let admin;

useSchool(['admin'], (s) => {
  env = s.env;
  admin = s.admin;
});

async function listed(which) {
  const res = await admin.get(`/api/passes?${which}=true`);
  assert.equal(res.status(), 200);
  return (await res.json()).passes;
}

const activePasses = () => listed('active');
const scheduledPasses = () => listed('scheduled');

async function chooseStudent(page, text, email) {
  await page.fill('#student-search', text);
  const result = page.locator(`.student-result[data-email="${email}"]`);
  await result.waitFor();
  await result.click();
  await page.waitForSelector('#chosen-student:not([hidden])');
  assert.equal(await page.textContent('#chosen-email'), email);
}

// Tomorrow at 10:00 in the browser's zone (the school's, America/Chicago), as the
// datetime-local input takes it.
function tomorrowAtTen() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + 86400000));
  return `${parts}T10:00`;
}

test('a teacher creates a scheduled pass, then cancels it', async () => {
  await withPage(env, 'passes-scheduled', async (page) => {
    await signIn(page, USERS.teacher);
    assert.deepEqual(await unlabelledControls(page), []);
    await chooseStudent(page, 'sam stu', USERS.student.email);
    await page.selectOption('#origin', 'Room 2');
    await page.selectOption('#destination', 'Library');
    await page.check('input[name="type"][value="scheduled"]');
    await page.waitForSelector('#start-field:not([hidden])');
    const when = tomorrowAtTen();
    await page.fill('#start', when);
    await page.click('#create-button');
    await page.waitForSelector('#create-success:not([hidden])');
    assert.match(await page.textContent('#create-success'), /Pass created: Sam Student, Room 2 → Library, scheduled for/);

    const pass = (await scheduledPasses()).find((p) => p.student === USERS.student.email);
    assert.ok(pass, 'the API lists the scheduled pass');
    assert.equal(pass.type, 'scheduled');
    assert.equal(pass.source, 'teacher');
    assert.equal(pass.creator, USERS.teacher.email);
    assert.ok(pass.start.startsWith(`${when}:00`), `starts at ${when} local time: ${pass.start}`);
    assert.match(pass.start, /[-+]\d\d:\d\d$/);

    const row = page.locator(`#active-table tr[data-pass-id="${pass.id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Scheduled/);
    assert.equal(await row.locator('button[data-action="end"]').count(), 0, 'no End before it starts');
    await row.locator('button[data-action="cancel"]').click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await scheduledPasses()).some((p) => p.id === pass.id), false, 'cancelled');
  });
});

test('a teacher creates a now pass, sees it tick, and ends it', async () => {
  await withPage(env, 'passes-ended', async (page) => {
    await signIn(page, USERS.teacher);
    await chooseStudent(page, 'student2@', USERS.student2.email);
    await page.selectOption('#origin', 'Room 9');
    await page.selectOption('#destination', 'Nurse');
    await page.click('#create-button');
    await page.waitForSelector('#create-success:not([hidden])');
    const pass = (await activePasses()).find((p) => p.student === USERS.student2.email);
    assert.equal(pass.type, 'now');
    assert.equal(pass.active, true);

    const row = page.locator(`#active-table tr[data-pass-id="${pass.id}"]`);
    await row.waitFor();
    const elapsed = row.locator('.elapsed');
    const first = await elapsed.textContent();
    await page.waitForFunction(([id, t]) => document.querySelector(`tr[data-pass-id="${id}"] .elapsed`).textContent !== t, [pass.id, first], { timeout: 4000 });
    await row.locator('button[data-action="end"]').click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await activePasses()).some((p) => p.id === pass.id), false, 'ended');
  });
});

test('a refusal is shown plainly, with Override for a limit staff may pass', async () => {
  await withPage(env, 'passes-refused', async (page) => {
    await signIn(page, USERS.teacher);
    await chooseStudent(page, 'Pupil 1', 'pupil1@test.example');
    await page.selectOption('#origin', 'Room 1');
    await page.selectOption('#destination', 'Restroom');
    await page.click('#create-button');
    await page.waitForSelector('#create-success:not([hidden])');

    await chooseStudent(page, 'pupil2@', 'pupil2@test.example');
    await page.selectOption('#destination', 'Restroom');
    await page.click('#create-button');
    await page.waitForSelector('#create-error:not([hidden])');
    assert.equal(await page.textContent('#create-error'), 'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.');

    assert.deepEqual(await axeViolations(page), [], 'passes with a refusal and Override: axe found violations');
    // The rule is one staff may pass: the refusal offers Override, which sends it again.
    await page.click('#override-button');
    await page.waitForSelector('#create-success:not([hidden])');
    assert.match(await page.textContent('#create-success'), /^Pass created \(Passed over: Max passes to a room\): /);
    assert.equal(await page.isVisible('#create-error'), false);
    const toRestroom = (await activePasses()).filter((p) => p.destination === 'Restroom');
    assert.equal(toRestroom.length, 2, 'the override let the second pass out');
    assert.deepEqual(toRestroom.find((p) => p.student === 'pupil2@test.example').overrides, ['max_to'], 'the pass records the rule it passed');
    await page.locator(`#active-table tr[data-student="pupil2@test.example"]`).waitFor();
  });
});

// A teacher with a home room, whose Passes page starts From there and shows its line.
const BEA = { name: 'Bea Alvarez', email: 'bea@test.example', room: 'Room 1' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

async function line() {
  const res = await admin.get('/api/line');
  assert.equal(res.status(), 200);
  return (await res.json()).entries;
}

test('a teacher sends a refused student to the line, then starts the offer and removes another from the Line panel', async () => {
  execFileSync(BIN, ['user', 'add', '--db', env.db, '--name', BEA.name, '--email', BEA.email, '--role', 'teacher', '--room', BEA.room, '--password-stdin'], { input: `${PASSWORD}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  for (const p of await activePasses()) await admin.post(`/api/passes/${p.id}/end`, { headers: JSON_HEADERS });
  const held = await admin.post('/api/passes', { data: { student: 'pupil10@test.example', origin: 'Room 9', destination: 'Restroom' } });
  assert.equal(held.status(), 201);
  await withPage(env, 'passes-line', async (page) => {
    await signIn(page, BEA);
    assert.equal(await page.inputValue('#origin'), BEA.room, 'From starts at the home room');
    await page.waitForSelector('#line-panel:not([hidden])');
    assert.equal(await page.textContent('#line-room-title'), 'From or to Room 1');
    assert.equal(await page.textContent('#line-summary'), 'Nobody is waiting.');

    await chooseStudent(page, 'pupil11@', 'pupil11@test.example');
    await page.selectOption('#destination', 'Restroom');
    await page.click('#create-button');
    await page.waitForSelector('#create-error:not([hidden])');
    assert.equal(await page.textContent('#create-error'), 'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.');
    // Both answers to a full room, side by side.
    assert.equal(await page.isVisible('#override-button'), true);
    assert.equal(await page.isVisible('#line-button'), true);
    assert.match(await page.textContent('#line-button'), /^Send to line/);
    assert.match(await page.textContent('#override-hint'), /or send the student to the line/);
    await page.click('#line-button');
    await page.waitForSelector('#create-success:not([hidden])');
    assert.equal(await page.textContent('#create-success'), 'Sent to the line: Pupil 11 is number 1 in line for Restroom.');
    assert.equal(await page.isVisible('#override-offer'), false);
    const [entry] = (await line()).filter((e) => e.student === 'pupil11@test.example');
    assert.equal(entry.state, 'waiting');
    assert.equal(entry.origin, BEA.room);
    assert.equal((await activePasses()).some((p) => p.student === 'pupil11@test.example'), false, 'no pass yet');

    // The entry shows in the teacher's room's line and the school's.
    const roomRow = page.locator('#line-room-table tr[data-student="pupil11@test.example"]');
    const schoolRow = page.locator('#line-school-table tr[data-student="pupil11@test.example"]');
    await roomRow.waitFor();
    await schoolRow.waitFor();
    assert.match(await schoolRow.textContent(), /Pupil 11.*Room 1.*Restroom.*Waiting/);
    // Another student, from another room, joins over the API: the school's line only.
    const other = await admin.post('/api/passes', { data: { student: 'pupil12@test.example', origin: 'Room 9', destination: 'Restroom', wait: true } });
    assert.equal(other.status(), 202);
    const otherRow = page.locator('#line-school-table tr[data-student="pupil12@test.example"]');
    await otherRow.waitFor();
    assert.equal(await page.locator('#line-room-table tr[data-student="pupil12@test.example"]').count(), 0);
    assert.equal(await page.textContent('#line-summary'), '2 in line');

    // The Restroom frees: the first in line is offered the place, with a countdown.
    assert.equal((await admin.post(`/api/passes/${(await held.json()).id}/end`, { headers: JSON_HEADERS })).status(), 200);
    await page.waitForSelector('#line-school-table tr[data-student="pupil11@test.example"][data-state="offered"]', { timeout: 6000 });
    assert.match(await schoolRow.textContent(), /Offered a place \(\d+ s\)/);
    assert.deepEqual(await axeViolations(page), [], 'passes with the Line panel and an offer: axe found violations');
    await schoolRow.locator('button[data-action="start"]').click();
    await page.locator('#active-table tr[data-student="pupil11@test.example"]').waitFor();
    const started = (await activePasses()).find((p) => p.student === 'pupil11@test.example');
    assert.equal(started.origin, BEA.room);
    assert.equal(started.destination, 'Restroom');
    await roomRow.waitFor({ state: 'detached' });

    await otherRow.locator('button[data-action="remove"]').click();
    await otherRow.waitFor({ state: 'detached' });
    assert.deepEqual(await line(), [], 'the line is empty');
    assert.equal(await page.textContent('#line-summary'), 'Nobody is waiting.');
  });
});
