// Pages learn of changes without a reload: a pass ended in one tab shows in the other within
// 2 s, a `change` event on the server's event stream (/api/events) reloads a page at once,
// polling takes over when the stream is absent, and a page never has two loads in flight.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, signIn, apiAs, USERS, useSchool } from './helpers.mjs';

let env;
let admin;

const JSON_HEADERS = { 'Content-Type': 'application/json' };
// A change must show within this long.
const PROMPT_MS = 2000;
// Without the event stream, polling (every 5 s) and one load.
const FALLBACK_LIMIT_MS = 7000;

useSchool(['admin'], (s) => {
  env = s.env;
  admin = s.admin;
});

async function endAll() {
  const { passes } = await (await admin.get('/api/passes?active=true')).json();
  for (const p of passes) await admin.post(`/api/passes/${p.id}/end`, { headers: JSON_HEADERS });
}

async function studentPass(user, destination = 'Gym') {
  const ctx = await apiAs(env, user);
  const res = await ctx.post('/api/passes', { headers: JSON_HEADERS, data: { origin: 'Room 2', destination, type: 'now' } });
  assert.equal(res.status(), 201);
  const pass = await res.json();
  await ctx.dispose();
  return pass;
}

// Two tabs of one browser (the same cookies), both on a page.
async function twoTabs(user, path, ready, name, body) {
  const a = await newPage(env);
  const context = a.context();
  try {
    await signIn(a, user);
    if (path) await a.goto(path);
    await a.waitForSelector(ready);
    const b = await context.newPage();
    b.problems = [];
    b.on('pageerror', (e) => b.problems.push(`page error: ${e.message}`));
    await b.goto(path || new URL(a.url()).pathname);
    await b.waitForSelector(ready);
    try {
      await body(a, b);
    } finally {
      await screenshot(b, name).catch(() => {});
    }
    assert.deepEqual([...a.problems, ...b.problems], []);
  } finally {
    await context.close();
  }
}

test('a pass ended in one tab of the student page shows in the other within 2 s', async () => {
  await endAll();
  await studentPass(USERS.student);
  await twoTabs(USERS.student, null, '#active-pass:not([hidden])', 'live-student', async (a, b) => {
    const t0 = Date.now();
    await a.click('#end-pass');
    await b.waitForSelector('#request:not([hidden])', { timeout: PROMPT_MS });
    assert.ok(Date.now() - t0 <= PROMPT_MS, `shown after ${Date.now() - t0} ms`);
    assert.equal(await b.isVisible('#active-pass'), false, 'no longer "You are out"');
  });
});

test('a pass ended in one tab of the Passes page leaves the other within 2 s', async () => {
  await endAll();
  const pass = await studentPass(USERS.student2, 'Nurse');
  const row = `#active-table tr[data-pass-id="${pass.id}"]`;
  await twoTabs(USERS.teacher, '/passes', row, 'live-passes', async (a, b) => {
    await a.click(`${row} button[data-action="end"]`);
    await b.waitForSelector(row, { state: 'detached', timeout: PROMPT_MS });
  });
});

test('a change event on the event stream reloads the page at once', async () => {
  await endAll();
  const page = await newPage(env);
  try {
    // The stream, held open by the test and answered with one `change` after the pass.
    let held = null;
    await page.route('**/api/events', (route) => {
      if (!held) held = route;
      else route.abort();
    });
    const loads = [];
    page.on('request', (r) => r.url().includes('/api/passes?active=true') && loads.push(Date.now()));
    await signIn(page, USERS.teacher);
    await page.waitForSelector('#active-table tbody tr');
    assert.ok(held, 'the page asks for the event stream');
    const pass = await studentPass(USERS.student);
    const t0 = Date.now();
    await held.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' }, body: 'retry: 600000\n\nevent: change\ndata: {}\n\n' });
    await page.waitForSelector(`#active-table tr[data-pass-id="${pass.id}"]`, { timeout: PROMPT_MS });
    assert.ok(Date.now() - t0 <= PROMPT_MS);
    // The reload came from the stream, not from the polling that runs while it is not open.
    assert.ok(loads.some((t) => t >= t0 && t - t0 < 500), 'a load right after the event');
  } finally {
    await screenshot(page, 'live-events').catch(() => {});
    await page.context().close();
  }
});

test('without the event stream, polling shows a change made elsewhere', async () => {
  await endAll();
  const page = await newPage(env);
  try {
    await page.route('**/api/events', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error": "no such resource"}' }));
    await signIn(page, USERS.teacher);
    await page.waitForSelector('#active-table tbody tr');
    const pass = await studentPass(USERS.student2);
    await page.waitForSelector(`#active-table tr[data-pass-id="${pass.id}"]`, { timeout: FALLBACK_LIMIT_MS });
  } finally {
    await page.context().close();
  }
});

test('a page never has two loads in flight, however many changes are signalled', async () => {
  await endAll();
  await twoTabs(USERS.student, null, '#request:not([hidden])', 'live-overlap', async (a, b) => {
    let inFlight = 0;
    let most = 0;
    let requests = 0;
    await b.route('**/api/passes?active=true', async (route) => {
      inFlight++;
      requests++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 800));
      try {
        await route.continue();
      } finally {
        inFlight--;
      }
    });
    // Ten changes signalled from the other tab at once, then ten more while loads run.
    const signal = () => a.evaluate(() => {
      const ch = new BroadcastChannel('hallpass-changes');
      for (let i = 0; i < 10; i++) ch.postMessage('change');
      ch.close();
    });
    await signal();
    await a.waitForTimeout(300);
    await signal();
    await a.waitForTimeout(3000);
    assert.equal(most, 1, 'one load at a time');
    assert.ok(requests >= 1 && requests <= 4, `${requests} loads for twenty signals`);
  });
});

test("the server's event stream brings a change made on another device within 2 s", async () => {
  await endAll();
  const page = await newPage(env);
  try {
    const stream = page.waitForResponse((r) => r.url().endsWith('/api/events'));
    await signIn(page, USERS.teacher);
    await page.waitForSelector('#active-table tbody tr');
    const res = await stream;
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/event-stream/);
    await page.waitForTimeout(300);
    const t0 = Date.now();
    const pass = await studentPass(USERS.student2, 'Nurse');
    await page.waitForSelector(`#active-table tr[data-pass-id="${pass.id}"]`, { timeout: PROMPT_MS });
    assert.ok(Date.now() - t0 <= PROMPT_MS, `shown after ${Date.now() - t0} ms`);
    // Ended over the API too: the row leaves as promptly.
    assert.equal((await admin.post(`/api/passes/${pass.id}/end`, { headers: JSON_HEADERS })).status(), 200);
    await page.waitForSelector(`#active-table tr[data-pass-id="${pass.id}"]`, { state: 'detached', timeout: PROMPT_MS });
  } finally {
    await screenshot(page, 'live-server-events').catch(() => {});
    await page.context().close();
  }
});
