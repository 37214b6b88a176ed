// The Pass rules page: an admin sets every school setting (a bad value first, said next to
// its field), the rooms' time limits and counting, the encounter groups, the bell schedule
// and the no-pass times, and stops all passes and allows them again; each is checked
// through the API afterwards.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, unlabelledControls, axeViolations, useSchool } from './helpers.mjs';

let env;
let admin;
let student;

useSchool(['admin', 'student'], (s) => {
  env = s.env;
  admin = s.admin;
  student = s.student;
});

async function openRules(page) {
  await signIn(page, USERS.admin, { next: '/rules' });
  await page.waitForSelector('body[data-rules-ready]');
}

async function settingsNow() {
  const res = await admin.get('/api/settings');
  assert.equal(res.status(), 200);
  return res.json();
}

const VALUES = {
  auto_end_minutes: 90,
  default_time_limit_minutes: 12,
  max_active_passes: 40,
  max_passes_per_day: 4,
  max_passes_per_week: 15,
  cooldown_minutes: 5,
  no_pass_first_minutes: 10,
  no_pass_last_minutes: 5,
  line_offer_seconds: 45,
  retain_passes_days: 400,
};
// The single sign-on settings are set on the command line or through the API, not on this
// page: they stay unset here.
const SIGN_ON_UNSET = {
  oidc_issuer: null,
  oidc_client_id: null,
  oidc_client_secret_file: null,
  oidc_email_domains: null,
  oidc_label: null,
};

test('an admin sets every setting on the Pass rules page, and a bad value is said next to its field', async () => {
  await withPage(env, 'rules-settings', async (page) => {
    await openRules(page);
    assert.deepEqual(await unlabelledControls(page), []);
    assert.ok((await page.locator('.site-nav a').allTextContents()).includes('Pass rules'), 'the header links the page');
    // Each setting says its meaning and range in words.
    assert.match(await page.textContent('#setting-auto_end_minutes-hint'), /ends itself\. 10 to 720 minutes; empty means 120\./);
    assert.match(await page.textContent('#setting-max_active_passes-hint'), /1 to 10000 passes at once; empty turns it off\./);
    assert.match(await page.textContent('#setting-retain_passes_days-hint'), /Room Usage and Staff Usage keep their counts\. .*30 to 3650 days; empty turns it off\./);

    await page.fill('#setting-max_passes_per_day', '0');
    await page.fill('#setting-cooldown_minutes', 'five');
    await page.click('#settings-save');
    await page.waitForSelector('[data-error-for="setting-max_passes_per_day"]');
    assert.equal(await page.textContent('[data-error-for="setting-max_passes_per_day"]'), 'Enter a whole number from 1 to 50 (passes), or leave it empty to turn this rule off.');
    assert.match(await page.textContent('[data-error-for="setting-cooldown_minutes"]'), /from 1 to 120 \(minutes\)/);
    assert.equal((await settingsNow()).max_passes_per_day, null, 'nothing was saved');

    for (const [key, value] of Object.entries(VALUES)) await page.fill(`#setting-${key}`, String(value));
    await page.uncheck('#setting-wait_in_line');
    await page.click('#settings-save');
    await page.waitForFunction(() => document.getElementById('settings-status').textContent.includes('Saved'));
    assert.equal(await page.locator('.field-error').count(), 0);
    assert.deepEqual(await settingsNow(), { ...VALUES, ...SIGN_ON_UNSET, wait_in_line: false });

    // Emptied, a rule turns off and a setting with a default goes back to it.
    await page.fill('#setting-max_active_passes', '');
    await page.fill('#setting-auto_end_minutes', '');
    await page.check('#setting-wait_in_line');
    await page.click('#settings-save');
    await page.waitForFunction(() => document.getElementById('settings-status').textContent.includes('Saved'));
    const after = await settingsNow();
    assert.equal(after.max_active_passes, null);
    assert.equal(after.auto_end_minutes, 120);
    assert.equal(after.wait_in_line, true);
    assert.equal(await page.inputValue('#setting-auto_end_minutes'), '120');
  });
});

test('an admin sets rooms\u2019 time limits and which rooms count toward a student\u2019s limits', async () => {
  await withPage(env, 'rules-rooms', async (page) => {
    await openRules(page);
    const nurse = page.locator('#rooms-table tr[data-room-name="Nurse"]');
    const restroom = page.locator('#rooms-table tr[data-room-name="Restroom"]');
    await restroom.locator('input[name="time_limit_minutes"]').fill('300');
    await page.click('#rooms-save');
    await restroom.locator('.field-error').waitFor();
    assert.match(await restroom.locator('.field-error').textContent(), /from 1 to 240/);
    await restroom.locator('input[name="time_limit_minutes"]').fill('5');
    await nurse.locator('input[name="counts_toward_limit"]').uncheck();
    await page.click('#rooms-save');
    await page.waitForFunction(() => document.getElementById('rooms-status').textContent.includes('Saved 2 rooms'));
    const rooms = (await (await admin.get('/api/rooms')).json()).rooms;
    const byName = Object.fromEntries(rooms.map((r) => [r.name, r]));
    assert.equal(byName.Restroom.time_limit_minutes, 5);
    assert.equal(byName.Nurse.counts_toward_limit, false);
    assert.equal(byName.Gym.time_limit_minutes, null);
    assert.equal(byName.Gym.counts_toward_limit, true);
  });
});

test('encounter groups: add, edit the students, pause, delete', async () => {
  await withPage(env, 'rules-groups', async (page) => {
    await openRules(page);
    await page.fill('#group-name', 'B12');
    await page.fill('#group-members', USERS.student.email);
    await page.click('#group-add-button');
    await page.waitForSelector('[data-error-for="group-members"]');
    await page.fill('#group-members', `${USERS.student.email}\n${USERS.student2.email}`);
    await page.click('#group-add-button');
    const item = page.locator('.rule-item[data-group-name="B12"]');
    await item.waitFor();
    assert.match(await item.textContent(), /Active/);
    await item.locator('[data-action="edit"]').click();
    await item.locator('textarea').fill(`${USERS.student.email}\n${USERS.student2.email}\npupil1@test.example`);
    await item.locator('button[type="submit"]').click();
    await page.waitForFunction(() => /pupil1@test\.example|Pupil 1/.test(document.querySelector('.rule-item[data-group-name="B12"]').textContent));
    await page.locator('.rule-item[data-group-name="B12"] [data-action="toggle"]').click();
    await page.waitForFunction(() => /Paused/.test(document.querySelector('.rule-item[data-group-name="B12"]').textContent));
    let groups = (await (await admin.get('/api/encounter-groups')).json()).groups;
    const b12 = groups.find((g) => g.name === 'B12');
    assert.equal(b12.active, false);
    assert.equal((b12.students || b12.members).length, 3);
    await page.locator('.rule-item[data-group-name="B12"] [data-action="delete"]').click();
    await page.locator('.rule-item[data-group-name="B12"]').waitFor({ state: 'detached' });
    groups = (await (await admin.get('/api/encounter-groups')).json()).groups;
    assert.equal(groups.some((g) => g.name === 'B12'), false);
  });
});

test('the bell schedule: add periods, remove one, save', async () => {
  await withPage(env, 'rules-schedule', async (page) => {
    await openRules(page);
    const rows = page.locator('#schedule-table tr.schedule-row');
    const before = await rows.count();
    for (const [day, period, start, end] of [['mon', 'Period 1', '08:00', '08:50'], ['mon', 'Period 2', '09:00', '09:50'], ['tue', 'Period 1', '09:50', '09:00']]) {
      await page.click('#schedule-add');
      const row = rows.last();
      await row.locator('[name="day"]').fill(day);
      await row.locator('[name="period"]').fill(period);
      await row.locator('[name="start"]').fill(start);
      await row.locator('[name="end"]').fill(end);
    }
    await page.click('#schedule-save');
    await rows.last().locator('.field-error').waitFor();
    assert.match(await rows.last().locator('.field-error').textContent(), /end after it starts/);
    await rows.last().locator('[data-action="remove"]').click();
    await page.click('#schedule-save');
    await page.waitForFunction(() => document.getElementById('schedule-status').textContent.includes('Saved'));
    const data = await (await admin.get('/api/schedule')).json();
    const saved = data.schedule || data.periods || data.rows;
    assert.equal(saved.length, before + 2);
    assert.ok(saved.some((r) => r.period === 'Period 2' && r.start === '09:00' && r.end === '09:50'));
    assert.equal(saved.some((r) => r.day === 'tue'), false, 'the removed row was not saved');
  });
});

async function blackouts() {
  const res = await admin.get('/api/blackouts');
  assert.equal(res.status(), 200);
  return (await res.json()).blackouts;
}

test('stop all passes, allow them again, and a no-pass time with a reason', async () => {
  await withPage(env, 'rules-stop', async (page) => {
    await openRules(page);
    await page.click('#stop-button');
    await page.waitForSelector('#allow-button:not([hidden])');
    assert.match(await page.textContent('#stop-state'), /All passes are stopped since/);
    const stop = (await blackouts()).filter((b) => b.end === null);
    assert.equal(stop.length, 1, 'one no-pass time from now with no end');
    assert.equal(stop[0].active, true);
    const refused = await student.post('/api/passes', { data: { origin: 'Room 2', destination: 'Gym' } });
    assert.equal(refused.status(), 409, 'a student cannot start a pass while passes are stopped');
    assert.equal((await refused.json()).rule, 'no_pass_time');
    assert.deepEqual(await axeViolations(page), [], 'rules with all passes stopped: axe found violations');
    await page.click('#allow-button');
    await page.waitForSelector('#stop-button:not([hidden])');
    assert.match(await page.textContent('#stop-state'), /Passes are allowed/);
    assert.equal((await blackouts()).filter((b) => !b.end).length, 0, 'allowing removed the stop');

    await page.fill('#blackout-start', '2030-05-01T10:00');
    await page.fill('#blackout-end', '2030-05-01T11:30');
    await page.click('#blackout-add-button');
    await page.waitForSelector('[data-error-for="blackout-reason"]');
    await page.fill('#blackout-reason', 'Assembly');
    await page.click('#blackout-add-button');
    const item = page.locator('#blackouts-list .rule-item', { hasText: 'Assembly' });
    await item.waitFor();
    // In the browser's zone, the school's (America/Chicago, daylight time in May).
    const saved = (await blackouts()).filter((b) => b.reason === 'Assembly');
    assert.equal(saved.length, 1);
    assert.equal(saved[0].start, '2030-05-01T10:00:00-05:00');
    assert.equal(saved[0].end, '2030-05-01T11:30:00-05:00');
    assert.equal(saved[0].active, false, 'not in force before its start');
    await item.locator('[data-action="delete"]').click();
    await item.waitFor({ state: 'detached' });
    assert.equal((await blackouts()).some((b) => b.reason === 'Assembly'), false, 'deleted');
  });
});

test('the Pass rules page: zero axe violations, with field errors showing', async () => {
  await withPage(env, 'axe-rules', async (page) => {
    await openRules(page);
    assert.deepEqual(await axeViolations(page), [], 'rules: axe found violations');
    await page.fill('#setting-cooldown_minutes', '999');
    await page.click('#settings-save');
    await page.waitForSelector('.field-error');
    assert.deepEqual(await axeViolations(page), [], 'rules with a field error: axe found violations');
  });
});

test('the Pass rules page is for admins only', async () => {
  await withPage(env, 'rules-teacher', async (page) => {
    await signIn(page, USERS.teacher);
    await page.goto('/rules');
    await page.waitForURL('**/passes?denied=rules');
    await page.waitForSelector('#denied-notice');
    assert.match(await page.textContent('#denied-notice'), /Pass rules is for admins/);
  });
});
