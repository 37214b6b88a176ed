// The waiting line on the pages, against a real server and its clock: a student on a phone
// is refused by a full room, waits in line, gets the offer within a few seconds of the room
// freeing and starts it; an offer not taken in time goes back to waiting and the page says
// so; at a kiosk a student joins from a refusal, the kiosk lists its room's line, starts an
// offer and removes an entry. The Restroom takes one pass at a time (Max To 1).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, apiAs, USERS, useSchool, axeViolations } from './helpers.mjs';

let env;
let admin;
let teacher;

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
// From the room freeing to the page showing the offer: the server offers within a second,
// and a page learns of it within 2 s.
const OFFER_SHOWS_MS = 4000;
// The shortest offer a school may set, so that a lapse comes quickly.
const SHORT_OFFER_S = 10;
// Long enough for a page to have heard of a change and reloaded.
const RELOADED_MS = 2500;

useSchool(['admin', 'teacher'], (s) => {
  env = s.env;
  admin = s.admin;
  teacher = s.teacher;
});

async function line() {
  const res = await admin.get('/api/line');
  assert.equal(res.status(), 200);
  return (await res.json()).entries;
}

async function activePasses() {
  return (await (await admin.get('/api/passes?active=true')).json()).passes;
}

// Ends every active pass and empties the line, so that each test starts with a free Restroom.
async function clearAll() {
  for (const e of await line()) await admin.delete(`/api/line/${e.id}`, { headers: JSON_HEADERS });
  for (const p of await activePasses()) await admin.post(`/api/passes/${p.id}/end`, { headers: JSON_HEADERS });
}

// Another student holds the Restroom's one place.
async function holdRestroom(student = 'pupil1@test.example') {
  const res = await teacher.post('/api/passes', { data: { student, origin: 'Room 9', destination: 'Restroom' } });
  assert.equal(res.status(), 201, await res.text());
  return res.json();
}

async function end(pass) {
  assert.equal((await admin.post(`/api/passes/${pass.id}/end`, { headers: JSON_HEADERS })).status(), 200);
}

async function requestRestroom(page) {
  await page.waitForSelector('#request:not([hidden])');
  await page.selectOption('#student-origin', 'Room 2');
  await page.selectOption('#student-destination', 'Restroom');
  await page.click('#request-button');
  await page.waitForSelector('#wait-offer:not([hidden])');
}

function countdownSeconds(text) {
  const m = /^\((\d+) s\)$/.exec(text.trim());
  assert.ok(m, `a countdown like "(27 s)": ${text}`);
  return Number(m[1]);
}

test('a student joins the line on a phone, gets the offer and starts it', async () => {
  await clearAll();
  const held = await holdRestroom();
  await withPage(
    env,
    'line-student',
    async (page) => {
      await signIn(page, USERS.student);
      await requestRestroom(page);
      assert.equal(await page.textContent('#student-error'), 'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.');
      assert.equal(await page.textContent('#wait-button'), 'Wait in line');

      await page.click('#wait-button');
      await page.waitForSelector('#line:not([hidden])');
      assert.equal(await page.textContent('#line-text'), 'You are number 1 in line for Restroom');
      assert.equal(await page.isVisible('#line-offer'), false, 'no Start now before the offer');
      assert.equal(await page.isVisible('#line-leave'), true);
      assert.equal(await page.isVisible('#request'), false);
      assert.equal(await page.isVisible('#student-error'), false, 'the refusal is answered');
      const [entry] = (await line()).filter((e) => e.student === USERS.student.email);
      assert.equal(entry.state, 'waiting');
      assert.equal(entry.position, 1);
      assert.equal(entry.origin, 'Room 2');
      assert.equal(entry.destination, 'Restroom');

      // The other student comes back: the page shows the offer within a few seconds.
      await end(held);
      const freed = Date.now();
      await page.waitForSelector('#line-offer:not([hidden])', { timeout: OFFER_SHOWS_MS + 2000 });
      const took = Date.now() - freed;
      assert.ok(took <= OFFER_SHOWS_MS, `the offer showed ${took} ms after the room freed`);
      assert.equal(await page.textContent('#line-title'), 'Your turn');
      assert.equal(await page.textContent('#line-start'), 'Start now');
      const first = countdownSeconds(await page.textContent('#line-countdown'));
      assert.ok(first > 20 && first <= 30, `counts down from the school's 30 seconds: ${first}`);
      await page.waitForFunction((t) => document.getElementById('line-countdown').textContent.trim() !== t, `(${first} s)`, { timeout: 3000 });
      assert.ok(countdownSeconds(await page.textContent('#line-countdown')) < first, 'it ticks down');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'fits the phone');

      await page.click('#line-start');
      await page.waitForSelector('#active-pass:not([hidden])');
      assert.equal(await page.textContent('#active-route'), 'Room 2 → Restroom');
      assert.equal(await page.isVisible('#line'), false);
      const mine = (await activePasses()).filter((p) => p.student === USERS.student.email);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].destination, 'Restroom');
      assert.equal((await line()).some((e) => e.student === USERS.student.email), false, 'the entry left the line');

      await page.click('#end-pass');
      await page.waitForSelector('#request:not([hidden])');
    },
    PHONE,
  );
});

test('an offer not taken in time goes back to waiting, and the student reads why; Leave the line', async () => {
  await clearAll();
  assert.equal((await admin.patch('/api/settings', { data: { line_offer_seconds: SHORT_OFFER_S } })).status(), 200);
  const held = await holdRestroom();
  const student2 = await apiAs(env, USERS.student2);
  try {
    await withPage(
      env,
      'line-lapse',
      async (page) => {
        await signIn(page, USERS.student);
        await requestRestroom(page);
        await page.click('#wait-button');
        await page.waitForSelector('#line:not([hidden])');
        // A second student waits behind, so the lapsed place goes to them.
        const joined = await student2.post('/api/passes', { data: { origin: 'Room 9', destination: 'Restroom', wait: true } });
        assert.equal(joined.status(), 202);
        assert.equal((await joined.json()).position, 2);

        await end(held);
        await page.waitForSelector('#line-offer:not([hidden])', { timeout: OFFER_SHOWS_MS + 2000 });
        assert.ok(countdownSeconds(await page.textContent('#line-countdown')) <= SHORT_OFFER_S);
        // Not taken: after the offer's seconds it lapses, and the turn passes to the next.
        await page.waitForSelector('#line-note:not([hidden])', { timeout: (SHORT_OFFER_S + 5) * 1000 });
        assert.equal(await page.textContent('#line-note'), 'The time to start ran out, so your turn went to the next student. You are back in line, number 1.');
        assert.equal(await page.isVisible('#line-offer'), false);
        assert.equal(await page.textContent('#line-text'), 'You are number 1 in line for Restroom');
        const entries = await line();
        assert.equal(entries.find((e) => e.student === USERS.student.email).state, 'waiting');
        assert.equal(entries.find((e) => e.student === USERS.student2.email).state, 'offered');
        // The note stays while nothing new happens to the student, though the page reloads
        // on other changes in the school.
        const elsewhere = await teacher.post('/api/passes', { data: { student: 'pupil5@test.example', origin: 'Room 9', destination: 'Gym' } });
        assert.equal(elsewhere.status(), 201);
        await page.waitForTimeout(RELOADED_MS);
        assert.equal(await page.isVisible('#line-note'), true, 'the note is still there after a reload');

        await page.click('#line-leave');
        await page.waitForSelector('#request:not([hidden])');
        assert.equal(await page.textContent('#line-note'), 'You left the line.');
        assert.equal((await line()).some((e) => e.student === USERS.student.email), false);
      },
      PHONE,
    );
  } finally {
    await student2.dispose();
    await admin.patch('/api/settings', { data: { line_offer_seconds: null } });
  }
});

test('at a kiosk a student joins the line from a refusal; the kiosk starts the offer and removes an entry', async () => {
  await clearAll();
  const held = await holdRestroom();
  await withPage(env, 'line-kiosk', async (page) => {
    await signIn(page, USERS.kiosk);
    await page.fill('#kiosk-student', USERS.student2.email);
    await page.selectOption('#kiosk-destination', 'Restroom');
    await page.click('#kiosk-submit');
    await page.waitForSelector('#kiosk-error:not([hidden])');
    assert.equal(await page.textContent('#kiosk-error'), 'Restroom is full right now (1 of 1 passes going to it). Try again when someone is back.');
    await page.click('#kiosk-wait');
    await page.waitForSelector('#kiosk-success:not([hidden])');
    assert.match(await page.textContent('#kiosk-success'), /^Riley Student, you are number 1 in line for Restroom\./);
    const card = page.locator(`#kiosk-line-list .line-entry[data-student="${USERS.student2.email}"]`);
    await card.waitFor();
    assert.match(await card.textContent(), /1\. Riley Student/);
    assert.match(await card.textContent(), /To Restroom · Waiting/);
    assert.equal(await card.locator('button[data-action="start"]').count(), 0);

    // A second student joins at the kiosk over the API, then is removed on the kiosk.
    const kiosk = await apiAs(env, USERS.kiosk);
    const other = await kiosk.post('/api/passes', { data: { student: 'pupil3@test.example', origin: 'Library', destination: 'Restroom', wait: true } });
    assert.equal(other.status(), 202);
    await kiosk.dispose();
    const otherCard = page.locator('#kiosk-line-list .line-entry[data-student="pupil3@test.example"]');
    await otherCard.waitFor();
    assert.match(await otherCard.textContent(), /2\. Pupil 3/);
    await otherCard.locator('button[data-action="remove"]').click();
    await otherCard.waitFor({ state: 'detached' });
    assert.equal((await line()).some((e) => e.student === 'pupil3@test.example'), false, 'removed from the line');

    await end(held);
    await card.locator('button[data-action="start"]').waitFor({ timeout: OFFER_SHOWS_MS + 2000 });
    assert.match(await card.textContent(), /Your turn/);
    countdownSeconds(await card.locator('.countdown').textContent());
    assert.deepEqual(await axeViolations(page), [], 'kiosk with an offer in its line: axe found violations');
    await card.locator('button[data-action="start"]').click();
    await page.locator(`#kiosk-passes .pass-card[data-student="${USERS.student2.email}"]`).waitFor();
    await page.waitForSelector('#kiosk-line', { state: 'hidden' });
    assert.match(await page.textContent('#kiosk-success'), /Riley Student, your pass to Restroom has started/);
    const pass = (await activePasses()).find((p) => p.student === USERS.student2.email);
    assert.equal(pass.origin, 'Library');
    assert.equal(pass.destination, 'Restroom');
  });
});
