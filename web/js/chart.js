// Horizontal bar charts as inline SVG, built with DOM calls (no innerHTML, no styles in
// attributes: colours come from classes in app.css). Each chart is an image with a <title>
// and a <desc> that says what it shows, and text labels on every bar.

import { h, s } from './dom.js';

let chartIds = 0;

// Grid lines a chart aims for: enough to read a bar's value, few enough not to clutter.
const GRID_LINES = 4;
// Characters of a bar's label before it is cut short with "…" (the whole label is then its
// tooltip): what fits the label column at the chart's font size.
const LABEL_MAX_CHARS = 20;

// A round whole step for about GRID_LINES grid lines up to value.
function niceStep(value) {
  const raw = value / GRID_LINES;
  if (raw <= 1) return 1;
  const exp = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const step = m * exp;
    if (step >= raw && Number.isInteger(step)) return step;
  }
  return 10 * exp;
}

function truncate(text, max) {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

const fmt = (n) => n.toLocaleString('en-US');

// items: [{label, values: [n, ...]}]; series: [{name, className}]; mode: 'grouped' | 'stacked'.
export function barChart({ title, description, items, series, mode = 'grouped' }) {
  const id = `chart-${++chartIds}`;
  const width = 420;
  const labelWidth = 136;
  const valueRoom = 44;
  const top = 22;
  const barH = mode === 'stacked' ? 16 : 11;
  const gap = 12;
  const rowH = mode === 'stacked' ? barH + gap : barH * series.length + 2 + gap;
  const height = top + items.length * rowH + 4;
  const plot = width - labelWidth - valueRoom;
  const totals = items.map((it) => it.values.reduce((a, b) => a + b, 0));
  const peak = mode === 'stacked' ? Math.max(0, ...totals) : Math.max(0, ...items.flatMap((it) => it.values));
  const step = niceStep(peak);
  const ticks = Math.max(1, Math.ceil(peak / step));
  const max = step * ticks;
  const x = (v) => labelWidth + (v / max) * plot;

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': `${id}-title ${id}-desc`,
    preserveAspectRatio: 'xMinYMin meet',
  });
  svg.append(s('title', { id: `${id}-title` }, title));
  svg.append(s('desc', { id: `${id}-desc` }, description));

  // Grid lines and their values at round steps.
  for (let i = 0; i <= ticks; i++) {
    const v = step * i;
    const gx = x(v);
    svg.append(s('line', { class: 'chart-grid', x1: gx, x2: gx, y1: top - 4, y2: height - 4 }));
    svg.append(
      s('text', { class: 'chart-tick', x: gx, y: top - 9, 'text-anchor': i === 0 ? 'start' : 'middle' }, fmt(v)),
    );
  }
  svg.append(s('line', { class: 'chart-axis', x1: labelWidth, x2: labelWidth, y1: top - 4, y2: height - 4 }));

  items.forEach((item, i) => {
    const y0 = top + i * rowH;
    const g = s('g', {});
    const rowMid = mode === 'stacked' ? y0 + barH / 2 : y0 + (barH * series.length) / 2;
    const label = s('text', { class: 'chart-label', x: labelWidth - 8, y: rowMid + 4, 'text-anchor': 'end' }, truncate(item.label, LABEL_MAX_CHARS));
    if (item.label.length > LABEL_MAX_CHARS) label.append(s('title', {}, item.label));
    g.append(label);
    if (mode === 'stacked') {
      let acc = 0;
      item.values.forEach((v, k) => {
        if (v > 0) {
          const rect = s('rect', {
            class: `bar ${series[k].className}`,
            x: x(acc),
            y: y0,
            width: Math.max(1, x(acc + v) - x(acc)),
            height: barH,
          });
          rect.append(s('title', {}, `${item.label}: ${fmt(v)} ${series[k].name.toLowerCase()}`));
          g.append(rect);
        }
        acc += v;
      });
      g.append(s('text', { class: 'chart-value', x: x(acc) + 5, y: rowMid + 4 }, fmt(acc)));
    } else {
      item.values.forEach((v, k) => {
        const by = y0 + k * (barH + 1);
        const rect = s('rect', {
          class: `bar ${series[k].className}`,
          x: labelWidth,
          y: by,
          width: Math.max(v > 0 ? 1 : 0, x(v) - labelWidth),
          height: barH,
        });
        rect.append(s('title', {}, `${item.label}: ${fmt(v)} ${series[k].name.toLowerCase()}`));
        g.append(rect);
        if (v > 0) g.append(s('text', { class: 'chart-value', x: x(v) + 4, y: by + barH - 2 }, fmt(v)));
      });
    }
    svg.append(g);
  });

  const legend = h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    series.map((se) => h('li', {}, h('span', { class: `swatch ${se.className}` }), se.name)),
  );
  return { svg, legend };
}

// ---- The insight charts ----
// These are built as plain trees ({tag, attrs, children}, text as strings) by pure functions,
// so that Node tests read every bar, cell and label without a browser; toDom() turns a tree
// into elements (SVG inside <svg>, HTML outside).

export function node(tag, attrs = {}, ...children) {
  return { tag, attrs, children: children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false) };
}

export function toDom(tree, inSvg = false) {
  if (typeof tree === 'string' || typeof tree === 'number') return String(tree);
  const svg = inSvg || tree.tag === 'svg';
  const kids = tree.children.map((c) => toDom(c, svg));
  return svg ? s(tree.tag, tree.attrs, ...kids) : h(tree.tag, tree.attrs, ...kids);
}

// Every node of a tree that passes test, depth first (for tests and summaries).
export function findNodes(tree, test) {
  if (!tree || typeof tree !== 'object') return [];
  return [...(test(tree) ? [tree] : []), ...tree.children.flatMap((c) => findNodes(c, test))];
}

// The text of a tree, as textContent would read it.
export function textOf(tree) {
  if (typeof tree === 'string') return tree;
  return tree.children.map(textOf).join('');
}

// Date labels under the daily bars: at most this many, so that they never overlap.
const MAX_DATE_LABELS = 10;
// The widest a day's bar gets (a range of a few days would otherwise draw slabs).
const MAX_COLUMN_WIDTH = 48;
// Days with so few bars that each bar's total fits above it.
const MAX_TOTAL_LABELS = 31;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// "Mar 3" for 2025-03-03.
export function shortDate(date) {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}`;
}

// "Mon, Mar 3, 2025" for 2025-03-03 (the weekday from the date itself, not a time zone).
export function longDate(date) {
  const d = new Date(`${date}T00:00:00Z`);
  return `${WEEKDAYS[(d.getUTCDay() + 6) % 7].slice(0, 3)}, ${shortDate(date)}, ${date.slice(0, 4)}`;
}

// Vertical bars, one per item, stacked by series, with a value axis (its title `yTitle`), the
// items' labels thinned to fit under them (axis title `xTitle`), and a title on every piece.
// items: [{key, label, long, values: [n per series]}]; series: [{name, className, words}].
// Returns {svg, legend} as trees.
export function stackedColumns({ title, description, items, series, xTitle, yTitle }) {
  const id = `chart-${++chartIds}`;
  const width = 720;
  const left = 52;
  const right = 8;
  const top = 18;
  const bottom = 46;
  const plotH = 200;
  const height = top + plotH + bottom;
  const plotW = width - left - right;
  const totals = items.map((it) => it.values.reduce((a, b) => a + b, 0));
  const step = niceStep(Math.max(0, ...totals));
  const ticks = Math.max(1, Math.ceil(Math.max(0, ...totals) / step));
  const max = step * ticks;
  const y = (v) => top + plotH - (v / max) * plotH;
  const band = plotW / Math.max(1, items.length);
  const barW = Math.min(MAX_COLUMN_WIDTH, Math.max(1, band * 0.72));
  const every = Math.max(1, Math.ceil(items.length / MAX_DATE_LABELS));

  const grid = [];
  for (let i = 0; i <= ticks; i++) {
    const v = step * i;
    grid.push(node('line', { class: i === 0 ? 'chart-axis' : 'chart-grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    grid.push(node('text', { class: 'chart-tick', x: left - 6, y: y(v) + 3, 'text-anchor': 'end' }, fmt(v)));
  }
  const bars = items.map((item, i) => {
    const x0 = left + i * band + (band - barW) / 2;
    let acc = 0;
    const pieces = [];
    item.values.forEach((v, k) => {
      if (v > 0) {
        pieces.push(
          node(
            'rect',
            { class: `bar ${series[k].className}`, x: round(x0), y: round(y(acc + v)), width: round(barW), height: round(y(acc) - y(acc + v)), 'data-series': series[k].key },
            node('title', {}, `${item.long}: ${fmt(v)} ${series[k].words}`),
          ),
        );
      }
      acc += v;
    });
    const out = [node('title', {}, `${item.long}: ${plural(acc, 'pass', 'passes')}`), ...pieces];
    if (items.length <= MAX_TOTAL_LABELS && acc > 0) out.push(node('text', { class: 'chart-value', x: round(x0 + barW / 2), y: round(y(acc) - 4), 'text-anchor': 'middle' }, fmt(acc)));
    if (i % every === 0) out.push(node('text', { class: 'chart-tick chart-date', x: round(x0 + barW / 2), y: top + plotH + 14, 'text-anchor': 'middle' }, item.label));
    return node('g', { class: 'column', 'data-key': item.key, 'data-total': acc }, out);
  });
  const svg = node(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, preserveAspectRatio: 'xMinYMin meet', class: 'columns' },
    node('title', { id: `${id}-title` }, title),
    node('desc', { id: `${id}-desc` }, description),
    grid,
    bars,
    node('text', { class: 'chart-axis-title', x: left + plotW / 2, y: height - 6, 'text-anchor': 'middle' }, xTitle),
    node('text', { class: 'chart-axis-title', x: 12, y: top + plotH / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${top + plotH / 2})` }, yTitle),
  );
  return { svg, legend: legendTree(series) };
}

function legendTree(series) {
  return node(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    series.map((se) => node('li', {}, node('span', { class: `swatch ${se.className}` }), se.name)),
  );
}

const round = (v) => Math.round(v * 10) / 10;
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

// Shades of the heatmap: 0 for no passes, then 1 ... HEAT_LEVELS by the share of the busiest
// cell, so that the busiest hour is always the darkest.
export const HEAT_LEVELS = 5;

export function heatLevel(value, max) {
  if (value <= 0 || max <= 0) return 0;
  return Math.max(1, Math.ceil((value / max) * HEAT_LEVELS));
}

// "9 AM" for 9, "12 PM" for 12; short: "9a", "12p".
export function hourText(hour, short = false) {
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const half = hour < 12 ? 'AM' : 'PM';
  return short ? `${h12}${half[0].toLowerCase()}` : `${h12} ${half}`;
}

export function weekdayName(weekday) {
  return WEEKDAYS[weekday - 1];
}

// The weekday x hour heatmap from the heatmap rows ({weekday, hour, passes}, all 168): a cell
// per hour and weekday, shaded by count, with the count written in it and said in its title
// (never colour alone). `tall` lays the hours down the side (for a phone) instead of across.
export function heatmap({ title, description, rows, tall = false }) {
  const id = `chart-${++chartIds}`;
  const counts = new Map(rows.map((r) => [`${r.weekday}-${r.hour}`, r.passes]));
  const max = Math.max(0, ...rows.map((r) => r.passes));
  const cellW = tall ? 42 : 28;
  const cellH = tall ? 20 : 26;
  const left = tall ? 40 : 84;
  const top = tall ? 20 : 18;
  const cols = tall ? 7 : 24;
  const lines = tall ? 24 : 7;
  const width = left + cols * cellW + 2;
  const height = top + lines * cellH + 2;
  const heads = [];
  for (let c = 0; c < cols; c++) {
    const text = tall ? weekdayName(c + 1).slice(0, 3) : hourText(c, true);
    heads.push(node('text', { class: 'chart-tick', x: left + c * cellW + cellW / 2, y: top - 6, 'text-anchor': 'middle' }, text));
  }
  for (let l = 0; l < lines; l++) {
    const text = tall ? hourText(l, true) : weekdayName(l + 1);
    heads.push(node('text', { class: 'chart-label', x: left - 6, y: top + l * cellH + cellH / 2 + 4, 'text-anchor': 'end' }, text));
  }
  const cells = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const v = counts.get(`${weekday}-${hour}`) || 0;
      const [c, l] = tall ? [weekday - 1, hour] : [hour, weekday - 1];
      const x = left + c * cellW;
      const y0 = top + l * cellH;
      const level = heatLevel(v, max);
      cells.push(
        node(
          'g',
          { class: `heat-cell heat-${level}`, 'data-weekday': weekday, 'data-hour': hour, 'data-passes': v },
          node('title', {}, `${weekdayName(weekday)}, ${hourText(hour)} to ${hourText((hour + 1) % 24)}: ${v === 0 ? 'no passes' : plural(v, 'pass', 'passes')}`),
          node('rect', { x: x + 1, y: y0 + 1, width: cellW - 2, height: cellH - 2, rx: 2 }),
          v > 0 ? node('text', { x: x + cellW / 2, y: y0 + cellH / 2 + 4, 'text-anchor': 'middle' }, fmt(v)) : null,
        ),
      );
    }
  }
  return node(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, preserveAspectRatio: 'xMinYMin meet', class: `heatmap ${tall ? 'heatmap-tall' : 'heatmap-wide'}` },
    node('title', { id: `${id}-title` }, title),
    node('desc', { id: `${id}-desc` }, description),
    heads,
    cells,
  );
}

// Width of a table's small inline bar, in px: enough to compare rows at a glance.
export const INLINE_BAR_WIDTH = 56;

// A small bar beside a count, its length the count's share of the column's largest; hidden
// from screen readers, which read the count itself.
export function inlineBar(value, max) {
  const w = max > 0 && value > 0 ? Math.max(1, Math.round((value / max) * INLINE_BAR_WIDTH)) : 0;
  return node(
    'svg',
    { class: 'inline-bar', width: INLINE_BAR_WIDTH, height: 8, viewBox: `0 0 ${INLINE_BAR_WIDTH} 8`, 'aria-hidden': 'true', focusable: 'false' },
    node('rect', { class: 'inline-bar-track', x: 0, y: 0, width: INLINE_BAR_WIDTH, height: 8, rx: 2 }),
    w ? node('rect', { class: 'inline-bar-fill', x: 0, y: 0, width: w, height: 8, rx: 2 }) : null,
  );
}
