// Pass rules (admins): every school setting with its meaning, range and unit, saved at once
// (PATCH /api/settings, only the settings changed); the rooms' time limits and counting
// (PATCH /api/rooms/{id}); the encounter groups (/api/encounter-groups), the bell schedule
// (/api/schedule) and the no-pass times (/api/blackouts); and "Stop all passes" at the top,
// a no-pass time from now with no end, which "Allow passes again" removes. A section whose
// endpoint this server does not have (404) says so instead of breaking the page.

import { get, post, patch, del, api, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice } from './dom.js';
import { startPage } from './header.js';
import { formatDateTime, localInputToIso, dateToLocalInput } from './dates.js';
import { naturalCompare } from './natural.js';
import { watch, notifyChanged } from './live.js';

// ---- Pure parts (tested in Node) ----

// Every setting of GET /api/settings, in the order the page shows them: what it means in
// plain words, its unit and range, and its default (a setting with one never turns off).
export const SETTINGS = [
  { key: 'auto_end_minutes', label: 'End a pass by itself after', unit: 'minutes', min: 10, max: 720, def: 120, meaning: 'A pass still out this long after it started ends itself.' },
  { key: 'default_time_limit_minutes', label: 'Time limit of a pass', unit: 'minutes', min: 1, max: 240, meaning: 'For rooms without a time limit of their own. A pass out longer shows as overtime.' },
  { key: 'max_active_passes', label: 'Hallway cap', unit: 'passes at once', min: 1, max: 10000, meaning: 'Passes out at the same time in the whole school. Staff are not held to it.' },
  { key: 'max_passes_per_day', label: 'Passes per student per day', unit: 'passes', min: 1, max: 50, meaning: 'A student\u2019s own limit (set in the users file) replaces this one.' },
  { key: 'max_passes_per_week', label: 'Passes per student per week', unit: 'passes', min: 1, max: 200, meaning: 'Monday to Sunday.' },
  { key: 'cooldown_minutes', label: 'Wait between passes', unit: 'minutes', min: 1, max: 120, meaning: 'After a student\u2019s pass ends, how long before they may start the next.' },
  { key: 'no_pass_first_minutes', label: 'No passes at the start of a period', unit: 'minutes', min: 1, max: 60, meaning: 'The first minutes of each period of the bell schedule.' },
  { key: 'no_pass_last_minutes', label: 'No passes at the end of a period', unit: 'minutes', min: 1, max: 60, meaning: 'The last minutes of each period of the bell schedule.' },
  { key: 'wait_in_line', label: 'Offer a place in line', bool: true, def: true, meaning: 'When a room or the hallway is full, a student may wait in line for a place.' },
  { key: 'line_offer_seconds', label: 'Time to take a place from the line', unit: 'seconds', min: 10, max: 300, def: 30, meaning: 'How long an offered place waits for the student before it goes to the next.' },
  { key: 'retain_passes_days', label: 'Keep passes and refusals for', unit: 'days', min: 30, max: 3650, meaning: 'Older passes, places in line and refusals are deleted once a day; Room Usage and Staff Usage keep their counts. Off keeps them for ever.' },
];

// "10 to 720 minutes; empty means 120." or "1 to 240 minutes; empty turns it off."
export function rangeText(spec) {
  const empty = spec.def === undefined ? 'empty turns it off' : `empty means ${spec.def}`;
  return `${spec.min} to ${spec.max} ${spec.unit}; ${empty}.`;
}

// The words for a value that is not in a setting's range, before or after the server saw it.
export function settingWords(spec) {
  const empty = spec.def === undefined ? 'leave it empty to turn this rule off' : `leave it empty for the default (${spec.def})`;
  return `Enter a whole number from ${spec.min} to ${spec.max} (${spec.unit}), or ${empty}.`;
}

// A setting's value as its field shows it.
export function settingText(value) {
  return value === null || value === undefined ? '' : String(value);
}

// The form's values ({key: text, or true/false for a checkbox}) against the saved settings:
// [body of only what changed, [[key, words]] problems].
export function readSettings(values, saved) {
  const body = {};
  const problems = [];
  for (const spec of SETTINGS) {
    if (!(spec.key in values)) continue;
    let value;
    if (spec.bool) value = Boolean(values[spec.key]);
    else {
      const t = String(values[spec.key]).trim();
      if (t === '') value = spec.def === undefined ? null : spec.def;
      else if (/^\d+$/.test(t) && Number(t) >= spec.min && Number(t) <= spec.max) value = Number(t);
      else {
        problems.push([spec.key, settingWords(spec)]);
        continue;
      }
    }
    if (value !== (saved[spec.key] ?? null)) body[spec.key] = value;
  }
  return [body, problems];
}

// A room's rule fields from its row: [body of what changed, problem words or ''].
export function readRoomRules(room, limitText, counts) {
  const t = limitText.trim();
  let limit;
  if (t === '') limit = null;
  else if (/^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= 240) limit = Number(t);
  else return [{}, 'Enter a whole number of minutes from 1 to 240, or leave it empty to use the school\u2019s time limit.'];
  const body = {};
  if (limit !== (room.time_limit_minutes ?? null)) body.time_limit_minutes = limit;
  if (counts !== (room.counts_toward_limit !== false)) body.counts_toward_limit = counts;
  return [body, ''];
}

// A refusal about one entry of a list the page sent ("schedule[1]: start: Period 2 08:40-09:30
// overlaps Period 1 08:00-08:50 on mon", "students[0]: no student ..."): {index, field, text}
// with the words as a sentence and no field name, or null for any other message.
export function listError(message, list) {
  const m = new RegExp(`^${list}\\[(\\d+)\\]: (?:([a-z_]+): )?(.*)$`).exec(message);
  if (!m) return null;
  const text = m[3].charAt(0).toUpperCase() + m[3].slice(1);
  return { index: Number(m[1]), field: m[2] || '', text: text.replace(/([^.!?])$/, '$1.') };
}

// What a section says when this server does not have its endpoint yet (404).
export function absentText(what) {
  return `${what} are not available on this server yet. This part of the page will work once the server has them.`;
}

// A member of a group as the server may send it: an email or student ID, or a user object.
function memberKey(m) {
  if (typeof m === 'string') return m;
  return m.student_id || m.email || m.student || '';
}

function memberLabel(m) {
  if (typeof m === 'string') return m;
  const key = m.student_id ? `ID ${m.student_id}` : m.email || m.student || '';
  return m.name ? `${m.name} (${key})` : key;
}

// One group as the list shows it.
export function groupView(group) {
  const members = group.students || group.members || [];
  const active = group.active !== false;
  return {
    id: group.id,
    name: group.name,
    active,
    state: active ? 'Active' : 'Paused',
    members: members.map(memberLabel),
    keys: members.map(memberKey).join('\n'),
    toggle: active ? 'Pause' : 'Resume',
  };
}

// The students typed for a group (one a line, or separated by commas): [list, problem or ''].
export function parseMembers(text) {
  const seen = new Set();
  const list = [];
  for (const part of text.split(/[\n,;]+/)) {
    const key = part.trim();
    if (!key || seen.has(key.toLowerCase())) continue;
    seen.add(key.toLowerCase());
    list.push(key);
  }
  if (list.length < 2 || list.length > 20) return [list, `A group has 2 to 20 students; this one has ${list.length}. Enter one email or student ID a line.`];
  return [list, ''];
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

// The rows of the bell schedule before they are saved: [[row index, field, words]].
export function scheduleProblems(rows) {
  const problems = [];
  rows.forEach((r, i) => {
    const day = r.day.trim().toLowerCase();
    if (!DAYS.includes(day) && !/^\d{4}-\d{2}-\d{2}$/.test(day)) problems.push([i, 'day', 'Enter a day: mon, tue, wed, thu, fri, sat or sun, or a date such as 2026-12-24.']);
    if (!r.period.trim()) problems.push([i, 'period', 'Enter the period\u2019s name.']);
    if (!HHMM.test(r.start)) problems.push([i, 'start', 'Enter when the period starts, such as 08:15.']);
    if (!HHMM.test(r.end)) problems.push([i, 'end', 'Enter when the period ends, such as 09:05.']);
    else if (HHMM.test(r.start) && r.end <= r.start) problems.push([i, 'end', 'The period must end after it starts.']);
  });
  return problems;
}

// The schedule as GET /api/schedule sends it: its rows, in day and time order.
export function scheduleRows(data) {
  const rows = (data && (data.schedule || data.periods || data.rows)) || [];
  const dayRank = (d) => (DAYS.includes(d) ? DAYS.indexOf(d) : 7);
  return rows
    .map((r) => ({ day: String(r.day || ''), period: String(r.period || ''), start: String(r.start || ''), end: String(r.end || '') }))
    .sort((a, b) => dayRank(a.day) - dayRank(b.day) || naturalCompare(a.day, b.day) || naturalCompare(a.start, b.start));
}

// A no-pass time is on at `now` when it has started and not ended.
export function isOn(blackout, now = Date.now()) {
  return Date.parse(blackout.start) <= now && (!blackout.end || Date.parse(blackout.end) > now);
}

// The no-pass times that stop all passes now: on, with no end.
export function stoppedBy(blackouts, now = Date.now()) {
  return blackouts.filter((b) => !b.end && isOn(b, now));
}

// One no-pass time as the list shows it.
export function blackoutView(b, tz, now = Date.now()) {
  const when = b.end ? `${formatDateTime(b.start, tz)} to ${formatDateTime(b.end, tz)}` : `From ${formatDateTime(b.start, tz)}, until it is removed`;
  return { id: b.id, reason: b.reason || 'No reason given', when, on: isOn(b, now) };
}

// What the top of the page says about stopping all passes.
export function stopStateText(stopped, tz) {
  if (stopped.length === 0) return 'Passes are allowed. Stopping them takes one click and holds until you allow them again; staff can still write passes.';
  return `All passes are stopped since ${formatDateTime(stopped[0].start, tz)}. Students and kiosks cannot start passes until you allow them again.`;
}

// The reason a "Stop all passes" no-pass time carries.
export const STOP_REASON = 'All passes stopped';

// ---- The page ----

function main() {
  let session;
  let settings = {};
  let rooms = [];
  let blackouts = [];
  let blackoutsThere = true;
  let live;

  const fieldsBox = document.getElementById('settings-fields');
  const settingsForm = document.getElementById('settings-form');
  const settingsError = document.getElementById('settings-error');
  const settingsStatus = document.getElementById('settings-status');
  const tz = () => session.school.timezone;

  // A section's endpoint answered 404: the section says so and hides its controls.
  function absent(section, what) {
    const body = document.getElementById(`${section}-body`);
    if (body) body.hidden = true;
    const box = document.getElementById(`${section}-error`);
    box.dataset.absent = 'true';
    showNotice(box, absentText(what), '');
  }

  const isAbsent = (err) => err instanceof ApiError && err.status === 404;

  // ---- Settings ----

  function renderSettings() {
    clear(fieldsBox);
    for (const spec of SETTINGS) {
      const id = `setting-${spec.key}`;
      const hintId = `${id}-hint`;
      if (spec.bool) {
        fieldsBox.append(
          h(
            'div',
            { class: 'field setting' },
            h('label', { class: 'choice' }, h('input', { type: 'checkbox', id, name: spec.key, checked: settings[spec.key] !== false, 'aria-describedby': hintId }), ` ${spec.label}`),
            h('p', { class: 'hint', id: hintId }, `${spec.meaning} On by default.`),
          ),
        );
        continue;
      }
      fieldsBox.append(
        h(
          'div',
          { class: 'field setting' },
          h('label', { for: id }, spec.label, h('span', { class: 'muted' }, ` (${spec.unit})`)),
          h('input', { type: 'text', id, name: spec.key, inputmode: 'numeric', autocomplete: 'off', maxlength: '6', value: settingText(settings[spec.key]), placeholder: spec.def === undefined ? 'Off' : String(spec.def), 'aria-describedby': hintId }),
          h('p', { class: 'hint', id: hintId }, `${spec.meaning} ${rangeText(spec)}`),
        ),
      );
    }
  }

  async function saveSettings(event) {
    event.preventDefault();
    hideNotice(settingsError);
    settingsStatus.textContent = '';
    const values = {};
    for (const spec of SETTINGS) {
      const input = settingsForm.elements[spec.key];
      clearFieldError(input);
      values[spec.key] = spec.bool ? input.checked : input.value;
    }
    const [body, problems] = readSettings(values, settings);
    if (problems.length) {
      for (const [key, text] of problems) setFieldError(settingsForm.elements[key], text);
      settingsForm.elements[problems[0][0]].focus();
      announce(`Not saved: ${problems.map((p) => p[1]).join(' ')}`);
      return;
    }
    if (Object.keys(body).length === 0) {
      settingsStatus.textContent = 'Nothing changed.';
      return;
    }
    const button = document.getElementById('settings-save');
    button.disabled = true;
    try {
      settings = await patch('/api/settings', body);
      renderSettings();
      settingsStatus.textContent = '\u2713 Saved';
      announce('The pass rules are saved.');
      notifyChanged();
    } catch (err) {
      const spec = err instanceof ApiError && err.status === 400 ? SETTINGS.find((s) => s.key === err.field) : null;
      if (spec) {
        const input = settingsForm.elements[spec.key];
        setFieldError(input, spec.bool ? 'Choose on or off.' : settingWords(spec));
        input.focus();
        announce(`Not saved: ${settingWords(spec)}`);
      } else showNotice(settingsError, `The rules were not saved: ${describe(err)}`);
    } finally {
      button.disabled = false;
    }
  }

  // ---- Rooms ----

  function renderRooms() {
    const tbody = document.querySelector('#rooms-table tbody');
    clear(tbody);
    for (const room of rooms.slice().sort((a, b) => naturalCompare(a.name, b.name))) {
      const limitId = `room-limit-${room.id}`;
      const countsId = `room-counts-${room.id}`;
      tbody.append(
        h(
          'tr',
          { 'data-room-id': room.id, 'data-room-name': room.name },
          h('th', { scope: 'row' }, room.name),
          h(
            'td',
            {},
            h('label', { for: limitId, class: 'visually-hidden' }, `Time limit of ${room.name}, in minutes`),
            h('input', { type: 'text', id: limitId, name: 'time_limit_minutes', inputmode: 'numeric', maxlength: '4', autocomplete: 'off', class: 'short', placeholder: 'School\u2019s', value: settingText(room.time_limit_minutes) }),
          ),
          h(
            'td',
            {},
            h('input', { type: 'checkbox', id: countsId, name: 'counts_toward_limit', checked: room.counts_toward_limit !== false }),
            h('label', { for: countsId }, h('span', { class: 'visually-hidden' }, `${room.name} `), 'Counts'),
          ),
        ),
      );
    }
  }

  async function saveRooms(event) {
    event.preventDefault();
    const status = document.getElementById('rooms-status');
    const errorBox = document.getElementById('rooms-error');
    hideNotice(errorBox);
    status.textContent = '';
    const changes = [];
    let firstBad = null;
    for (const row of document.querySelectorAll('#rooms-table tbody tr')) {
      const room = rooms.find((r) => String(r.id) === row.dataset.roomId);
      const limit = row.querySelector('input[name="time_limit_minutes"]');
      clearFieldError(limit);
      const [body, problem] = readRoomRules(room, limit.value, row.querySelector('input[name="counts_toward_limit"]').checked);
      if (problem) {
        setFieldError(limit, problem);
        firstBad = firstBad || limit;
      } else if (Object.keys(body).length) changes.push([room, body, limit]);
    }
    if (firstBad) {
      firstBad.focus();
      announce('Not saved: a time limit is not a whole number from 1 to 240.');
      return;
    }
    if (!changes.length) {
      status.textContent = 'Nothing changed.';
      return;
    }
    let saved = 0;
    for (const [room, body, limit] of changes) {
      try {
        const updated = await patch(`/api/rooms/${room.id}`, body);
        rooms = rooms.map((r) => (r.id === updated.id ? updated : r));
        saved++;
      } catch (err) {
        if (err instanceof ApiError && err.status === 400 && err.field === 'time_limit_minutes') {
          setFieldError(limit, 'Enter a whole number of minutes from 1 to 240, or leave it empty to use the school\u2019s time limit.');
          limit.focus();
        } else showNotice(errorBox, `${room.name} was not saved: ${describe(err)}`);
        status.textContent = saved ? `${saved} saved before the problem.` : '';
        return;
      }
    }
    renderRooms();
    status.textContent = `\u2713 Saved ${saved} room${saved === 1 ? '' : 's'}`;
    announce(`Saved ${saved} room${saved === 1 ? '' : 's'}.`);
    notifyChanged();
  }

  // ---- Encounter groups ----

  function groupItem(group) {
    const v = groupView(group);
    const editId = `group-edit-${v.id}`;
    const members = h('textarea', { id: editId, rows: '3', value: v.keys });
    const editForm = h(
      'form',
      { class: 'stack group-edit', hidden: true, novalidate: true },
      h('div', { class: 'field' }, h('label', { for: editId }, `Students of ${v.name}`), members, h('p', { class: 'hint' }, 'One email or student ID a line.')),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button small primary' }, 'Save members', h('span', { class: 'visually-hidden' }, ` of ${v.name}`))),
    );
    editForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldError(members);
      const [list, problem] = parseMembers(members.value);
      if (problem) {
        setFieldError(members, problem);
        members.focus();
        return;
      }
      await changeGroup(() => patch(`/api/encounter-groups/${v.id}`, { students: list }), `Saved the students of ${v.name}.`, members);
    });
    return h(
      'li',
      { class: 'rule-item', 'data-group-id': v.id, 'data-group-name': v.name },
      h(
        'div',
        { class: 'rule-item__head' },
        h('strong', {}, v.name),
        h('span', { class: v.active ? 'tag' : 'tag paused' }, v.state),
        h('span', { class: 'muted small' }, v.members.join(', ')),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button small', 'data-action': 'edit', onclick: () => { editForm.hidden = !editForm.hidden; if (!editForm.hidden) members.focus(); } }, 'Edit students', h('span', { class: 'visually-hidden' }, ` of ${v.name}`)),
        h('button', { type: 'button', class: 'button small', 'data-action': 'toggle', onclick: () => changeGroup(() => patch(`/api/encounter-groups/${v.id}`, { active: !v.active }), `${v.name} is ${v.active ? 'paused' : 'active again'}.`) }, v.toggle, h('span', { class: 'visually-hidden' }, ` ${v.name}`)),
        h('button', { type: 'button', class: 'button small danger', 'data-action': 'delete', onclick: () => changeGroup(() => del(`/api/encounter-groups/${v.id}`), `Deleted ${v.name}.`) }, 'Delete', h('span', { class: 'visually-hidden' }, ` ${v.name}`)),
      ),
      editForm,
    );
  }

  async function changeGroup(request, done, input) {
    const errorBox = document.getElementById('groups-error');
    hideNotice(errorBox);
    try {
      await request();
      announce(done);
      document.getElementById('group-status').textContent = `\u2713 ${done}`;
      notifyChanged();
    } catch (err) {
      if (input && err instanceof ApiError && err.status === 400) {
        const entry = listError(err.message, 'students');
        setFieldError(input, entry ? `Student ${entry.index + 1} of the list: ${entry.text}` : err.text);
        input.focus();
      } else showNotice(errorBox, describe(err));
      return;
    }
    await loadGroups();
  }

  async function loadGroups() {
    let data;
    try {
      data = await get('/api/encounter-groups');
    } catch (err) {
      if (isAbsent(err)) absent('groups', 'Encounter groups');
      else showNotice(document.getElementById('groups-error'), `The groups could not be loaded: ${describe(err)}`);
      return;
    }
    const list = clear(document.getElementById('groups-list'));
    const groups = (data.groups || data.encounter_groups || []).slice().sort((a, b) => naturalCompare(a.name, b.name));
    if (!groups.length) list.append(h('li', { class: 'empty' }, 'No encounter groups yet.'));
    for (const group of groups) list.append(groupItem(group));
  }

  function wireGroupAdd() {
    const form = document.getElementById('group-add');
    const name = document.getElementById('group-name');
    const members = document.getElementById('group-members');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldError(name);
      clearFieldError(members);
      const [list, problem] = parseMembers(members.value);
      if (!name.value.trim()) setFieldError(name, 'Enter the group\u2019s name.');
      if (problem) setFieldError(members, problem);
      if (!name.value.trim() || problem) {
        (!name.value.trim() ? name : members).focus();
        return;
      }
      const groupName = name.value.trim();
      await changeGroup(
        async () => {
          await post('/api/encounter-groups', { name: groupName, students: list, active: true });
          form.reset();
        },
        `Added the group ${groupName}.`,
        members,
      );
    });
  }

  // ---- Bell schedule ----

  function scheduleRow(row = { day: '', period: '', start: '', end: '' }) {
    const n = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
    const cell = (field, label, attrs) => {
      const id = `schedule-${field}-${n}`;
      return h('td', {}, h('label', { for: id, class: 'visually-hidden' }, label), h('input', { id, name: field, value: row[field], autocomplete: 'off', ...attrs }));
    };
    const tr = h(
      'tr',
      { class: 'schedule-row' },
      cell('day', 'Day', { type: 'text', list: 'day-names', maxlength: '10', class: 'short', placeholder: 'mon' }),
      cell('period', 'Period', { type: 'text', maxlength: '100', placeholder: 'Period 1' }),
      cell('start', 'Starts', { type: 'time' }),
      cell('end', 'Ends', { type: 'time' }),
    );
    tr.append(
      h(
        'td',
        {},
        h('button', { type: 'button', class: 'button small', 'data-action': 'remove', onclick: () => { tr.remove(); announce('Period removed. Save the schedule to keep the change.'); } }, 'Remove', h('span', { class: 'visually-hidden' }, ' this period')),
      ),
    );
    return tr;
  }

  function readScheduleRows() {
    return Array.from(document.querySelectorAll('#schedule-table tbody tr.schedule-row')).map((tr) => ({
      tr,
      day: tr.querySelector('[name="day"]').value,
      period: tr.querySelector('[name="period"]').value,
      start: tr.querySelector('[name="start"]').value,
      end: tr.querySelector('[name="end"]').value,
    }));
  }

  async function loadSchedule() {
    let data;
    try {
      data = await get('/api/schedule');
    } catch (err) {
      if (isAbsent(err)) absent('schedule', 'The bell schedule and its periods');
      else showNotice(document.getElementById('schedule-error'), `The bell schedule could not be loaded: ${describe(err)}`);
      return;
    }
    const tbody = clear(document.querySelector('#schedule-table tbody'));
    for (const row of scheduleRows(data)) tbody.append(scheduleRow(row));
  }

  function wireSchedule() {
    document.body.append(h('datalist', { id: 'day-names' }, DAYS.map((d) => h('option', { value: d }))));
    document.getElementById('schedule-add').addEventListener('click', () => {
      const tr = scheduleRow();
      document.querySelector('#schedule-table tbody').append(tr);
      tr.querySelector('input').focus();
    });
    document.getElementById('schedule-body').addEventListener('submit', async (event) => {
      event.preventDefault();
      const status = document.getElementById('schedule-status');
      const errorBox = document.getElementById('schedule-error');
      hideNotice(errorBox);
      status.textContent = '';
      const rows = readScheduleRows();
      for (const r of rows) for (const input of r.tr.querySelectorAll('input')) clearFieldError(input);
      const problems = scheduleProblems(rows);
      if (problems.length) {
        for (const [i, field, text] of problems) setFieldError(rows[i].tr.querySelector(`[name="${field}"]`), text);
        rows[problems[0][0]].tr.querySelector(`[name="${problems[0][1]}"]`).focus();
        announce(`Not saved: ${problems[0][2]}`);
        return;
      }
      const body = { schedule: rows.map((r) => ({ day: r.day.trim().toLowerCase(), period: r.period.trim(), start: r.start, end: r.end })) };
      try {
        await api('PUT', '/api/schedule', body);
      } catch (err) {
        const entry = err instanceof ApiError && err.status === 400 ? listError(err.message, 'schedule') : null;
        const input = entry && rows[entry.index] && rows[entry.index].tr.querySelector(`[name="${entry.field || 'day'}"]`);
        if (input) {
          setFieldError(input, entry.text);
          input.focus();
          announce(`Not saved: ${entry.text}`);
        } else showNotice(errorBox, `The schedule was not saved: ${describe(err)}`);
        return;
      }
      status.textContent = `\u2713 Saved ${rows.length} period${rows.length === 1 ? '' : 's'}`;
      announce('The bell schedule is saved.');
      notifyChanged();
      await loadSchedule();
    });
  }

  // ---- No-pass times and "Stop all passes" ----

  function renderStop() {
    const stopped = stoppedBy(blackouts);
    const state = document.getElementById('stop-state');
    const box = document.getElementById('stop-all');
    if (!blackoutsThere) {
      state.textContent = 'Stopping all passes is not available on this server yet.';
      document.getElementById('stop-button').hidden = true;
      document.getElementById('allow-button').hidden = true;
      return;
    }
    state.textContent = stopStateText(stopped, tz());
    box.classList.toggle('is-stopped', stopped.length > 0);
    document.getElementById('stop-button').hidden = stopped.length > 0;
    document.getElementById('allow-button').hidden = stopped.length === 0;
  }

  async function loadBlackouts() {
    let data;
    try {
      data = await get('/api/blackouts');
    } catch (err) {
      if (isAbsent(err)) {
        blackoutsThere = false;
        absent('blackouts', 'No-pass times');
        renderStop();
      } else showNotice(document.getElementById('blackouts-error'), `The no-pass times could not be loaded: ${describe(err)}`);
      return;
    }
    blackouts = (data.blackouts || []).slice().sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const list = clear(document.getElementById('blackouts-list'));
    if (!blackouts.length) list.append(h('li', { class: 'empty' }, 'No no-pass times.'));
    for (const b of blackouts) {
      const v = blackoutView(b, tz());
      list.append(
        h(
          'li',
          { class: 'rule-item', 'data-blackout-id': v.id },
          h('div', { class: 'rule-item__head' }, h('strong', {}, v.reason), v.on ? h('span', { class: 'tag on' }, 'On now') : null, h('span', { class: 'muted small' }, v.when)),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button small danger', 'data-action': 'delete', onclick: () => removeBlackouts([b], `Removed the no-pass time \u201c${v.reason}\u201d.`) }, 'Delete', h('span', { class: 'visually-hidden' }, ` the no-pass time ${v.reason}`))),
        ),
      );
    }
    renderStop();
  }

  async function removeBlackouts(list, done) {
    const errorBox = document.getElementById('blackouts-error');
    hideNotice(errorBox);
    try {
      for (const b of list) await del(`/api/blackouts/${b.id}`);
      announce(done);
      notifyChanged();
    } catch (err) {
      showNotice(errorBox, describe(err));
    }
    await loadBlackouts();
  }

  function wireBlackouts() {
    const form = document.getElementById('blackout-add');
    const start = document.getElementById('blackout-start');
    const end = document.getElementById('blackout-end');
    const reason = document.getElementById('blackout-reason');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const input of [start, end, reason]) clearFieldError(input);
      const startIso = start.value ? localInputToIso(start.value) : null;
      const endIso = end.value ? localInputToIso(end.value) : null;
      const problems = [];
      if (!startIso) problems.push([start, 'Choose when the no-pass time starts.']);
      if (startIso && endIso && Date.parse(endIso) <= Date.parse(startIso)) problems.push([end, 'Choose an end after the start, or leave it empty.']);
      if (endIso && Date.parse(endIso) <= Date.now()) problems.push([end, 'Choose an end later than now.']);
      if (!reason.value.trim()) problems.push([reason, 'Enter the reason, such as Assembly. Students may see it.']);
      if (problems.length) {
        for (const [input, text] of problems) setFieldError(input, text);
        problems[0][0].focus();
        return;
      }
      try {
        await post('/api/blackouts', { start: startIso, end: endIso, reason: reason.value.trim() });
      } catch (err) {
        showNotice(document.getElementById('blackouts-error'), `The no-pass time was not added: ${describe(err)}`);
        return;
      }
      document.getElementById('blackout-status').textContent = `\u2713 Added ${reason.value.trim()}`;
      announce(`Added the no-pass time ${reason.value.trim()}.`);
      form.reset();
      notifyChanged();
      await loadBlackouts();
    });
    document.getElementById('stop-button').addEventListener('click', async () => {
      const errorBox = document.getElementById('stop-error');
      hideNotice(errorBox);
      try {
        await post('/api/blackouts', { start: localInputToIso(dateToLocalInput(new Date())), end: null, reason: STOP_REASON });
      } catch (err) {
        showNotice(errorBox, `Passes were not stopped: ${describe(err)}`);
        return;
      }
      announce('All passes are stopped.');
      notifyChanged();
      await loadBlackouts();
      document.getElementById('allow-button').focus();
    });
    document.getElementById('allow-button').addEventListener('click', async () => {
      await removeBlackouts(stoppedBy(blackouts), 'Passes are allowed again.');
      document.getElementById('stop-button').focus();
    });
  }

  // The settings form holds edits not saved yet: a field that differs from the settings shown.
  function settingsDirty() {
    return SETTINGS.some((spec) => {
      const input = settingsForm.elements[spec.key];
      if (!input) return false;
      return spec.bool ? input.checked !== (settings[spec.key] !== false) : input.value !== settingText(settings[spec.key]);
    });
  }

  async function load() {
    try {
      const dirty = settingsForm.elements.length > 1 && settingsDirty();
      const fresh = await get('/api/settings');
      // Another admin's change shows, unless this admin is editing.
      if (!dirty) {
        settings = fresh;
        renderSettings();
      }
    } catch (err) {
      showNotice(settingsError, `The rules could not be loaded: ${describe(err)}`);
    }
    await loadBlackouts();
  }

  (async () => {
    session = await startPage();
    settingsForm.addEventListener('submit', saveSettings);
    document.getElementById('rooms-form').addEventListener('submit', saveRooms);
    wireGroupAdd();
    wireSchedule();
    wireBlackouts();
    try {
      rooms = (await get('/api/rooms')).rooms;
      renderRooms();
    } catch (err) {
      showNotice(document.getElementById('rooms-error'), `The rooms could not be loaded: ${describe(err)}`);
    }
    await Promise.all([loadGroups(), loadSchedule()]);
    // Settings and the stop state follow other admins' changes; the forms below keep what is
    // being typed, so they load once.
    live = watch(load);
    await live.refresh();
    document.body.dataset.rulesReady = 'true';
  })();
}

if (typeof document !== 'undefined') main();
