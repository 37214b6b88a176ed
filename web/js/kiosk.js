// Kiosk: a student types their email or id and picks where they are going; the pass leaves
// from the kiosk's room (POST /api/passes). A refusal (409) is shown large, as the server
// words it. The passes from or to this room are listed with an "I'm back" button. A staff
// session in kiosk mode leaves it only with the staff password (DELETE /api/kiosk).

import { get, post, del, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice, startElapsedClock, formatElapsed } from './dom.js';
import { startPage } from './header.js';
import { fillRoomSelect } from './rooms-select.js';

let session;
let kioskRoom = '';
let resetTimer = null;

const form = document.getElementById('kiosk-form');
const student = document.getElementById('kiosk-student');
const destination = document.getElementById('kiosk-destination');
const submit = document.getElementById('kiosk-submit');
const errorBox = document.getElementById('kiosk-error');
const successBox = document.getElementById('kiosk-success');
const list = document.getElementById('kiosk-passes');
const listError = document.getElementById('list-error');

async function loadPasses() {
  let data;
  try {
    data = await get('/api/passes?active=true');
  } catch (err) {
    showNotice(listError, `The passes could not be loaded: ${describe(err)}`);
    return;
  }
  hideNotice(listError);
  const passes = data.passes.filter((p) => p.active || Date.parse(p.start) <= Date.now());
  clear(list);
  if (passes.length === 0) {
    list.append(h('li', { class: 'empty' }, `Nobody is out from or to ${kioskRoom}.`));
    return;
  }
  for (const pass of passes) {
    const leaving = pass.origin.toLowerCase() === kioskRoom.toLowerCase();
    list.append(
      h(
        'li',
        { class: 'pass-card', 'data-pass-id': pass.id, 'data-student': pass.student },
        h(
          'div',
          {},
          h('div', { class: 'pass-card__who' }, pass.student_name || pass.student),
          h('div', { class: 'pass-card__where' }, leaving ? `To ${pass.destination}` : `From ${pass.origin}`),
        ),
        h('time', { class: 'elapsed', 'data-since': pass.start }, formatElapsed(Date.now() - Date.parse(pass.start))),
        h(
          'button',
          { type: 'button', class: 'button', 'data-action': 'end', onclick: () => endPass(pass) },
          'I\u2019m back',
          h('span', { class: 'visually-hidden' }, ` (end ${pass.student_name}\u2019s pass)`),
        ),
      ),
    );
  }
}

async function endPass(pass) {
  hideNotice(listError);
  try {
    await post(`/api/passes/${pass.id}/end`);
    showNotice(successBox, `Welcome back, ${pass.student_name}.`, 'success');
    hideNotice(errorBox);
    announce(`Welcome back, ${pass.student_name}.`);
    scheduleReset();
  } catch (err) {
    showNotice(listError, describe(err));
  }
  await loadPasses();
  document.getElementById('out-title').focus();
}

// Clears the form and its messages for the next student a while after a pass starts or
// ends, or after a refusal (so that the next student does not see it).
function scheduleReset(delay = 8000) {
  clearTimeout(resetTimer);
  resetTimer = setTimeout(() => {
    hideNotice(successBox);
    hideNotice(errorBox);
    clearFieldError(student);
    clearFieldError(destination);
    student.value = '';
    destination.value = '';
  }, delay);
}

async function start(event) {
  event.preventDefault();
  clearTimeout(resetTimer);
  hideNotice(errorBox);
  hideNotice(successBox);
  clearFieldError(student);
  clearFieldError(destination);
  const who = student.value.trim();
  if (!who) setFieldError(student, 'Type your school email or student ID.');
  if (!destination.value) setFieldError(destination, 'Choose where you are going.');
  if (!who || !destination.value) {
    (!who ? student : destination).focus();
    return;
  }
  submit.disabled = true;
  try {
    const pass = await post('/api/passes', { student: who, origin: kioskRoom, destination: destination.value, type: 'now' });
    showNotice(successBox, `${pass.student_name}, your pass to ${pass.destination} has started. Press “I’m back” when you return.`, 'success');
    student.value = '';
    destination.value = '';
    scheduleReset();
    await loadPasses();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && err.field === 'student') {
      setFieldError(student, err.text);
      student.focus();
    } else if (err instanceof ApiError && err.status === 400 && err.field === 'destination') {
      setFieldError(destination, err.text);
      destination.focus();
    } else {
      showNotice(errorBox, describe(err));
    }
    scheduleReset(20000);
  } finally {
    submit.disabled = false;
  }
}

function wireExit() {
  const exit = document.getElementById('exit-kiosk');
  const dialog = document.getElementById('exit-dialog');
  const exitForm = document.getElementById('exit-form');
  const password = document.getElementById('exit-password');
  exit.hidden = false;
  exit.addEventListener('click', () => {
    password.value = '';
    clearFieldError(password);
    dialog.showModal();
    password.focus();
  });
  document.getElementById('exit-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => exit.focus());
  exitForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldError(password);
    if (!password.value) {
      setFieldError(password, 'Enter the staff password.');
      password.focus();
      return;
    }
    try {
      await del('/api/kiosk', { password: password.value });
      location.assign('/passes');
    } catch (err) {
      let text = describe(err);
      if (err instanceof ApiError && err.status === 403) text = 'That password is not right. Kiosk mode stays on.';
      if (err instanceof ApiError && err.status === 429)
        text = `Too many wrong passwords. Wait ${err.retryAfter || 60} seconds, then try again.`;
      setFieldError(password, text);
      password.value = '';
      password.focus();
    }
  });
}

async function main() {
  session = await startPage();
  kioskRoom = session.kiosk ? session.kiosk.room : '';
  document.getElementById('kiosk-room').textContent = kioskRoom || 'No room';
  document.title = `Kiosk: ${kioskRoom} · hallpass`;
  if (session.kiosk && session.kiosk.kiosk_mode) wireExit();
  form.addEventListener('submit', start);
  try {
    const { rooms } = await get('/api/rooms');
    fillRoomSelect(destination, rooms, { placeholder: 'Choose where you are going', exclude: kioskRoom });
  } catch (err) {
    showNotice(errorBox, `The rooms could not be loaded: ${describe(err)}`);
  }
  await loadPasses();
  startElapsedClock();
  setInterval(() => {
    if (!document.hidden) loadPasses();
  }, 15000);
  student.focus();
}

main();
