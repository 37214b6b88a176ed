// Analytics: the date range, both reports sorted by the server by every column both ways,
// the downloads, the address that keeps range and sort, the links to the Rooms dashboard,
// and the loading, empty and error states.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { withPage, signIn, USERS, unlabelledControls, useSchool } from './helpers.mjs';

let env;
let admin; // the API, signed in as the admin

useSchool(['admin'], (s) => {
  env = s.env;
  admin = s.admin;
});

const FROM = '2025-03-03';
const TO = '2025-03-12';

const KEYS = {
  rooms: ['folder', 'from', 'to', 'room'], // the default (room) last, so that its first click is ascending
  staff: ['email', 'total', 'now', 'scheduled', 'staff'],
};

async function waitForReport(page, kind, { sort, order, from = FROM, to = TO }) {
  await page.waitForSelector(
    `#${kind}-report:is([data-state="ready"], [data-state="empty"])[data-sort="${sort}"][data-order="${order}"][data-from="${from}"][data-to="${to}"]`,
  );
}

// The table as shown: each cell's visible text, without what only screen readers hear.
async function screenRows(page, kind) {
  return page.$$eval(`#${kind}-table tbody tr`, (trs) =>
    trs.map((tr) =>
      Array.from(tr.cells).map((cell) => {
        const c = cell.cloneNode(true);
        c.querySelectorAll('.visually-hidden, [aria-hidden="true"]').forEach((e) => e.remove());
        return c.textContent.trim().replace(/(\d),(?=\d{3}\b)/g, '$1');
      }),
    ),
  );
}

async function apiRows(kind, params) {
  const res = await admin.get(`/api/reports/${kind}?${new URLSearchParams(params)}`);
  assert.equal(res.status(), 200);
  const data = await res.json();
  return data.rows.map((r) =>
    kind === 'rooms' ? [r.room, r.folder, String(r.passes_from), String(r.passes_to)] : [r.staff, r.email, String(r.total), String(r.now), String(r.scheduled)],
  );
}

async function setCustomRange(page, from, to) {
  await page.fill('#from', from);
  await page.fill('#to', to);
  await page.click('#apply-range');
}

test('an admin sets a custom range and sorts each report by each column both ways, as the API does', async () => {
  await withPage(env, 'analytics-sorted', async (page) => {
    await signIn(page, USERS.admin);
    assert.equal(new URL(page.url()).pathname, '/analytics');
    assert.deepEqual(await unlabelledControls(page), []);
    await setCustomRange(page, FROM, TO);
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc' });
    await waitForReport(page, 'staff', { sort: 'staff', order: 'asc' });
    const address = new URL(page.url()).searchParams;
    assert.equal(address.get('from'), FROM);
    assert.equal(address.get('to'), TO);

    // The default order, before any click: natural order of the names.
    const rooms = await screenRows(page, 'rooms');
    assert.deepEqual(rooms, await apiRows('rooms', { from: FROM, to: TO }));
    const names = rooms.map((r) => r[0]);
    assert.ok(names.indexOf('Room 2') < names.indexOf('room 10'), 'Room 2 sorts before room 10');
    assert.ok(names.indexOf('room 10') < names.indexOf('Room 10A'), 'room 10 sorts before Room 10A');

    for (const kind of ['rooms', 'staff']) {
      for (const key of KEYS[kind]) {
        for (const order of ['asc', 'desc']) {
          await page.click(`#${kind}-table th[data-key="${key}"] button`);
          await waitForReport(page, kind, { sort: key, order });
          const th = page.locator(`#${kind}-table th[data-key="${key}"]`);
          assert.equal(await th.getAttribute('aria-sort'), order === 'asc' ? 'ascending' : 'descending');
          assert.equal(await th.locator('.sort-arrow').textContent(), order === 'asc' ? '▲' : '▼');
          assert.equal(await page.locator(`#${kind}-table th[aria-sort]`).count(), 1, 'one column sorted');
          const screen = await screenRows(page, kind);
          const api = await apiRows(kind, { from: FROM, to: TO, sort: key, order });
          assert.ok(screen.length > 5, 'the report has rows');
          assert.deepEqual(screen.slice(0, 5), api.slice(0, 5), `${kind} by ${key} ${order}: first rows`);
          assert.deepEqual(screen, api, `${kind} by ${key} ${order}: every row`);
          const q = new URL(page.url()).searchParams;
          assert.equal(q.get(`${kind}_sort`), key);
          assert.equal(q.get(`${kind}_order`), order);
        }
      }
    }
  });
});

test('the downloads are the API answers for the range and sort on screen', async () => {
  await withPage(env, 'analytics-downloads', async (page) => {
    await signIn(page, USERS.admin);
    await page.goto(`/analytics?from=${FROM}&to=${TO}&rooms_sort=to&rooms_order=desc&staff_sort=total&staff_order=desc`);
    await waitForReport(page, 'rooms', { sort: 'to', order: 'desc' });
    await waitForReport(page, 'staff', { sort: 'total', order: 'desc' });
    const expected = {
      rooms: { sort: 'to', order: 'desc', name: 'room-usage' },
      staff: { sort: 'total', order: 'desc', name: 'staff-usage' },
    };
    for (const kind of ['rooms', 'staff']) {
      for (const format of ['csv', 'xlsx']) {
        const link = page.locator(`#${kind}-${format}`);
        const href = new URL(await link.getAttribute('href'), env.url);
        assert.equal(href.pathname, `/api/reports/${kind}`);
        assert.deepEqual(Object.fromEntries(href.searchParams), { from: FROM, to: TO, sort: expected[kind].sort, order: expected[kind].order, format });
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        assert.equal(download.suggestedFilename(), `${expected[kind].name}_${FROM}_${TO}.${format}`);
        const got = fs.readFileSync(await download.path());
        const res = await admin.get(href.pathname + href.search);
        assert.equal(res.status(), 200);
        const want = await res.body();
        if (format === 'csv') {
          assert.ok(got.equals(want), `${kind} CSV: the same bytes as the API`);
          assert.deepEqual([...got.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark');
          const first = got.toString('utf8').slice(1).split('\r\n')[0];
          assert.equal(first, kind === 'rooms' ? 'Room,Folder,Passes From This Room,Passes To This Room' : 'Staff,Email,Total Passes,Now Passes,Scheduled Passes');
        } else {
          assert.equal(got.subarray(0, 2).toString('latin1'), 'PK', `${kind} XLSX is a zip`);
          assert.equal(got.length, want.length, `${kind} XLSX: the size of the API's answer`);
        }
      }
    }
  });
});

test('a reload keeps the range and both sorts; presets and the empty state', async () => {
  await withPage(env, 'analytics-reload', async (page) => {
    await signIn(page, USERS.admin);
    await setCustomRange(page, '2025-03-05', '2025-03-11');
    const range = { from: '2025-03-05', to: '2025-03-11' };
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc', ...range });
    await page.click('#rooms-table th[data-key="from"] button');
    await page.click('#rooms-table th[data-key="from"] button');
    await waitForReport(page, 'rooms', { sort: 'from', order: 'desc', ...range });
    await page.click('#staff-table th[data-key="scheduled"] button');
    await waitForReport(page, 'staff', { sort: 'scheduled', order: 'asc', ...range });
    const before = { rooms: await screenRows(page, 'rooms'), staff: await screenRows(page, 'staff') };

    await page.reload();
    await waitForReport(page, 'rooms', { sort: 'from', order: 'desc', ...range });
    await waitForReport(page, 'staff', { sort: 'scheduled', order: 'asc', ...range });
    assert.equal(await page.inputValue('#from'), range.from);
    assert.equal(await page.inputValue('#to'), range.to);
    assert.equal(await page.getAttribute('#rooms-table th[data-key="from"]', 'aria-sort'), 'descending');
    assert.equal(await page.getAttribute('#staff-table th[data-key="scheduled"]', 'aria-sort'), 'ascending');
    assert.deepEqual(await screenRows(page, 'rooms'), before.rooms);
    assert.deepEqual(await screenRows(page, 'staff'), before.staff);
    assert.deepEqual(await screenRows(page, 'rooms'), await apiRows('rooms', { ...range, sort: 'from', order: 'desc' }));

    // A preset: today has no passes in this school.
    await page.click('[data-preset="today"]');
    await page.waitForSelector('#rooms-report[data-state="empty"]');
    await page.waitForSelector('#staff-report[data-state="empty"]');
    assert.equal(await page.getAttribute('[data-preset="today"]', 'aria-pressed'), 'true');
    assert.match(await page.textContent('#rooms-status'), /No passes in this range/);
    assert.match(await page.textContent('#rooms-chart'), /No passes in this range/);
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('from'), q.get('to'));
    assert.equal(q.get('rooms_sort'), 'from', 'a new range keeps the sort');

    // A backwards range is refused on the page, next to the field.
    await setCustomRange(page, '2025-03-12', '2025-03-01');
    await page.waitForSelector('#range-error:not([hidden])');
    assert.match(await page.textContent('#range-error'), /after/);
    assert.equal(await page.getAttribute('#to', 'aria-invalid'), 'true');
  });
});

test('the charts are labelled SVG built from the reports', async () => {
  await withPage(env, 'analytics-charts', async (page) => {
    await signIn(page, USERS.admin);
    await setCustomRange(page, FROM, TO);
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc' });
    await waitForReport(page, 'staff', { sort: 'staff', order: 'asc' });
    for (const kind of ['rooms', 'staff']) {
      const svg = page.locator(`#${kind}-chart svg`);
      assert.equal(await svg.getAttribute('role'), 'img');
      assert.match(await svg.locator('title').first().textContent(), kind === 'rooms' ? /Busiest rooms/ : /most passes/);
      const labels = await svg.locator('text.chart-label').allTextContents();
      assert.ok(labels.length > 0 && labels.length <= 10, `${kind}: at most 10 bars`);
    }
    // The busiest room by passes from and to comes first.
    const rooms = await apiRows('rooms', { from: FROM, to: TO });
    const busiest = rooms.map((r) => [r[0], Number(r[2]) + Number(r[3])]).sort((a, b) => b[1] - a[1])[0][0];
    assert.equal(await page.locator('#rooms-chart svg text.chart-label').first().textContent(), busiest);
  });
});

test('a room name links to the Rooms dashboard, which highlights that room', async () => {
  await withPage(env, 'analytics-room-link', async (page) => {
    await signIn(page, USERS.admin);
    await setCustomRange(page, FROM, TO);
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc' });
    const link = page.locator('#rooms-table tbody a', { hasText: 'Room 10A' });
    const href = await link.getAttribute('href');
    assert.match(href, /^\/rooms\?room=\d+$/);
    await Promise.all([page.waitForURL(/\/rooms\?room=\d+$/), link.click()]);
    const row = page.locator('.room-row.is-highlighted');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-room-name'), 'Room 10A');
    assert.equal(await row.evaluate((el) => el === document.activeElement), true);
  });
});

test('a report that fails says what happened; the page prints without its controls', async () => {
  await withPage(env, 'analytics-error', async (page) => {
    await signIn(page, USERS.admin);
    await page.route('**/api/reports/staff?*', (route) =>
      route.request().url().includes('format=') ? route.continue() : route.fulfill({ status: 503, contentType: 'application/json', body: '{"error": "the store cannot be opened: disk full"}' }),
    );
    await page.goto(`/analytics?from=${FROM}&to=${TO}`);
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc' });
    await page.waitForSelector('#staff-report[data-state="error"]');
    assert.match(await page.textContent('#staff-status'), /Staff Usage could not be loaded: The hallpass server cannot answer right now\. Try again in a moment\./);

    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#site-header'), false, 'no header on paper');
    assert.equal(await page.isVisible('#rooms-csv'), false, 'no download buttons on paper');
    assert.equal(await page.isVisible('#presets'), false, 'no range controls on paper');
    assert.equal(await page.isVisible('#rooms-table'), true, 'the report prints');
    assert.equal(await page.isVisible('#range-summary'), true, 'the range prints');
  });
});
