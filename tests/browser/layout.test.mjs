// Both reports show every column without sideways scrolling from 1024 px up, and on a phone
// each row reads without it (stacked cells). The school has a staff member with a long name
// and email, as real schools do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, useSchool } from './helpers.mjs';

let env;

useSchool([], (s) => {
  env = s.env;
});

// For each report: how much wider the table is than its box, the widest column title's
// overflow, and the widest row's overflow; and the page's own overflow.
function measure() {
  const out = { page: document.documentElement.scrollWidth - window.innerWidth };
  for (const kind of ['rooms', 'staff']) {
    const table = document.getElementById(`${kind}-table`);
    const wrap = table.closest('.table-wrap');
    const over = (el) => el.scrollWidth - el.clientWidth;
    out[kind] = {
      table: table.scrollWidth - wrap.clientWidth,
      wrap: over(wrap),
      titles: Math.max(...Array.from(table.querySelectorAll('thead .sort-button')).map(over)),
      rows: Math.max(...Array.from(table.querySelectorAll('tbody tr')).map(over)),
      cells: Math.max(...Array.from(table.querySelectorAll('tbody td, tbody th')).map(over)),
      count: table.querySelectorAll('tbody tr').length,
    };
  }
  return out;
}

const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 390, height: 844, phone: true },
];

// The reports as shown plain, and with the most in them: compared, Room Usage by folder.
const VIEWS = [
  { name: '', query: '' },
  { name: ', compared and by folder', query: '&compare=previous&group=folder', sizes: [1024, 390] },
];

const CASES = VIEWS.flatMap((view) => WIDTHS.filter((w) => !view.sizes || view.sizes.includes(w.width)).map((size) => ({ view, size })));

for (const { view, size } of CASES) {
  test(`the reports fit at ${size.width} px${size.phone ? ' (a phone)' : ''}${view.name}`, async () => {
    const options = size.phone ? { viewport: { width: size.width, height: size.height }, isMobile: true, hasTouch: true } : { viewport: { width: size.width, height: size.height } };
    await withPage(
      env,
      `layout-${size.width}${view.query ? '-compare' : ''}`,
      async (page) => {
        await signIn(page, USERS.admin, { next: `/analytics?from=2025-03-01&to=2025-03-31&staff_sort=email&staff_order=desc${view.query}` });
        await page.waitForSelector('#rooms-report[data-state="ready"]');
        await page.waitForSelector('#staff-report[data-state="ready"]');
        const m = await page.evaluate(measure);
        assert.ok(m.page <= 0, `the page scrolls sideways by ${m.page} px`);
        for (const kind of ['rooms', 'staff']) {
          const r = m[kind];
          assert.ok(r.count > 5, `${kind}: rows shown`);
          assert.ok(r.table <= 0 && r.wrap <= 0, `${kind}: the table is ${r.table} px wider than its box`);
          assert.ok(r.titles <= 0, `${kind}: a column title is cut by ${r.titles} px`);
          assert.ok(r.rows <= 0 && r.cells <= 0, `${kind}: a row is ${r.rows} px (a cell ${r.cells} px) too wide`);
        }
        // The last column's title reads whole.
        const last = await page.locator('#staff-table thead th[data-key="scheduled"] .sort-button').innerText();
        assert.match(last, /Scheduled\s+Passes/);
        if (size.phone) {
          // Each row is a card whose cells carry their column's title.
          const cell = page.locator('#staff-table tbody tr').first().locator('td').first();
          assert.equal(await cell.getAttribute('data-title'), 'Email');
          assert.equal(await cell.evaluate((el) => getComputedStyle(el, '::before').content), '"Email"');
        }
      },
      options,
    );
  });
}

// The insight tabs fit too: no sideways scrolling of the page, every table within its box,
// and on a phone the heatmap stands with the hours down the side.
function measureInsights(kinds) {
  const out = { page: document.documentElement.scrollWidth - window.innerWidth };
  for (const kind of kinds) {
    const table = document.getElementById(`${kind}-table`);
    if (!table) continue;
    const wrap = table.closest('.table-wrap');
    out[kind] = { table: table.scrollWidth - wrap.clientWidth, count: table.querySelectorAll('tbody tr').length };
  }
  for (const kind of ['daily', 'heatmap']) {
    const chart = document.getElementById(`${kind}-chart`);
    if (!chart || chart.offsetParent === null) continue;
    const shown = Array.from(chart.querySelectorAll('svg')).filter((svg) => svg.getBoundingClientRect().width > 0);
    out[kind] = { svgs: shown.map((svg) => svg.getAttribute('class')), over: Math.max(...shown.map((svg) => svg.getBoundingClientRect().right - chart.getBoundingClientRect().right)) };
  }
  return out;
}

const INSIGHT_TABS = [
  ['daily', ['daily', 'sources']],
  ['hours', ['heatmap']],
  ['durations', ['durations']],
  ['limits', ['limits', 'rules', 'encounters']],
  ['students', ['students']],
];

for (const size of WIDTHS.filter((w) => w.width === 1024 || w.phone)) {
  test(`the insight tabs fit at ${size.width} px${size.phone ? ' (a phone)' : ''}, compared`, async () => {
    const options = size.phone ? { viewport: { width: size.width, height: size.height }, isMobile: true, hasTouch: true } : { viewport: { width: size.width, height: size.height } };
    await withPage(
      env,
      `layout-insights-${size.width}`,
      async (page) => {
        await signIn(page, USERS.admin, { next: '/analytics?from=2025-03-01&to=2025-03-31&compare=previous&tab=daily' });
        for (const [tab, kinds] of INSIGHT_TABS) {
          await page.click(`#tab-${tab}`);
          for (const kind of kinds) await page.waitForSelector(`#${kind}-report:is([data-state="ready"], [data-state="empty"])`);
          const m = await page.evaluate(measureInsights, kinds);
          assert.ok(m.page <= 0, `${tab}: the page scrolls sideways by ${m.page} px`);
          for (const kind of kinds) {
            if (m[kind].table !== undefined) assert.ok(m[kind].table <= 0, `${kind}: the table is ${m[kind].table} px wider than its box`);
            if (m[kind].over !== undefined) assert.ok(m[kind].over <= 0, `${kind}: the chart overflows by ${m[kind].over} px`);
          }
          if (tab === 'hours') assert.deepEqual(m.heatmap.svgs, [size.phone ? 'heatmap heatmap-tall' : 'heatmap heatmap-wide']);
        }
      },
      options,
    );
  });
}
