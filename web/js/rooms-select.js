// Fills a <select> with the school's rooms, grouped by folder (natural order), by name.

import { h, clear } from './dom.js';
import { naturalCompare } from './natural.js';

export function fillRoomSelect(select, rooms, { placeholder = 'Choose a room', exclude = null, selected = '' } = {}) {
  clear(select);
  select.append(h('option', { value: '' }, placeholder));
  const groups = new Map();
  for (const room of rooms) {
    if (exclude && room.name.toLowerCase() === exclude.toLowerCase()) continue;
    const key = room.folder || '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(room);
  }
  const names = Array.from(groups.keys()).filter((k) => k).sort(naturalCompare);
  if (groups.has('')) names.push('');
  for (const name of names) {
    const list = groups.get(name).sort((a, b) => naturalCompare(a.name, b.name));
    const options = list.map((room) => h('option', { value: room.name }, room.name));
    if (names.length === 1 && !name) select.append(options);
    else select.append(h('optgroup', { label: name || 'Other rooms' }, options));
  }
  if (selected && Array.from(select.options).some((o) => o.value === selected)) select.value = selected;
}
