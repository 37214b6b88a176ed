// The Users page: an admin finds people by name and role, adds a person (a wrong value said
// next to its field first), deactivates someone, who is signed out at once and cannot sign
// in again, and imports a OneRoster export after seeing what it would change.

import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

// A OneRoster 1.1 export of the test school, zipped by Python's zipfile (what a SIS sends).
function rosterZip() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallpass-roster-'));
  const csv = (rows) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
  fs.writeFileSync(path.join(dir, 'orgs.csv'), csv([['sourcedId', 'status', 'dateLastModified', 'name', 'type'], ['o1', 'active', '', 'Riverbend Test School', 'school']]));
  const head = ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'givenName', 'familyName', 'identifier', 'email'];
  fs.writeFileSync(
    path.join(dir, 'users.csv'),
    csv([
      head,
      ['u1', 'active', '', 'true', 'o1', 'student', 'quinn', 'Quinn', 'Roster', 'Q-1', 'quinn@test.example'],
      ['u2', 'active', '', 'true', 'o1', 'student', 'p5', 'Pupil', '5', 'P-5', 'pupil5@test.example'],
      ['u3', 'active', '', 'false', 'o1', 'student', 'p6', 'Pupil', '6', '', 'pupil6@test.example'],
      ['u4', 'active', '', 'true', 'o1', 'parent', 'pat', 'Pat', 'Parent', '', 'pat@test.example'],
    ]),
  );
  const zip = path.join(dir, 'roster.zip');
  execFileSync('python3', ['-m', 'zipfile', '-c', zip, 'orgs.csv', 'users.csv'], { cwd: dir });
  return zip;
}

test('an admin uploads a roster, sees what it would change, and confirms it', async () => {
  const zip = rosterZip();
  await withPage(env, 'users-roster', async (page) => {
    await signIn(page, USERS.admin, { next: '/users' });
    await page.waitForSelector('#users-table tbody tr');
    await page.click('#roster-check');
    assert.match(await page.textContent('#roster-form .field-error'), /Choose the OneRoster export/);
    await page.setInputFiles('#roster-file', zip);
    await page.click('#roster-check');
    await page.waitForSelector('#roster-summary');
    assert.equal(await page.textContent('#roster-summary'), 'If you apply this file: 1 added, 1 updated, 1 deactivated. 1 row left out (see below).');
    const added = await page.locator('#roster-result [data-section="added"] li').allTextContents();
    assert.deepEqual(added, ['Quinn Roster, quinn@test.example (student)']);
    assert.match((await page.locator('#roster-result [data-section="updated"] li').allTextContents())[0], /^Pupil 5, pupil5@test.example \(student\): .*student ID/);
    assert.match((await page.locator('#roster-result [data-section="left_out"] li').allTextContents())[0], /^users\.csv, line 5: /);
    // Nothing has changed yet.
    assert.equal((await (await admin.get('/api/users?q=quinn@')).json()).users.length, 0);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'roster-apply');
    await page.click('#roster-apply');
    await page.waitForFunction(() => document.querySelector('#roster-summary')?.textContent.startsWith('Done.'));
    assert.match(await page.textContent('#roster-summary'), /^Done\. Added: 1 person\. Updated: 1 person\. Deactivated: 1 person\./);
    assert.equal(await page.isHidden('#roster-apply'), true);
    await page.fill('#users-q', 'Q-1');
    await page.waitForFunction(() => document.querySelector('#users-table tbody tr')?.dataset.email === 'quinn@test.example');
    await page.fill('#users-q', 'pupil6@');
    await page.waitForSelector('#users-table tr[data-email="pupil6@test.example"] [data-action="reactivate"]');
  });
});
