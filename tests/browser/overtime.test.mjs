// Overtime and Undo on the pages that show passes: open passes imported from an hour and a
// half ago under a 5-minute time limit show as overtime, in words, to the teacher, the
// student and the kiosk; ending a pass on one tap offers Undo, which brings it back; a
// student refused by a limit reads it about themselves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withPage, signIn, USERS, BIN, useSchool, axeViolations } from './helpers.mjs';

let env;
let admin;

const AGO_MS = 90 * 60000;

// Imports open passes that started AGO_MS ago, as a school moving to hallpass would.
function importOpenPasses(rows) {
  const start = new Date(Date.now() - AGO_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  let csv = 'id,student,origin,destination,creator,source,type,start,end,cancelled\r\n';
  for (const [id, student, origin, destination] of rows) csv += `${id},${student},${origin},${destination},${USERS.teacher.email},teacher,now,${start},,false\r\n`;
  const file = path.join(env.dir, 'open-passes.csv');
  fs.writeFileSync(file, csv);
  execFileSync(BIN, ['import', 'passes', '--db', env.db, file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

useSchool(['admin'], async (s) => {
  env = s.env;
  admin = s.admin;
  // The time limit is fixed when a pass is written, so it is set before the import.
  const res = await admin.patch('/api/settings', { data: { default_time_limit_minutes: 5 } });
  assert.equal(res.status(), 200);
  importOpenPasses([
    ['OT1', USERS.student.email, 'Room 2', 'Nurse'],
    ['OT2', USERS.student2.email, 'Library', 'Gym'],
  ]);
});

async function active(student) {
  const passes = (await (await admin.get('/api/passes?active=true')).json()).passes;
  return passes.find((p) => p.student === student);
}

test('a teacher sees overtime passes in words, ends one and undoes the end', async () => {
  const pass = await active(USERS.student.email);
  assert.ok(pass, 'the imported pass is out');
  assert.equal(pass.overtime, true);
  await withPage(env, 'overtime-teacher', async (page) => {
    await signIn(page, USERS.teacher);
    const row = page.locator(`#active-table tr[data-pass-id="${pass.id}"]`);
    await row.waitFor();
    const note = row.locator('.overtime');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /Overtime: 1 h 2\d min over the 5-minute limit/);

    await row.locator('button[data-action="end"]').click();
    await row.waitFor({ state: 'detached' });
    await page.waitForSelector('#undo-bar:not([hidden])');
    assert.equal(await page.textContent('#undo-text'), 'Ended Sam Student\u2019s pass.');
    assert.deepEqual(await axeViolations(page), [], 'passes with an overtime pass and Undo: axe found violations');
    assert.equal(await active(USERS.student.email), undefined, 'ended');
    await page.click('#undo-button');
    await row.waitFor();
    assert.equal(await page.isVisible('#undo-bar'), false);
    const again = await active(USERS.student.email);
    assert.equal(again.id, pass.id, 'the same pass is out again');
    assert.equal(again.start, pass.start, 'with its start kept');
  });
});

test('Undo on the Passes page goes away after 10 seconds', async () => {
  const res = await admin.post('/api/passes', { data: { student: 'pupil4@test.example', origin: 'Room 9', destination: 'Gym' } });
  assert.equal(res.status(), 201);
  const pass = await res.json();
  await withPage(env, 'undo-expires', async (page) => {
    await signIn(page, USERS.teacher);
    const row = page.locator(`#active-table tr[data-pass-id="${pass.id}"]`);
    await row.locator('button[data-action="end"]').click();
    await page.waitForSelector('#undo-bar:not([hidden])');
    const shown = Date.now();
    await page.waitForSelector('#undo-bar[hidden]', { state: 'attached', timeout: 15000 });
    const lasted = Date.now() - shown;
    assert.ok(lasted >= 9000 && lasted <= 12500, `Undo stayed ${lasted} ms`);
  });
});

test('a student sees their pass overtime, ends it and undoes the end', async () => {
  await withPage(
    env,
    'overtime-student',
    async (page) => {
      await signIn(page, USERS.student);
      await page.waitForSelector('#active-pass:not([hidden])');
      assert.equal(await page.textContent('#active-limit'), 'Time limit: 5 minutes');
      assert.match(await page.textContent('#active-pass .overtime'), /Overtime: 1 h 2\d min over the 5-minute limit/);
      assert.deepEqual(await axeViolations(page), [], 'student overtime: axe found violations');
      await page.click('#end-pass');
      await page.waitForSelector('#request:not([hidden])');
      assert.match(await page.textContent('#student-success'), /Your pass has ended/);
      await page.click('#undo-end');
      await page.waitForSelector('#active-pass:not([hidden])');
      assert.ok(await active(USERS.student.email), 'out again');
    },
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  );
});

test('a kiosk shows overtime, and a student undoes a mis-tapped \u201cI\u2019m back\u201d', async () => {
  await withPage(env, 'overtime-kiosk', async (page) => {
    await signIn(page, USERS.kiosk);
    const card = page.locator(`.pass-card[data-student="${USERS.student2.email}"]`);
    await card.waitFor();
    assert.match(await card.locator('.overtime').textContent(), /Overtime: 1 h 2\d min over the 5-minute limit/);
    await card.locator('button[data-action="end"]').click();
    await card.waitFor({ state: 'detached' });
    await page.waitForSelector('#kiosk-undo:not([hidden])');
    assert.equal(await page.textContent('#kiosk-undo-text'), 'Ended Riley Student\u2019s pass.');
    assert.deepEqual(await axeViolations(page), [], 'kiosk with Undo: axe found violations');
    await page.click('#kiosk-undo-button');
    await card.waitFor();
    assert.ok(await active(USERS.student2.email), 'out again');
  });
});

test('a student refused by their daily limit reads it about themselves', async () => {
  const out = await active(USERS.student.email);
  if (out) assert.equal((await admin.post(`/api/passes/${out.id}/end`, { headers: { 'Content-Type': 'application/json' } })).status(), 200);
  // A pass today, ended, uses up a day of one pass (the imported one counts too when an hour
  // and a half ago was still today).
  const today = await admin.post('/api/passes', { data: { student: USERS.student.email, origin: 'Room 2', destination: 'Library' } });
  assert.equal(today.status(), 201);
  assert.equal((await admin.post(`/api/passes/${(await today.json()).id}/end`, { headers: { 'Content-Type': 'application/json' } })).status(), 200);
  assert.equal((await admin.patch('/api/settings', { data: { max_passes_per_day: 1 } })).status(), 200);
  try {
    await withPage(env, 'refused-student-limit', async (page) => {
      await signIn(page, USERS.student);
      await page.waitForSelector('#request:not([hidden])');
      await page.selectOption('#student-origin', 'Room 2');
      await page.selectOption('#student-destination', 'Gym');
      await page.click('#request-button');
      await page.waitForSelector('#student-error:not([hidden])');
      assert.match(await page.textContent('#student-error'), /^You have used [12] of 1 passes today\.$/);
    });
  } finally {
    await admin.patch('/api/settings', { data: { max_passes_per_day: null } });
  }
});
