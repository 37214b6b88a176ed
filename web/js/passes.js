// Passes (staff): create a now or scheduled pass for a student, see the active passes with
// their time out ticking (and overtime said in words), end them on one tap with Undo for a
// few seconds, cancel scheduled ones, and launch kiosk mode in a room. A refusal by a rule
// staff may pass offers "Override", which sends the same pass again with `override`; one the
// line takes offers "Send to line", the same pass with `wait`. The Line panel lists the line
// for the teacher's room and the whole school, with Start for an offer and Remove.
// "From" starts at the staff member's home room when they have one (else the room they used
// last on this device), and can be changed for each pass.

import { get, getOrNull, post, del, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice, startElapsedClock, formatElapsed, overtimeNote, offerCountdown, startCountdowns } from './dom.js';
import { startPage } from './header.js';
import { formatTime, formatDateTime, localInputToIso, dateToLocalInput } from './dates.js';
import { fillRoomSelect, selectRoom } from './rooms-select.js';
import { isStarted, mergePasses, sameRoom, overtimeText, studentDetail, UNDO_MS } from './model.js';
import { SAME_ROOM_WORDS, OVERRIDABLE_RULES, refusalHint, joinedWords, overridesWords } from './words.js';
import { watch, notifyChanged } from './live.js';
import { lineRowView, roomLine, lineSummary, isLineEntry, READ_AFTER_ZERO_MS } from './line.js';

export const ORIGIN_KEY = 'hallpass.origin';
// Wait this long after the last keystroke before searching.
const SEARCH_DELAY_MS = 200;
// A scheduled pass's suggested start: the next quarter hour at least this far ahead.
const SCHEDULE_LEAD_MS = 5 * 60000;

// ---- Pure parts (tested in Node) ----

// How a student shows in the search results: the name, then the school's student ID (when
// the school has them) and the email.
export function studentOption(st) {
  return { name: st.name, detail: studentDetail(st.student_id, st.email) };
}

export function resultsCountText(n) {
  if (n === 0) return 'No students found.';
  return `${n} student${n === 1 ? '' : 's'} found. Use the up and down arrows to choose, then Enter.`;
}

// The room "From" starts at: the home room, else the room used last on this device.
export function defaultOrigin(user, remembered) {
  return (user && user.room) || remembered || '';
}

// One row of the active list, as data.
export function passRowView(pass, now, tz) {
  const started = isStarted(pass, now);
  const name = pass.student_name || pass.student;
  return {
    id: pass.id,
    student: pass.student,
    name,
    detail: studentDetail(pass.student_id, pass.student),
    origin: pass.origin,
    destination: pass.destination,
    by: `by ${pass.creator_name || pass.creator}`,
    started,
    since: pass.start,
    when: started ? `since ${formatTime(pass.start, tz)}` : `starts ${formatDateTime(pass.start, tz)}`,
    overtime: started ? overtimeText(pass, now) : '',
    action: started ? 'end' : 'cancel',
    actionLabel: started ? 'End' : 'Cancel',
    actionDetail: started ? ` ${name}\u2019s pass` : ` ${name}\u2019s scheduled pass`,
  };
}

export function summaryText(passes, now) {
  const out = passes.filter((p) => isStarted(p, now)).length;
  const later = passes.length - out;
  return `${out} out now${later ? ` · ${later} scheduled` : ''}`;
}

// A refused pass: may staff send it again with an override? Only for the rules staff may pass.
export function canOverride(err) {
  return Boolean(err && err.status === 409 && OVERRIDABLE_RULES.includes(err.rule));
}

// What a refused pass offers beside its words: Override (a rule staff may pass, not already
// overridden), Send to line (a refusal the line takes, not already sent), and the hint.
export function refusalChoices(err, body = {}) {
  const override = canOverride(err) && !body.override;
  const line = Boolean(err && err.status === 409 && err.canWait) && !body.wait && body.type !== 'scheduled';
  return { override, line, hint: refusalHint({ override, line }) };
}

// The title of the Line panel's table for the teacher's room.
export function roomLineTitle(room) {
  return `From or to ${room}`;
}

// What the Undo bar says after a pass was ended on one tap.
export function endedText(pass) {
  return `Ended ${pass.student_name || pass.student}\u2019s pass.`;
}

// The problems of a new pass before it is sent: [[field, words]].
export function createProblems({ student, origin, destination, type, start }) {
  const problems = [];
  if (!student) problems.push(['student', 'Choose a student.']);
  if (!origin) problems.push(['origin', 'Choose the room the student leaves.']);
  if (!destination) problems.push(['destination', 'Choose where the student is going.']);
  else if (origin && sameRoom(origin, destination)) problems.push(['destination', SAME_ROOM_WORDS]);
  if (type === 'scheduled' && !start) problems.push(['start', 'Choose when the pass starts.']);
  return problems;
}

// ---- The page ----

function main() {
  let session;
  let live = null;
  let homeOrigin = '';
  let chosen = null; // {name, email, student_id}
  let searchTimer = null;
  let searchSeq = 0;
  let shown = []; // The students in the open list.
  let activeIndex = -1;

  const form = document.getElementById('create-form');
  const search = document.getElementById('student-search');
  const results = document.getElementById('student-results');
  const count = document.getElementById('student-count');
  const chosenBox = document.getElementById('chosen-student');
  const origin = document.getElementById('origin');
  const destination = document.getElementById('destination');
  const startField = document.getElementById('start-field');
  const start = document.getElementById('start');
  const undoBar = document.getElementById('undo-bar');
  const overrideOffer = document.getElementById('override-offer');
  let overrideBody = null; // The refused pass, ready to send again with an override.
  let lineBody = null; // The same, ready to send to the line.
  const linePanel = document.getElementById('line-panel');
  const lineError = document.getElementById('line-error');
  let undoTimer = null;
  const createError = document.getElementById('create-error');
  const createSuccess = document.getElementById('create-success');
  const createButton = document.getElementById('create-button');
  const tbody = document.querySelector('#active-table tbody');
  const activeStatus = document.getElementById('active-status');
  const activeError = document.getElementById('active-error');
  const summary = document.getElementById('passes-summary');
  const inputs = { student: search, origin, destination, start, type: start };

  // ---- Student search: a combobox whose list holds the matching students ----

  function closeResults() {
    results.hidden = true;
    clear(results);
    shown = [];
    activeIndex = -1;
    search.setAttribute('aria-expanded', 'false');
    search.removeAttribute('aria-activedescendant');
  }

  function setActive(i) {
    const options = Array.from(results.querySelectorAll('[role="option"]'));
    if (!options.length) return;
    activeIndex = (i + options.length) % options.length;
    options.forEach((o, j) => o.setAttribute('aria-selected', String(j === activeIndex)));
    search.setAttribute('aria-activedescendant', options[activeIndex].id);
    options[activeIndex].scrollIntoView({ block: 'nearest' });
  }

  function choose(student) {
    chosen = student;
    search.value = student.name;
    document.getElementById('chosen-name').textContent = student.name;
    document.getElementById('chosen-email').textContent = studentOption(student).detail;
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
    shown = data.students;
    activeIndex = -1;
    search.removeAttribute('aria-activedescendant');
    if (shown.length === 0) {
      results.append(h('li', { class: 'empty small', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', id: 'student-none' }, `No student matches \u201c${text}\u201d.`));
    }
    shown.forEach((st, i) => {
      const view = studentOption(st);
      const li = h(
        'li',
        { class: 'student-result', role: 'option', id: `student-option-${i}`, 'aria-selected': 'false', 'data-email': st.email, 'data-student-id': st.student_id || null },
        h('span', {}, view.name),
        h('span', { class: 'email' }, view.detail),
      );
      // Keep the focus in the field: a click chooses without blurring it.
      li.addEventListener('mousedown', (event) => event.preventDefault());
      li.addEventListener('click', () => choose(st));
      results.append(li);
    });
    results.hidden = false;
    search.setAttribute('aria-expanded', 'true');
    count.textContent = resultsCountText(shown.length);
  }

  function wireSearch() {
    search.addEventListener('input', () => {
      if (chosen && search.value !== chosen.name) unchoose();
      clearTimeout(searchTimer);
      const text = search.value.trim();
      if (!text) {
        closeResults();
        return;
      }
      searchTimer = setTimeout(() => runSearch(text), SEARCH_DELAY_MS);
    });
    search.addEventListener('keydown', (event) => {
      const open = !results.hidden && shown.length > 0;
      if (event.key === 'ArrowDown' && open) {
        event.preventDefault();
        setActive(activeIndex + 1);
      } else if (event.key === 'ArrowUp' && open) {
        event.preventDefault();
        setActive(activeIndex - 1);
      } else if (event.key === 'Enter' && open && activeIndex >= 0) {
        event.preventDefault();
        choose(shown[activeIndex]);
      } else if (event.key === 'Escape' && !results.hidden) {
        event.preventDefault();
        closeResults();
      }
    });
    search.addEventListener('blur', () => setTimeout(() => results.hidden || closeResults(), 150));
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
          const d = new Date(Date.now() + SCHEDULE_LEAD_MS);
          d.setMinutes(Math.ceil(d.getMinutes() / 15) * 15, 0, 0);
          start.value = dateToLocalInput(d);
        }
      });
    }
  }

  async function create(event) {
    event.preventDefault();
    hideNotice(createError);
    overrideOffer.hidden = true;
    hideNotice(createSuccess);
    for (const input of [search, origin, destination, start]) clearFieldError(input);
    const student = chosen ? chosen.email : search.value.trim();
    const type = passType();
    const iso = type === 'scheduled' && start.value ? localInputToIso(start.value) : null;
    const problems = createProblems({ student, origin: origin.value, destination: destination.value, type, start: iso });
    if (problems.length) {
      for (const [field, text] of problems) setFieldError(inputs[field], text);
      inputs[problems[0][0]].focus();
      announce(problems.map((p) => p[1]).join(' '));
      return;
    }
    const body = { student, origin: origin.value, destination: destination.value, type };
    if (type === 'scheduled') body.start = iso;
    await send(body);
  }

  // Sends a new pass; a refusal that staff may pass offers "Override", which sends it again,
  // and one the line takes offers "Send to line" (202: a place in line, not a pass).
  async function send(body) {
    hideNotice(createError);
    overrideOffer.hidden = true;
    createButton.disabled = true;
    try {
      const pass = await post('/api/passes', body);
      if (!homeOrigin) localStorage.setItem(ORIGIN_KEY, origin.value);
      if (isLineEntry(pass)) {
        showNotice(createSuccess, `Sent to the line: ${joinedWords(pass)}`, 'success');
      } else {
        const when = pass.type === 'scheduled' ? `scheduled for ${formatDateTime(pass.start, session.school.timezone)}` : 'out now';
        const passed = overridesWords(pass.overrides) ? ` (${overridesWords(pass.overrides)})` : '';
        showNotice(createSuccess, `Pass created${passed}: ${pass.student_name}, ${pass.origin} \u2192 ${pass.destination}, ${when}.`, 'success');
      }
      unchoose();
      search.value = '';
      // A different origin holds for one pass; the next starts from the home room again.
      if (homeOrigin) selectRoom(origin, homeOrigin);
      notifyChanged();
      await live.refresh();
      search.focus();
    } catch (err) {
      const input = err instanceof ApiError && err.status === 400 ? inputs[err.field] : null;
      const choices = refusalChoices(err, body);
      if (input) {
        setFieldError(input, err.text);
        input.focus();
        announce(err.text);
      } else if (choices.override || choices.line) {
        showNotice(createError, describe(err));
        overrideBody = choices.override ? { ...body, override: true } : null;
        lineBody = choices.line ? { ...body, wait: true } : null;
        const overrideButton = document.getElementById('override-button');
        const lineButton = document.getElementById('line-button');
        overrideButton.hidden = !choices.override;
        lineButton.hidden = !choices.line;
        document.getElementById('override-hint').textContent = choices.hint;
        overrideOffer.hidden = false;
        (choices.override ? overrideButton : lineButton).focus();
      } else {
        showNotice(createError, describe(err));
      }
    } finally {
      createButton.disabled = false;
    }
  }

  // ---- The active list ----

  function passRow(pass) {
    const v = passRowView(pass, Date.now(), session.school.timezone);
    const who = h('td', {}, h('div', { class: 'pass-who' }, v.name), h('div', { class: 'muted small break' }, v.detail));
    const route = h(
      'td',
      {},
      h('div', {}, v.origin, h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'visually-hidden' }, ' to '), v.destination),
      h('div', { class: 'muted small' }, v.by),
    );
    const out = v.started
      ? h(
          'td',
          { class: 'nowrap' },
          h('time', { class: 'elapsed', 'data-since': v.since }, formatElapsed(Date.now() - Date.parse(v.since))),
          h('div', { class: 'muted small' }, v.when),
          overtimeNote(pass),
        )
      : h('td', {}, h('span', { class: 'tag scheduled' }, 'Scheduled'), h('div', { class: 'muted small' }, v.when));
    const button = h(
      'button',
      { type: 'button', class: v.action === 'end' ? 'button small' : 'button small danger', 'data-action': v.action, 'data-id': v.id, onclick: () => change(pass, v.action) },
      v.actionLabel,
      h('span', { class: 'visually-hidden' }, v.actionDetail),
    );
    return h('tr', { 'data-pass-id': v.id, 'data-student': v.student }, who, route, out, h('td', {}, h('div', { class: 'actions' }, button)));
  }

  // The passes out now, then the scheduled passes still to start.
  async function loadActive() {
    let now;
    let upcoming;
    let line;
    try {
      [now, upcoming, line] = await Promise.all([get('/api/passes?active=true'), get('/api/passes?scheduled=true'), getOrNull('/api/line')]);
    } catch (err) {
      showNotice(activeError, `The active passes could not be loaded: ${describe(err)}`);
      activeStatus.textContent = '';
      return;
    }
    const readAt = performance.now();
    const passes = mergePasses(now.passes, upcoming.passes);
    hideNotice(activeError);
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#active-table button, .line-table button');
    const focusKey = focused ? { table: focused.closest('table').id, action: focused.dataset.action, id: focused.dataset.id } : null;
    showLine(line, readAt);
    clear(tbody);
    if (passes.length === 0) {
      tbody.append(h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No students are out, and no passes are scheduled.')));
    }
    for (const pass of passes) tbody.append(passRow(pass));
    summary.textContent = summaryText(passes, Date.now());
    activeStatus.textContent = `Updated ${new Date().toLocaleTimeString('en-US', { timeZone: session.school.timezone, hour: 'numeric', minute: '2-digit', second: '2-digit' })}`;
    if (focusKey) {
      const again = document.querySelector(`#${focusKey.table} button[data-action="${focusKey.action}"][data-id="${focusKey.id}"]`);
      if (again) again.focus();
    }
  }

  async function change(pass, action) {
    hideNotice(activeError);
    const row = tbody.querySelector(`tr[data-pass-id="${pass.id}"]`);
    const next = row && row.nextElementSibling ? row.nextElementSibling.querySelector('button') : null;
    const nextKey = next ? { action: next.dataset.action, id: next.dataset.id } : null;
    let ended = false;
    try {
      await post(`/api/passes/${pass.id}/${action}`);
      announce(action === 'end' ? `${endedText(pass)} Undo is offered for ${UNDO_MS / 1000} seconds.` : `Cancelled ${pass.student_name}\u2019s scheduled pass.`);
      ended = action === 'end';
      notifyChanged();
    } catch (err) {
      showNotice(activeError, describe(err));
    }
    if (ended) offerUndo(pass);
    await live.refresh();
    const again = nextKey && tbody.querySelector(`button[data-action="${nextKey.action}"][data-id="${nextKey.id}"]`);
    (again || document.getElementById('active-title')).focus();
  }

  // One tap ends a pass; Undo (POST /api/passes/{id}/resume) stays offered for UNDO_MS.
  function offerUndo(pass) {
    clearTimeout(undoTimer);
    document.getElementById('undo-text').textContent = endedText(pass);
    const button = document.getElementById('undo-button');
    button.onclick = async () => {
      clearTimeout(undoTimer);
      hideUndo();
      try {
        await post(`/api/passes/${pass.id}/resume`);
        announce(`${pass.student_name || pass.student}\u2019s pass is active again.`);
        notifyChanged();
      } catch (err) {
        showNotice(activeError, describe(err));
      }
      await live.refresh();
    };
    undoBar.hidden = false;
    undoTimer = setTimeout(hideUndo, UNDO_MS);
  }

  function hideUndo() {
    const hadFocus = undoBar.contains(document.activeElement);
    undoBar.hidden = true;
    if (hadFocus) document.getElementById('active-title').focus();
  }

  // ---- The line ----

  function lineRow(entry, readAt) {
    const v = lineRowView(entry);
    const buttons = [];
    if (v.offered)
      buttons.push(h('button', { type: 'button', class: 'button small primary', 'data-action': 'start', 'data-id': v.id, onclick: () => lineAction(entry, 'start') }, 'Start', h('span', { class: 'visually-hidden' }, v.startDetail)));
    buttons.push(h('button', { type: 'button', class: 'button small', 'data-action': 'remove', 'data-id': v.id, onclick: () => lineAction(entry, 'remove') }, 'Remove', h('span', { class: 'visually-hidden' }, v.removeDetail)));
    return h(
      'tr',
      { 'data-entry-id': v.id, 'data-student': v.student, 'data-state': v.state },
      h('td', { class: 'num' }, h('span', { class: 'visually-hidden' }, 'Number '), v.positionText),
      h('td', {}, h('div', { class: 'pass-who' }, v.name), h('div', { class: 'muted small break' }, v.detail)),
      h('td', {}, v.origin, h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'visually-hidden' }, ' to '), v.destination),
      h('td', { class: 'nowrap' }, h('span', { class: v.offered ? 'tag offered' : 'tag' }, v.stateText), v.offered ? [' ', offerCountdown(entry, readAt)] : null),
      h('td', {}, h('div', { class: 'actions' }, buttons)),
    );
  }

  // The columns of both line tables.
  const LINE_COLUMNS = ['Place', 'Student', 'Route', 'State'];

  // A line table in its wrapper (made on first use), its body emptied and filled.
  function fillLine(wrapId, titleId, entries, readAt, emptyWords) {
    const wrap = document.getElementById(wrapId);
    if (!wrap.firstChild) {
      const head = h('tr', {}, LINE_COLUMNS.map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')));
      wrap.append(h('table', { class: 'data stack line-table', id: wrapId.replace(/-wrap$/, '-table'), 'aria-labelledby': titleId }, h('thead', {}, head), h('tbody')));
    }
    const tbody = clear(wrap.querySelector('tbody'));
    if (entries.length === 0) tbody.append(h('tr', {}, h('td', { colspan: LINE_COLUMNS.length + 1, class: 'empty' }, emptyWords)));
    for (const entry of entries) tbody.append(lineRow(entry, readAt));
  }

  // The line for the teacher's room (the home room, else the From chosen) and the school's.
  // Hidden on a server without a line.
  function showLine(line, readAt) {
    linePanel.hidden = line === null;
    if (line === null) return;
    const entries = line.entries;
    const room = homeOrigin || origin.value;
    const mine = roomLine(entries, room);
    document.getElementById('line-summary').textContent = lineSummary(entries);
    document.getElementById('line-room').hidden = !room;
    if (room) {
      document.getElementById('line-room-title').textContent = roomLineTitle(room);
      fillLine('line-room-wrap', 'line-room-title', mine, readAt, `Nobody from or to ${room} is waiting.`);
    }
    fillLine('line-school-wrap', 'line-school-title', entries, readAt, 'Nobody is waiting in line.');
  }

  // Start (an offered entry: its pass starts, the rules checked again) or Remove.
  async function lineAction(entry, action) {
    hideNotice(lineError);
    const name = entry.student_name || entry.student;
    try {
      if (action === 'start') {
        const pass = await post(`/api/line/${entry.id}/start`);
        announce(`${pass.student_name || name}\u2019s pass to ${pass.destination} has started.`);
      } else {
        await del(`/api/line/${entry.id}`);
        announce(`Removed ${name} from the line.`);
      }
      notifyChanged();
    } catch (err) {
      showNotice(lineError, describe(err));
    }
    await live.refresh();
    document.getElementById('line-title').focus();
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

  (async () => {
    session = await startPage();
    homeOrigin = session.user.room || '';
    wireSearch();
    wireType();
    wireKiosk();
    form.addEventListener('submit', create);
    document.getElementById('override-button').addEventListener('click', () => overrideBody && send(overrideBody));
    document.getElementById('line-button').addEventListener('click', () => lineBody && send(lineBody));
    try {
      const { rooms } = await get('/api/rooms');
      const first = defaultOrigin(session.user, localStorage.getItem(ORIGIN_KEY));
      fillRoomSelect(origin, rooms, { selected: first });
      fillRoomSelect(destination, rooms);
      fillRoomSelect(document.getElementById('kiosk-room'), rooms, { selected: first });
    } catch (err) {
      showNotice(createError, `The rooms could not be loaded: ${describe(err)}`);
    }
    live = watch(loadActive);
    document.getElementById('refresh').addEventListener('click', () => live.refresh());
    await live.refresh();
    startElapsedClock();
    startCountdowns(() => setTimeout(() => live.refresh(), READ_AFTER_ZERO_MS));
  })();
}

if (typeof document !== 'undefined') main();
