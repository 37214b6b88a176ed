// The insights on the Analytics page against the real server: each tab's chart or table shows
// the range's numbers as GET /api/insights/KIND gives them (bars per day, heatmap cells, the
// tables a screen reader reads), the compare switch puts the change beside the counts of
// durations, students and limits, rules read in words, the downloads are the API's bytes, the
// tabs work by keyboard, print keeps the charts and drops the controls, and a teacher reaches
// no insight.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { withPage, signIn, USERS, TIMEZONE, unlabelledControls, useSchool, shownCells } from './helpers.mjs';
import { changeView } from '../../web/js/compare.js';
import { todayIn } from '../../web/js/dates.js';
import { dailyTable, heatmapTable, DAILY_SERIES } from '../../web/js/insights.js';
import { longDate } from '../../web/js/chart.js';
import { RULE_NAMES } from '../../web/js/words.js';

let env;
let admin;
let teacher;
const today = todayIn(TIMEZONE);

// Today, refusals and overrides by the room limits: Restroom takes one pass to it at a time,
// so a second is refused (max_to) and a third passes it by override.
useSchool(['admin', 'teacher'], async (s) => {
  env = s.env;
  admin = s.admin;
  teacher = s.teacher;
  const pass = (student, override = false) => admin.post('/api/passes', { data: { student, origin: 'Room 2', destination: 'Restroom', type: 'now', override } });
  assert.equal((await pass('pupil1@test.example')).status(), 201);
  const refused = await pass('pupil2@test.example');
  assert.equal(refused.status(), 409);
  assert.equal((await refused.json()).rule, 'max_to');
  assert.equal((await pass('pupil3@test.example', true)).status(), 201);
});

const FROM = '2025-03-03';
const TO = '2025-03-14';

async function api(kind, params) {
  const res = await admin.get(`/api/insights/${kind}?${new URLSearchParams(params)}`);
  assert.equal(res.status(), 200, await res.text());
  return res.json();
}

const fmt = (n) => Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });

const screenRows = (page, kind) => shownCells(page, `#${kind}-table`);

// A screen reader's table: [head, ...rows] as text.
async function dataTable(page, kind) {
  return page.$$eval(`#${kind}-datatable tr`, (trs) => trs.map((tr) => Array.from(tr.cells).map((c) => c.textContent.trim())));
}

test('passes by day: a bar per day of the range, stacked by source as the API counts, and its table', async () => {
  await withPage(env, 'insights-daily', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}&tab=daily` });
    await page.waitForSelector(`#daily-report[data-state="ready"][data-from="${FROM}"][data-to="${TO}"]`);
    assert.equal(await page.getAttribute('#tab-daily', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#rooms-report'), false, 'the other tabs are hidden');
    const data = await api('daily', { from: FROM, to: TO });
    assert.equal(data.rows.length, 12, 'the range has 12 days, weekends included');
    const bars = await page.$$eval('#daily-chart svg g.column', (gs) =>
      gs.map((g) => ({
        date: g.dataset.key,
        total: Number(g.dataset.total),
        pieces: Object.fromEntries(Array.from(g.querySelectorAll('rect')).map((r) => [r.dataset.series, [Number(r.getAttribute('height')), r.querySelector('title').textContent]])),
      })),
    );
    assert.equal(bars.length, data.rows.length, 'one bar per day');
    const peak = Math.max(...data.rows.map((r) => r.passes));
    const tallest = Math.max(...bars.map((b) => Object.values(b.pieces).reduce((a, p) => a + p[0], 0)));
    data.rows.forEach((row, i) => {
      const bar = bars[i];
      assert.equal(bar.date, row.date);
      assert.equal(bar.total, row.passes, `${row.date}: the bar's total`);
      for (const se of DAILY_SERIES) {
        if (row[se.key] === 0) {
          assert.equal(bar.pieces[se.key], undefined, `${row.date}: no ${se.key} piece`);
          continue;
        }
        const [height, title] = bar.pieces[se.key];
        assert.equal(title, `${longDate(row.date)}: ${fmt(row[se.key])} ${se.words}`);
        assert.ok(Math.abs(height - (row[se.key] / peak) * tallest) < 0.6, `${row.date} ${se.key}: height ${height} for ${row[se.key]}`);
      }
    });
    const weekend = data.rows.find((r) => r.date === '2025-03-08');
    assert.equal(weekend.passes, 0, 'no school on Saturday');
    assert.equal(await page.locator('#daily-chart text.chart-value').count(), data.rows.filter((r) => r.passes > 0).length, 'each day with passes has its total over it');
    assert.deepEqual(await page.locator('#daily-chart .legend li').allTextContents(), ['Student', 'Teacher', 'Kiosk mode', 'Kiosk login']);
    assert.deepEqual(await page.locator('#daily-chart text.chart-axis-title').allTextContents(), ['Date', 'Passes']);
    assert.equal(await page.locator('#daily-chart svg').getAttribute('role'), 'img');

    // The screen reader's table says exactly what the bars say.
    const want = dailyTable(data.rows);
    assert.deepEqual(await dataTable(page, 'daily'), [want.head, ...want.rows]);
    // Visually hidden: clipped to a pixel, still read by a screen reader.
    const width = async () => (await page.locator('#daily-data').boundingBox()).width;
    assert.ok((await width()) <= 1, 'for screen readers only, until asked for');
    await page.click('#daily-show-table');
    assert.ok((await width()) > 300, 'shown as a table');
    assert.equal(await page.getAttribute('#daily-show-table', 'aria-pressed'), 'true');
    await page.click('#daily-show-table');
    assert.ok((await width()) <= 1);

    // The sources table beside it, in words, with the API's counts.
    await page.waitForSelector('#sources-report[data-state="ready"]');
    const sources = await api('sources', { from: FROM, to: TO });
    const words = { student: 'Student', teacher: 'Teacher', kiosk_mode: 'Kiosk mode', kiosk_login: 'Kiosk login', now: 'Now', scheduled: 'Scheduled' };
    assert.deepEqual(
      await screenRows(page, 'sources'),
      sources.rows.map((r) => [words[r.source], words[r.type], fmt(r.passes), r.in_staff_usage ? 'Yes' : 'No']),
    );
    assert.equal(sources.rows.reduce((a, r) => a + r.passes, 0), data.rows.reduce((a, r) => a + r.passes, 0));
    assert.deepEqual(await unlabelledControls(page), []);
  });
});

test('the heatmap: 168 cells with the API’s counts written in them, for all rooms and for one', async () => {
  await withPage(env, 'insights-heatmap', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}&tab=hours` });
    await page.waitForSelector(`#heatmap-report[data-state="ready"][data-destination=""]`);
    const cells = () =>
      page.$$eval(`#heatmap-chart svg.heatmap-wide g.heat-cell`, (gs) =>
        gs.map((g) => [Number(g.dataset.weekday), Number(g.dataset.hour), Number(g.dataset.passes), g.querySelector('text')?.textContent ?? '', g.querySelector('title').textContent]),
      );
    const check = async (data) => {
      const shown = await cells();
      assert.equal(shown.length, 168);
      const want = new Map(data.rows.map((r) => [`${r.weekday}-${r.hour}`, r.passes]));
      for (const [weekday, hour, passes, text, title] of shown) {
        const n = want.get(`${weekday}-${hour}`);
        assert.equal(passes, n);
        assert.equal(text, n ? fmt(n) : '', `weekday ${weekday} hour ${hour}: the count in the cell`);
        assert.match(title, n ? new RegExp(`: ${fmt(n)} pass(es)?$`) : /: no passes$/);
      }
      const t = heatmapTable(data.rows);
      assert.deepEqual(await dataTable(page, 'heatmap'), [t.head, ...t.rows], 'the table says what the cells say');
    };
    const all = await api('heatmap', { from: FROM, to: TO });
    assert.ok(all.rows.some((r) => r.passes > 0));
    await check(all);
    // Passes started 14:00 to 21:00 UTC, 8 AM to 3 PM or 9 AM to 4 PM in Chicago: none at night.
    assert.equal(all.rows.filter((r) => r.hour < 7 && r.passes > 0).length, 0);

    await page.selectOption('#heatmap-room', 'Library');
    await page.waitForSelector('#heatmap-report[data-state="ready"][data-destination="Library"]');
    assert.equal(new URL(page.url()).searchParams.get('heatmap_room'), 'Library');
    const library = await api('heatmap', { from: FROM, to: TO, destination: 'Library' });
    const sum = (d) => d.rows.reduce((a, r) => a + r.passes, 0);
    assert.ok(sum(library) > 0 && sum(library) < sum(all));
    await check(library);
    assert.match(await page.textContent('#heatmap-status'), / to Library/);
    const csv = new URL(await page.getAttribute('#heatmap-csv', 'href'), env.url);
    assert.equal(csv.searchParams.get('destination'), 'Library');
    await page.reload();
    await page.waitForSelector('#heatmap-report[data-state="ready"][data-destination="Library"]');
    assert.equal(await page.inputValue('#heatmap-room'), 'Library');
    // A bookmark of a room that is gone shows all rooms.
    await page.goto(`/analytics?from=${FROM}&to=${TO}&tab=hours&heatmap_room=Nowhere`);
    await page.waitForSelector('#heatmap-report[data-state="ready"][data-destination=""]');
    assert.equal(new URL(page.url()).searchParams.get('heatmap_room'), null);
    assert.equal(await page.inputValue('#heatmap-room'), '');
  });
});

// Each count cell as shown: [count, arrow and difference, words].
async function changeCells(page, kind) {
  return page.$$eval(`#${kind}-table tbody tr`, (trs) =>
    trs.map((tr) =>
      Array.from(tr.querySelectorAll('td.num')).map((td) =>
        td.classList.contains('muted') ? ['—', '', ''] : [td.querySelector('.count').textContent, td.querySelector('.change')?.textContent ?? '', td.querySelector('.cell-value > .visually-hidden')?.textContent ?? ''],
      ),
    ),
  );
}

const COUNTS = {
  durations: ['ended', 'average_minutes', 'median_minutes', 'overtime', 'open'],
  students: ['passes', 'now', 'scheduled', 'minutes_out', 'overtime', 'refused', 'prevented'],
  limits: ['refused_from', 'refused_to', 'waited', 'average_wait_seconds', 'overridden'],
};

test('compare: durations, students and limits show the change beside each count, as the API says', async () => {
  await withPage(env, 'insights-compare', async (page) => {
    const range = { from: '2025-03-10', to: '2025-03-14' };
    await signIn(page, USERS.admin, { next: `/analytics?from=${range.from}&to=${range.to}&tab=durations` });
    await page.waitForSelector('#durations-report[data-state="ready"][data-compare="off"]');
    assert.equal(await page.locator('#durations-table .change').count(), 0, 'no change with compare off');
    await page.check('input[name="compare"][value="previous"]');
    for (const [tab, kind] of [['durations', 'durations'], ['students', 'students'], ['limits', 'limits']]) {
      await page.click(`#tab-${tab}`);
      await page.waitForSelector(`#${kind}-report[data-state="ready"][data-compare="2025-03-05..2025-03-09"]`);
      const data = await api(kind, { ...range, compare: 'previous' });
      assert.ok(data.rows.length > 0);
      const want = data.rows.map((r) =>
        COUNTS[kind].map((f) => {
          if (r[f] === null) return ['—', '', ''];
          if (r[`prev_${f}`] === null) return [fmt(r[f]), '', ''];
          const c = changeView(r[f], r[`prev_${f}`]);
          return [fmt(r[f]), `${c.arrow}\u00a0${c.text}`, `, ${c.words}`];
        }),
      );
      assert.deepEqual(await changeCells(page, kind), want, `${kind}: every count with its change`);
      if (kind !== 'limits') assert.ok(want.flat().some((c) => c[1].startsWith('▲')) && want.flat().some((c) => c[1].startsWith('▼')), `${kind}: changes both ways`);
      const href = new URL(await page.getAttribute(`#${kind}-csv`, 'href'), env.url);
      assert.equal(href.searchParams.get('compare'), 'previous');
    }
    // The tables without compare never ask for it.
    await page.click('#tab-limits');
    await page.waitForSelector('#rules-report[data-state="ready"]');
    assert.equal(new URL(await page.getAttribute('#rules-csv', 'href'), env.url).searchParams.get('compare'), null);
    assert.equal(new URL(await page.getAttribute('#daily-csv', 'href'), env.url).searchParams.get('compare'), null);
  });
});

test('durations sort on the server with small bars and overtime in words; the Students tab says its data is personal', async () => {
  await withPage(env, 'insights-tables', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}&tab=durations` });
    await page.waitForSelector('#durations-report[data-state="ready"][data-sort="room"]');
    // The column titles are the server's, as its downloads have them.
    const site = await (await admin.get('/pages.json')).json();
    for (const kind of ['durations', 'students', 'limits', 'rules', 'sources', 'encounters']) {
      const titles = await page.$$eval(`#${kind}-table thead th`, (ths) => ths.map((th) => th.querySelector('.sort-button').firstChild.textContent));
      assert.deepEqual(titles, site.insights[kind].columns.map((c) => c.title), kind);
    }
    await page.click('#durations-table th[data-key="average_minutes"] button');
    await page.click('#durations-table th[data-key="average_minutes"] button');
    await page.waitForSelector('#durations-report[data-state="ready"][data-sort="average_minutes"][data-order="desc"]');
    assert.equal(await page.getAttribute('#durations-table th[data-key="average_minutes"]', 'aria-sort'), 'descending');
    const data = await api('durations', { from: FROM, to: TO, sort: 'average_minutes', order: 'desc' });
    const show = (v) => (v === null ? '' : fmt(v));
    assert.deepEqual(
      await screenRows(page, 'durations'),
      data.rows.map((r) => [r.room, r.folder, show(r.ended), show(r.average_minutes), show(r.median_minutes), show(r.overtime), show(r.open)]),
    );
    // A bar under each average, the longest for the largest.
    const widths = await page.$$eval('#durations-table tbody tr', (trs) => trs.map((tr) => Number(tr.querySelector('.inline-bar-fill')?.getAttribute('width') ?? 0)));
    assert.equal(widths[0], Math.max(...widths));
    assert.ok(widths[0] > 0);
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('durations_sort'), 'average_minutes');
    assert.equal(q.get('tab'), 'durations');
    // Today: the passes to the Restroom are out; a room's open passes show.
    await page.fill('#from', today);
    await page.fill('#to', today);
    await page.click('#apply-range');
    await page.waitForSelector(`#durations-report[data-state="ready"][data-from="${today}"]`);
    const restroom = (await screenRows(page, 'durations')).find((r) => r[0] === 'Restroom');
    assert.equal(restroom[6], '2', 'two passes to the Restroom are out');

    await page.click('#tab-students');
    await page.waitForSelector(`#students-report[data-state="ready"][data-from="${today}"]`);
    assert.equal(await page.textContent('#students-note'), 'Student details are personal data. Every view and download of this tab is recorded in the audit log.');
    const students = await api('students', { from: today, to: today });
    assert.deepEqual(
      (await screenRows(page, 'students')).map((r) => [r[0], r[1], r[3], r[8]]),
      students.rows.map((r) => [r.student, r.email, fmt(r.passes), fmt(r.refused)]),
    );
    assert.ok(students.rows.some((r) => r.refused === 1), 'the student refused by the room limit is there');
  });
});

test('limits, rules and encounter groups: refusals and overrides per rule, in words', async () => {
  await withPage(env, 'insights-rules', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${today}&to=${today}&tab=limits` });
    for (const kind of ['limits', 'rules', 'encounters']) await page.waitForSelector(`#${kind}-report:is([data-state="ready"], [data-state="empty"])[data-from="${today}"]`);
    const rules = await api('rules', { from: today, to: today });
    const shown = await screenRows(page, 'rules');
    assert.deepEqual(shown.map((r) => r[0]), Object.values(RULE_NAMES), 'every rule, in order, in words');
    assert.deepEqual(shown, rules.rows.map((r) => [RULE_NAMES[r.rule], fmt(r.refused), fmt(r.overridden)]));
    const maxTo = shown.find((r) => r[0] === 'Max passes to a room');
    assert.deepEqual(maxTo.slice(1), ['1', '1'], 'one refused and one overridden by the room limit');
    assert.equal(await page.locator('#rules-table', { hasText: /_/ }).count(), 0, 'no internal codes');
    const restroom = (await screenRows(page, 'limits')).find((r) => r[0] === 'Restroom');
    assert.deepEqual([restroom[3], restroom[6]], ['1', '1'], 'the Restroom: refused to it once, overridden once');
    assert.equal(await page.textContent('#encounters-status'), '0 encounter groups');
    assert.deepEqual(await screenRows(page, 'encounters'), [['No encounter groups yet. Add them on the Pass rules page.']]);
    assert.doesNotMatch(await page.innerText('#panel-limits'), /null|undefined/, 'no stray words');
  });
});

test('every insight downloads as CSV and XLSX over the range, the API’s own bytes', async () => {
  await withPage(env, 'insights-downloads', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}&tab=daily` });
    await page.waitForSelector('#daily-report[data-state="ready"]');
    for (const [tab, kinds] of [['daily', ['daily', 'sources']], ['hours', ['heatmap']], ['durations', ['durations']], ['limits', ['limits', 'rules', 'encounters']], ['students', ['students']]]) {
      // A page of its own per tab: Chromium holds back a page's downloads after the first ten.
      await page.goto(`/analytics?from=${FROM}&to=${TO}&tab=${tab}`);
      await page.waitForSelector(`#${kinds[0]}-report[data-state="ready"]`);
      for (const kind of kinds) {
        for (const format of ['csv', 'xlsx']) {
          const link = page.locator(`#${kind}-${format}`);
          const href = new URL(await link.getAttribute('href'), env.url);
          assert.equal(href.pathname, `/api/insights/${kind}`);
          assert.equal(href.searchParams.get('from'), FROM);
          assert.equal(href.searchParams.get('to'), TO);
          assert.equal(href.searchParams.get('format'), format);
          const res = await admin.get(href.pathname + href.search);
          assert.equal(res.status(), 200, `${kind} ${format}: ${await res.text()}`);
          const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
          assert.equal(download.suggestedFilename(), `${kind}_${FROM}_${TO}.${format}`);
          const got = fs.readFileSync(await download.path());
          const want = await (await admin.get(href.pathname + href.search)).body();
          if (format === 'csv') assert.ok(got.equals(want), `${kind} CSV: the API's bytes`);
          else assert.equal(got.subarray(0, 2).toString('latin1'), 'PK', `${kind} XLSX is a zip`);
        }
      }
    }
  });
});

test('the tabs work by keyboard; print keeps the tab on screen and drops the controls', async () => {
  await withPage(env, 'insights-keyboard-print', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}` });
    await page.waitForSelector('#rooms-report[data-state="ready"]');
    await page.focus('#tab-usage');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-daily');
    await page.waitForSelector('#daily-report[data-state="ready"]');
    assert.equal(await page.isVisible('#panel-daily'), true);
    assert.equal(await page.isVisible('#panel-usage'), false);
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-students');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-usage', 'the arrows wrap around');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-hours', 'aria-selected'), 'true');
    await page.waitForSelector('#heatmap-report[data-state="ready"]');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'panel-hours', 'Tab goes on into the panel');

    await page.emulateMedia({ media: 'print' });
    for (const sel of ['#site-header', '#tabs', '#presets', '#heatmap-room', '#heatmap-csv', '#heatmap-show-table']) assert.equal(await page.isVisible(sel), false, `${sel} is not printed`);
    assert.equal(await page.isVisible('#heatmap-chart svg.heatmap-wide'), true, 'the heatmap prints');
    assert.equal(await page.isVisible('#range-summary'), true, 'the range prints');
    assert.equal(await page.isVisible('#rooms-table'), false, 'only the tab on screen prints');
    await page.emulateMedia({ media: 'screen' });
    await page.click('#tab-daily');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#daily-chart svg'), true);
    assert.equal(await page.isVisible('#sources-table'), true);
    assert.equal(await page.locator('#sources-report').evaluate((el) => getComputedStyle(el).breakBefore), 'page', 'a section starts a new page');
  });
});

test('a teacher reaches no insight', async () => {
  for (const kind of ['daily', 'heatmap', 'durations', 'students', 'limits', 'rules', 'sources', 'encounters']) {
    const res = await teacher.get(`/api/insights/${kind}?from=${FROM}&to=${TO}`);
    assert.equal(res.status(), 403, kind);
  }
});
