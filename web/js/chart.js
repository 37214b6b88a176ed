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
