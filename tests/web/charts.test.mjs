// The Analytics charts' items: the busiest rooms or staff, in Node without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topItems, CHART_TOP } from '../../web/js/analytics.js';

const room = (name, from, to) => ({ room: name, passes_from: from, passes_to: to });
const toItem = (r) => ({ label: r.room, values: [r.passes_from, r.passes_to], total: r.passes_from + r.passes_to });

test('analytics charts: at most CHART_TOP items, busiest first, ties by name, none without passes', () => {
  const rows = [room('Gym', 0, 0), room('Room 10', 2, 1), room('Room 2', 1, 2), room('Library', 9, 0)];
  for (let i = 0; i < CHART_TOP; i++) rows.push(room(`Lab ${i}`, 1, 0));
  const items = topItems(rows, toItem);
  assert.equal(CHART_TOP, 10);
  assert.equal(items.length, CHART_TOP);
  assert.deepEqual(items.slice(0, 3).map((it) => it.label), ['Library', 'Room 2', 'Room 10']);
  assert.ok(!items.some((it) => it.label === 'Gym'), 'a room with no passes is not charted');
  assert.deepEqual(topItems([room('Gym', 0, 0)], toItem), []);
});
