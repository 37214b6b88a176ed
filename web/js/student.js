// Student: request a now pass from the room they are in, see the active one with its time
// out ticking (its time limit, and overtime in words), end it on one tap with Undo for a few
// seconds. A refusal speaks to the student ("You have used 4 of 4 passes today."). The room
// they were last in is remembered on this device.
// A full room or hallway offers "Wait in line" (the same request with `wait`); while in line
// the page shows the place, then the offer as "Start now" with its countdown, reading the
// line (GET /api/line) on load and on every change the server announces.

import { get, getOrNull, post, del, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice, startElapsedClock, formatElapsed, overtimeNote, offerCountdown, startCountdowns } from './dom.js';
import { startPage } from './header.js';
import { formatTime, formatDateTime } from './dates.js';
import { fillRoomSelect } from './rooms-select.js';
import { isStarted, mergePasses, sameRoom, UNDO_MS } from './model.js';
import { SAME_ROOM_WORDS, LEFT_LINE_WORDS, joinedWords } from './words.js';
import { watch, notifyChanged } from './live.js';
import { ownEntry, studentLineView, lineNote, isNewOffer, isLineEntry, offerDeadline, secondsLeft, READ_AFTER_ZERO_MS } from './line.js';

export const ORIGIN_KEY = 'hallpass.student.origin';
// An offer whose countdown showed this little when its entry went away had run out (the
// server lapses it within a second of its end).
const RAN_OUT_SLACK_S = 1;

// The student's pass out now (or null) and the scheduled passes still to come.
export function studentView(passes, now = Date.now()) {
  const active = passes.find((p) => isStarted(p, now)) || null;
  const upcoming = passes.filter((p) => p !== active && !p.cancelled && Date.parse(p.start) > now);
  return { active, upcoming };
}

// The time limit of the student's pass in words, or '' when it has none.
export function limitText(pass) {
  const limit = pass.time_limit_minutes;
  return limit === null || limit === undefined ? '' : `Time limit: ${limit} minute${limit === 1 ? '' : 's'}`;
}

// A failed request or end, in words spoken to the student.
export function studentWords(err, name) {
  return err instanceof ApiError ? err.textFor(name) : describe(err);
}

// The problems of a request before it is sent: [[field, words]].
export function requestProblems(origin, destination) {
  const problems = [];
  if (!origin) problems.push(['origin', 'Choose the room you are in.']);
  if (!destination) problems.push(['destination', 'Choose where you are going.']);
  else if (origin && sameRoom(origin, destination)) problems.push(['destination', SAME_ROOM_WORDS]);
  return problems;
}

function main() {
  let session;
  let active = null;
  let live = null;
  let undoTimer = null;
  let entry = null; // The student's place in line, as last read.
  let entryRead = 0; // performance.now() when it was read.
  let waitBody = null; // The refused request, ready to send again with `wait`.

  const errorBox = document.getElementById('student-error');
  const successBox = document.getElementById('student-success');
  const activeBox = document.getElementById('active-pass');
  const requestBox = document.getElementById('request');
  const form = document.getElementById('request-form');
  const origin = document.getElementById('student-origin');
  const destination = document.getElementById('student-destination');
  const button = document.getElementById('request-button');
  const waitOffer = document.getElementById('wait-offer');
  const lineBox = document.getElementById('line');
  const lineNoteBox = document.getElementById('line-note');

  function show(passes, entries, readAt) {
    const tz = session.school.timezone;
    const view = studentView(passes);
    active = view.active;
    const inLine = showLine(entries, readAt, Boolean(active));
    const elapsed = document.getElementById('active-elapsed');
    if (active) {
      document.getElementById('active-route').textContent = `${active.origin} → ${active.destination}`;
      document.getElementById('active-since').textContent = `Since ${formatTime(active.start, tz)}`;
      elapsed.dataset.since = active.start;
      elapsed.textContent = formatElapsed(Date.now() - Date.parse(active.start));
      const limit = document.getElementById('active-limit');
      limit.textContent = limitText(active);
      limit.hidden = !limit.textContent;
      clear(document.getElementById('active-overtime')).append(overtimeNote(active));
      activeBox.hidden = false;
      requestBox.hidden = true;
    } else {
      delete elapsed.dataset.since;
      activeBox.hidden = true;
      requestBox.hidden = inLine;
    }
    const upcomingList = document.getElementById('upcoming-list');
    clear(upcomingList);
    for (const p of view.upcoming) {
      upcomingList.append(
        h('li', { class: 'pass-card' }, h('div', {}, h('div', { class: 'pass-card__who' }, `${p.origin} → ${p.destination}`), h('div', { class: 'pass-card__where' }, formatDateTime(p.start, tz)))),
      );
    }
    document.getElementById('upcoming').hidden = view.upcoming.length === 0;
    document.getElementById('loading-note').hidden = true;
  }

  // The student's place in line: its words, the offer with its countdown, and a note when an
  // offer ran out. Returns whether the student is in line.
  function showLine(entries, readAt, hasPass) {
    const before = entry;
    const next = hasPass || !entries ? null : ownEntry(entries);
    const deadline = offerDeadline(before, entryRead);
    const expired = deadline !== null && secondsLeft(deadline, performance.now()) <= RAN_OUT_SLACK_S;
    const note = lineNote(before, next, { hasPass, expired });
    // A note stays until something new happens to the student: a pass, an offer, a new place.
    if (note) showNotice(lineNoteBox, note, '');
    else if (hasPass || isNewOffer(before, next) || (!before && next)) hideNotice(lineNoteBox);
    entry = next;
    entryRead = readAt;
    const view = studentLineView(next);
    lineBox.hidden = view.kind === 'none';
    if (view.kind === 'none') return false;
    document.getElementById('line-title').textContent = view.title;
    document.getElementById('line-text').textContent = view.text;
    const offer = document.getElementById('line-offer');
    offer.hidden = view.kind !== 'offered';
    clear(document.getElementById('line-countdown')).append(offerCountdown(next, readAt) || '');
    if (isNewOffer(before, next)) {
      announce(view.text);
      // Waiting on this page, the student is taken straight to the button.
      const focus = document.activeElement;
      if (!focus || focus === document.body || lineBox.contains(focus)) document.getElementById('line-start').focus();
    }
    return true;
  }

  async function load() {
    try {
      // The line is read with the passes, so that a pass started from an offer and the offer
      // gone come in one view; a server without a line answers 404 (null).
      const [out, upcoming, line] = await Promise.all([get('/api/passes?active=true'), get('/api/passes?scheduled=true'), getOrNull('/api/line')]);
      show(mergePasses(out.passes, upcoming.passes), line ? line.entries : null, performance.now());
    } catch (err) {
      showNotice(errorBox, `Your passes could not be loaded: ${describe(err)}`);
    }
  }

  async function request(event) {
    event.preventDefault();
    hideNotice(errorBox);
    hideNotice(lineNoteBox);
    waitOffer.hidden = true;
    successBox.hidden = true;
    clearFieldError(origin);
    clearFieldError(destination);
    const problems = requestProblems(origin.value, destination.value);
    if (problems.length) {
      for (const [field, text] of problems) setFieldError(field === 'origin' ? origin : destination, text);
      (problems[0][0] === 'origin' ? origin : destination).focus();
      return;
    }
    button.disabled = true;
    try {
      const pass = await post('/api/passes', { origin: origin.value, destination: destination.value, type: 'now' });
      announce(`Your pass to ${pass.destination} has started.`);
      notifyChanged();
      await live.refresh();
      document.getElementById('active-title').focus();
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && (err.field === 'origin' || err.field === 'destination')) {
        const input = err.field === 'origin' ? origin : destination;
        setFieldError(input, err.text);
        input.focus();
      } else {
        // A refusal (a full room, a pass already out, a limit) says why, to the student; a
        // full room or hallway offers a place in line beside it.
        showNotice(errorBox, studentWords(err, session.user.name));
        if (err instanceof ApiError && err.canWait) {
          waitBody = { origin: origin.value, destination: destination.value, type: 'now', wait: true };
          waitOffer.hidden = false;
        }
      }
    } finally {
      button.disabled = false;
    }
  }

  // "Wait in line": the refused request again, with `wait`. The rules may let the pass out
  // by now (201, a pass); else the student has a place (202).
  async function joinLine() {
    if (!waitBody) return;
    const body = waitBody;
    const wait = document.getElementById('wait-button');
    wait.disabled = true;
    try {
      const data = await post('/api/passes', body);
      hideNotice(errorBox);
      waitOffer.hidden = true;
      waitBody = null;
      announce(isLineEntry(data) ? joinedWords(data, { you: true }) : `Your pass to ${data.destination} has started.`);
      notifyChanged();
      await live.refresh();
      document.getElementById(isLineEntry(data) ? 'line-title' : 'active-title').focus();
    } catch (err) {
      showNotice(errorBox, studentWords(err, session.user.name));
      waitOffer.hidden = !(err instanceof ApiError && err.canWait);
    } finally {
      wait.disabled = false;
    }
  }

  // "Start now" takes the offer (the pass starts, the rules checked again); "Leave the line"
  // gives the place up. Either way the page then shows what is true now.
  async function lineAction(action) {
    if (!entry) return;
    const place = entry;
    hideNotice(errorBox);
    try {
      if (action === 'start') {
        const pass = await post(`/api/line/${place.id}/start`);
        announce(`Your pass to ${pass.destination} has started.`);
      } else {
        await del(`/api/line/${place.id}`);
        entry = null; // Left on purpose: no "no longer in line" note.
        showNotice(lineNoteBox, LEFT_LINE_WORDS, '');
        announce(LEFT_LINE_WORDS);
      }
      notifyChanged();
    } catch (err) {
      showNotice(errorBox, studentWords(err, session.user.name));
    }
    await live.refresh();
    document.getElementById(activeBox.hidden ? (lineBox.hidden ? 'request-title' : 'line-title') : 'active-title').focus();
  }

  function success(text, undo) {
    document.getElementById('student-success-text').textContent = text;
    const button = document.getElementById('undo-end');
    clearTimeout(undoTimer);
    button.hidden = !undo;
    button.onclick = undo;
    successBox.classList.remove('error');
    successBox.classList.add('success');
    successBox.hidden = false;
    if (undo)
      undoTimer = setTimeout(() => {
        button.hidden = true;
      }, UNDO_MS);
  }

  async function end() {
    if (!active) return;
    const pass = active;
    hideNotice(errorBox);
    try {
      await post(`/api/passes/${pass.id}/end`);
      success('Welcome back! Your pass has ended.', () => resume(pass));
      announce(`Your pass has ended. Undo is offered for ${UNDO_MS / 1000} seconds.`);
      notifyChanged();
    } catch (err) {
      showNotice(errorBox, studentWords(err, session.user.name));
    }
    await live.refresh();
    if (!requestBox.hidden) document.getElementById('request-title').focus();
  }

  // Undo of a mis-tapped "I'm back": the pass is out again, with its start kept.
  async function resume(pass) {
    clearTimeout(undoTimer);
    successBox.hidden = true;
    try {
      await post(`/api/passes/${pass.id}/resume`);
      announce('Your pass is active again.');
      notifyChanged();
    } catch (err) {
      showNotice(errorBox, studentWords(err, session.user.name));
    }
    await live.refresh();
    if (!activeBox.hidden) document.getElementById('active-title').focus();
  }

  (async () => {
    session = await startPage();
    document.getElementById('student-greeting').textContent = `Hi, ${session.user.name.split(' ')[0]}`;
    form.addEventListener('submit', request);
    document.getElementById('end-pass').addEventListener('click', end);
    document.getElementById('wait-button').addEventListener('click', joinLine);
    document.getElementById('line-start').addEventListener('click', () => lineAction('start'));
    document.getElementById('line-leave').addEventListener('click', () => lineAction('leave'));
    // The room chosen last is the default next time, on this device.
    origin.addEventListener('change', () => {
      if (origin.value) localStorage.setItem(ORIGIN_KEY, origin.value);
    });
    try {
      const { rooms } = await get('/api/rooms');
      fillRoomSelect(origin, rooms, { placeholder: 'Choose your room', selected: localStorage.getItem(ORIGIN_KEY) || '' });
      fillRoomSelect(destination, rooms, { placeholder: 'Choose where you are going' });
    } catch (err) {
      showNotice(errorBox, `The rooms could not be loaded: ${describe(err)}`);
    }
    live = watch(load);
    await live.refresh();
    startElapsedClock();
    startCountdowns(() => setTimeout(() => live.refresh(), READ_AFTER_ZERO_MS));
  })();
}

if (typeof document !== 'undefined') main();
