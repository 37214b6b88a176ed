// Shared by the browser tests: builds a school from CSV files with `hallpass init` and
// `hallpass import`, serves it with a real `hallpass serve` on a free port, and drives
// Debian's Chromium through playwright-core.
//
//   HALLPASS_BIN  the binary to test (default build/hallpass)
//   CHROMIUM      the browser (default /usr/bin/chromium)

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.HALLPASS_BIN || 'build/hallpass');
export const OUTPUT = path.join(ROOT, 'test-output');
export const PASSWORD = 'Test-pass-2026!';
export const TIMEZONE = 'America/Chicago';

// The users who sign in; the other staff and students have no password.
export const USERS = {
  admin: { name: 'Ada Principal', email: 'admin@test.example', role: 'admin' },
  teacher: { name: 'Theo Teacher', email: 'teacher@test.example', role: 'teacher' },
  student: { name: 'Sam Student', email: 'student@test.example', role: 'student' },
  student2: { name: 'Riley Student', email: 'student2@test.example', role: 'student' },
  kiosk: { name: 'Library Kiosk', email: 'kiosk@test.example', role: 'kiosk', room: 'Library' },
};

// Rooms named to exercise natural order ("Room 2" < "room 10" < "Room 10A"), folders that do
// too, rooms without a folder, and limits.
export const ROOMS = [
  ['Room 2', 'Wing 2', '', ''],
  ['room 10', 'Wing 10', '', ''],
  ['Room 10A', 'Wing 10', '', ''],
  ['Room 1', 'Wing 2', '', ''],
  ['Room 100', 'Wing 10', '3', ''],
  ['Room 9', 'Wing 2', '', ''],
  ['Room 010', 'Wing 2', '', ''],
  ['Library', '', '', '25'],
  ['Nurse', 'Offices', '', ''],
  ['Main Office', 'Offices', '', ''],
  ['Restroom', 'Restrooms', '', '1'],
  ['Restroom West', 'Restrooms', '', '3'],
  ['Gym', '', '', ''],
  ['=Lab', 'Science', '', ''], // A name a spreadsheet would take for a formula.
];

const EXTRA_STAFF = [
  ['Bea Alvarez', 'bea@test.example', 'teacher'],
  ['carl Brooks', 'carl@test.example', 'teacher'],
  ['Dee Chen', 'dee@test.example', 'admin'],
  ['Eli Duarte', 'eli@test.example', 'teacher'],
  ['Fay Egan 2', 'fay2@test.example', 'teacher'],
  ['Fay Egan 10', 'fay10@test.example', 'teacher'],
  ['Gus Idle', 'gus@test.example', 'teacher'], // Writes no pass.
  // A long name and email, as real schools have: the reports must still fit their box.
  ['Maximiliana Featherstonehaugh-Cholmondeley', 'maximiliana.featherstonehaugh-cholmondeley@riverbend-unified.example', 'admin'],
];

const EXTRA_STUDENTS = Array.from({ length: 24 }, (_, i) => [`Pupil ${i + 1}`, `pupil${i + 1}@test.example`, 'student']);

function csvLine(values) {
  return values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',') + '\r\n';
}

// A small deterministic generator, so that every run builds the same school.
function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

// The passes: school days from 2025-03-03 to 2025-03-14 (across the daylight-saving change
// of March 9), every source and type, a few cancelled scheduled passes; all have ended.
export const PASS_DAYS = ['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07', '2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14'];

function passesCsv() {
  const rand = rng(20250303);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const classrooms = ROOMS.filter(([name]) => /^room /i.test(name)).map(([name]) => name);
  const places = ['Nurse', 'Main Office', 'Restroom', 'Restroom West', 'Library', 'Gym', '=Lab', 'Room 2'];
  const students = [USERS.student.email, USERS.student2.email, ...EXTRA_STUDENTS.map((s) => s[1])];
  const staff = [USERS.admin.email, USERS.teacher.email, ...EXTRA_STAFF.filter((s) => s[1] !== 'gus@test.example' && !s[1].startsWith('maximiliana')).map((s) => s[1])];
  let out = csvLine(['id', 'student', 'origin', 'destination', 'creator', 'source', 'type', 'start', 'end', 'cancelled']);
  let n = 0;
  for (const day of PASS_DAYS) {
    const count = 25 + Math.floor(rand() * 20);
    for (let i = 0; i < count; i++) {
      n++;
      const student = pick(students);
      const origin = pick(classrooms);
      let destination = pick(places);
      if (destination === origin) destination = 'Nurse';
      const r = rand();
      let source;
      let creator;
      if (r < 0.45) {
        source = 'teacher';
        creator = pick(staff);
      } else if (r < 0.6) {
        source = 'kiosk_mode';
        creator = pick(staff);
      } else if (r < 0.8) {
        source = 'student';
        creator = student;
      } else {
        source = 'kiosk_login';
        creator = USERS.kiosk.email;
      }
      const scheduled = source === 'teacher' && rand() < 0.3;
      const cancelled = scheduled && rand() < 0.15;
      const minute = 14 * 60 + Math.floor(rand() * 7 * 60); // 14:00 to 21:00 UTC: a school day
      const start = new Date(`${day}T00:00:00Z`);
      start.setUTCMinutes(minute);
      const end = new Date(start.getTime() + (3 + Math.floor(rand() * 15)) * 60000);
      const iso = (d) => d.toISOString().replace('.000Z', 'Z');
      const realOrigin = source === 'kiosk_login' ? USERS.kiosk.room : origin;
      if (realOrigin === destination) destination = 'Nurse';
      out += csvLine([
        `T${String(n).padStart(4, '0')}`,
        student,
        realOrigin,
        destination,
        creator,
        source,
        scheduled ? 'scheduled' : 'now',
        iso(start),
        cancelled ? '' : iso(end),
        cancelled ? 'true' : 'false',
      ]);
    }
  }
  return out;
}

function run(args) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Builds a school in a new temporary folder; returns {dir, db}.
export function makeSchool() {
  if (!fs.existsSync(BIN)) throw new Error(`no hallpass binary at ${BIN}: build it first, or set HALLPASS_BIN`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallpass-browser-'));
  const db = path.join(dir, 'school.db');
  let rooms = csvLine(['name', 'folder', 'max_passes_from', 'max_passes_to']);
  for (const row of ROOMS) rooms += csvLine(row);
  let users = csvLine(['name', 'email', 'role', 'room', 'password']);
  for (const u of Object.values(USERS)) users += csvLine([u.name, u.email, u.role, u.room || '', PASSWORD]);
  for (const [name, email, role] of [...EXTRA_STAFF, ...EXTRA_STUDENTS]) users += csvLine([name, email, role, '', '']);
  fs.writeFileSync(path.join(dir, 'rooms.csv'), rooms);
  fs.writeFileSync(path.join(dir, 'users.csv'), users);
  fs.writeFileSync(path.join(dir, 'passes.csv'), passesCsv());
  run(['init', '--db', db, '--school', 'Riverbend Test School', '--timezone', TIMEZONE]);
  run(['import', 'rooms', '--db', db, path.join(dir, 'rooms.csv')]);
  run(['import', 'users', '--db', db, path.join(dir, 'users.csv')]);
  run(['import', 'passes', '--db', db, path.join(dir, 'passes.csv')]);
  return { dir, db };
}

// Starts `hallpass serve` on a free port; resolves to {url, stop()}.
export function startServer(db) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`hallpass serve did not start in 15 s:\n${out}\n${err}`));
    }, 15000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const exited = new Promise((done) => child.once('exit', done));
        resolve({
          url: m[1].replace(/\/$/, ''),
          log: () => err,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
      if (err.length > 200000) err = err.slice(-100000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(out)) reject(new Error(`hallpass serve exited (${code}):\n${out}\n${err}`));
    });
  });
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

// Everything a test file needs: a school, a server, a browser. Call stop() after.
export async function setUp() {
  const school = makeSchool();
  const server = await startServer(school.db);
  const browser = await launchBrowser();
  fs.mkdirSync(OUTPUT, { recursive: true });
  return {
    ...school,
    url: server.url,
    server,
    browser,
    async stop() {
      await browser.close().catch(() => {});
      await server.stop();
      fs.rmSync(school.dir, { recursive: true, force: true });
    },
  };
}

// A fresh browser context (its own cookies) and page that records script errors and CSP
// violations; check them with assertClean(page).
export async function newPage(env, { viewport = { width: 1280, height: 900 }, ...options } = {}) {
  const context = await env.browser.newContext({ baseURL: env.url, viewport, acceptDownloads: true, timezoneId: TIMEZONE, locale: 'en-US', ...options });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

export async function signIn(page, user, { next } = {}) {
  await page.goto(next ? `/signin?next=${encodeURIComponent(next)}` : '/signin');
  await page.fill('#email', user.email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('#signin-button')]);
  await page.waitForSelector('body.is-ready');
}

// A request context signed in as a user, to call the JSON API the way a script would.
export async function apiAs(env, user) {
  const { request } = await import('playwright-core');
  const ctx = await request.newContext({ baseURL: env.url });
  const res = await ctx.post('/api/session', { data: { email: user.email, password: PASSWORD } });
  if (res.status() !== 200) throw new Error(`sign-in of ${user.email} over the API: ${res.status()} ${await res.text()}`);
  return ctx;
}

export async function screenshot(page, name) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
}

// Runs a test body on a new page, and always saves a screenshot of where it ended.
export async function withPage(env, name, body, options) {
  const page = await newPage(env, options);
  try {
    await body(page);
  } finally {
    await screenshot(page, name).catch(() => {});
    await page.context().close();
  }
  if (page.problems.length) throw new Error(`the page reported problems:\n${page.problems.join('\n')}`);
}

// Every visible form control has a label (a <label>, or aria-label/aria-labelledby).
export async function unlabelledControls(page) {
  return page.$$eval('input, select, textarea', (els) =>
    els
      .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 80)),
  );
}

// axe-core (from npm) run in the page: the violations, as "rule: target (summary)" lines.
// evaluate() runs outside the page's Content-Security-Policy, so the page needs no change.
const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export async function axeViolations(page, { exclude = [] } = {}) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async (excluded) => {
    const r = await window.axe.run({ exclude: excluded.map((sel) => [sel]) }, { resultTypes: ['violations'] });
    return r.violations.map((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`)).flat();
  }, exclude);
  return result;
}

// A school, server and browser for a whole test file, with API contexts signed in as the
// users named (keys of USERS): registers the before and after hooks and hands
// {env, admin, teacher, ...} to `ready` once set up (an async `ready` is awaited: a file's
// own set-up goes there, as hooks of one file may run in any order).
export function useSchool(names, ready) {
  const held = { env: null };
  before(async () => {
    held.env = await setUp();
    for (const name of names) held[name] = await apiAs(held.env, USERS[name]);
    await ready(held);
  });
  after(async () => {
    for (const name of names) await held[name]?.dispose();
    await held.env?.stop();
  });
}

// A table's rows as shown: each cell's visible text, without what only screen readers hear
// and without the marks in words (a flagged room, overtime), which their own tests read.
export async function shownCells(page, selector) {
  return page.$$eval(`${selector} tbody tr`, (trs) =>
    trs.map((tr) =>
      Array.from(tr.cells).map((cell) => {
        const c = cell.cloneNode(true);
        c.querySelectorAll('.visually-hidden, [aria-hidden="true"], .flag').forEach((e) => e.remove());
        return c.textContent.trim();
      }),
    ),
  );
}
