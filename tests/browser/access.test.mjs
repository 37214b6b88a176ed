// Sign-in, sign-out and who may see which page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, PASSWORD, unlabelledControls, useSchool } from './helpers.mjs';

let env;

useSchool([], (s) => {
  env = s.env;
});

const path = (page) => new URL(page.url()).pathname;

test('a visitor is sent to sign in, and comes back to the page asked for', async () => {
  await withPage(env, 'access-next', async (page) => {
    // A bookmark with its range and sort survives the detour through sign-in.
    await page.goto('/analytics?rooms_sort=to&rooms_order=desc');
    assert.equal(path(page), '/signin');
    assert.deepEqual(await unlabelledControls(page), []);
    await page.fill('#email', USERS.admin.email);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/analytics**'), page.click('#signin-button')]);
    await page.waitForSelector('body.is-ready');
    assert.equal(path(page), '/analytics');
    const kept = new URL(page.url()).searchParams;
    assert.equal(kept.get('rooms_sort'), 'to');
    assert.equal(kept.get('rooms_order'), 'desc');
    assert.equal(await page.textContent('[data-testid="school-name"]'), 'Riverbend Test School');
    assert.equal(await page.textContent('[data-testid="user-name"]'), USERS.admin.name);
    const links = await page.locator('.site-nav a').allTextContents();
    assert.deepEqual(links, ['Analytics', 'Rooms', 'Pass rules', 'Users', 'Passes', 'Audit log']);
    assert.equal(await page.getAttribute('.site-nav a[href="/analytics"]', 'aria-current'), 'page');
  });
});

test('a wrong password is refused plainly; a link off the site is never followed', async () => {
  await withPage(env, 'access-wrong-password', async (page) => {
    await page.goto('/signin?next=//evil.example/x');
    await page.fill('#email', USERS.teacher.email);
    await page.fill('#password', 'not the password');
    await page.click('#signin-button');
    await page.waitForSelector('#signin-error:not([hidden])');
    assert.match(await page.textContent('#signin-error'), /Wrong email or password/);
    assert.equal(await page.getAttribute('#signin-error', 'role'), 'alert');
    assert.equal(await page.inputValue('#password'), '', 'the password is cleared');
    assert.equal(path(page), '/signin');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/passes'), page.click('#signin-button')]);
    assert.equal(new URL(page.url()).host, new URL(env.url).host, 'stays on this site');
  });
});

test('too many failed sign-ins show the wait', async () => {
  await withPage(env, 'access-throttled', async (page) => {
    await page.goto('/signin');
    await page.fill('#email', 'nobody@test.example');
    let seen = null;
    for (let i = 0; i < 8 && !seen; i++) {
      await page.fill('#password', `wrong ${i}`);
      await page.click('#signin-button');
      // The message and the button's state, read at the same moment (the wait may be 1 s).
      const handle = await page.waitForFunction(() => {
        const box = document.getElementById('signin-error');
        const button = document.getElementById('signin-button');
        if (box.hidden || button.textContent !== 'Sign in') return null;
        return { text: box.textContent, disabled: button.disabled };
      });
      const state = await handle.jsonValue();
      if (/Too many failed sign-ins/.test(state.text)) seen = state;
    }
    assert.ok(seen, 'a 429 is shown');
    assert.match(seen.text, /wait \d+ seconds?/);
    assert.equal(seen.disabled, true, 'the button waits too');
  });
});

test('a teacher is refused Analytics and Rooms, and ends on Passes', async () => {
  await withPage(env, 'access-teacher-refused', async (page) => {
    await signIn(page, USERS.teacher);
    assert.equal(path(page), '/passes');
    await page.goto('/analytics');
    assert.equal(path(page), '/passes');
    await page.goto('/rooms');
    assert.equal(path(page), '/passes');
    await page.waitForSelector('body.is-ready');
    assert.equal(await page.locator('a[href="/analytics"]').count(), 0, 'no link to Analytics');
    const res = await page.request.get('/api/reports/rooms');
    assert.equal(res.status(), 403);
  });
});

test('a student sees only their page; signing out ends the session', async () => {
  await withPage(env, 'access-signed-out', async (page) => {
    await signIn(page, USERS.student);
    assert.equal(path(page), '/student');
    await page.goto('/passes');
    assert.equal(path(page), '/student');
    await page.waitForSelector('body.is-ready');
    await Promise.all([page.waitForURL('**/signin'), page.click('#sign-out')]);
    await page.goto('/student');
    assert.equal(path(page), '/signin');
    const res = await page.request.get('/api/session');
    assert.equal(res.status(), 401);
  });
});
