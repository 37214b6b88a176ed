// Small DOM helpers: build elements without innerHTML, announce messages to screen readers,
// and show field errors next to their inputs.

import { overtimeText } from './model.js';
import { offerDeadline, secondsLeft, countdownAt } from './line.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// Speaks a message through the page's polite live region.
export function announce(text) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  // A new text node after a tick, so that the same message twice is spoken twice.
  setTimeout(() => {
    live.textContent = text;
  }, 50);
}

// Shows a message in a notice element (a role="alert" or role="status" box).
export function showNotice(el, text, kind = 'error') {
  el.textContent = text;
  el.classList.remove('error', 'success');
  if (kind) el.classList.add(kind);
  el.hidden = !text;
}

export function hideNotice(el) {
  el.textContent = '';
  el.hidden = true;
}

let errorIds = 0;

// Marks an input invalid with a message right after it, tied by aria-describedby.
export function setFieldError(input, text) {
  clearFieldError(input);
  if (!text) return;
  const id = `${input.id || 'field'}-error-${++errorIds}`;
  const msg = h('p', { class: 'field-error', id, 'data-error-for': input.id }, text);
  input.setAttribute('aria-invalid', 'true');
  const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  described.push(id);
  input.setAttribute('aria-describedby', described.join(' '));
  input.insertAdjacentElement('afterend', msg);
}

export function clearFieldError(input) {
  input.removeAttribute('aria-invalid');
  const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  const keep = [];
  for (const id of described) {
    const el = document.getElementById(id);
    if (el && el.classList.contains('field-error')) el.remove();
    else keep.push(id);
  }
  if (keep.length) input.setAttribute('aria-describedby', keep.join(' '));
  else input.removeAttribute('aria-describedby');
}

// "4:05" or "1:02:05" for a number of milliseconds.
export function formatElapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

// A pass out this long is shown as long (the timer turns red).
export const LONG_PASS_MS = 15 * 60 * 1000;

// "PT12M5S": an elapsed time as the datetime attribute of a <time> takes it.
export function isoDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return `PT${hours ? `${hours}H` : ''}${minutes}M${total % 60}S`;
}

// The note that says a pass is overtime, kept up to date by startElapsedClock(): hidden while
// the pass is within its limit, and its words (not only its colour) once it is over.
export function overtimeNote(pass, now = Date.now()) {
  const text = overtimeText(pass, now);
  return h(
    'p',
    { class: 'overtime', 'data-overtime-since': pass.start, 'data-limit-minutes': pass.time_limit_minutes ?? null, hidden: !text },
    h('span', { 'aria-hidden': 'true' }, '\u26a0 '),
    h('span', { class: 'overtime-text' }, text),
  );
}

// Keeps every <time class="elapsed" data-since=ISO> on the page ticking once a second, and
// every overtime note saying how far over its pass is. The text is what a screen reader reads
// too (an aria-label is not allowed on <time>), and the datetime attribute holds the duration
// for machines.
export function startElapsedClock(root = document) {
  const tick = () => {
    const now = Date.now();
    for (const el of root.querySelectorAll('.elapsed[data-since]')) {
      const ms = now - Date.parse(el.dataset.since);
      el.textContent = formatElapsed(ms);
      el.setAttribute('datetime', isoDuration(ms));
      el.classList.toggle('long', ms >= LONG_PASS_MS);
    }
    for (const el of root.querySelectorAll('.overtime[data-overtime-since][data-limit-minutes]')) {
      const text = overtimeText({ start: el.dataset.overtimeSince, time_limit_minutes: Number(el.dataset.limitMinutes) }, now);
      const words = el.querySelector('.overtime-text');
      if (words.textContent !== text) words.textContent = text;
      el.hidden = !text;
    }
  };
  tick();
  return setInterval(tick, 1000);
}

// How often the countdowns of offers are looked at: often enough that each second shows.
const COUNTDOWN_TICK_MS = 250;

// The countdown of an offer from the line, "(27 s)", read at `readAt` (performance.now()
// when its answer came), kept ticking by startCountdowns().
export function offerCountdown(entry, readAt, now = performance.now()) {
  const deadline = offerDeadline(entry, readAt);
  if (deadline === null) return null;
  return h('span', { class: 'countdown', 'data-deadline': String(deadline) }, countdownAt(deadline, now));
}

// Keeps every countdown on the page ticking on this device's clock, and calls onZero() once
// for each that reaches 0 (the server lapses the offer then; the page reads the line again).
export function startCountdowns(onZero = () => {}, root = document) {
  const tick = () => {
    const now = performance.now();
    for (const el of root.querySelectorAll('.countdown[data-deadline]')) {
      const deadline = Number(el.dataset.deadline);
      const text = countdownAt(deadline, now);
      if (el.textContent !== text) el.textContent = text;
      if (secondsLeft(deadline, now) === 0 && !el.dataset.ranOut) {
        el.dataset.ranOut = 'true';
        onZero();
      }
    }
  };
  tick();
  return setInterval(tick, COUNTDOWN_TICK_MS);
}
