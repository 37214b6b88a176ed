// Share links on the Analytics page: "Share" beside Room Usage or Staff Usage makes a
// read-only link to that report over the range shown (POST /api/shares), and shows the link
// once, to copy; the "Share links" section lists the school's links that still work
// (GET /api/shares: report, range, expiry, who made it) with Revoke (DELETE
// /api/shares/{id}). The pure functions are tested in Node; wireShares() wires the page.

import { get, post, del, describe } from './api.js';
import { h, clear, announce, setFieldError, clearFieldError } from './dom.js';
import { formatRange, formatDateTime } from './dates.js';

export const SHARE_DAYS_MIN = 1;
export const SHARE_DAYS_MAX = 90;

// What is wrong with the days typed in, or '' when they are a whole number from 1 to 90.
export function daysProblem(text) {
  const value = String(text).trim();
  if (!/^\d+$/.test(value)) return `Enter a whole number of days from ${SHARE_DAYS_MIN} to ${SHARE_DAYS_MAX}.`;
  const n = Number(value);
  if (n < SHARE_DAYS_MIN || n > SHARE_DAYS_MAX) return `A link works for ${SHARE_DAYS_MIN} to ${SHARE_DAYS_MAX} days.`;
  return '';
}

// The whole address to hand out, from the server's path (/shared/TOKEN).
export function linkAddress(origin, link) {
  return `${origin}${link}`;
}

// A link as a row of the list: [report, range, expires, made by], in words.
export function shareRow(share, timeZone) {
  return [share.title, formatRange(share.from, share.to), formatDateTime(share.expires_at, timeZone), share.created_by || '(no longer a user)'];
}

let zone;
let rangeOf = () => ({ from: '', to: '' });
let reportTitles = {};
let asked = null; // the report the dialog is about

function renderList(shares) {
  const section = document.getElementById('shares');
  const tbody = document.querySelector('#shares-table tbody');
  clear(tbody);
  for (const share of shares) {
    const revoke = h('button', { type: 'button', class: 'button small', 'data-share': String(share.id) }, 'Revoke', h('span', { class: 'visually-hidden' }, ` the link to ${share.title}, ${formatRange(share.from, share.to)}`));
    revoke.addEventListener('click', () => revokeShare(share, revoke));
    tbody.append(h('tr', { 'data-share': String(share.id) }, shareRow(share, zone).map((text, i) => (i === 0 ? h('th', { scope: 'row' }, text) : h('td', {}, text))), h('td', {}, revoke)));
  }
  if (shares.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No share links work now.')));
  document.getElementById('shares-status').textContent = shares.length === 0 ? 'No share links' : `${shares.length} share link${shares.length === 1 ? '' : 's'} that still work${shares.length === 1 ? 's' : ''}`;
  section.dataset.state = 'ready';
  section.dataset.count = String(shares.length);
}

export async function loadShares() {
  const section = document.getElementById('shares');
  try {
    const data = await get('/api/shares');
    renderList(data.shares);
  } catch (err) {
    section.dataset.state = 'error';
    document.getElementById('shares-status').textContent = `The share links could not be loaded: ${describe(err)}`;
  }
}

async function revokeShare(share, button) {
  button.disabled = true;
  try {
    await del(`/api/shares/${share.id}`);
    announce(`The link to ${share.title}, ${formatRange(share.from, share.to)} was revoked. It no longer opens.`);
  } catch (err) {
    announce(`The link could not be revoked: ${describe(err)}`);
    button.disabled = false;
  }
  await loadShares();
}

function openDialog(report, opener) {
  const dialog = document.getElementById('share-dialog');
  const { from, to } = rangeOf();
  asked = { report, from, to, opener };
  document.getElementById('share-dialog-title').textContent = `Share ${reportTitles[report]}`;
  document.getElementById('share-what').textContent = `A link to ${reportTitles[report]}, ${formatRange(from, to)}, for anyone who has it. They can sort it and download it; they see nothing else and change nothing.`;
  document.getElementById('share-made').hidden = true;
  document.getElementById('share-make-actions').hidden = false;
  const days = document.getElementById('share-days');
  clearFieldError(days);
  days.disabled = false;
  dialog.showModal();
  days.focus();
}

async function makeLink(event) {
  event.preventDefault();
  const days = document.getElementById('share-days');
  clearFieldError(days);
  const problem = daysProblem(days.value);
  if (problem) {
    setFieldError(days, problem);
    days.focus();
    return;
  }
  const make = document.getElementById('share-make');
  make.disabled = true;
  try {
    const share = await post('/api/shares', { report: asked.report, from: asked.from, to: asked.to, expires_in_days: Number(days.value) });
    const link = document.getElementById('share-link');
    link.value = linkAddress(location.origin, share.link);
    document.getElementById('share-made-note').textContent = `It works until ${formatDateTime(share.expires_at, zone)}, unless you revoke it below. hallpass keeps no copy of this link: copy it now.`;
    document.getElementById('share-make-actions').hidden = true;
    document.getElementById('share-made').hidden = false;
    days.disabled = true;
    link.focus();
    link.select();
    announce('The link is made. Copy it now: it is shown only once.');
    loadShares();
  } catch (err) {
    setFieldError(days, describe(err));
    days.focus();
  } finally {
    make.disabled = false;
  }
}

async function copyLink() {
  const link = document.getElementById('share-link');
  try {
    await navigator.clipboard.writeText(link.value);
    announce('The link is copied.');
  } catch {
    link.select();
    announce('Select the link and copy it.');
  }
}

// Wires the Share buttons, the dialog and the list. range() gives the range shown now;
// titles the reports' titles by name.
export function wireShares(timeZone, range, titles) {
  zone = timeZone;
  rangeOf = range;
  reportTitles = titles;
  const dialog = document.getElementById('share-dialog');
  for (const button of document.querySelectorAll('.share-button')) button.addEventListener('click', () => openDialog(button.dataset.report, button));
  document.getElementById('share-form').addEventListener('submit', makeLink);
  document.getElementById('share-cancel').addEventListener('click', () => dialog.close());
  document.getElementById('share-done').addEventListener('click', () => dialog.close());
  document.getElementById('share-copy').addEventListener('click', copyLink);
  dialog.addEventListener('close', () => {
    // The link is shown once: it leaves the page with the dialog.
    document.getElementById('share-link').value = '';
    if (asked && asked.opener) asked.opener.focus();
  });
  loadShares();
}
