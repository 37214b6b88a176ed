// Passes (staff): create a now or scheduled pass for a student, see the active passes with
// their time out ticking, end or cancel them, and launch kiosk mode in a room.

import { get, post, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice, startElapsedClock, formatElapsed } from './dom.js';
import { startPage } from './header.js';
import { formatTime, formatDateTime, localInputToIso, dateToLocalInput } from './dates.js';
import { fillRoomSelect } from './rooms-select.js';

const ORIGIN_KEY = 'hallpass.origin';

let session;
let chosen = null; // {id, name, email}
let searchTimer = null;
let searchSeq = 0;

const form = document.getElementById('create-form');
const search = document.getElementById('student-search');
const results = document.getElementById('student-results');
const count = document.getElementById('student-count');
const chosenBox = document.getElementById('chosen-student');
const origin = document.getElementById('origin');
const destination = document.getElementById('destination');
const startField = document.getElementById('start-field');
const start = document.getElementById('start');
const override = document.getElementById('override');
const createError = document.getElementById('create-error');
const createSuccess = document.getElementById('create-success');
const createButton = document.getElementById('create-button');
const tbody = document.querySelector('#active-table tbody');
const activeStatus = document.getElementById('active-status');
const activeError = document.getElementById('active-error');
const summary = document.getElementById('passes-summary');

// ---- Student search ----

function closeResults() {
  results.hidden = true;
  clear(results);
  search.setAttribute('aria-expanded', 'false');
}

function choose(student) {
  chosen = student;
  search.value = student.name;
  document.getElementById('chosen-name').textContent = student.name;
  document.getElementById('chosen-email').textContent = student.email;
  chosenBox.hidden = false;
  closeResults();
  clearFieldError(search);
  announce(`Chose ${student.name}.`);
}

function unchoose() {
  chosen = null;
  chosenBox.hidden = true;
}

async function runSearch(text) {
  const seq = ++searchSeq;
  let data;
  try {
    data = await get(`/api/students?q=${encodeURIComponent(text)}`);
  } catch (err) {
    if (seq !== searchSeq) return;
    closeResults();
    count.textContent = '';
    setFieldError(search, `The search failed: ${describe(err)}`);
    return;
  }
  if (seq !== searchSeq || search.value.trim() !== text) return;
  clear(results);
  const students = data.students;
  if (students.length === 0) {
    results.append(h('li', { class: 'empty small' }, `No student matches “${text}”.`));
  }
  for (const st of students) {
    results.append(
      h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'student-result', 'data-email': st.email, onclick: () => choose(st) },
          h('span', {}, st.name),
          h('span', { class: 'email' }, st.email),
        ),
      ),
    );
  }
  results.hidden = false;
  search.setAttribute('aria-expanded', 'true');
  count.textContent =
    students.length === 0
      ? 'No students found.'
      : `${students.length} student${students.length === 1 ? '' : 's'} found. Press the down arrow to choose.`;
}

function wireSearch() {
  search.setAttribute('aria-expanded', 'false');
  search.addEventListener('input', () => {
    if (chosen && search.value !== chosen.name) unchoose();
    clearTimeout(searchTimer);
    const text = search.value.trim();
    if (!text) {
      closeResults();
      return;
    }
    searchTimer = setTimeout(() => runSearch(text), 200);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && !results.hidden) {
      const first = results.querySelector('button');
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === 'Escape') {
      closeResults();
    }
  });
  results.addEventListener('keydown', (event) => {
    const buttons = Array.from(results.querySelectorAll('button'));
    const i = buttons.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && i < buttons.length - 1) {
      event.preventDefault();
      buttons[i + 1].focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      (i > 0 ? buttons[i - 1] : search).focus();
    } else if (event.key === 'Escape') {
      closeResults();
      search.focus();
    }
  });
  document.getElementById('change-student').addEventListener('click', () => {
    unchoose();
    search.value = '';
    search.focus();
  });
}

// ---- Creating a pass ----

function passType() {
  return form.querySelector('input[name="type"]:checked').value;
}

function wireType() {
  for (const radio of form.querySelectorAll('input[name="type"]')) {
    radio.addEventListener('change', () => {
      const scheduled = passType() === 'scheduled';
      startField.hidden = !scheduled;
      if (scheduled && !start.value) {
        // A round time a little ahead: the next quarter hour at least 5 minutes away.
        const d = new Date(Date.now() + 5 * 60000);
        d.setMinutes(Math.ceil(d.getMinutes() / 15) * 15, 0, 0);
        start.value = dateToLocalInput(d);
      }
    });
  }
}

const FIELD_INPUTS = () => ({ student: search, origin, destination, start, type: start });

async function create(event) {
  event.preventDefault();
  hideNotice(createError);
  hideNotice(createSuccess);
  for (const input of [search, origin, destination, start]) clearFieldError(input);
  const student = chosen ? chosen.email : search.value.trim();
  const problems = [];
  if (!student) problems.push([search, 'Choose a student.']);
  if (!origin.value) problems.push([origin, 'Choose the room the student leaves.']);
  if (!destination.value) problems.push([destination, 'Choose where the student is going.']);
  const body = { student, origin: origin.value, destination: destination.value, type: passType(), override: override.checked };
  if (body.type === 'scheduled') {
    const iso = start.value ? localInputToIso(start.value) : null;
    if (!iso) problems.push([start, 'Choose when the pass starts.']);
    body.start = iso;
  }
  if (problems.length) {
    for (const [input, text] of problems) setFieldError(input, text);
    problems[0][0].focus();
    announce(problems.map((p) => p[1]).join(' '));
    return;
  }
  createButton.disabled = true;
  try {
    const pass = await post('/api/passes', body);
    localStorage.setItem(ORIGIN_KEY, origin.value);
    const when = pass.type === 'scheduled' ? `scheduled for ${formatDateTime(pass.start, session.school.timezone)}` : 'out now';
    showNotice(createSuccess, `Pass created: ${pass.student_name}, ${pass.origin} → ${pass.destination}, ${when}.`, 'success');
    unchoose();
    search.value = '';
    override.checked = false;
    await loadActive();
    search.focus();
  } catch (err) {
    const input = err instanceof ApiError && err.status === 400 ? FIELD_INPUTS()[err.field] : null;
    if (input) {
      setFieldError(input, err.text);
      input.focus();
      announce(err.text);
    } else {
      // A refusal (409: a room limit, an active pass) is shown as the server says it.
      showNotice(createError, describe(err));
    }
  } finally {
    createButton.disabled = false;
  }
}

// ---- The active list ----

let lastFocusId = null;

function passRow(pass) {
  const tz = session.school.timezone;
  const started = pass.active || Date.parse(pass.start) <= Date.now();
  const who = h('td', {}, h('div', { class: 'pass-who' }, pass.student_name || pass.student), h('div', { class: 'muted small break' }, pass.student));
  const route = h(
    'td',
    {},
    h('div', {}, pass.origin, h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'visually-hidden' }, ' to '), pass.destination),
    h('div', { class: 'muted small' }, `by ${pass.creator_name || pass.creator}`),
  );
  const out = started
    ? h(
        'td',
        { class: 'nowrap' },
        h('time', { class: 'elapsed', 'data-since': pass.start }, formatElapsed(Date.now() - Date.parse(pass.start))),
        h('div', { class: 'muted small' }, `since ${formatTime(pass.start, tz)}`),
      )
    : h('td', {}, h('span', { class: 'tag scheduled' }, 'Scheduled'), h('div', { class: 'muted small' }, `starts ${formatDateTime(pass.start, tz)}`));
  const actions = h('div', { class: 'actions' });
  if (started) {
    actions.append(
      h('button', { type: 'button', class: 'button small', 'data-action': 'end', 'data-id': pass.id, onclick: () => change(pass, 'end') }, 'End', h('span', { class: 'visually-hidden' }, ` ${pass.student_name}’s pass`)),
    );
  } else {
    actions.append(
      h('button', { type: 'button', class: 'button small danger', 'data-action': 'cancel', 'data-id': pass.id, onclick: () => change(pass, 'cancel') }, 'Cancel', h('span', { class: 'visually-hidden' }, ` ${pass.student_name}’s scheduled pass`)),
    );
  }
  return h('tr', { 'data-pass-id': pass.id, 'data-student': pass.student }, who, route, out, h('td', {}, actions));
}

// The passes out now (GET /api/passes?active=true), then the scheduled passes still to start
// (GET /api/passes?scheduled=true).
async function loadActive() {
  let now;
  let upcoming;
  try {
    [now, upcoming] = await Promise.all([get('/api/passes?active=true'), get('/api/passes?scheduled=true')]);
  } catch (err) {
    showNotice(activeError, `The active passes could not be loaded: ${describe(err)}`);
    activeStatus.textContent = '';
    return;
  }
  const data = { passes: [...now.passes, ...upcoming.passes.filter((p) => !now.passes.some((q) => q.id === p.id))] };
  hideNotice(activeError);
  const passes = data.passes;
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#active-table button');
  const focusKey = focused ? `${focused.dataset.action}-${focused.dataset.id}` : null;
  clear(tbody);
  if (passes.length === 0) {
    tbody.append(h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No students are out, and no passes are scheduled.')));
  }
  for (const pass of passes) tbody.append(passRow(pass));
  const out = passes.filter((p) => p.active || Date.parse(p.start) <= Date.now()).length;
  const later = passes.length - out;
  summary.textContent = `${out} out now${later ? ` · ${later} scheduled` : ''}`;
  activeStatus.textContent = `Updated ${new Date().toLocaleTimeString('en-US', { timeZone: session.school.timezone, hour: 'numeric', minute: '2-digit', second: '2-digit' })}`;
  if (focusKey) {
    const again = tbody.querySelector(`button[data-action="${focusKey.split('-')[0]}"][data-id="${focusKey.split('-')[1]}"]`);
    if (again) again.focus();
  }
}

async function change(pass, action) {
  hideNotice(activeError);
  const row = tbody.querySelector(`tr[data-pass-id="${pass.id}"]`);
  const next = row && row.nextElementSibling ? row.nextElementSibling.querySelector('button') : null;
  const nextKey = next ? { action: next.dataset.action, id: next.dataset.id } : null;
  try {
    await post(`/api/passes/${pass.id}/${action}`);
    announce(action === 'end' ? `Ended ${pass.student_name}’s pass.` : `Cancelled ${pass.student_name}’s scheduled pass.`);
  } catch (err) {
    showNotice(activeError, describe(err));
  }
  await loadActive();
  const again = nextKey && tbody.querySelector(`button[data-action="${nextKey.action}"][data-id="${nextKey.id}"]`);
  (again || document.getElementById('active-title')).focus();
}

// ---- Kiosk mode ----

function wireKiosk() {
  const kioskForm = document.getElementById('kiosk-form');
  const room = document.getElementById('kiosk-room');
  const errorBox = document.getElementById('kiosk-error');
  kioskForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    hideNotice(errorBox);
    clearFieldError(room);
    if (!room.value) {
      setFieldError(room, 'Choose the kiosk\u2019s room.');
      room.focus();
      return;
    }
    try {
      await post('/api/kiosk', { room: room.value });
      location.assign('/kiosk');
    } catch (err) {
      showNotice(errorBox, describe(err));
    }
  });
}

async function main() {
  session = await startPage();
  wireSearch();
  wireType();
  wireKiosk();
  form.addEventListener('submit', create);
  document.getElementById('refresh').addEventListener('click', loadActive);
  try {
    const { rooms } = await get('/api/rooms');
    const remembered = localStorage.getItem(ORIGIN_KEY) || '';
    fillRoomSelect(origin, rooms, { selected: remembered });
    fillRoomSelect(destination, rooms);
    fillRoomSelect(document.getElementById('kiosk-room'), rooms, { selected: remembered });
  } catch (err) {
    showNotice(createError, `The rooms could not be loaded: ${describe(err)}`);
  }
  await loadActive();
  startElapsedClock();
  setInterval(() => {
    if (!document.hidden) loadActive();
  }, 20000);
}

main();
