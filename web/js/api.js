// Fetch helpers for the JSON API. Every answer that is not 2xx becomes an ApiError that keeps
// the status, the server's message ({"error": "..."}) and, for 429, the wait in seconds.
// Requests that change data always send Content-Type: application/json (the server refuses
// them otherwise, so that no cross-site form can forge one).

import { say } from './words.js';

export class ApiError extends Error {
  constructor(status, message, { retryAfter = 0, rule = '', canWait = false, data = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
    // The whole JSON answer, for refusals that say more than a message (an import's file and
    // line).
    this.data = data;
    // A refusal by a pass rule (409) names the rule, and whether the line could take it.
    this.rule = rule;
    this.canWait = canWait;
  }

  // The API names the field a message is about as its first word: "max_passes_to: must be
  // ...". Returns that field, or '' when the message names none.
  get field() {
    const m = /^([a-z_]+): /.exec(this.message);
    return m ? m[1] : '';
  }

  // What a page shows: the refusal in a teacher's words, never a field name.
  get text() {
    return say({ status: this.status, field: this.field, message: this.message, rule: this.rule });
  }

  // The same for a student reading about themselves ("You have used 4 of 4 passes today.").
  textFor(name) {
    return say({ status: this.status, field: this.field, message: this.message, rule: this.rule, name });
  }
}

// Sends a visitor whose session ended back to the sign-in page, to come back here after.
export function toSignIn() {
  const here = location.pathname + location.search;
  location.assign('/signin?next=' + encodeURIComponent(here));
}

// raw, with contentType, sends a file (a Blob) as the body instead of JSON.
export async function api(method, path, body, { signal, redirectOn401 = true, raw = null, contentType = '' } = {}) {
  const init = {
    method,
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  };
  if (raw) {
    init.headers['Content-Type'] = contentType;
    init.body = raw;
  } else if (method !== 'GET' && method !== 'HEAD') {
    init.headers['Content-Type'] = 'application/json';
    if (body !== undefined) init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the hallpass server. Check the connection and try again.');
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;
  if (res.status === 401 && redirectOn401) {
    toSignIn();
    throw new ApiError(401, 'Your session ended. Please sign in again.');
  }
  const message =
    data && typeof data.error === 'string' ? data.error : `The server answered ${res.status} ${res.statusText}.`;
  const retryAfter = parseInt(res.headers.get('Retry-After') || '0', 10) || 0;
  const rule = data && typeof data.rule === 'string' ? data.rule : '';
  throw new ApiError(res.status, message, { retryAfter, rule, canWait: Boolean(data && data.can_wait), data });
}

export const get = (path, opts) => api('GET', path, undefined, opts);
// A GET whose endpoint a server may not have yet: null for 404, so that a page works on it.
export async function getOrNull(path, opts) {
  try {
    return await get(path, opts);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
export const post = (path, body, opts) => api('POST', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, body, opts) => api('DELETE', path, body, opts);

// A message for a failed request, fit to show to the user.
export function describe(err) {
  if (err instanceof ApiError) return err.text;
  return 'Something went wrong: ' + (err && err.message ? err.message : String(err));
}
