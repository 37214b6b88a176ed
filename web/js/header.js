// The shared header: the school's name, the user's name, links to the pages this user may
// see, and Sign out. The server sends the page list (/pages.json) so that the links and the
// role checks of the pages are one list. A kiosk login has no plain Sign out: leaving it
// takes a staff member's email and password, so that a student at the kiosk cannot end it.
// Every page but sign-in starts with startPage(), which returns the session
// ({user, school, kiosk}) or sends a visitor whose session ended to sign in.

import { get, del, describe, toSignIn, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError } from './dom.js';
import { waitWords } from './words.js';
import { pauseAll, resumeAll } from './live.js';

export const SITE_PATH = '/pages.json';
const ROLE_NAMES = { admin: 'Admin', teacher: 'Teacher', student: 'Student', kiosk: 'Kiosk' };

// The links to show: this user's pages, none when the only one is the page shown, and none in
// kiosk mode (a staff session lent to a kiosk stays on the kiosk page).
export function headerLinks(site, session, pathname) {
  if (session.kiosk && session.kiosk.kiosk_mode) return [];
  const mine = site.pages.filter((p) => p.yours);
  if (mine.length === 1 && mine[0].path === pathname) return [];
  return mine.map((p) => ({ path: p.path, label: p.label, current: p.path === pathname }));
}

// Why the server sent this visitor here instead of the page they asked for
// (?denied=analytics): "Analytics is for admins.", or '' when it did not.
export function deniedMessage(site, search) {
  const denied = new URLSearchParams(search).get('denied');
  if (!denied) return '';
  const page = site.pages.find((p) => p.path === `/${denied}`);
  return page ? `${page.label} is for ${page.audience}. You were brought to your own page instead.` : '';
}

// A kiosk login: true when signing out needs a staff member's credentials.
export function isKioskLogin(session) {
  return Boolean(session.kiosk && !session.kiosk.kiosk_mode);
}

export async function signOut(body) {
  pauseAll();
  try {
    await del('/api/session', body, { redirectOn401: false });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      resumeAll();
      throw err;
    }
  }
  location.assign('/signin');
}

function plainSignOut() {
  signOut().catch((err) => announce(describe(err)));
}

// The dialog that ends a kiosk login with a staff member's email and password.
function kioskSignOutDialog() {
  const email = h('input', { type: 'email', id: 'leave-email', autocomplete: 'username', maxlength: '254', autocapitalize: 'off', spellcheck: 'false', required: true });
  const password = h('input', { type: 'password', id: 'leave-password', autocomplete: 'current-password', maxlength: '256', required: true });
  const cancel = h('button', { type: 'button', class: 'button', id: 'leave-cancel' }, 'Keep the kiosk signed in');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', { id: 'leave-title' }, 'Sign the kiosk out'),
    h('p', { class: 'muted' }, 'A staff member of the school signs the kiosk out with their own email and password.'),
    h('div', { class: 'field' }, h('label', { for: 'leave-email' }, 'Staff email'), email),
    h('div', { class: 'field' }, h('label', { for: 'leave-password' }, 'Staff password'), password),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', id: 'leave-confirm' }, 'Sign the kiosk out'), cancel),
  );
  const dialog = h('dialog', { id: 'leave-dialog', 'aria-labelledby': 'leave-title' }, form);
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldError(email);
    clearFieldError(password);
    if (!email.value.trim() || !password.value) {
      const missing = !email.value.trim() ? email : password;
      setFieldError(missing, missing === email ? 'Enter a staff member\u2019s email.' : 'Enter the staff password.');
      missing.focus();
      return;
    }
    try {
      await signOut({ email: email.value.trim(), password: password.value });
    } catch (err) {
      let text = describe(err);
      if (err instanceof ApiError && (err.status === 403 || err.status === 400)) text = 'That is not a staff member\u2019s email and password. The kiosk stays signed in.';
      if (err instanceof ApiError && err.status === 429) text = waitWords(err.retryAfter);
      setFieldError(password, text);
      password.value = '';
      password.focus();
    }
  });
  return dialog;
}

export function renderHeader(session, site) {
  const header = document.getElementById('site-header');
  const inner = h('div', { class: 'site-header__inner' });
  inner.append(
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'brand__name' }, h('span', { class: 'brand__mark', 'aria-hidden': 'true' }), 'hallpass'),
      h('span', { class: 'brand__school', 'data-testid': 'school-name' }, session.school.name),
    ),
  );
  const links = headerLinks(site, session, location.pathname);
  if (links.length) {
    const ul = h('ul');
    for (const link of links) ul.append(h('li', {}, h('a', { href: link.path, 'aria-current': link.current ? 'page' : null }, link.label)));
    inner.append(h('nav', { class: 'site-nav', 'aria-label': 'Pages' }, ul));
  }
  const box = h('div', { class: 'user-box' });
  if (session.kiosk && session.kiosk.kiosk_mode) {
    // A staff member's session lent to a kiosk: no way out here but Exit kiosk mode, which
    // asks for the staff password (on the kiosk page).
    box.append(h('span', { class: 'kiosk-badge' }, `Kiosk mode: ${session.kiosk.room}`));
  } else {
    box.append(
      h(
        'span',
        { class: 'user-box__name' },
        h('span', { 'data-testid': 'user-name' }, session.user.name),
        h('span', { class: 'visually-hidden' }, `, ${ROLE_NAMES[session.user.role] || session.user.role}`),
      ),
    );
    if (isKioskLogin(session)) {
      const dialog = kioskSignOutDialog();
      const open = h('button', { type: 'button', class: 'button small', id: 'leave-kiosk' }, 'Staff: sign the kiosk out');
      open.addEventListener('click', () => {
        dialog.showModal();
        dialog.querySelector('#leave-email').focus();
      });
      dialog.addEventListener('close', () => open.focus());
      box.append(open, dialog);
    } else {
      box.append(h('button', { type: 'button', class: 'button small', id: 'sign-out', onclick: plainSignOut }, 'Sign out'));
    }
  }
  inner.append(box);
  clear(header).append(inner);
}

function showDenied(site) {
  const text = deniedMessage(site, location.search);
  const main = document.getElementById('main');
  if (!text || !main) return;
  main.prepend(h('div', { class: 'notice', role: 'status', id: 'denied-notice' }, text));
  // The address loses ?denied, so that a reload does not say it again.
  const q = new URLSearchParams(location.search);
  q.delete('denied');
  history.replaceState(null, '', location.pathname + (q.toString() ? `?${q}` : ''));
}

// The page list and report columns, from the server; the same for the whole visit.
let sitePromise = null;
export function site() {
  if (!sitePromise) sitePromise = get(SITE_PATH, { redirectOn401: false });
  return sitePromise;
}

export async function startPage() {
  let session;
  let siteInfo;
  try {
    [session, siteInfo] = await Promise.all([get('/api/session'), site()]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      toSignIn();
      return new Promise(() => {});
    }
    const main = document.getElementById('main');
    if (main) {
      clear(main).append(h('div', { class: 'notice error', role: 'alert' }, 'This page could not load: ', describe(err)));
    }
    throw err;
  }
  renderHeader(session, siteInfo);
  showDenied(siteInfo);
  document.body.classList.add('is-ready');
  session.site = siteInfo;
  return session;
}
