// The Audit log page: an admin reads who did what, from where and when, with a change in
// words; filtering by user shows that user's records only, and the CSV link takes the same
// filters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, unlabelledControls, useSchool, shownCells } from './helpers.mjs';

let env;
let admin;

useSchool(['teacher', 'admin'], async (s) => {
  env = s.env;
  admin = s.admin;
  // The admin reads the students insight and changes a room; the teacher only signed in.
  assert.equal((await admin.get('/api/insights/students?from=2025-03-03&to=2025-03-14')).status(), 200);
  const rooms = (await (await admin.get('/api/rooms')).json()).rooms;
  const nurse = rooms.find((r) => r.name === 'Nurse');
  assert.equal((await admin.patch(`/api/rooms/${nurse.id}`, { data: { max_passes_to: 7 } })).status(), 200);
});

test('the Audit log page filters by user', async () => {
  await withPage(env, 'audit-filter', async (page) => {
    await signIn(page, USERS.admin, { next: '/audit' });
    await page.waitForSelector('#audit-table tbody tr');
    assert.deepEqual(await unlabelledControls(page), []);
    const all = await shownCells(page, '#audit-table');
    const whats = all.map((cells) => cells[3]);
    assert.ok(whats.includes('Viewed an insight: Students'), whats.join(' | '));
    const change = all.find((cells) => cells[3] === 'Changed a room: Nurse');
    assert.ok(change, whats.join(' | '));
    assert.equal(change[1], USERS.admin.email);
    assert.equal(change[2], '127.0.0.1');
    assert.match(change[4], /max passes to: .* -> 7/);
    assert.ok(all.some((cells) => cells[1] === USERS.teacher.email));

    await page.fill('#user', USERS.teacher.email);
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/audit?user=')), page.click('#audit-apply')]);
    const mine = await shownCells(page, '#audit-table');
    assert.ok(mine.length > 0);
    assert.deepEqual([...new Set(mine.map((cells) => cells[1]))], [USERS.teacher.email]);
    assert.ok(mine.every((cells) => cells[3].startsWith('Signed in')), mine.map((c) => c[3]).join(' | '));
    assert.equal(new URL(page.url()).searchParams.get('user'), USERS.teacher.email);
    const csv = new URL(await page.getAttribute('#audit-csv', 'href'), env.url);
    assert.equal(csv.searchParams.get('user'), USERS.teacher.email);
    assert.equal(csv.searchParams.get('format'), 'csv');
    assert.match(await page.textContent('#audit-status'), /records? shown/);
  });
});

test('Older shows the next page of records after the last one shown', async () => {
  for (let i = 0; i < 105; i++) assert.equal((await admin.get('/api/insights/daily')).status(), 200);
  await withPage(env, 'audit-older', async (page) => {
    await signIn(page, USERS.admin, { next: '/audit?action=insight_view' });
    await page.waitForSelector('#audit-table tbody tr');
    assert.equal(await page.locator('#audit-table tbody tr').count(), 100);
    assert.equal(await page.textContent('#audit-status'), '100 records shown; older ones follow.');
    const first = await page.locator('#audit-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)));
    await Promise.all([page.waitForResponse((r) => r.url().includes('before=')), page.click('#audit-older')]);
    const all = await page.locator('#audit-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)));
    assert.ok(all.length > 100);
    assert.deepEqual(all.slice(0, 100), first);
    assert.deepEqual(all, [...all].sort((a, b) => b - a), 'newest first, no record twice');
    assert.equal(new Set(all).size, all.length);
    assert.equal(await page.isHidden('#audit-older'), true);
    assert.equal(await page.textContent('#audit-status'), `${all.length} records shown.`);
  });
});

test('a teacher is not shown the Audit log', async () => {
  await withPage(env, 'audit-teacher', async (page) => {
    await signIn(page, USERS.teacher);
    await page.goto('/audit');
    assert.equal(new URL(page.url()).pathname, '/passes');
    assert.equal(await page.locator('.site-nav a[href="/audit"]').count(), 0);
  });
});
