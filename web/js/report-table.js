// A report's table as the Analytics page and a share link's page show it: the report's
// description from the server's columns, one row's cells as data (rowCells, tested in Node),
// and the elements of the head, the cells and a row. The server sorts; these only show.

import { h } from './dom.js';
import { toDom } from './chart.js';
import { changeView, flagView, tableInfo } from './compare.js';

const fmt = (n) => Number(n).toLocaleString('en-US');

// A report as the page uses it, from the server's description {title, columns}.
export function reportInfo(kind, described) {
  return { ...tableInfo(described.title, described.columns), path: `/api/reports/${kind}` };
}

// One row's cells, as data: [{text, numeric, header, empty, link, change, flag}]. The first
// column names the row; a room links to its place on the Rooms page and carries its flag
// against its folder. With compare, a count has its change from the row's prev_ count.
export function rowCells(info, row, roomIds = new Map(), compare = false) {
  return info.list.map((col, i) => {
    const value = row[col.field];
    if (col.numeric) {
      const prev = row[`prev_${col.field}`];
      const change = compare && typeof prev === 'number' ? changeView(value, prev) : null;
      return { text: fmt(value), numeric: true, header: false, change };
    }
    const text = value === null || value === undefined ? '' : String(value);
    const id = col.key === 'room' ? roomIds.get(text.toLowerCase()) : undefined;
    const flag = col.key === 'room' ? flagView(row) : null;
    return { text, numeric: false, header: i === 0, empty: text === '', link: id ? `/rooms?room=${id}` : '', flag };
  });
}

// A mark in words beside a name or a count (a flagged room, overtime): never colour alone.
function markSpan(mark, cls) {
  return h('span', { class: `flag ${cls}`, title: mark.detail }, mark.text, h('span', { class: 'visually-hidden' }, `: ${mark.detail}`));
}

// A count and, with compare, its change: the arrow and difference for the eye, the words for
// a screen reader; an insight's count may have a small bar under it and a mark in words.
function numberCell(c) {
  if (c.empty) return h('td', { class: 'num muted' }, h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'none'));
  const value = c.change
    ? h(
        'span',
        { class: 'cell-value' },
        h('span', { class: 'count' }, c.text),
        h('span', { class: `change change-${c.change.direction}`, 'aria-hidden': 'true' }, `${c.change.arrow}\u00a0${c.change.text}`),
        h('span', { class: 'visually-hidden' }, `, ${c.change.words}`),
      )
    : null;
  if (!c.bar && !c.mark) return h('td', { class: 'num' }, value || c.text);
  // One block, so that the count, its mark and its bar stay together in a phone's card.
  return h(
    'td',
    { class: 'num' },
    h('span', { class: 'num-stack' }, value || h('span', { class: 'cell-value' }, h('span', { class: 'count' }, c.text)), c.mark ? markSpan(c.mark, 'flag-high mark') : null, c.bar ? toDom(c.bar) : null),
  );
}

function cell(c) {
  if (c.numeric) return numberCell(c);
  let content = c.empty
    ? [h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'none')]
    : c.link
      ? h('a', { href: c.link }, c.text)
      : c.text;
  if (c.flag) content = [content, ' ', markSpan(c.flag, `flag-${c.flag.flag}`)];
  return h(c.header ? 'th' : 'td', { scope: c.header ? 'row' : null, class: c.empty ? 'muted' : null }, content);
}

// Each cell carries its column's title, for the stacked rows of a narrow screen.
export function rowElement(info, cells, attrs = {}) {
  return h(
    'tr',
    attrs,
    cells.map((c, i) => {
      const el = cell(c);
      el.dataset.title = info.list[i].title;
      return el;
    }),
  );
}

// The head of a report's table: a sort button in each column title, for the page to wire.
export function headRow(info) {
  return h(
    'tr',
    {},
    info.list.map((col) =>
      h(
        'th',
        { scope: 'col', class: col.numeric ? 'sortable num' : 'sortable', 'data-key': col.key },
        h('button', { type: 'button', class: 'sort-button' }, col.title, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' })),
      ),
    ),
  );
}
