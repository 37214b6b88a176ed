// The student page, on a phone: request a pass, see it out with its time ticking, end it;
// a full room is refused with the server's message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, unlabelledControls, useSchool } from './helpers.mjs';

let env;
let teacher;

useSchool(['teacher'], (s) => {
  env = s.env;
  teacher = s.teacher;
});

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

test('a student requests a pass, sees it out, and ends it', async () => {
  // A pass a teacher scheduled for tomorrow shows as coming up.
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  const later = await teacher.post('/api/passes', {
    data: { student: USERS.student.email, origin: 'Room 1', destination: 'Main Office', type: 'scheduled', start: `${tomorrow}T23:30:00Z` },
  });
  assert.equal(later.status(), 201);
  await withPage(
    env,
    'student-pass',
    async (page) => {
      await signIn(page, USERS.student);
      assert.equal(new URL(page.url()).pathname, '/student');
      await page.waitForSelector('#request:not([hidden])');
      assert.deepEqual(await unlabelledControls(page), []);
      await page.waitForSelector('#upcoming:not([hidden])');
      assert.match(await page.textContent('#upcoming-list'), /Room 1 → Main Office/);
      await page.selectOption('#student-origin', 'Room 2');
      await page.selectOption('#student-destination', 'Nurse');
      await page.click('#request-button');
      await page.waitForSelector('#active-pass:not([hidden])');
      assert.equal(await page.textContent('#active-route'), 'Room 2 → Nurse');
      assert.equal(await page.isVisible('#request'), false, 'no second request while out');
      const first = await page.textContent('#active-elapsed');
      assert.match(first, /^0:0\d$/);
      await page.waitForFunction((t) => document.getElementById('active-elapsed').textContent !== t, first, { timeout: 4000 });

      const res = await teacher.get('/api/passes?active=true');
      const mine = (await res.json()).passes.filter((p) => p.student === USERS.student.email);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].source, 'student');

      await page.click('#end-pass');
      await page.waitForSelector('#request:not([hidden])');
      assert.match(await page.textContent('#student-success'), /Your pass has ended/);
      assert.equal(await page.inputValue('#student-origin'), 'Room 2', 'the room is remembered');
      // The page fits a phone: nothing wider than the screen.
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
    },
    PHONE,
  );
});

test('a full room shows the refusal plainly', async () => {
  // Restroom allows 1 pass to it at a time; another student takes it.
  const taken = await teacher.post('/api/passes', { data: { student: USERS.student2.email, origin: 'Room 9', destination: 'Restroom' } });
  assert.equal(taken.status(), 201);
  await withPage(
    env,
    'student-refused',
    async (page) => {
      await signIn(page, USERS.student);
      await page.waitForSelector('#request:not([hidden])');
      await page.selectOption('#student-origin', 'Room 2');
      await page.selectOption('#student-destination', 'Restroom');
      await page.click('#request-button');
      await page.waitForSelector('#student-error:not([hidden])');
      assert.equal(await page.textContent('#student-error'), 'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.');
      assert.equal(await page.getAttribute('#student-error', 'role'), 'alert');
      assert.equal(await page.isVisible('#active-pass'), false);
    },
    PHONE,
  );
  const pass = await taken.json();
  assert.equal((await teacher.post(`/api/passes/${pass.id}/end`, { headers: { 'Content-Type': 'application/json' } })).status(), 200);
});
