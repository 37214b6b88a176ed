// The facts about rooms and passes that more than one page needs, each written once: how
// rooms group by folder, when a pass has started, and how the list of passes out now and the
// list of scheduled passes become one list. Pure functions, with no DOM, tested in Node.

import { naturalCompare } from './natural.js';

// Rooms grouped by folder: folders in natural order, then the rooms without a folder; the
// rooms of each group in natural order. Returns [{name, rooms}], name '' for no folder.
export function groupRooms(rooms, { exclude = '' } = {}) {
  const groups = new Map();
  const skip = exclude.toLowerCase();
  for (const room of rooms) {
    if (skip && room.name.toLowerCase() === skip) continue;
    const key = room.folder || '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(room);
  }
  const names = Array.from(groups.keys()).filter((k) => k !== '').sort(naturalCompare);
  if (groups.has('')) names.push('');
  return names.map((name) => ({ name, rooms: groups.get(name).slice().sort((a, b) => naturalCompare(a.name, b.name)) }));
}

// A pass has started when the server says it is active, or when its start has come and it has
// neither ended nor been cancelled (a scheduled pass whose time came since the last load).
export function isStarted(pass, now = Date.now()) {
  if (pass.active) return true;
  return !pass.cancelled && !pass.end && Date.parse(pass.start) <= now;
}

// The passes out now, then the scheduled passes not among them (a pass can be in both lists
// when its start comes between the two requests).
export function mergePasses(out, scheduled) {
  const seen = new Set(out.map((p) => p.id));
  return [...out, ...scheduled.filter((p) => !seen.has(p.id))];
}

// How a student shows under their name: the school's student ID (when the school has them)
// and the email.
export function studentDetail(studentId, email) {
  return studentId ? `ID ${studentId} · ${email}` : email;
}

// The same room name, as the server compares names (ASCII case folded).
export function sameRoom(a, b) {
  return String(a).toLowerCase() === String(b).toLowerCase();
}

// Undo stays offered this long after a pass is ended on one tap (the server resumes a pass
// up to a minute after its end; the page keeps well inside that).
export const UNDO_MS = 10000;

// How far a pass is over its time limit, in milliseconds: an open pass counted to now, an
// ended one to its end; 0 when it is not over or has no limit. Over means strictly more than
// the limit, as the server counts it.
export function overtimeMs(pass, now = Date.now()) {
  const limit = pass.time_limit_minutes;
  if (limit === null || limit === undefined) return 0;
  const until = pass.end ? Date.parse(pass.end) : now;
  return Math.max(0, until - Date.parse(pass.start) - limit * 60000);
}

// "1 h 5 min", "12 min", "under 1 min".
export function minutesText(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return 'under 1 min';
  const hours = Math.floor(minutes / 60);
  return hours ? `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}` : `${minutes} min`;
}

// The words beside an overtime pass (its colour is never the only sign): "Overtime: 12 min
// over the 10-minute limit", or '' when the pass is within its limit.
export function overtimeText(pass, now = Date.now()) {
  const ms = overtimeMs(pass, now);
  if (ms <= 0) return '';
  return `Overtime: ${minutesText(ms)} over the ${pass.time_limit_minutes}-minute limit`;
}
