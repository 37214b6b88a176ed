// Users page (admins): find people by name, email or student ID (GET /api/users, the server
// matching as the admin types), add a person or change one in a dialog (POST and PATCH
// /api/users), turn an account off or back on, set a new password, and import the school's
// roster from the SIS (roster.js). What a refusal says is next to the field it is about, in
// words an office uses, never a field's name.

import { get, post, patch, api, describe, ApiError } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError, showNotice, hideNotice } from './dom.js';
import { startPage } from './header.js';
import { naturalCompare } from './natural.js';
import { rosterView, rosterErrorText, fileProblem } from './roster.js';

// ---- Pure parts (tested in Node) ----

export const ROLE_NAMES = { admin: 'Admin', teacher: 'Teacher', student: 'Student', kiosk: 'Kiosk' };
export const LIMIT_MAX = 50; // A student's own daily limit: 1 to 50 passes.
const STUDENT_ID = /^[A-Za-z0-9-]{1,32}$/;
const SEARCH_LIMIT = 100; // People shown at once; the summary says when there are more.

// The address of a search: only the filters given.
export function searchPath({ q = '', role = '', active = '' } = {}, limit = SEARCH_LIMIT) {
  const params = new URLSearchParams();
  if (q.trim()) params.set('q', q.trim());
  if (role) params.set('role', role);
  if (active) params.set('active', active);
  params.set('limit', String(limit));
  return `/api/users?${params}`;
}

// A user as the table shows them.
export function userCells(user) {
  const student = user.role === 'student';
  return {
    name: user.name,
    email: user.email,
    role: ROLE_NAMES[user.role] || user.role,
    studentId: user.student_id || '',
    room: user.room || '',
    limit: student ? (user.max_passes_per_day ? String(user.max_passes_per_day) : 'School\u2019s limit') : '',
    account: user.active === false ? 'Deactivated' : 'Active',
    toggle: user.active === false ? 'Reactivate' : 'Deactivate',
  };
}

// "3 people" or, when the server has more, how to find the rest.
export function summaryText(count, more, filtered) {
  if (count === 0) return filtered ? 'Nobody matches this search.' : 'No people yet. Add the first one, or import the roster below.';
  const people = `${count} ${count === 1 ? 'person' : 'people'}`;
  return more ? `Showing the first ${people}. Type a name, email or student ID to find others.` : people;
}

// The form's values for a role: which fields a person of that role has.
export function fieldsFor(role) {
  return { room: role !== 'student', student: role === 'student', roomRequired: role === 'kiosk' };
}

// The dialog's values against the user being changed (null for a new one): [body, [[field,
// words]] problems]. A change sends only what differs; fields a role does not have are not
// sent (the server drops a home room when someone becomes a student).
export function readUserForm(values, user = null) {
  const problems = [];
  const body = {};
  const name = (values.name || '').trim();
  const email = (values.email || '').trim();
  const role = values.role || 'student';
  const has = fieldsFor(role);
  if (!name) problems.push(['name', 'Enter the person\u2019s name.']);
  if (!email) problems.push(['email', 'Enter their email address.']);
  else if (!/^[^@\s]+@[^@\s]+$/.test(email)) problems.push(['email', 'Enter an email address such as name@school.org.']);
  const set = (key, value, old) => {
    if (!user || value !== old) body[key] = value;
  };
  set('name', name, user && user.name);
  set('email', email, user && user.email);
  set('role', role, user && user.role);
  if (has.room) {
    const room = values.room || '';
    if (has.roomRequired && !room) problems.push(['room', 'Choose the room the kiosk stands in.']);
    if (!user ? room : room !== (user.room || '')) body.room = room || null;
  }
  if (has.student) {
    const id = (values.student_id || '').trim();
    if (id && !STUDENT_ID.test(id)) problems.push(['student_id', 'A student ID is 1 to 32 letters, digits and dashes.']);
    if (!user ? id : id !== (user.student_id || '')) body.student_id = id || null;
    const text = (values.max_passes_per_day || '').trim();
    let limit = null;
    if (text) {
      limit = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!(limit >= 1 && limit <= LIMIT_MAX)) problems.push(['max_passes_per_day', `Enter a number of passes from 1 to ${LIMIT_MAX}, or leave it empty for the school\u2019s limit.`]);
    }
    if (!user ? limit !== null : limit !== (user.max_passes_per_day ?? null)) body.max_passes_per_day = limit;
  }
  if (!user && values.password) body.password = values.password;
  return [body, problems];
}

// The server's refusal in an office's words: {status, field, message} -> [field, words],
// field '' when the words are about no one field.
const WORDS = [
  [400, 'name', /empty|missing/, 'Enter the person\u2019s name.'],
  [400, 'name', /./, 'Use a shorter name, without special characters.'],
  [400, 'email', /empty|missing/, 'Enter their email address.'],
  [400, 'email', /./, 'Enter an email address such as name@school.org.'],
  [409, 'email', /^email: (.*) \(".*"\) has that email/, (m) => `${m[1]} already has this email. Each person needs their own.`],
  [409, 'email', /./, 'Someone else in the school already has this email. Each person needs their own.'],
  [400, 'role', /own admin role/, 'You cannot take away your own admin role. Another admin can.'],
  [400, 'role', /./, 'Choose a role.'],
  [400, 'room', /kiosk needs/, 'Choose the room the kiosk stands in.'],
  [400, 'room', /student has no room/, 'Students have no home room. Leave it empty.'],
  [400, 'room', /./, 'Choose a room from the list.'],
  [400, 'student_id', /only a student/, 'Only students have a student ID. Leave it empty.'],
  [400, 'student_id', /./, 'A student ID is 1 to 32 letters, digits and dashes.'],
  [409, 'student_id', /student ID of (.*) \("/, (m) => `${m[1]} already has this student ID. Each student\u2019s ID is their own.`],
  [400, 'max_passes_per_day', /only a student/, 'Only students have a daily limit of their own. Leave it empty.'],
  [400, 'max_passes_per_day', /./, `Enter a number of passes from 1 to ${LIMIT_MAX}, or leave it empty for the school\u2019s limit.`],
  [400, 'password', /empty|missing/, 'Enter the new password.'],
  [400, 'password', /longer/, 'Use a password of at most 256 characters.'],
  [400, 'active', /own account/, 'You cannot deactivate your own account. Another admin can.'],
  [404, '', /./, 'This person is no longer in the school\u2019s list. Reload the page.'],
  [403, '', /./, 'Only admins can change people\u2019s accounts.'],
];

export function userWords({ status = 0, field = '', message = '' } = {}, fallback = '') {
  for (const [st, f, re, words] of WORDS) {
    if (st !== status || (f && f !== field)) continue;
    const m = re.exec(message);
    if (m) return [f, typeof words === 'function' ? words(m) : words];
  }
  return ['', fallback];
}

// What the deactivation dialog says first.
export function deactivateText(user) {
  return `${user.name} is signed out at once and cannot sign in until an admin reactivates the account. Their passes stay in the reports.`;
}

// ---- The page ----

let users = [];
let rooms = [];
let me = null;
let searchSeq = 0;
let editing = null; // The user the dialog changes; null when adding.
let rosterFile = null;
const els = {};

function errorWords(err) {
  if (!(err instanceof ApiError)) return ['', describe(err)];
  return userWords({ status: err.status, field: err.field, message: err.message }, err.text);
}

function filters() {
  return { q: els.q.value, role: els.role.value, active: els.active.value };
}

async function search() {
  const seq = ++searchSeq;
  els.wrap.setAttribute('aria-busy', 'true');
  try {
    const doc = await get(searchPath(filters()));
    if (seq !== searchSeq) return; // A later search has started: its answer is the one to show.
    users = doc.users;
    hideNotice(els.error);
    render(doc.more);
  } catch (err) {
    if (seq !== searchSeq) return;
    showNotice(els.error, `The list could not be loaded: ${describe(err)}`);
  } finally {
    if (seq === searchSeq) els.wrap.removeAttribute('aria-busy');
  }
}

function actionButton(label, user, action, extra = {}) {
  return h('button', { type: 'button', class: 'button small', 'data-action': action, ...extra, onclick: () => ACTIONS[action](user) }, label, h('span', { class: 'visually-hidden' }, `: ${user.name}`));
}

function render(more) {
  const f = filters();
  els.summary.textContent = summaryText(users.length, more, Boolean(f.q.trim() || f.role || f.active));
  const body = clear(els.table.tBodies[0]);
  for (const user of users) {
    const c = userCells(user);
    const self = me && user.id === me.id;
    body.append(
      h(
        'tr',
        { 'data-user-id': user.id, 'data-email': user.email, class: user.active === false ? 'is-deactivated' : null },
        h('th', { scope: 'row' }, c.name),
        h('td', {}, c.email),
        h('td', {}, c.role),
        h('td', {}, c.studentId),
        h('td', {}, c.room),
        h('td', {}, c.limit),
        h('td', {}, h('span', { class: user.active === false ? 'tag deactivated' : 'tag' }, c.account)),
        h(
          'td',
          { class: 'actions' },
          actionButton('Edit', user, 'edit'),
          actionButton('New password', user, 'password'),
          self ? null : actionButton(c.toggle, user, user.active === false ? 'reactivate' : 'deactivate'),
        ),
      ),
    );
  }
}

function roomOptions(required) {
  const sorted = [...rooms].sort((a, b) => naturalCompare(a.name, b.name));
  return [h('option', { value: '' }, required ? 'Choose a room' : 'No home room'), ...sorted.map((r) => h('option', { value: r.name }, r.name))];
}

// Shows the fields the chosen role has, and names the room as a kiosk or staff has it.
function showRoleFields() {
  const has = fieldsFor(els.form.elements.role.value);
  for (const el of els.form.querySelectorAll('[data-for="staff"]')) el.hidden = !has.room;
  for (const el of els.form.querySelectorAll('[data-for="student"]')) el.hidden = !has.student;
  const select = els.form.elements.room;
  const value = select.value;
  clear(select).append(...roomOptions(has.roomRequired));
  select.value = value;
  const label = document.getElementById('user-room-label');
  clear(label).append(has.roomRequired ? 'Room the kiosk stands in' : 'Home room', has.roomRequired ? '' : h('span', { class: 'muted' }, ' (optional)'));
  document.getElementById('user-room-hint').textContent = has.roomRequired ? 'The kiosk shows the passes from and to this room.' : 'The room their Passes page starts from.';
}

function clearErrors(form) {
  for (const input of form.querySelectorAll('input, select')) clearFieldError(input);
  for (const p of form.querySelectorAll('.field-error')) p.remove();
}

function openUserDialog(user) {
  editing = user;
  const form = els.form;
  form.reset();
  clearErrors(form);
  document.getElementById('user-dialog-title').textContent = user ? `Change ${user.name}` : 'Add a person';
  els.save.textContent = user ? 'Save changes' : 'Add';
  for (const el of form.querySelectorAll('[data-for="new"]')) el.hidden = Boolean(user);
  form.elements.role.value = user ? user.role : 'student';
  showRoleFields();
  if (user) {
    form.elements.name.value = user.name;
    form.elements.email.value = user.email;
    form.elements.room.value = user.room || '';
    form.elements.student_id.value = user.student_id || '';
    form.elements.max_passes_per_day.value = user.max_passes_per_day ? String(user.max_passes_per_day) : '';
  }
  els.dialog.showModal();
  form.elements.name.focus();
}

function showFormError(form, field, words) {
  const input = field && form.elements[field];
  if (input && !input.closest('[hidden]')) {
    setFieldError(input, words);
    input.focus();
  } else {
    const actions = form.querySelector('.form-actions');
    actions.insertAdjacentElement('beforebegin', h('p', { class: 'field-error', role: 'alert' }, words));
  }
  announce(`Not saved: ${words}`);
}

async function saveUser(event) {
  event.preventDefault();
  const form = els.form;
  clearErrors(form);
  const values = Object.fromEntries(['name', 'email', 'role', 'room', 'student_id', 'max_passes_per_day', 'password'].map((k) => [k, form.elements[k].value]));
  const [body, problems] = readUserForm(values, editing);
  if (problems.length) {
    for (const [field, words] of problems) setFieldError(form.elements[field], words);
    form.elements[problems[0][0]].focus();
    announce(`Not saved: ${problems[0][1]}`);
    return;
  }
  if (editing && Object.keys(body).length === 0) {
    els.dialog.close();
    return;
  }
  els.save.disabled = true;
  try {
    const user = editing ? await patch(`/api/users/${editing.id}`, body) : await post('/api/users', body);
    els.dialog.close();
    announce(editing ? `${user.name} saved.` : `Added ${user.name}.`);
    await search();
    focusRow(user.id, 'edit');
  } catch (err) {
    const [field, words] = errorWords(err);
    showFormError(form, field, words);
  } finally {
    els.save.disabled = false;
  }
}

function focusRow(id, action) {
  const button = els.table.querySelector(`tr[data-user-id="${id}"] [data-action="${action}"]`);
  if (button) button.focus();
}

async function setActive(user, active) {
  try {
    const saved = await patch(`/api/users/${user.id}`, { active });
    announce(active ? `${saved.name} can sign in again.` : `${saved.name} is deactivated and signed out.`);
    await search();
    focusRow(user.id, active ? 'deactivate' : 'reactivate');
    return true;
  } catch (err) {
    showNotice(els.error, errorWords(err)[1]);
    return false;
  }
}

const ACTIONS = {
  edit: (user) => openUserDialog(user),
  password: (user) => {
    editing = user;
    els.passwordForm.reset();
    clearErrors(els.passwordForm);
    document.getElementById('password-title').textContent = `New password for ${user.name}`;
    document.getElementById('password-about').textContent = `${user.name} is signed out everywhere and signs in with the new password from now on.`;
    els.passwordDialog.showModal();
    els.passwordForm.elements.password.focus();
  },
  deactivate: (user) => {
    editing = user;
    document.getElementById('deactivate-title').textContent = `Deactivate ${user.name}?`;
    document.getElementById('deactivate-about').textContent = deactivateText(user);
    els.deactivateDialog.showModal();
    document.getElementById('deactivate-cancel').focus();
  },
  reactivate: (user) => setActive(user, true),
};

async function savePassword(event) {
  event.preventDefault();
  const form = els.passwordForm;
  const input = form.elements.password;
  clearErrors(form);
  if (!input.value) {
    setFieldError(input, 'Enter the new password.');
    input.focus();
    return;
  }
  const user = editing;
  try {
    await post(`/api/users/${user.id}/password`, { password: input.value });
    els.passwordDialog.close();
    announce(`${user.name} has a new password and was signed out.`);
    showNotice(els.error, `${user.name} has a new password. Tell them in person; they were signed out everywhere.`, 'success');
    focusRow(user.id, 'password');
  } catch (err) {
    const [, words] = errorWords(err);
    setFieldError(input, words);
    input.focus();
  }
}

// ---- Import from the SIS ----

function drawRoster(doc) {
  const view = rosterView(doc);
  const result = clear(els.rosterResult);
  result.hidden = false;
  result.append(h('p', { id: 'roster-summary' }, view.summary));
  for (const s of view.sections) {
    if (s.items.length === 0) continue;
    result.append(h('details', { 'data-section': s.key, open: s.key === 'left_out' ? true : null }, h('summary', {}, s.title), h('ul', {}, s.items.map((t) => h('li', {}, t)))));
  }
  els.rosterApplyRow.hidden = !view.canApply;
  return view;
}

async function sendRoster(dryRun) {
  hideNotice(els.rosterError);
  els.rosterStatus.textContent = dryRun ? 'Checking the file\u2026' : 'Applying\u2026';
  try {
    const doc = await api('POST', `/api/users/import?dry_run=${dryRun}`, undefined, { raw: rosterFile, contentType: 'application/zip' });
    els.rosterStatus.textContent = '';
    const view = drawRoster(doc);
    announce(view.summary);
    if (!dryRun) {
      rosterFile = null;
      els.rosterForm.reset();
      await search();
    } else if (view.canApply) els.rosterApply.focus();
  } catch (err) {
    els.rosterStatus.textContent = '';
    els.rosterApplyRow.hidden = true;
    const text = err instanceof ApiError && err.status === 400 && err.data ? rosterErrorText(err.data) : describe(err);
    showNotice(els.rosterError, text);
    announce(text);
  }
}

function wireRoster() {
  els.rosterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = els.rosterForm.elements.file.files[0];
    const input = els.rosterForm.elements.file;
    clearFieldError(input);
    const problem = fileProblem(file);
    if (problem) {
      setFieldError(input, problem);
      input.focus();
      return;
    }
    rosterFile = file;
    clear(els.rosterResult).hidden = true;
    sendRoster(true);
  });
  els.rosterApply.addEventListener('click', () => sendRoster(false));
  document.getElementById('roster-cancel').addEventListener('click', () => {
    rosterFile = null;
    els.rosterForm.reset();
    clear(els.rosterResult).hidden = true;
    els.rosterApplyRow.hidden = true;
    announce('Nothing was imported.');
    els.rosterForm.elements.file.focus();
  });
}

async function main() {
  for (const [key, id] of Object.entries({
    q: 'users-q', role: 'users-role', active: 'users-active', wrap: 'users-wrap', table: 'users-table', summary: 'users-summary',
    error: 'users-error', dialog: 'user-dialog', form: 'user-form', save: 'user-save',
    passwordDialog: 'password-dialog', passwordForm: 'password-form', deactivateDialog: 'deactivate-dialog',
    rosterForm: 'roster-form', rosterResult: 'roster-result', rosterError: 'roster-error', rosterStatus: 'roster-status',
    rosterApply: 'roster-apply', rosterApplyRow: 'roster-apply-row',
  })) els[key] = document.getElementById(id);
  const session = await startPage();
  me = session.user;
  let timer = 0;
  els.q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150); // A pause in typing, not every key, asks the server.
  });
  document.getElementById('users-search').addEventListener('submit', (event) => {
    event.preventDefault();
    search();
  });
  els.role.addEventListener('change', search);
  els.active.addEventListener('change', search);
  document.getElementById('add-user').addEventListener('click', () => openUserDialog(null));
  els.form.elements.role.addEventListener('change', showRoleFields);
  els.form.addEventListener('submit', saveUser);
  document.getElementById('user-cancel').addEventListener('click', () => els.dialog.close());
  els.passwordForm.addEventListener('submit', savePassword);
  document.getElementById('password-cancel').addEventListener('click', () => els.passwordDialog.close());
  els.deactivateDialog.querySelector('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    els.deactivateDialog.close();
    await setActive(editing, false);
  });
  document.getElementById('deactivate-cancel').addEventListener('click', () => els.deactivateDialog.close());
  wireRoster();
  try {
    rooms = (await get('/api/rooms')).rooms;
  } catch (err) {
    showNotice(els.error, `The rooms could not be loaded: ${describe(err)}`);
  }
  await search();
}

if (typeof document !== 'undefined') main();
