// The Users page: an admin finds people by name and role, adds a person (a wrong value said
// next to its field first), and deactivates someone, who is signed out at once and cannot
// sign in again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, PASSWORD, unlabelledControls, useSchool } from './helpers.mjs';

let env;
let admin;

useSchool(['admin'], (s) => {
  env = s.env;
  admin = s.admin;
});

const emails = (page) => page.locator('#users-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.email));

test('an admin finds people by name, email or student ID, and by role', async () => {
  await withPage(env, 'users-search', async (page) => {
    await signIn(page, USERS.admin);
    assert.ok((await page.locator('.site-nav a').allTextContents()).includes('Users'), 'the header links the page');
    await page.goto('/users');
    await page.waitForSelector('#users-table tbody tr');
    assert.deepEqual(await unlabelledControls(page), []);
    await page.fill('#users-q', 'pupil1');
    await page.waitForFunction(() => [...document.querySelectorAll('#users-table tbody tr')].every((r) => r.dataset.email.startsWith('pupil1')));
    const found = await emails(page);
    assert.ok(found.length >= 2 && found.includes('pupil1@test.example'), found.join(' '));
    assert.match(await page.textContent('#users-summary'), /^\d+ people$/);
    await page.fill('#users-q', '');
    await page.selectOption('#users-role', 'kiosk');
    await page.waitForFunction(() => document.querySelectorAll('#users-table tbody tr').length === 1);
    assert.deepEqual(await emails(page), [USERS.kiosk.email]);
    const cells = await page.locator('#users-table tbody tr >> nth=0').locator('th, td').allTextContents();
    assert.equal(cells[2], 'Kiosk');
    assert.equal(cells[4], 'Library');
    assert.equal(cells[6], 'Active');
  });
});

test('an admin adds a student, with a wrong daily limit said next to its field first', async () => {
  await withPage(env, 'users-add', async (page) => {
    await signIn(page, USERS.admin, { next: '/users' });
    await page.waitForSelector('#users-table tbody tr');
    await page.click('#add-user');
    await page.waitForSelector('#user-dialog[open]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'user-name');
    await page.fill('#user-name', 'Nora Newcomb');
    await page.fill('#user-email', 'nora@test.example');
    await page.selectOption('#user-role', 'student');
    assert.equal(await page.isHidden('#user-room'), true, 'a student has no home room');
    await page.fill('#user-student-id', 'S-5150');
    await page.fill('#user-limit', '60');
    await page.click('#user-save');
    const error = await page.textContent('#user-form .field-error');
    assert.match(error, /from 1 to 50/);
    assert.doesNotMatch(error, /max_passes|_/, 'never a field name');
    await page.fill('#user-limit', '3');
    await page.click('#user-save');
    await page.waitForSelector('#user-dialog', { state: 'hidden' });
    await page.fill('#users-q', 'S-5150');
    await page.waitForFunction(() => document.querySelector('#users-table tbody tr')?.dataset.email === 'nora@test.example');
    const cells = await page.locator('#users-table tbody tr >> nth=0').locator('th, td').allTextContents();
    assert.deepEqual(cells.slice(0, 7), ['Nora Newcomb', 'nora@test.example', 'Student', 'S-5150', '', '3', 'Active']);
    // The same student ID again is refused in words, next to the field.
    await page.click('#add-user');
    await page.fill('#user-name', 'Other Kid');
    await page.fill('#user-email', 'other-kid@test.example');
    await page.fill('#user-student-id', 's-5150');
    await page.click('#user-save');
    await page.waitForSelector('#user-form .field-error');
    assert.equal(await page.textContent('#user-form .field-error'), 'Nora Newcomb already has this student ID. Each student\u2019s ID is their own.');
    await page.click('#user-cancel');
  });
});

test('an admin deactivates a teacher, who is signed out at once and cannot sign in', async () => {
  const made = await admin.post('/api/users', { data: { name: 'Dora Leaving', email: 'dora@test.example', role: 'teacher', password: PASSWORD } });
  assert.equal(made.status(), 201);
  const { request } = await import('playwright-core');
  const dora = await request.newContext({ baseURL: env.url });
  assert.equal((await dora.post('/api/session', { data: { email: 'dora@test.example', password: PASSWORD } })).status(), 200);
  try {
    await withPage(env, 'users-deactivate', async (page) => {
      await signIn(page, USERS.admin, { next: '/users' });
      await page.fill('#users-q', 'dora@');
      const row = page.locator('#users-table tbody tr[data-email="dora@test.example"]');
      await row.waitFor();
      await row.locator('button[data-action="deactivate"]').click();
      await page.waitForSelector('#deactivate-dialog[open]');
      assert.match(await page.textContent('#deactivate-about'), /signed out at once/);
      await page.click('#deactivate-confirm');
      await page.waitForFunction(() => document.querySelector('#users-table tr[data-email="dora@test.example"] [data-action="reactivate"]'));
      assert.equal(await row.locator('td >> nth=5').textContent(), 'Deactivated');
      assert.equal((await dora.get('/api/session')).status(), 401, 'her session ended');
      const again = await dora.post('/api/session', { data: { email: 'dora@test.example', password: PASSWORD } });
      assert.equal(again.status(), 401);
      assert.match((await again.json()).error, /deactivated/);
      // The admin's own row offers no way to lock themselves out.
      await page.fill('#users-q', USERS.admin.email);
      const mine = page.locator(`#users-table tbody tr[data-email="${USERS.admin.email}"]`);
      await mine.waitFor();
      assert.equal(await mine.locator('button[data-action="deactivate"]').count(), 0);
    });
  } finally {
    await dora.dispose();
  }
});
