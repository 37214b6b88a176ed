// What a school meets on its first day, page by page: the kiosk's field and a barcode
// reader, student IDs in the search, the home room as the default origin, words for people,
// signing a kiosk login out, and the smaller ones (an empty date, unsaved room edits, a page
// refused, the sign-in page's console). Where a part needs the API's side of the change, the
// test probes the server and is marked todo until the server has it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, apiAs, USERS, PASSWORD, useSchool } from './helpers.mjs';

let env;
let admin;
let teacher;
let serverSignsKioskOutWithStaffOnly = false;
let serverHasStudentIds = false;

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const TABLET = { viewport: { width: 820, height: 1180 }, hasTouch: true };

useSchool(['admin', 'teacher'], async (s) => {
  env = s.env;
  admin = s.admin;
  teacher = s.teacher;
  // Probes of the API's side: does a kiosk login's sign-out without credentials fail, and do
  // users carry a student_id?
  const kiosk = await apiAs(env, USERS.kiosk);
  serverSignsKioskOutWithStaffOnly = (await kiosk.delete('/api/session', { headers: JSON_HEADERS })).status() === 403;
  await kiosk.dispose();
  const found = await (await admin.get('/api/students?q=Sam')).json();
  serverHasStudentIds = found.students.length > 0 && 'student_id' in found.students[0];
});


async function endAll() {
  const { passes } = await (await admin.get('/api/passes?active=true')).json();
  for (const p of passes) await admin.post(`/api/passes/${p.id}/end`, { headers: JSON_HEADERS });
}

test('the kiosk field takes a student ID or email, and works with a barcode reader (ID, then Enter)', async () => {
  await endAll();
  await withPage(
    env,
    'firstday-kiosk-barcode',
    async (page) => {
      await signIn(page, USERS.kiosk);
      assert.match(await page.textContent('label[for="kiosk-student"]'), /student ID or school email/);
      await page.waitForSelector('#kiosk-student:focus');
      // Scanned before a destination is chosen: Enter goes on to the destination, no error.
      await page.keyboard.type(USERS.student.email);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'kiosk-destination');
      assert.equal(await page.locator('.field-error').count(), 0, 'no error for a scan that is only the first step');
      assert.equal(await page.isVisible('#kiosk-success'), false, 'no pass yet');
      await page.selectOption('#kiosk-destination', 'Nurse');
      await page.click('#kiosk-submit');
      await page.waitForSelector('#kiosk-success:not([hidden])');
      assert.match(await page.textContent('#kiosk-success'), /Sam Student, your pass to Nurse has started/);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'kiosk-student', 'ready for the next scan');
      // Destination first, then the scan with its Enter starts the pass.
      await page.selectOption('#kiosk-destination', 'Gym');
      await page.focus('#kiosk-student');
      await page.keyboard.type(USERS.student2.email);
      await page.keyboard.press('Enter');
      await page.locator(`.pass-card[data-student="${USERS.student2.email}"]`).waitFor();
    },
    TABLET,
  );
});

test('a kiosk never takes an internal user number', async (t) => {
  if (!serverHasStudentIds) t.todo('needs the API to take student IDs and refuse internal numbers');
  await endAll();
  const { students } = await (await admin.get('/api/students?q=pupil1')).json();
  const internal = String(students[0].id);
  await withPage(
    env,
    'firstday-kiosk-number',
    async (page) => {
      await signIn(page, USERS.kiosk);
      await page.selectOption('#kiosk-destination', 'Nurse');
      await page.fill('#kiosk-student', internal);
      await page.click('#kiosk-submit');
      await page.waitForSelector('.field-error[data-error-for="kiosk-student"]');
      assert.match(await page.textContent('.field-error[data-error-for="kiosk-student"]'), /No student has that student ID or email/);
      assert.equal(await page.isVisible('#kiosk-success'), false);
    },
    TABLET,
  );
});

test('the student search is a combobox and shows each student ID when the school has them', async () => {
  await withPage(env, 'firstday-search', async (page) => {
    // The API's answer with a student_id, as it will carry once schools import them; the page
    // must also work without one (the other students here).
    await page.route('**/api/students?*', async (route) => {
      const res = await route.fetch();
      const data = await res.json();
      data.students = data.students.map((s, i) => (i === 0 ? { ...s, student_id: 'S-0042' } : s));
      await route.fulfill({ response: res, json: data });
    });
    await signIn(page, USERS.teacher);
    const search = page.locator('#student-search');
    assert.equal(await search.getAttribute('role'), 'combobox');
    assert.equal(await search.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.getAttribute('#student-results', 'role'), 'listbox');
    await search.fill('pupil');
    await page.waitForSelector('#student-results [role="option"]');
    assert.equal(await search.getAttribute('aria-expanded'), 'true');
    const options = page.locator('#student-results [role="option"]');
    assert.match(await options.nth(0).textContent(), /ID S-0042/);
    assert.doesNotMatch(await options.nth(1).textContent(), /ID /, 'a student without an ID shows the email only');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const active = await search.getAttribute('aria-activedescendant');
    assert.equal(await page.getAttribute(`#${active}`, 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'student-search', 'the focus stays in the field');
    const second = await options.nth(1).getAttribute('data-email');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#chosen-student:not([hidden])');
    assert.equal(await page.textContent('#chosen-email'), second);
    assert.equal(await search.getAttribute('aria-expanded'), 'false');
    await search.fill('pupil');
    await page.waitForSelector('#student-results [role="option"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#chosen-email'), /^ID S-0042 · /);
  });
});

test("From starts at the staff member's home room, changeable for one pass; a student's page remembers the origin", async () => {
  await endAll();
  await withPage(env, 'firstday-home-room', async (page) => {
    // GET /api/session's user with a home room, as the API sends it for staff who have one.
    await page.route('**/api/session', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const res = await route.fetch();
      const data = await res.json();
      data.user.room = 'Room 9';
      await route.fulfill({ response: res, json: data });
    });
    await signIn(page, USERS.teacher);
    await page.waitForSelector('#origin option[value="Room 9"]', { state: 'attached' });
    assert.equal(await page.inputValue('#origin'), 'Room 9');
    await page.fill('#student-search', 'pupil7@');
    await page.locator('.student-result[data-email="pupil7@test.example"]').click();
    await page.selectOption('#origin', 'Room 1');
    await page.selectOption('#destination', 'Gym');
    await page.click('#create-button');
    await page.waitForSelector('#create-success:not([hidden])');
    assert.match(await page.textContent('#create-success'), /Room 1 → Gym/);
    assert.equal(await page.inputValue('#origin'), 'Room 9', 'the next pass starts from the home room again');
  });
  await withPage(env, 'firstday-student-origin', async (page) => {
    await signIn(page, USERS.student2);
    await page.waitForSelector('#request:not([hidden])');
    await page.selectOption('#student-origin', 'Room 100');
    await page.reload();
    await page.waitForSelector('#request:not([hidden])');
    assert.equal(await page.inputValue('#student-origin'), 'Room 100', 'remembered without sending a pass');
  });
});

test("pages say things in a teacher's words, never the API's field names", async () => {
  await endAll();
  await withPage(env, 'firstday-words-rooms', async (page) => {
    await signIn(page, USERS.admin, { next: '/rooms' });
    const gym = page.locator('.room-row[data-room-name="Gym"]');
    for (const typed of ['lots', '0']) {
      await gym.locator('input[name="max_passes_to"]').fill(typed);
      await gym.locator('button[data-action="save"]').click();
      const error = gym.locator('.field-error');
      await error.waitFor();
      const text = await error.textContent();
      assert.match(text, /^Leave empty for no limit/, `"${typed}"`);
      assert.doesNotMatch(text, /null|max_passes/);
    }
    await gym.locator('input[name="max_passes_to"]').fill('');
    await gym.locator('button[data-action="save"]').click();
    await gym.locator('[data-status]', { hasText: 'Saved' }).waitFor();
  });
  const held = await teacher.post('/api/passes', { headers: JSON_HEADERS, data: { student: 'pupil9@test.example', origin: 'Room 2', destination: 'Nurse', type: 'now' } });
  assert.equal(held.status(), 201);
  const pass = await held.json();
  await withPage(env, 'firstday-words-passes', async (page) => {
    await signIn(page, USERS.teacher);
    await page.fill('#student-search', 'pupil8@');
    await page.locator('.student-result[data-email="pupil8@test.example"]').click();
    await page.selectOption('#origin', 'Gym');
    await page.selectOption('#destination', 'Gym');
    await page.click('#create-button');
    const error = page.locator('.field-error[data-error-for="destination"]');
    await error.waitFor();
    assert.match(await error.textContent(), /^Choose a different destination/);
    // The pass ends elsewhere while this page cannot hear of it (its reloads held back).
    const row = page.locator(`#active-table tr[data-pass-id="${pass.id}"]`);
    await row.waitFor();
    await page.route('**/api/passes?*', () => {});
    assert.equal((await admin.post(`/api/passes/${pass.id}/end`, { headers: JSON_HEADERS })).status(), 200);
    await row.locator('button[data-action="end"]').click();
    await page.waitForSelector('#active-error:not([hidden])');
    assert.equal(await page.textContent('#active-error'), 'This pass has already ended.');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });
});

test('a kiosk login shows no Sign out; a staff member signs it out with their email and password', async () => {
  await withPage(
    env,
    'firstday-kiosk-signout',
    async (page) => {
      await signIn(page, USERS.kiosk);
      assert.equal(await page.locator('#sign-out').count(), 0, 'no Sign out at a kiosk login');
      await page.click('#leave-kiosk');
      await page.waitForSelector('#leave-dialog[open]');
      await page.click('#leave-confirm');
      assert.match(await page.textContent('.field-error[data-error-for="leave-email"]'), /staff member/);
      await page.fill('#leave-email', USERS.teacher.email);
      await page.fill('#leave-password', PASSWORD);
      await Promise.all([page.waitForURL('**/signin'), page.click('#leave-confirm')]);
      await page.goto('/kiosk');
      assert.equal(new URL(page.url()).pathname, '/signin', 'the kiosk login ended');
    },
    TABLET,
  );
});

test("a student's credentials do not sign a kiosk out", async (t) => {
  if (!serverSignsKioskOutWithStaffOnly) t.todo('needs the API to ask a kiosk login for staff credentials');
  await withPage(
    env,
    'firstday-kiosk-signout-student',
    async (page) => {
      await signIn(page, USERS.kiosk);
      await page.click('#leave-kiosk');
      await page.fill('#leave-email', USERS.student.email);
      await page.fill('#leave-password', PASSWORD);
      await page.click('#leave-confirm');
      await page.waitForSelector('.field-error[data-error-for="leave-password"]');
      assert.match(await page.textContent('.field-error[data-error-for="leave-password"]'), /not a staff member/);
      await page.reload();
      assert.equal(new URL(page.url()).pathname, '/kiosk');
    },
    TABLET,
  );
});

test('Apply with an empty date says what is missing', async () => {
  await withPage(env, 'firstday-empty-date', async (page) => {
    await signIn(page, USERS.admin, { next: '/analytics?from=2025-03-01&to=2025-03-31' });
    await page.waitForSelector('#rooms-report[data-state="ready"]');
    await page.fill('#from', '');
    await page.click('#apply-range');
    await page.waitForSelector('#range-error:not([hidden])');
    assert.match(await page.textContent('#range-error'), /Enter a start date/);
    assert.match(await page.textContent('#range-error'), /still show Mar 1 – 31, 2025/);
    assert.equal(await page.getAttribute('#from', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'from');
  });
});

test('leaving the Rooms page with edits not saved asks first', async () => {
  await withPage(env, 'firstday-unsaved', async (page) => {
    await signIn(page, USERS.admin, { next: '/rooms' });
    await page.locator('.room-row[data-room-name="Gym"] input[name="folder"]').fill('Sports');
    let asked = null;
    page.once('dialog', async (dialog) => {
      asked = dialog.type();
      await dialog.dismiss();
    });
    await page.click('.site-nav a[href="/passes"]');
    await page.waitForTimeout(500);
    assert.equal(asked, 'beforeunload');
    assert.equal(new URL(page.url()).pathname, '/rooms', 'stays when the prompt is dismissed');
    // Saved edits leave without a prompt.
    await page.locator('.room-row[data-room-name="Gym"] input[name="folder"]').fill('');
    await Promise.all([page.waitForURL('**/passes'), page.click('.site-nav a[href="/passes"]')]);
  });
});

test('a teacher sent away from Analytics is told why', async () => {
  await withPage(env, 'firstday-denied', async (page) => {
    await signIn(page, USERS.teacher);
    await page.goto('/analytics');
    assert.equal(new URL(page.url()).pathname, '/passes');
    await page.waitForSelector('#denied-notice');
    assert.match(await page.textContent('#denied-notice'), /^Analytics is for admins\./);
    assert.equal(new URL(page.url()).search, '', 'a reload does not say it again');
  });
});

test('the sign-in page logs no 401', async () => {
  await withPage(env, 'firstday-signin-console', async (page) => {
    const seen = [];
    page.on('console', (m) => m.type() === 'error' && seen.push(m.text()));
    page.on('response', (r) => r.status() === 401 && seen.push(`401 ${r.url()}`));
    await page.goto('/signin');
    await page.waitForSelector('#email:focus');
    await page.waitForTimeout(300);
    assert.deepEqual(seen, []);
  });
});

test('the timers carry no aria-label; their text is what is read', async () => {
  await endAll();
  const student = await apiAs(env, USERS.student);
  assert.equal((await student.post('/api/passes', { headers: JSON_HEADERS, data: { origin: 'Room 2', destination: 'Gym', type: 'now' } })).status(), 201);
  await student.dispose();
  await withPage(env, 'firstday-timer', async (page) => {
    await signIn(page, USERS.student);
    await page.waitForSelector('#active-elapsed[datetime]');
    assert.equal(await page.getAttribute('#active-elapsed', 'aria-label'), null);
    assert.match(await page.getAttribute('#active-elapsed', 'datetime'), /^PT\d+M\d+S$/);
  });
  await endAll();
});
