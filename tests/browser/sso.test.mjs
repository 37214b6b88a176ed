// Single sign-on: a teacher signs in with the school's button on the sign-in page, through the
// provider's own login page (the npm package oidc-provider, started here on loopback by
// tests/integration/oidc_provider.mjs), and lands on their Passes page signed in.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { BIN, ROOT, USERS, screenshot, setUp, withPage } from './helpers.mjs';

// hallpass takes a provider on http://127.0.0.1 only when this is set: a test-only allowance.
process.env.HALLPASS_OIDC_TEST_LOOPBACK = '1';

const CLIENT_ID = 'hallpass-riverbend';
const SECRET = 'a-client-secret-of-the-browser-tests-42';
const LABEL = 'Sign in with Riverbend SSO';

let env;
let provider;

function startProvider(setup) {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [path.join(ROOT, 'tests/integration/oidc_provider.mjs'), JSON.stringify(setup)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const timer = setTimeout(() => reject(new Error('the OpenID provider did not start in 20 s')), 20000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolve({ ...JSON.parse(line), stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code})`)));
  });
}

before(async () => {
  env = await setUp();
  provider = await startProvider({
    clients: [{ client_id: CLIENT_ID, client_secret: SECRET, redirect_uris: [`${env.url}/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    accounts: { theo: { email: USERS.teacher.email, email_verified: true } },
  });
  const secretFile = path.join(env.dir, 'client-secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  execFileSync(BIN, ['settings', '--db', env.db, `oidc_issuer=${provider.real}`, `oidc_client_id=${CLIENT_ID}`, `oidc_client_secret_file=${secretFile}`, 'oidc_email_domains=test.example', `oidc_label=${LABEL}`], { stdio: 'ignore' });
});

after(async () => {
  provider?.stop();
  await env?.stop();
});

test("a teacher signs in with the school's button, at the provider's own login page", async () => {
  await withPage(env, 'sso-teacher', async (page) => {
    await page.goto('/signin');
    const button = page.getByRole('link', { name: LABEL });
    await button.waitFor();
    await screenshot(page, 'sso-button');
    // The provider's login page, on its own origin.
    await Promise.all([page.waitForURL((u) => u.origin === provider.real), button.click()]);
    await page.fill('input[name="login"]', 'theo');
    await page.fill('input[name="password"]', 'any password');
    await Promise.all([page.waitForURL((u) => u.origin === env.url && u.pathname === '/passes'), page.click('button[type="submit"]')]);
    await page.waitForSelector('body.is-ready');
    assert.equal(await page.textContent('[data-testid="user-name"]'), USERS.teacher.name);
  });
});

test('without sign-on set, the sign-in page shows no button', async () => {
  execFileSync(BIN, ['settings', '--db', env.db, 'oidc_email_domains='], { stdio: 'ignore' });
  try {
    await withPage(env, 'sso-none', async (page) => {
      await page.goto('/signin');
      await page.waitForLoadState('networkidle');
      assert.equal(await page.isHidden('#oidc-buttons'), true);
      assert.equal(await page.getByRole('link', { name: LABEL }).count(), 0);
    });
  } finally {
    execFileSync(BIN, ['settings', '--db', env.db, 'oidc_email_domains=test.example'], { stdio: 'ignore' });
  }
});
