// Fills a <select> with the school's rooms, grouped by folder as groupRooms() orders them.

import { h, clear } from './dom.js';
import { groupRooms } from './model.js';

export function fillRoomSelect(select, rooms, { placeholder = 'Choose a room', exclude = '', selected = '' } = {}) {
  clear(select);
  select.append(h('option', { value: '' }, placeholder));
  const groups = groupRooms(rooms, { exclude });
  for (const group of groups) {
    const options = group.rooms.map((room) => h('option', { value: room.name }, room.name));
    if (groups.length === 1 && !group.name) select.append(options);
    else select.append(h('optgroup', { label: group.name || 'Other rooms' }, options));
  }
  selectRoom(select, selected);
}

// Chooses a room by name (ASCII case folded, as the server compares names); false when the
// list has no such room.
export function selectRoom(select, name) {
  if (!name) return false;
  const option = Array.from(select.options).find((o) => o.value && o.value.toLowerCase() === name.toLowerCase());
  if (option) select.value = option.value;
  return Boolean(option);
}
