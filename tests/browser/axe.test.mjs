// Every page, as every role sees it, scanned by axe-core: zero violations. Each page is
// scanned in the states that show the most (a pass out, the search list open, a dialog, a
// place in line waiting and offered).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, axeViolations, USERS, PASSWORD, useSchool } from './helpers.mjs';

let env;
let teacher;

useSchool(['teacher'], async (s) => {
  env = s.env;
  teacher = s.teacher;
  // A pass out, so that the lists and timers show.
  const res = await teacher.post('/api/passes', { data: { student: USERS.student.email, origin: 'Library', destination: 'Gym', type: 'now' } });
  assert.equal(res.status(), 201);
});

async function scan(page, what) {
  const found = await axeViolations(page);
  assert.deepEqual(found, [], `${what}: axe found violations`);
}

test('sign-in page', async () => {
  await withPage(env, 'axe-signin', async (page) => {
    await page.goto('/signin');
    await page.waitForSelector('#email:focus');
    await scan(page, 'sign-in');
  });
});

test('an admin: Analytics, Rooms, Passes', async () => {
  await withPage(env, 'axe-admin', async (page) => {
    await signIn(page, USERS.admin, { next: '/analytics?from=2025-03-01&to=2025-03-31' });
    await page.waitForSelector('#staff-report[data-state="ready"]');
    await page.waitForSelector('#rooms-report[data-state="ready"]');
    await scan(page, 'analytics');
    await page.click('#apply-range'); // A range still good: nothing to flag.
    // Compared with the previous period, grouped by folder, one folder folded.
    await page.goto('/analytics?from=2025-03-10&to=2025-03-14&compare=previous&group=folder');
    await page.waitForSelector('#rooms-report[data-state="ready"][data-group="folder"]');
    await page.waitForSelector('#staff-report[data-state="ready"]');
    await page.click('#rooms-table .folder-toggle >> nth=0');
    await scan(page, 'analytics, compared and grouped by folder');
    await page.goto('/rooms');
    await page.waitForSelector('.room-row');
    await page.fill('.room-row input[name="max_passes_to"] >> nth=0', 'x');
    await page.click('.room-row button[data-action="save"] >> nth=0');
    await page.waitForSelector('.room-row .field-error');
    await scan(page, 'rooms, with a field error');
    await page.goto('/passes');
    await page.waitForSelector('#active-table tbody tr[data-pass-id]');
    await scan(page, 'passes (admin)');
    await page.goto('/audit');
    await page.waitForSelector('#audit-table tbody tr');
    await scan(page, 'audit log');
  });
});

test('an admin: Users, with the add dialog showing a field error, and the new-password dialog', async () => {
  await withPage(env, 'axe-users', async (page) => {
    await signIn(page, USERS.admin, { next: '/users' });
    await page.waitForSelector('#users-table tbody tr');
    await scan(page, 'users');
    await page.click('#add-user');
    await page.selectOption('#user-role', 'kiosk');
    await page.click('#user-save');
    await page.waitForSelector('#user-form .field-error');
    await scan(page, 'users, add dialog with field errors');
    await page.click('#user-cancel');
    await page.click('#users-table tbody tr >> nth=0 >> [data-action="password"]');
    await page.waitForSelector('#password-dialog[open]');
    await scan(page, 'users, new-password dialog');
  });
});

test('an admin: every insight tab, compared, with the charts\u2019 tables shown', async () => {
  await withPage(env, 'axe-insights', async (page) => {
    await signIn(page, USERS.admin, { next: '/analytics?from=2025-03-03&to=2025-03-14&compare=previous&tab=daily' });
    for (const [tab, kinds] of [['daily', ['daily', 'sources']], ['hours', ['heatmap']], ['durations', ['durations']], ['limits', ['limits', 'rules', 'encounters']], ['students', ['students']]]) {
      await page.click(`#tab-${tab}`);
      for (const kind of kinds) await page.waitForSelector(`#${kind}-report:is([data-state="ready"], [data-state="empty"])`);
      await scan(page, `analytics, ${tab}`);
      for (const kind of kinds.filter((k) => k === 'daily' || k === 'heatmap')) {
        await page.click(`#${kind}-show-table`);
        await scan(page, `analytics, ${tab}, as a table`);
      }
    }
    await page.click('#tab-hours');
    await page.selectOption('#heatmap-room', 'Library');
    await page.waitForSelector('#heatmap-report[data-state="ready"][data-destination="Library"]');
    await scan(page, 'analytics, heatmap of one room');
  });
});

test('a teacher: Passes with the student list open, and kiosk mode', async () => {
  await withPage(env, 'axe-teacher', async (page) => {
    await signIn(page, USERS.teacher);
    await page.waitForSelector('#active-table tbody tr[data-pass-id]');
    await page.fill('#student-search', 'pupil');
    await page.waitForSelector('#student-results [role="option"]');
    await page.keyboard.press('ArrowDown');
    await scan(page, 'passes with the student list open');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#chosen-student:not([hidden])');
    await page.click('#create-button');
    await page.waitForSelector('.field-error');
    await scan(page, 'passes with field errors');
    await page.goto('/analytics');
    await page.waitForSelector('#denied-notice');
    await scan(page, 'passes, told why Analytics was refused');
    await page.selectOption('#kiosk-room', 'Room 9');
    await Promise.all([page.waitForURL('**/kiosk'), page.click('#kiosk-button')]);
    await page.waitForSelector('body.is-ready');
    await scan(page, 'kiosk mode');
    await page.click('#exit-kiosk');
    await page.waitForSelector('#exit-dialog[open]');
    await scan(page, 'kiosk mode, exit dialog');
    await page.fill('#exit-password', PASSWORD);
    await Promise.all([page.waitForURL('**/passes'), page.click('#exit-confirm')]);
  });
});

test('a student with a pass out', async () => {
  await withPage(
    env,
    'axe-student',
    async (page) => {
      await signIn(page, USERS.student);
      await page.waitForSelector('#active-pass:not([hidden])');
      await scan(page, 'student, out');
    },
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  );
  await withPage(env, 'axe-student-request', async (page) => {
    await signIn(page, USERS.student2);
    await page.waitForSelector('#request:not([hidden])');
    await page.click('#request-button');
    await page.waitForSelector('.field-error');
    await scan(page, 'student, request with errors');
  });
});

test('a student in line: waiting, then offered a place with its countdown', async () => {
  // The Restroom takes one pass at a time; another student holds it.
  const held = await teacher.post('/api/passes', { data: { student: 'pupil3@test.example', origin: 'Room 9', destination: 'Restroom' } });
  assert.equal(held.status(), 201);
  await withPage(
    env,
    'axe-student-line',
    async (page) => {
      await signIn(page, USERS.student2);
      await page.waitForSelector('#request:not([hidden])');
      await page.selectOption('#student-origin', 'Room 2');
      await page.selectOption('#student-destination', 'Restroom');
      await page.click('#request-button');
      await page.waitForSelector('#wait-offer:not([hidden])');
      await scan(page, 'student, refused with Wait in line');
      await page.click('#wait-button');
      await page.waitForSelector('#line:not([hidden])');
      await scan(page, 'student, waiting in line');
      const ended = await teacher.post(`/api/passes/${(await held.json()).id}/end`, { headers: { 'Content-Type': 'application/json' } });
      assert.equal(ended.status(), 200);
      await page.waitForSelector('#line-offer:not([hidden])', { timeout: 6000 });
      await scan(page, 'student, offered a place');
      await page.click('#line-leave');
      await page.waitForSelector('#request:not([hidden])');
    },
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  );
});

test('a kiosk login, with its sign-out dialog', async () => {
  await withPage(env, 'axe-kiosk', async (page) => {
    await signIn(page, USERS.kiosk);
    await page.waitForSelector('#kiosk-passes .pass-card');
    await scan(page, 'kiosk login');
    await page.click('#leave-kiosk');
    await page.waitForSelector('#leave-dialog[open]');
    await scan(page, 'kiosk sign-out dialog');
  });
});
