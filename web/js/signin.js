// Sign-in: POST /api/session, then go to `next` when it is a path on this site, else to `/`
// (which sends each user to their home page). Whether the visitor is already signed in comes
// from /pages.json, which answers 200 either way, so that this page never logs a 401.

import { api, get, ApiError, describe } from './api.js';
import { announce, setFieldError, clearFieldError, showNotice, hideNotice, h } from './dom.js';
import { SITE_PATH } from './header.js';

// A wrong password or email: the one sentence for both, so as not to tell which was wrong.
export const WRONG_WORDS = 'Wrong email or password. Check both and try again.';

// The page to go to after signing in. The server sends the page's path and query, encoded
// (`next=%2Fanalytics%3Ffrom%3D...`); a path without its leading slash is taken too. Anything
// that would leave this site (`//evil.example`, `https://...`, `/\evil`) is ignored.
export function nextTarget(search = location.search) {
  let next = new URLSearchParams(search).get('next') || '';
  if (!next) return '/';
  if (!next.startsWith('/')) next = '/' + next;
  if (next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f]/.test(next)) return '/';
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin) return '/';
    if (url.pathname === '/signin') return '/';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
}

// Where the school list of single sign-on comes from: the schools whose provider is set, each
// with its button's words and the address that starts its sign-in.
export const OIDC_SCHOOLS_PATH = '/auth/oidc/schools';

// The words of each school's sign-on button: its label, and the school's name too when the
// server holds more than one school with sign-on, so that a person picks their own.
export function ssoButtons(schools) {
  return schools.map((s) => ({
    text: schools.length > 1 ? `${s.label} (${s.name})` : s.label,
    href: s.start,
  }));
}

// Shows the sign-on buttons, as links (a sign-in is a navigation to the provider), after the
// sign-in with a password; nothing when no school has sign-on.
function showSso(box, schools) {
  const buttons = ssoButtons(schools);
  if (buttons.length === 0) return;
  box.replaceChildren(
    h('p', { class: 'muted' }, 'Or sign in through your school:'),
    ...buttons.map((b) => h('a', { class: 'button large sso', href: b.href }, b.text)),
  );
  box.hidden = false;
}

function main() {
  const form = document.getElementById('signin-form');
  const email = document.getElementById('email');
  const password = document.getElementById('password');
  const button = document.getElementById('signin-button');
  const errorBox = document.getElementById('signin-error');
  let waitTimer = null;

  function startWait(seconds) {
    clearInterval(waitTimer);
    let left = seconds;
    const say = () =>
      showNotice(
        errorBox,
        `Too many failed sign-ins. Please wait ${left} second${left === 1 ? '' : 's'} before trying again.`,
      );
    button.disabled = true;
    say();
    waitTimer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(waitTimer);
        button.disabled = false;
        showNotice(errorBox, 'You can try to sign in again now.', '');
        return;
      }
      say();
    }, 1000);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    hideNotice(errorBox);
    clearFieldError(email);
    clearFieldError(password);
    let bad = false;
    if (!email.value.trim()) {
      setFieldError(email, 'Enter your email.');
      bad = true;
    }
    if (!password.value) {
      setFieldError(password, 'Enter your password.');
      bad = true;
    }
    if (bad) {
      (email.value.trim() ? password : email).focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      await api('POST', '/api/session', { email: email.value.trim(), password: password.value }, { redirectOn401: false });
      announce('Signed in.');
      location.assign(nextTarget());
      return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        button.textContent = 'Sign in';
        startWait(err.retryAfter || 60);
        return;
      }
      if (err instanceof ApiError && err.status === 401) {
        showNotice(errorBox, WRONG_WORDS);
      } else {
        showNotice(errorBox, describe(err));
      }
      password.value = '';
      password.focus();
    }
    button.disabled = false;
    button.textContent = 'Sign in';
  });

  get(OIDC_SCHOOLS_PATH, { redirectOn401: false }).then(
    (answer) => showSso(document.getElementById('oidc-buttons'), answer.schools || []),
    () => {}, // No buttons: the password form still works.
  );

  // Already signed in (a bookmark of /signin, or the back button): go on.
  get(SITE_PATH, { redirectOn401: false }).then(
    (site) => (site.signed_in ? location.replace(nextTarget()) : email.focus()),
    () => email.focus(),
  );
}

if (typeof document !== 'undefined') main();
