// The Users page's import from the SIS: what a OneRoster export would change (the dry run of
// POST /api/users/import?dry_run=true) and what it did once applied, in an office's words.
// Pure: takes the API's answers and returns text, tested in Node; users.js draws it.

// A change of an updated user as the dry run names it: a field's name, or {field, from, to}.
const FIELD_WORDS = {
  name: 'name',
  email: 'email',
  role: 'role',
  room: 'home room',
  student_id: 'student ID',
  max_passes_per_day: 'passes a day',
  active: 'account turned back on',
  source_id: 'link to the SIS record',
};
const ROLE_WORDS = { admin: 'admin', teacher: 'teacher', student: 'student', kiosk: 'kiosk' };

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function who(user) {
  const role = ROLE_WORDS[user.role] ? ` (${ROLE_WORDS[user.role]})` : '';
  return user.name ? `${user.name}, ${user.email}${role}` : `${user.email}${role}`;
}

// One change of an updated user in words: "home room: Room 2 → Room 9", or "student ID".
export function changeWords(change) {
  if (typeof change === 'string') return FIELD_WORDS[change] || change.replace(/_/g, ' ');
  if (change && typeof change === 'object') {
    const field = FIELD_WORDS[change.field] || String(change.field || '').replace(/_/g, ' ');
    const from = change.from === null || change.from === undefined || change.from === '' ? 'none' : String(change.from);
    const to = change.to === null || change.to === undefined || change.to === '' ? 'none' : String(change.to);
    return 'from' in change || 'to' in change ? `${field}: ${from} \u2192 ${to}` : field;
  }
  return String(change);
}

// Where a row was left out or went wrong: "users.csv, line 14".
export function placeWords(item) {
  const parts = [];
  if (item.file) parts.push(item.file);
  if (item.line) parts.push(`line ${item.line}`);
  return parts.join(', ');
}

// The dry run's (or the applied import's) answer as a summary and its lists, each item a
// line of text. applied tells which: "would add" before, "added" after.
export function rosterView(doc) {
  const added = doc.added || [];
  const updated = doc.updated || [];
  const deactivated = doc.deactivated || [];
  const leftOut = doc.left_out || [];
  const verb = doc.applied ? ['Added', 'Updated', 'Deactivated'] : ['Would add', 'Would update', 'Would deactivate'];
  const sections = [
    { key: 'added', title: `${verb[0]}: ${plural(added.length, 'person', 'people')}`, items: added.map(who) },
    {
      key: 'updated',
      title: `${verb[1]}: ${plural(updated.length, 'person', 'people')}`,
      items: updated.map((u) => {
        const changes = (u.changes || []).map(changeWords).filter(Boolean);
        return changes.length ? `${who(u)}: ${changes.join('; ')}` : who(u);
      }),
    },
    { key: 'deactivated', title: `${verb[2]}: ${plural(deactivated.length, 'person', 'people')}`, items: deactivated.map(who) },
    {
      key: 'left_out',
      title: `Left out: ${plural(leftOut.length, 'row')}`,
      items: leftOut.map((r) => {
        const place = placeWords(r);
        return place ? `${place}: ${r.reason}` : String(r.reason || '');
      }),
    },
  ];
  const total = added.length + updated.length + deactivated.length;
  let summary;
  if (doc.applied) summary = total ? `Done. ${sections.slice(0, 3).map((s) => s.title).join('. ')}.` : 'Done. Nothing needed to change.';
  else if (total === 0) summary = 'The file matches hallpass already: applying it would change nothing.';
  else summary = `If you apply this file: ${added.length} added, ${updated.length} updated, ${deactivated.length} deactivated.`;
  if (leftOut.length) summary += ` ${plural(leftOut.length, 'row')} left out (see below).`;
  return { summary, sections, canApply: !doc.applied && total > 0 };
}

// A file the import refused (400 {"error", "file", "line", "column", "value"}): where, and why,
// with the file's own column name, which is what the office looks for in the export.
export function rosterErrorText(doc) {
  const where = [];
  if (doc.file) where.push(doc.file);
  if (doc.line) where.push(`line ${doc.line}`);
  if (doc.column) where.push(`column \u201c${doc.column}\u201d`);
  const value = doc.value !== undefined && doc.value !== null && doc.value !== '' ? ` (\u201c${doc.value}\u201d)` : '';
  const reason = String(doc.error || 'The file could not be read.').replace(/^[a-z_]+: /, '');
  const text = reason.charAt(0).toUpperCase() + reason.slice(1);
  const sentence = /[.!?]$/.test(text) ? text : `${text}.`;
  return where.length ? `This file cannot be imported. ${where.join(', ')}${value}: ${sentence} Nothing was changed.` : `This file cannot be imported: ${sentence} Nothing was changed.`;
}

// What to say before sending: a file must be chosen, and be a .zip.
export function fileProblem(file) {
  if (!file) return 'Choose the OneRoster export (.zip) first.';
  if (!/\.zip$/i.test(file.name || '')) return 'Choose a .zip file: the OneRoster export as your SIS gives it.';
  return '';
}
