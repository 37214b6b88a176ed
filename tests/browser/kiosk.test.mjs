// The kiosk: a teacher launches kiosk mode in a room, students start and end passes there,
// a refusal is shown large, and leaving kiosk mode needs the teacher's password. A kiosk
// login shows its own room.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, PASSWORD, unlabelledControls, useSchool } from './helpers.mjs';

let env;
let admin;

useSchool(['admin'], (s) => {
  env = s.env;
  admin = s.admin;
});

const TABLET = { viewport: { width: 820, height: 1180 }, hasTouch: true };

test('a teacher launches kiosk mode; students start and end passes; the password ends it', async () => {
  await withPage(
    env,
    'kiosk-mode',
    async (page) => {
      await signIn(page, USERS.teacher);
      await page.selectOption('#kiosk-room', 'Room 2');
      await Promise.all([page.waitForURL('**/kiosk'), page.click('#kiosk-button')]);
      await page.waitForSelector('body.is-ready');
      assert.equal(await page.textContent('#kiosk-room'), 'Room 2');
      assert.equal(await page.isVisible('#exit-kiosk'), true);
      assert.equal(await page.locator('#sign-out').count(), 0, 'no Sign out at a kiosk in kiosk mode');
      assert.deepEqual(await unlabelledControls(page), []);
      // The staff pages are closed while in kiosk mode.
      const p = await page.request.get('/api/reports/rooms');
      assert.equal(p.status(), 403);

      await page.fill('#kiosk-student', USERS.student.email);
      await page.selectOption('#kiosk-destination', 'Nurse');
      await page.click('#kiosk-submit');
      await page.waitForSelector('#kiosk-success:not([hidden])');
      assert.match(await page.textContent('#kiosk-success'), /Sam Student, your pass to Nurse has started/);
      const card = page.locator(`.pass-card[data-student="${USERS.student.email}"]`);
      await card.waitFor();
      assert.match(await card.textContent(), /To Nurse/);
      const pass = (await (await admin.get('/api/passes?active=true')).json()).passes.find((x) => x.student === USERS.student.email);
      assert.equal(pass.source, 'kiosk_mode');
      assert.equal(pass.origin, 'Room 2');
      assert.equal(pass.creator, USERS.teacher.email);

      // Restroom takes one at a time; another student holds it.
      const held = await admin.post('/api/passes', { data: { student: 'pupil5@test.example', origin: 'Room 9', destination: 'Restroom' } });
      assert.equal(held.status(), 201);
      await page.fill('#kiosk-student', USERS.student2.email);
      await page.selectOption('#kiosk-destination', 'Restroom');
      await page.click('#kiosk-submit');
      await page.waitForSelector('#kiosk-error:not([hidden])');
      assert.equal(await page.textContent('#kiosk-error'), 'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.');
      assert.ok(await page.locator('#kiosk-error.large').count(), 'shown large');

      await card.locator('button[data-action="end"]').click();
      await card.waitFor({ state: 'detached' });
      assert.match(await page.textContent('#kiosk-success'), /Welcome back, Sam Student/);

      await page.click('#exit-kiosk');
      await page.waitForSelector('#exit-dialog[open]');
      await page.fill('#exit-password', 'not it');
      await page.click('#exit-confirm');
      await page.waitForSelector('.field-error[data-error-for="exit-password"]');
      assert.equal(new URL(page.url()).pathname, '/kiosk');
      await page.fill('#exit-password', PASSWORD);
      await Promise.all([page.waitForURL('**/passes'), page.click('#exit-confirm')]);
    },
    TABLET,
  );
});

test('a kiosk login serves its own room', async () => {
  await withPage(
    env,
    'kiosk-login',
    async (page) => {
      await signIn(page, USERS.kiosk);
      assert.equal(new URL(page.url()).pathname, '/kiosk');
      assert.equal(await page.textContent('#kiosk-room'), 'Library');
      assert.equal(await page.isVisible('#exit-kiosk'), false);
      const options = await page.locator('#kiosk-destination option').allTextContents();
      assert.ok(!options.includes('Library'), 'the kiosk room is not a destination');
      await page.fill('#kiosk-student', USERS.student2.email);
      await page.selectOption('#kiosk-destination', 'Gym');
      await page.click('#kiosk-submit');
      await page.locator(`.pass-card[data-student="${USERS.student2.email}"]`).waitFor();
      const pass = (await (await admin.get('/api/passes?active=true')).json()).passes.find((x) => x.student === USERS.student2.email);
      assert.equal(pass.source, 'kiosk_login');
      assert.equal(pass.origin, 'Library');
      // The same student cannot start a second pass.
      await page.fill('#kiosk-student', USERS.student2.email);
      await page.selectOption('#kiosk-destination', 'Nurse');
      await page.click('#kiosk-submit');
      await page.waitForSelector('#kiosk-error:not([hidden])');
      assert.match(await page.textContent('#kiosk-error'), /Riley Student is already out on a pass\./);
    },
    TABLET,
  );
});
