// Student: request a now pass from the room they are in, see the active one with its time
// out ticking, and end it.

import { get, post, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice, startElapsedClock, formatElapsed } from './dom.js';
import { startPage } from './header.js';
import { formatTime, formatDateTime } from './dates.js';
import { fillRoomSelect } from './rooms-select.js';

const ORIGIN_KEY = 'hallpass.student.origin';

let session;
let rooms = [];
let active = null;

const errorBox = document.getElementById('student-error');
const successBox = document.getElementById('student-success');
const activeBox = document.getElementById('active-pass');
const requestBox = document.getElementById('request');
const form = document.getElementById('request-form');
const origin = document.getElementById('student-origin');
const destination = document.getElementById('student-destination');
const button = document.getElementById('request-button');

function show(passes) {
  const now = Date.now();
  active = passes.find((p) => p.active || (!p.cancelled && !p.end && Date.parse(p.start) <= now)) || null;
  const upcoming = passes.filter((p) => p !== active && Date.parse(p.start) > now);
  const elapsed = document.getElementById('active-elapsed');
  if (active) {
    document.getElementById('active-route').textContent = `${active.origin} → ${active.destination}`;
    document.getElementById('active-since').textContent = `Since ${formatTime(active.start, session.school.timezone)}`;
    elapsed.dataset.since = active.start;
    elapsed.textContent = formatElapsed(Date.now() - Date.parse(active.start));
    activeBox.hidden = false;
    requestBox.hidden = true;
  } else {
    delete elapsed.dataset.since;
    activeBox.hidden = true;
    requestBox.hidden = false;
  }
  const upcomingList = document.getElementById('upcoming-list');
  clear(upcomingList);
  for (const p of upcoming) {
    upcomingList.append(
      h('li', { class: 'pass-card' }, h('div', {}, h('div', { class: 'pass-card__who' }, `${p.origin} → ${p.destination}`), h('div', { class: 'pass-card__where' }, formatDateTime(p.start, session.school.timezone)))),
    );
  }
  document.getElementById('upcoming').hidden = upcoming.length === 0;
  document.getElementById('loading-note').hidden = true;
}

async function load() {
  try {
    const [out, upcoming] = await Promise.all([get('/api/passes?active=true'), get('/api/passes?scheduled=true')]);
    show([...out.passes, ...upcoming.passes.filter((p) => !out.passes.some((q) => q.id === p.id))]);
  } catch (err) {
    showNotice(errorBox, `Your passes could not be loaded: ${describe(err)}`);
  }
}

async function request(event) {
  event.preventDefault();
  hideNotice(errorBox);
  hideNotice(successBox);
  clearFieldError(origin);
  clearFieldError(destination);
  if (!origin.value) setFieldError(origin, 'Choose the room you are in.');
  if (!destination.value) setFieldError(destination, 'Choose where you are going.');
  if (!origin.value || !destination.value) {
    (!origin.value ? origin : destination).focus();
    return;
  }
  button.disabled = true;
  try {
    const pass = await post('/api/passes', { origin: origin.value, destination: destination.value, type: 'now' });
    localStorage.setItem(ORIGIN_KEY, origin.value);
    announce(`Your pass to ${pass.destination} has started.`);
    await load();
    document.getElementById('active-title').focus();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && (err.field === 'origin' || err.field === 'destination')) {
      const input = err.field === 'origin' ? origin : destination;
      setFieldError(input, err.text);
      input.focus();
    } else {
      // A refusal (a full room, a pass already out) says why, as the server words it.
      showNotice(errorBox, describe(err));
    }
  } finally {
    button.disabled = false;
  }
}

async function end() {
  if (!active) return;
  hideNotice(errorBox);
  try {
    await post(`/api/passes/${active.id}/end`);
    showNotice(successBox, 'Welcome back! Your pass has ended.', 'success');
    announce('Your pass has ended.');
  } catch (err) {
    showNotice(errorBox, describe(err));
  }
  await load();
  if (!requestBox.hidden) document.getElementById('request-title').focus();
}

async function main() {
  session = await startPage();
  document.getElementById('student-greeting').textContent = `Hi, ${session.user.name.split(' ')[0]}`;
  form.addEventListener('submit', request);
  document.getElementById('end-pass').addEventListener('click', end);
  try {
    ({ rooms } = await get('/api/rooms'));
    fillRoomSelect(origin, rooms, { placeholder: 'Choose your room', selected: localStorage.getItem(ORIGIN_KEY) || '' });
    fillRoomSelect(destination, rooms, { placeholder: 'Choose where you are going' });
  } catch (err) {
    showNotice(errorBox, `The rooms could not be loaded: ${describe(err)}`);
  }
  await load();
  startElapsedClock();
  setInterval(() => {
    if (!document.hidden) load();
  }, 30000);
}

main();
