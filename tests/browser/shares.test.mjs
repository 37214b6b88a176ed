// Share links in the browser: an admin shares Room Usage from the Analytics page and copies
// the link once; someone who is not signed in opens it, sees that one report over that one
// range (no links to other pages), sorts it by a column both ways as the API does, and
// downloads it with the admin's file name; the Analytics page lists the link and revokes
// it, after which the link says plainly that it was revoked; axe finds nothing on either
// page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, useSchool, shownCells, axeViolations, unlabelledControls } from './helpers.mjs';

let env;
let admin;

useSchool(['admin'], (s) => {
  env = s.env;
  admin = s.admin;
});

const FROM = '2025-03-03';
const TO = '2025-03-12';

// Room Usage as the admin's API has it, sorted: [room, folder, from, to] per row.
async function apiRooms(sort, order) {
  const res = await admin.get(`/api/reports/rooms?${new URLSearchParams({ from: FROM, to: TO, sort, order })}`);
  assert.equal(res.status(), 200);
  return (await res.json()).rows.map((r) => [r.room, r.folder, String(r.passes_from), String(r.passes_to)]);
}

async function screenRows(page) {
  const rows = await shownCells(page, '#shared-table');
  return rows.map((row) => row.map((text) => text.replace(/(\d),(?=\d{3}\b)/g, '$1')));
}

async function waitSorted(page, sort, order) {
  await page.waitForSelector(`#shared-report[data-state="ready"][data-sort="${sort}"][data-order="${order}"]`);
}

test('an admin shares Room Usage, and someone not signed in opens, sorts and downloads it', async () => {
  let link = '';
  await withPage(env, 'shares-make', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}` });
    await page.waitForSelector('#shares[data-state="ready"]');
    await page.click('#rooms-share');
    await page.waitForSelector('#share-dialog[open]');
    assert.match(await page.textContent('#share-what'), /Room Usage, Mar 3 – 12, 2025/);
    assert.deepEqual(await unlabelledControls(page), []);
    await page.fill('#share-days', '91');
    await page.click('#share-make');
    assert.match(await page.textContent('#share-dialog .field-error'), /1 to 90 days/);
    await page.fill('#share-days', '14');
    await page.click('#share-make');
    await page.waitForSelector('#share-made:not([hidden])');
    link = await page.inputValue('#share-link');
    assert.match(link, new RegExp(`^${env.url}/shared/[A-Za-z0-9_-]{43}$`));
    await page.click('#share-done');
    await page.waitForSelector('#shares-table tbody tr[data-share]');
    const rows = await shownCells(page, '#shares-table');
    assert.deepEqual(rows[0].slice(0, 2), ['Room Usage', 'Mar 3 – 12, 2025']);
    assert.equal(rows[0][3], USERS.admin.name);
    // The link was shown once: it is nowhere on the page now.
    assert.ok(!(await page.content()).includes(link.split('/shared/')[1]));
  });

  await withPage(env, 'shares-open', async (page) => {
    await page.goto(link);
    await page.waitForSelector('body[data-state="ready"]');
    assert.equal(new URL(page.url()).pathname, new URL(link).pathname, 'no sign-in asked');
    assert.equal(await page.textContent('#shared-title'), 'Room Usage');
    assert.equal(await page.textContent('#shared-range'), 'Mar 3 – 12, 2025');
    assert.match(await page.textContent('#shared-note'), /This link works until/);
    // Nothing leads elsewhere: no navigation, no sign-out, no link but the downloads.
    assert.equal(await page.$('nav'), null);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')).filter((h) => h !== '#main'));
    assert.ok(hrefs.every((h) => h.startsWith('/api/shared/')), hrefs.join(' '));

    await waitSorted(page, 'room', 'asc');
    assert.deepEqual(await screenRows(page), await apiRooms('room', 'asc'));
    await page.click('#shared-table th[data-key="to"] button');
    await waitSorted(page, 'to', 'asc');
    assert.deepEqual(await screenRows(page), await apiRooms('to', 'asc'));
    await page.click('#shared-table th[data-key="to"] button');
    await waitSorted(page, 'to', 'desc');
    assert.deepEqual(await screenRows(page), await apiRooms('to', 'desc'));
    assert.equal(await page.getAttribute('#shared-table th[data-key="to"]', 'aria-sort'), 'descending');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#shared-csv')]);
    assert.equal(download.suggestedFilename(), `room-usage_${FROM}_${TO}.csv`);
    const mine = await admin.get(`/api/reports/rooms?from=${FROM}&to=${TO}&sort=to&order=desc&format=csv`);
    const fs = await import('node:fs');
    assert.deepEqual(fs.readFileSync(await download.path()), await mine.body());
    assert.deepEqual(await axeViolations(page), []);
  });
});

test('the Analytics page lists the school\'s links and revokes one, which then says so plainly', async () => {
  const made = await admin.post('/api/shares', { data: { report: 'staff', from: FROM, to: TO, expires_in_days: 3 } });
  assert.equal(made.status(), 201);
  const share = await made.json();
  const link = share.link;
  await withPage(env, 'shares-revoke', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}` });
    const row = `#shares-table tbody tr[data-share="${share.id}"]`;
    await page.waitForSelector(row);
    const cells = (await shownCells(page, '#shares-table')).find((r) => r[0] === 'Staff Usage');
    assert.deepEqual(cells.slice(0, 2), ['Staff Usage', 'Mar 3 – 12, 2025']);
    assert.deepEqual(await axeViolations(page), []);
    await page.click(`${row} button`);
    await page.waitForSelector(row, { state: 'detached' });
    const res = await admin.get('/api/shares');
    assert.ok(!(await res.json()).shares.some((s) => s.id === share.id));
  });
  await withPage(env, 'shares-revoked', async (page) => {
    const res = await page.goto(link);
    assert.equal(res.status(), 410);
    await page.waitForSelector('body[data-state="gone"]');
    assert.equal(await page.textContent('#shared-title'), 'This link cannot be opened');
    assert.equal(await page.textContent('#shared-error'), 'This share link was revoked by the school; ask them for a new one.');
    assert.ok(await page.isHidden('#shared-report'));
    assert.deepEqual(await axeViolations(page), []);
  });
  await withPage(env, 'shares-unknown', async (page) => {
    const res = await page.goto('/shared/not-a-real-link');
    assert.equal(res.status(), 404);
    await page.waitForSelector('body[data-state="unknown"]');
    assert.match(await page.textContent('#shared-error'), /^No such share link/);
  });
});
