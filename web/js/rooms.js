// Rooms dashboard (admins): rooms grouped by folder, each editable in place (PATCH
// /api/rooms/{id}), with what is wrong next to the field it is about; and a form to add a
// room (POST /api/rooms). /rooms?room=ID highlights and scrolls to a room (the Analytics page
// links here). Leaving the page with edits not saved asks first.

import { get, post, patch, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice } from './dom.js';
import { startPage } from './header.js';
import { groupRooms } from './model.js';
import { LIMIT_WORDS } from './words.js';

const FIELDS = [
  { key: 'name', label: 'Name' },
  { key: 'folder', label: 'Folder' },
  { key: 'max_passes_from', label: 'Max Passes From This Room' },
  { key: 'max_passes_to', label: 'Max Passes To This Room' },
];

// A limit as the API takes it: empty is null (no limit), digits are a number; anything else
// is refused here with the words the API's refusal would get.
export function limitValue(text) {
  const t = text.trim();
  if (t === '') return null;
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

export function limitText(limit) {
  return limit === null || limit === undefined ? '' : String(limit);
}

export function roomsSummary(rooms, groups) {
  const folders = groups.filter((g) => g.name).length;
  return `${rooms.length} room${rooms.length === 1 ? '' : 's'} in ${folders} folder${folders === 1 ? '' : 's'}`;
}

// The limits of a form: [body fields, [[field, words]] problems].
export function readLimits(values) {
  const body = {};
  const problems = [];
  for (const key of ['max_passes_from', 'max_passes_to']) {
    const v = limitValue(values[key] || '');
    if (v === undefined) problems.push([key, LIMIT_WORDS]);
    else body[key] = v;
  }
  return [body, problems];
}

// A form has edits not saved: a field whose value differs from the saved one.
export function isDirty(fields) {
  return fields.some((f) => f.name && f.value !== f.saved);
}

let rooms = [];
let groupsEl;
let errorEl;
let summaryEl;

function roomForm(room) {
  const form = h('form', {
    class: 'room-row',
    id: `room-${room.id}`,
    'data-room-id': room.id,
    'data-room-name': room.name,
    tabindex: '-1',
    'aria-label': room.name,
    novalidate: true,
  });
  for (const f of FIELDS) {
    const id = `room-${room.id}-${f.key}`;
    const isLimit = f.key.startsWith('max_');
    const value = isLimit ? limitText(room[f.key]) : room[f.key] || '';
    const input = h('input', {
      type: 'text',
      id,
      name: f.key,
      value,
      autocomplete: 'off',
      maxlength: isLimit ? '12' : '200',
      inputmode: isLimit ? 'numeric' : null,
      placeholder: isLimit ? 'No limit' : f.key === 'folder' ? 'No folder' : null,
      list: f.key === 'folder' ? 'folder-list' : null,
      'data-saved': value,
    });
    form.append(
      h(
        'div',
        { class: 'field' },
        h('label', { for: id, class: 'field-label-inline' }, f.label, h('span', { class: 'visually-hidden' }, ` (${room.name})`)),
        input,
      ),
    );
  }
  form.append(
    h(
      'div',
      { class: 'room-row__actions' },
      h('button', { type: 'submit', class: 'button small', 'data-action': 'save' }, 'Save', h('span', { class: 'visually-hidden' }, ` ${room.name}`)),
      h('span', { class: 'saved', role: 'status', 'data-status': '' }),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(form, room.id);
  });
  form.addEventListener('input', () => {
    const status = form.querySelector('[data-status]');
    const dirty = formDirty(form);
    status.textContent = dirty ? 'Not saved yet' : '';
    status.classList.toggle('muted', dirty);
  });
  return form;
}

function render() {
  const groups = groupRooms(rooms);
  clear(groupsEl);
  groupsEl.removeAttribute('aria-busy');
  summaryEl.textContent = roomsSummary(rooms, groups);
  if (rooms.length === 0) {
    groupsEl.append(h('p', { class: 'empty' }, 'No rooms yet. Add the first one below.'));
  }
  groups.forEach((group, i) => {
    const titleId = `group-${i}`;
    groupsEl.append(
      h(
        'section',
        { class: 'room-group', 'aria-labelledby': titleId, 'data-folder': group.name },
        h(
          'h2',
          { id: titleId },
          group.name || 'No folder',
          h('span', { class: 'count' }, `${group.rooms.length} room${group.rooms.length === 1 ? '' : 's'}`),
        ),
        h(
          'div',
          { class: 'room-list' },
          h(
            'div',
            { class: 'room-list__head', 'aria-hidden': 'true' },
            FIELDS.map((f) => h('span', {}, f.label)),
            h('span', {}, ''),
          ),
          group.rooms.map(roomForm),
        ),
      ),
    );
  });
  const folders = document.getElementById('folder-list');
  clear(folders).append(groups.filter((g) => g.name).map((g) => h('option', { value: g.name })));
}

function showError(form, err, focusFirst = true) {
  const field = err instanceof ApiError ? err.field || (err.status === 409 ? 'name' : '') : '';
  const input = field ? form.querySelector(`input[name="${field}"]`) : null;
  if (input) {
    setFieldError(input, err.text);
    if (focusFirst) input.focus();
    return `${err.text}`;
  }
  return describe(err);
}

async function save(form, id) {
  const status = form.querySelector('[data-status]');
  const button = form.querySelector('[data-action="save"]');
  for (const input of form.querySelectorAll('input')) clearFieldError(input);
  status.classList.remove('muted');
  status.textContent = 'Saving…';
  button.disabled = true;
  const [limits, problems] = readLimits({ max_passes_from: form.elements.max_passes_from.value, max_passes_to: form.elements.max_passes_to.value });
  if (problems.length) {
    button.disabled = false;
    status.textContent = '';
    for (const [key, text] of problems) setFieldError(form.elements[key], text);
    form.elements[problems[0][0]].focus();
    announce(`Not saved: ${problems[0][1]}`);
    return;
  }
  const body = { name: form.elements.name.value, folder: form.elements.folder.value, ...limits };
  let room;
  try {
    room = await patch(`/api/rooms/${id}`, body);
  } catch (err) {
    button.disabled = false;
    const text = showError(form, err);
    status.textContent = '';
    status.classList.remove('muted');
    if (!(err instanceof ApiError && (err.field || err.status === 409))) {
      status.textContent = text;
      status.classList.add('field-error');
    }
    announce(`Not saved: ${text}`);
    return;
  }
  const old = rooms.find((r) => r.id === id);
  const regroup = !old || old.name !== room.name || (old.folder || '') !== (room.folder || '');
  rooms = rooms.map((r) => (r.id === id ? room : r));
  let target = form;
  if (regroup) {
    render();
    target = document.getElementById(`room-${id}`);
    target.querySelector('[data-action="save"]').focus();
  } else {
    button.disabled = false;
    for (const input of form.querySelectorAll('input')) {
      const key = input.name;
      input.value = key.startsWith('max_') ? limitText(room[key]) : room[key] || '';
      input.dataset.saved = input.value;
    }
  }
  const saved = target.querySelector('[data-status]');
  saved.classList.remove('muted', 'field-error');
  saved.textContent = '✓ Saved';
  announce(`${room.name} saved.`);
}

function highlightFromAddress() {
  const id = new URLSearchParams(location.search).get('room');
  if (!id) return;
  const row = document.getElementById(`room-${id}`);
  if (!row) {
    showNotice(errorEl, `There is no room with id ${id} in this school.`);
    return;
  }
  row.classList.add('is-highlighted');
  row.scrollIntoView({ block: 'center' });
  row.focus({ preventScroll: true });
  announce(`${row.dataset.roomName} is highlighted.`);
}

function wireAddForm() {
  const form = document.getElementById('add-form');
  const status = document.getElementById('add-status');
  const button = document.getElementById('add-button');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const input of form.querySelectorAll('input')) clearFieldError(input);
    status.textContent = '';
    const name = form.elements.name.value.trim();
    if (!name) {
      setFieldError(form.elements.name, 'Enter the room\u2019s name.');
      form.elements.name.focus();
      return;
    }
    const [limits, problems] = readLimits({ max_passes_from: form.elements.max_passes_from.value, max_passes_to: form.elements.max_passes_to.value });
    if (problems.length) {
      for (const [key, text] of problems) setFieldError(form.elements[key], text);
      form.elements[problems[0][0]].focus();
      return;
    }
    const body = { name, ...limits };
    if (form.elements.folder.value.trim()) body.folder = form.elements.folder.value;
    button.disabled = true;
    try {
      const room = await post('/api/rooms', body);
      rooms.push(room);
      render();
      form.reset();
      status.textContent = `✓ Added ${room.name}`;
      announce(`Added ${room.name}.`);
      const row = document.getElementById(`room-${room.id}`);
      if (row) row.classList.add('is-highlighted');
      form.elements.name.focus();
    } catch (err) {
      const text = showError(form, err);
      if (!(err instanceof ApiError && (err.field || err.status === 409))) {
        status.textContent = '';
        showNotice(errorEl, text);
      }
      announce(`Not added: ${text}`);
    } finally {
      button.disabled = false;
    }
  });
}

function formDirty(form) {
  return isDirty(Array.from(form.elements).map((el) => ({ name: el.name, value: el.value, saved: el.dataset.saved ?? '' })));
}

// Any room with edits not saved, or a room being added.
function unsaved() {
  return Array.from(document.querySelectorAll('form.room-row, #add-form')).some(formDirty);
}

async function main() {
  groupsEl = document.getElementById('rooms-groups');
  errorEl = document.getElementById('rooms-error');
  summaryEl = document.getElementById('rooms-summary');
  window.addEventListener('beforeunload', (event) => {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = ''; // Older browsers need a value to ask.
  });
  await startPage();
  wireAddForm();
  try {
    const data = await get('/api/rooms');
    rooms = data.rooms;
  } catch (err) {
    clear(groupsEl).removeAttribute('aria-busy');
    showNotice(errorEl, `The rooms could not be loaded: ${describe(err)}`);
    return;
  }
  render();
  highlightFromAddress();
}

if (typeof document !== 'undefined') main();
