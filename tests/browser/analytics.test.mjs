// Analytics: the date range, both reports sorted by the server by every column both ways,
// the downloads, the address that keeps range and sort, the links to the Rooms dashboard,
// the loading, empty and error states, and the compare switch, flagged rooms and folders.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { withPage, signIn, USERS, TIMEZONE, unlabelledControls, useSchool, shownCells } from './helpers.mjs';
import { changeView, formatMedian } from '../../web/js/compare.js';
import { todayIn } from '../../web/js/dates.js';

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

// The table as shown: each cell's visible text, without what only screen readers hear and
// without a room's flag against its folder (which its own test reads).
async function screenRows(page, kind) {
  const rows = await shownCells(page, `#${kind}-table`);
  return rows.map((row) => row.map((text) => text.replace(/(\d),(?=\d{3}\b)/g, '$1')));
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

// Each count cell as shown with compare: [count, arrow and difference, words].
async function changeCells(page, kind) {
  return page.$$eval(`#${kind}-table tbody tr`, (trs) =>
    trs.map((tr) =>
      Array.from(tr.querySelectorAll('td.num')).map((td) => [
        td.querySelector('.count')?.textContent ?? td.textContent,
        td.querySelector('.change')?.textContent ?? '',
        td.querySelector('.visually-hidden')?.textContent ?? '',
      ]),
    ),
  );
}

async function apiReport(kind, params) {
  const res = await admin.get(`/api/reports/${kind}?${new URLSearchParams(params)}`);
  assert.equal(res.status(), 200);
  return res.json();
}

test('the compare switch shows the change beside each count; flagged rooms are marked; folders fold', async () => {
  await withPage(env, 'analytics-compare', async (page) => {
    await signIn(page, USERS.admin);
    const range = { from: '2025-03-10', to: '2025-03-14' };
    await page.goto(`/analytics?from=${range.from}&to=${range.to}`);
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc', ...range });
    assert.equal(await page.locator('#rooms-table .change').count(), 0, 'no change shown with compare off');

    // The previous period: the 5 days before, applied at once.
    await page.check('input[name="compare"][value="previous"]');
    for (const kind of ['rooms', 'staff']) await page.waitForSelector(`#${kind}-report[data-compare="2025-03-05..2025-03-09"][data-state="ready"]`);
    assert.match(await page.textContent('#range-summary'), /compared with Mar 5 – 9, 2025/);
    assert.equal(new URL(page.url()).searchParams.get('compare'), 'previous');
    for (const kind of ['rooms', 'staff']) {
      const data = await apiReport(kind, { ...range, compare: 'previous' });
      const fields = kind === 'rooms' ? ['passes_from', 'passes_to'] : ['total', 'now', 'scheduled'];
      const want = data.rows.map((r) =>
        fields.map((f) => {
          const c = changeView(r[f], r[`prev_${f}`]);
          return [r[f].toLocaleString('en-US'), `${c.arrow}\u00a0${c.text}`, `, ${c.words}`];
        }),
      );
      assert.deepEqual(await changeCells(page, kind), want, `${kind}: every count with its change`);
      assert.ok(want.flat().some((c) => c[1].startsWith('▲')) && want.flat().some((c) => c[1].startsWith('▼')), `${kind}: changes both ways`);
      const href = new URL(await page.getAttribute(`#${kind}-csv`, 'href'), env.url);
      assert.equal(href.searchParams.get('compare'), 'previous', 'the download holds the previous columns too');
    }

    // A custom range waits for its dates and Apply; a reload keeps it.
    await page.check('input[name="compare"][value="custom"]');
    assert.equal(await page.isVisible('#compare-from'), true);
    await page.fill('#compare-from', '2025-03-03');
    await page.fill('#compare-to', '2025-03-04');
    await page.click('#apply-range');
    await waitForReport(page, 'staff', { sort: 'staff', order: 'asc', ...range });
    await page.waitForSelector('#rooms-report[data-compare="2025-03-03..2025-03-04"][data-state="ready"]');
    await page.reload();
    await page.waitForSelector('#staff-report[data-compare="2025-03-03..2025-03-04"][data-state="ready"]');
    assert.equal(await page.isChecked('input[name="compare"][value="custom"]'), true);
    assert.equal(await page.inputValue('#compare-to'), '2025-03-04');
    const custom = await apiReport('staff', { ...range, compare: '2025-03-03..2025-03-04' });
    assert.equal((await changeCells(page, 'staff'))[0][0][2], `, ${changeView(custom.rows[0].total, custom.rows[0].prev_total).words}`);
    // A backwards custom range is refused at its field.
    await page.fill('#compare-from', '2025-03-09');
    await page.click('#apply-range');
    await page.waitForSelector('#range-error:not([hidden])');
    assert.equal(await page.getAttribute('#compare-to', 'aria-invalid'), 'true');
    await page.check('input[name="compare"][value="off"]');
    await page.waitForSelector('#rooms-report[data-compare="off"][data-state="ready"]');
    assert.equal(await page.locator('#rooms-table .change').count(), 0);

    // Flagged rooms: today, passes from Wing 10's three rooms, 13, 6 and 1 (median 6): room 10
    // is high, Room 100 low. Marked in words, exactly as the API says.
    const today = todayIn(TIMEZONE);
    let n = 0;
    for (const [origin, count] of [['room 10', 13], ['Room 10A', 6], ['Room 100', 1]]) {
      for (let i = 0; i < count; i++) {
        const res = await admin.post('/api/passes', { data: { student: `pupil${++n}@test.example`, origin, destination: 'Library', type: 'now' } });
        assert.equal(res.status(), 201, await res.text());
        const made = await res.json();
        assert.equal((await admin.post(`/api/passes/${made.id}/end`, { data: {} })).status(), 200);
      }
    }
    const day = await apiReport('rooms', { from: today, to: today });
    const flags = Object.fromEntries(day.rows.filter((r) => r.from_flag).map((r) => [r.room, r.from_flag]));
    assert.deepEqual(flags, { 'room 10': 'high', 'Room 100': 'low' });
    await page.fill('#from', today);
    await page.fill('#to', today);
    await page.click('#apply-range');
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc', from: today, to: today });
    const marks = await page.$$eval('#rooms-table tbody th[scope="row"]', (ths) => ths.map((th) => th.querySelector('.flag')?.firstChild.textContent ?? null));
    assert.deepEqual(marks, day.rows.map((r) => (r.from_flag ? `${r.from_flag} for its folder` : null)));
    const high = page.locator('#rooms-table tbody th[scope="row"]', { hasText: 'room 10' }).first().locator('.flag');
    assert.match(await high.getAttribute('title'), /13 passes from it, more than twice the median of Wing 10 \(6\)/);

    // Grouped by folder: each folder's subtotal and median, and a button that folds it.
    await page.goto(`/analytics?from=${range.from}&to=${range.to}`);
    await waitForReport(page, 'rooms', { sort: 'room', order: 'asc', ...range });
    await page.check('#group-folders');
    await page.waitForSelector('#rooms-report[data-group="folder"][data-state="ready"]');
    const data = await apiReport('rooms', range);
    const wing = data.rows.filter((r) => r.folder === 'Wing 2');
    const button = page.locator('#rooms-table .folder-toggle[data-folder="Wing 2"]');
    assert.equal((await button.innerText()).trim(), `▾ Wing 2, ${wing.length} rooms`);
    const head = page.locator('#rooms-table tbody.folder-head', { has: page.locator('.folder-toggle[data-folder="Wing 2"]') });
    const subtotal = await head.locator('tr.folder-subtotal td.num').allTextContents();
    assert.deepEqual(subtotal, [wing.reduce((a, r) => a + r.passes_from, 0), wing.reduce((a, r) => a + r.passes_to, 0)].map((n) => n.toLocaleString('en-US')));
    const median = await head.locator('tr.folder-median td.num').allTextContents();
    assert.deepEqual(median, [formatMedian(wing[0].folder_median_from), formatMedian(wing[0].folder_median_to)]);
    const roomsBody = page.locator(`#${await button.getAttribute('aria-controls')}`);
    assert.equal(await roomsBody.locator('tr').count(), wing.length);
    // By keyboard: Enter folds, Space unfolds; the subtotal stays.
    await button.focus();
    await page.keyboard.press('Enter');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.equal(await roomsBody.isVisible(), false, 'the rooms are folded away');
    assert.equal(await head.locator('tr.folder-subtotal').isVisible(), true);
    await page.keyboard.press('Space');
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    assert.equal(await roomsBody.isVisible(), true);
    assert.equal(new URL(page.url()).searchParams.get('group'), 'folder');
  });
});
