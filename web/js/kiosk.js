// Kiosk: a student types (or scans) their student ID or email and picks where they are going;
// the pass leaves from the kiosk's room (POST /api/passes). A barcode reader types the ID and
// Enter: Enter in the ID field goes on to the destination when none is chosen yet, and starts
// the pass when one is. A refusal (409) is shown large. The passes from or to this room are
// listed with an "I'm back" button (Undo for a few seconds after it) and overtime in words.
// A full room or hallway offers "Wait in line"; the room's line is listed with each offer's
// "Start now" and countdown, and Remove. A staff session in kiosk mode leaves it only with
// the staff password (DELETE /api/kiosk).

import { get, getOrNull, post, del, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice, startElapsedClock, formatElapsed, overtimeNote, offerCountdown, startCountdowns } from './dom.js';
import { startPage } from './header.js';
import { fillRoomSelect } from './rooms-select.js';
import { isStarted, sameRoom, UNDO_MS } from './model.js';
import { watch, notifyChanged } from './live.js';
import { waitWords, kioskJoinedWords, kioskStartedWords, offerCameWords, START_NOW_WORDS } from './words.js';
import { lineRowView, isLineEntry, isNewOffer, READ_AFTER_ZERO_MS } from './line.js';

// How long a message stays up before the form clears for the next student.
const RESET_AFTER_PASS_MS = 8000;
const RESET_AFTER_ERROR_MS = 20000;

// The cards of the "Out now" list: the passes that have started, from or to the kiosk's room.
export function kioskCards(passes, room, now = Date.now()) {
  return passes
    .filter((p) => isStarted(p, now))
    .map((p) => {
      const name = p.student_name || p.student;
      return {
        id: p.id,
        student: p.student,
        who: name,
        where: sameRoom(p.origin, room) ? `To ${p.destination}` : `From ${p.origin}`,
        since: p.start,
        pass: p,
        endLabel: ` (end ${name}\u2019s pass)`,
      };
    });
}

export function emptyText(room) {
  return `Nobody is out from or to ${room}.`;
}

// What the student typed, as the API takes it: a student ID or an email, trimmed.
export function studentKey(text) {
  return text.trim();
}

// Enter in the ID field: 'next' to go on to the destination, 'submit' to start the pass,
// 'none' when the field is empty.
export function enterAction(studentText, destinationValue) {
  if (!studentKey(studentText)) return 'none';
  return destinationValue ? 'submit' : 'next';
}

function main() {
  let kioskRoom = '';
  let resetTimer = null;
  let live = null;
  let undoTimer = null;
  let waitBody = null; // The refused pass, ready to send again with `wait`.
  let lineSeen = new Map(); // id -> entry, as last read, to say each offer once.

  const form = document.getElementById('kiosk-form');
  const student = document.getElementById('kiosk-student');
  const destination = document.getElementById('kiosk-destination');
  const submit = document.getElementById('kiosk-submit');
  const errorBox = document.getElementById('kiosk-error');
  const successBox = document.getElementById('kiosk-success');
  const list = document.getElementById('kiosk-passes');
  const listError = document.getElementById('list-error');
  const waitOffer = document.getElementById('kiosk-wait-offer');
  const lineBox = document.getElementById('kiosk-line');
  const lineList = document.getElementById('kiosk-line-list');
  const lineError = document.getElementById('line-error');

  async function load() {
    await Promise.all([loadPasses(), loadLine()]);
  }

  // The room's line: hidden while nobody waits (and on a server without a line).
  async function loadLine() {
    let line;
    try {
      line = await getOrNull('/api/line');
    } catch (err) {
      showNotice(lineError, `The line could not be loaded: ${describe(err)}`);
      lineBox.hidden = false;
      return;
    }
    const readAt = performance.now();
    hideNotice(lineError);
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#kiosk-line-list button');
    const focusKey = focused ? { action: focused.dataset.action, id: focused.dataset.id } : null;
    clear(lineList);
    const shown = line ? line.entries : [];
    for (const entry of shown) {
      const card = lineRowView(entry, { kiosk: true });
      if (isNewOffer(lineSeen.get(entry.id), entry)) announce(offerCameWords(entry));
      const buttons = [];
      if (card.offered)
        buttons.push(
          h('button', { type: 'button', class: 'button primary', 'data-action': 'start', 'data-id': card.id, onclick: () => lineAction(entry, 'start') }, START_NOW_WORDS, h('span', { class: 'visually-hidden' }, card.startDetail)),
          ' ',
          offerCountdown(entry, readAt),
        );
      buttons.push(h('button', { type: 'button', class: 'button', 'data-action': 'remove', 'data-id': card.id, onclick: () => lineAction(entry, 'remove') }, 'Remove', h('span', { class: 'visually-hidden' }, card.removeDetail)));
      lineList.append(
        h(
          'li',
          { class: `pass-card line-entry${card.offered ? ' is-offered' : ''}`, 'data-entry-id': card.id, 'data-student': card.student, 'data-state': card.state },
          h(
            'div',
            {},
            h('div', { class: 'pass-card__who' }, h('span', { class: 'line-position' }, card.positionText), ' ', card.name),
            h('div', { class: 'pass-card__where' }, `To ${card.destination}`, ' \u00b7 ', h('span', { class: 'line-state' }, card.stateText)),
          ),
          h('div', { class: 'actions' }, buttons),
        ),
      );
    }
    lineSeen = new Map(shown.map((e) => [e.id, e]));
    lineBox.hidden = shown.length === 0;
    if (focusKey) {
      const again = lineList.querySelector(`button[data-action="${focusKey.action}"][data-id="${focusKey.id}"]`);
      if (again) again.focus();
    }
  }

  // "Start now" (an offered entry: the student's pass starts from the kiosk's room) or Remove.
  async function lineAction(entry, action) {
    hideNotice(lineError);
    try {
      if (action === 'start') {
        const pass = await post(`/api/line/${entry.id}/start`);
        showNotice(successBox, kioskStartedWords(pass), 'success');
        hideNotice(errorBox);
        announce(`${pass.student_name}, your pass to ${pass.destination} has started.`);
        scheduleReset();
      } else {
        await del(`/api/line/${entry.id}`);
        announce(`${entry.student_name || entry.student} left the line.`);
      }
      notifyChanged();
    } catch (err) {
      showNotice(lineError, describe(err));
      lineBox.hidden = false;
    }
    await live.refresh();
    document.getElementById(lineBox.hidden ? 'out-title' : 'line-title').focus();
  }

  // A pass started or a place in line taken: say so, and clear the form for the next student.
  async function answered(words) {
    showNotice(successBox, words, 'success');
    student.value = '';
    destination.value = '';
    notifyChanged();
    scheduleReset();
    await live.refresh();
    student.focus();
  }

  // "Wait in line" after a refusal: the same pass again with `wait`.
  async function joinLine() {
    if (!waitBody) return;
    const body = waitBody;
    const button = document.getElementById('kiosk-wait');
    button.disabled = true;
    clearTimeout(resetTimer);
    try {
      const data = await post('/api/passes', body);
      hideNotice(errorBox);
      waitOffer.hidden = true;
      waitBody = null;
      await answered(isLineEntry(data) ? kioskJoinedWords(data) : kioskStartedWords(data));
    } catch (err) {
      showNotice(errorBox, describe(err));
      waitOffer.hidden = !(err instanceof ApiError && err.canWait);
      scheduleReset(RESET_AFTER_ERROR_MS);
    } finally {
      button.disabled = false;
    }
  }

  async function loadPasses() {
    let data;
    try {
      data = await get('/api/passes?active=true');
    } catch (err) {
      showNotice(listError, `The passes could not be loaded: ${describe(err)}`);
      return;
    }
    hideNotice(listError);
    const cards = kioskCards(data.passes, kioskRoom);
    clear(list);
    if (cards.length === 0) list.append(h('li', { class: 'empty' }, emptyText(kioskRoom)));
    for (const card of cards) {
      list.append(
        h(
          'li',
          { class: 'pass-card', 'data-pass-id': card.id, 'data-student': card.student },
          h('div', {}, h('div', { class: 'pass-card__who' }, card.who), h('div', { class: 'pass-card__where' }, card.where), overtimeNote(card.pass)),
          h('time', { class: 'elapsed', 'data-since': card.since }, formatElapsed(Date.now() - Date.parse(card.since))),
          h('button', { type: 'button', class: 'button', 'data-action': 'end', onclick: () => endPass(card) }, 'I\u2019m back', h('span', { class: 'visually-hidden' }, card.endLabel)),
        ),
      );
    }
  }

  // Clears the form and its messages for the next student a while after a pass starts or
  // ends, or after a refusal (so that the next student does not see it).
  function scheduleReset(delay = RESET_AFTER_PASS_MS) {
    clearTimeout(resetTimer);
    resetTimer = setTimeout(() => {
      hideNotice(successBox);
      hideNotice(errorBox);
      waitOffer.hidden = true;
      waitBody = null;
      clearFieldError(student);
      clearFieldError(destination);
      student.value = '';
      destination.value = '';
    }, delay);
  }

  async function endPass(card) {
    hideNotice(listError);
    try {
      await post(`/api/passes/${card.id}/end`);
      showNotice(successBox, `Welcome back, ${card.who}.`, 'success');
      hideNotice(errorBox);
      announce(`Welcome back, ${card.who}. Undo is offered for ${UNDO_MS / 1000} seconds.`);
      offerUndo(card);
      notifyChanged();
      scheduleReset();
    } catch (err) {
      showNotice(listError, describe(err));
    }
    await live.refresh();
    document.getElementById('out-title').focus();
  }

  // A mis-tapped "I'm back": Undo (POST /api/passes/{id}/resume) for UNDO_MS.
  function offerUndo(card) {
    const bar = document.getElementById('kiosk-undo');
    clearTimeout(undoTimer);
    document.getElementById('kiosk-undo-text').textContent = `Ended ${card.who}\u2019s pass.`;
    document.getElementById('kiosk-undo-button').onclick = async () => {
      clearTimeout(undoTimer);
      bar.hidden = true;
      hideNotice(successBox);
      try {
        await post(`/api/passes/${card.id}/resume`);
        announce(`${card.who}\u2019s pass is active again.`);
        notifyChanged();
      } catch (err) {
        showNotice(listError, describe(err));
      }
      await live.refresh();
      document.getElementById('out-title').focus();
    };
    bar.hidden = false;
    undoTimer = setTimeout(() => {
      if (bar.contains(document.activeElement)) document.getElementById('out-title').focus();
      bar.hidden = true;
    }, UNDO_MS);
  }

  async function start(event) {
    event.preventDefault();
    clearTimeout(resetTimer);
    hideNotice(errorBox);
    hideNotice(successBox);
    waitOffer.hidden = true;
    waitBody = null;
    clearFieldError(student);
    clearFieldError(destination);
    const who = studentKey(student.value);
    if (!who) setFieldError(student, 'Type or scan your student ID, or type your school email.');
    if (!destination.value) setFieldError(destination, 'Choose where you are going.');
    if (!who || !destination.value) {
      (!who ? student : destination).focus();
      return;
    }
    submit.disabled = true;
    try {
      const pass = await post('/api/passes', { student: who, origin: kioskRoom, destination: destination.value, type: 'now' });
      await answered(kioskStartedWords(pass));
    } catch (err) {
      const field = err instanceof ApiError && err.status === 400 ? err.field : '';
      if (field === 'student' || field === 'destination') {
        const input = field === 'student' ? student : destination;
        setFieldError(input, err.text);
        input.focus();
      } else {
        showNotice(errorBox, describe(err));
        // A full room or hallway: the student may take a place in line instead.
        if (err instanceof ApiError && err.canWait) {
          waitBody = { student: who, origin: kioskRoom, destination: destination.value, type: 'now', wait: true };
          waitOffer.hidden = false;
        }
      }
      scheduleReset(RESET_AFTER_ERROR_MS);
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
        if (err instanceof ApiError && err.status === 429) text = waitWords(err.retryAfter);
        setFieldError(password, text);
        password.value = '';
        password.focus();
      }
    });
  }

  // A barcode reader ends the ID with Enter.
  student.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    const action = enterAction(student.value, destination.value);
    if (action === 'next') {
      event.preventDefault();
      clearFieldError(student);
      destination.focus();
    }
  });

  (async () => {
    const session = await startPage();
    kioskRoom = session.kiosk ? session.kiosk.room : '';
    document.getElementById('kiosk-room').textContent = kioskRoom || 'No room';
    document.title = `Kiosk: ${kioskRoom} · hallpass`;
    if (session.kiosk && session.kiosk.kiosk_mode) wireExit();
    form.addEventListener('submit', start);
    document.getElementById('kiosk-wait').addEventListener('click', joinLine);
    try {
      const { rooms } = await get('/api/rooms');
      fillRoomSelect(destination, rooms, { placeholder: 'Choose where you are going', exclude: kioskRoom });
    } catch (err) {
      showNotice(errorBox, `The rooms could not be loaded: ${describe(err)}`);
    }
    live = watch(load);
    await live.refresh();
    startElapsedClock();
    startCountdowns(() => setTimeout(() => live.refresh(), READ_AFTER_ZERO_MS));
    student.focus();
  })();
}

if (typeof document !== 'undefined') main();
