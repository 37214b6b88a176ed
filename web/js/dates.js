// Local dates (YYYY-MM-DD) in the school's time zone, and the Analytics presets.

const DAY = 86400000;

// Today's date in a time zone, as YYYY-MM-DD.
export function todayIn(timeZone, now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function isDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(text + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

function toUtc(date) {
  return new Date(date + 'T00:00:00Z');
}

function fromUtc(d) {
  return d.toISOString().slice(0, 10);
}

export function addDays(date, n) {
  return fromUtc(new Date(toUtc(date).getTime() + n * DAY));
}

// The presets, each [from, to] inclusive. Weeks start on Monday; a school year starts on
// August 1 and ends on July 31.
export function presetRanges(today) {
  const d = toUtc(today);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  const monday = addDays(today, -weekday);
  const yearStart = m >= 7 ? y : y - 1;
  return {
    today: [today, today],
    week: [monday, addDays(monday, 6)],
    last30: [addDays(today, -29), today],
    month: [fromUtc(new Date(Date.UTC(y, m, 1))), fromUtc(new Date(Date.UTC(y, m + 1, 0)))],
    year: [`${yearStart}-08-01`, `${yearStart + 1}-07-31`],
  };
}

export const PRESET_NAMES = {
  today: 'Today',
  week: 'This week',
  last30: 'Last 30 days',
  month: 'This month',
  year: 'This school year',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// "Nov 2 – 6, 2026", "Oct 31 – Nov 29, 2026", "Aug 1, 2026 – Jul 31, 2027".
export function formatRange(from, to) {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  const f = `${MONTHS[fm - 1]} ${fd}`;
  if (from === to) return `${f}, ${fy}`;
  if (fy !== ty) return `${f}, ${fy} – ${MONTHS[tm - 1]} ${td}, ${ty}`;
  if (fm !== tm) return `${f} – ${MONTHS[tm - 1]} ${td}, ${ty}`;
  return `${f} – ${td}, ${ty}`;
}

export function dayCount(from, to) {
  return Math.round((toUtc(to) - toUtc(from)) / DAY) + 1;
}

// A time of day in the school's zone: "9:41 AM".
export function formatTime(iso, timeZone) {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(
    new Date(iso),
  );
}

// A date and time in the school's zone: "Mon, Nov 30, 9:00 AM".
export function formatDateTime(iso, timeZone) {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(iso));
}

// A <input type="datetime-local"> value ("2026-11-30T09:00") as an ISO 8601 date-time with
// the browser's offset at that moment: "2026-11-30T09:00:00-06:00".
export function localInputToIso(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const pad = (n) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

// The value of a datetime-local input for a Date, in the browser's zone.
export function dateToLocalInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}`;
}
