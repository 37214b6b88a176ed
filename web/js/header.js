// The shared header: the school's name, the user's name, links to the pages this user may
// see, and Sign out. Every page but sign-in starts with startPage(), which also returns the
// session ({user, school, kiosk}) or sends a visitor whose session ended to sign in.

import { get, del, describe, toSignIn, ApiError } from './api.js';
import { h, clear, announce } from './dom.js';

const PAGES = [
  { path: '/analytics', label: 'Analytics', roles: ['admin'] },
  { path: '/rooms', label: 'Rooms', roles: ['admin'] },
  { path: '/passes', label: 'Passes', roles: ['admin', 'teacher'] },
  { path: '/student', label: 'My pass', roles: ['student'] },
  { path: '/kiosk', label: 'Kiosk', roles: ['kiosk'] },
];

const ROLE_NAMES = { admin: 'Admin', teacher: 'Teacher', student: 'Student', kiosk: 'Kiosk' };

export function linksFor(session) {
  if (session.kiosk) return session.kiosk.kiosk_mode ? [] : PAGES.filter((p) => p.path === '/kiosk');
  return PAGES.filter((p) => p.roles.includes(session.user.role));
}

export async function signOut() {
  try {
    await del('/api/session', undefined, { redirectOn401: false });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      announce(describe(err));
      return;
    }
  }
  location.assign('/signin');
}

export function renderHeader(session) {
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
  const links = linksFor(session);
  if (links.length > 1 || (links.length === 1 && links[0].path !== location.pathname)) {
    const ul = h('ul');
    for (const link of links) {
      const current = link.path === location.pathname;
      ul.append(h('li', {}, h('a', { href: link.path, 'aria-current': current ? 'page' : null }, link.label)));
    }
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
      h('button', { type: 'button', class: 'button small', id: 'sign-out', onclick: signOut }, 'Sign out'),
    );
  }
  inner.append(box);
  clear(header).append(inner);
}

export async function startPage() {
  let session;
  try {
    session = await get('/api/session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      toSignIn();
      return new Promise(() => {});
    }
    const main = document.getElementById('main');
    if (main) {
      clear(main).append(
        h('div', { class: 'notice error', role: 'alert' }, 'This page could not load: ', describe(err)),
      );
    }
    throw err;
  }
  renderHeader(session);
  document.body.classList.add('is-ready');
  return session;
}
