// The Rooms dashboard: rooms grouped by folder in natural order, limits edited in place and
// held by the next pass, the API's validation messages next to their field, adding a room.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage, signIn, USERS, unlabelledControls, useSchool } from './helpers.mjs';

let env;
let teacher;

useSchool(['teacher'], (s) => {
  env = s.env;
  teacher = s.teacher;
});

const row = (page, name) => page.locator(`.room-row[data-room-name="${name}"]`);

test('rooms are grouped by folder, in natural order, rooms without a folder last', async () => {
  await withPage(env, 'rooms-groups', async (page) => {
    await signIn(page, USERS.admin);
    await page.goto('/rooms');
    await page.waitForSelector('.room-row');
    assert.deepEqual(await unlabelledControls(page), []);
    const groups = await page.locator('.room-group').evaluateAll((els) => els.map((el) => el.dataset.folder));
    assert.deepEqual(groups, ['Offices', 'Restrooms', 'Science', 'Wing 2', 'Wing 10', '']);
    const wing2 = await page.locator('.room-group[data-folder="Wing 2"] .room-row').evaluateAll((els) => els.map((el) => el.dataset.roomName));
    assert.deepEqual(wing2, ['Room 1', 'Room 2', 'Room 9', 'Room 010']);
    const wing10 = await page.locator('.room-group[data-folder="Wing 10"] .room-row').evaluateAll((els) => els.map((el) => el.dataset.roomName));
    assert.deepEqual(wing10, ['room 10', 'Room 10A', 'Room 100']);
  });
});

test('an admin changes a room limit, and the next pass over the API is held to it', async () => {
  await withPage(env, 'rooms-limit', async (page) => {
    await signIn(page, USERS.admin);
    await page.goto('/rooms');
    const nurse = row(page, 'Nurse');
    await nurse.waitFor();
    await nurse.locator('input[name="max_passes_to"]').fill('1');
    assert.equal(await nurse.locator('[data-status]').textContent(), 'Not saved yet');
    await nurse.locator('button[data-action="save"]').click();
    await page.waitForFunction(() => document.querySelector('.room-row[data-room-name="Nurse"] [data-status]').textContent.includes('Saved'));

    const rooms = (await (await page.request.get('/api/rooms')).json()).rooms;
    assert.equal(rooms.find((r) => r.name === 'Nurse').max_passes_to, 1);

    const first = await teacher.post('/api/passes', { data: { student: 'pupil3@test.example', origin: 'Room 1', destination: 'Nurse' } });
    assert.equal(first.status(), 201);
    const second = await teacher.post('/api/passes', { data: { student: 'pupil4@test.example', origin: 'Room 2', destination: 'Nurse' } });
    assert.equal(second.status(), 409);
    assert.equal((await second.json()).error, 'Nurse: 1 of 1 passes to this room are active');

    // Back to no limit: the field left empty.
    await nurse.locator('input[name="max_passes_to"]').fill('');
    await nurse.locator('button[data-action="save"]').click();
    await page.waitForFunction(() => document.querySelector('.room-row[data-room-name="Nurse"] [data-status]').textContent.includes('Saved'));
    const third = await teacher.post('/api/passes', { data: { student: 'pupil4@test.example', origin: 'Room 2', destination: 'Nurse' } });
    assert.equal(third.status(), 201);
  });
});

test('the API\'s validation messages show next to the field', async () => {
  await withPage(env, 'rooms-validation', async (page) => {
    await signIn(page, USERS.admin);
    await page.goto('/rooms');
    const room2 = row(page, 'Room 2');
    await room2.waitFor();

    const from = room2.locator('input[name="max_passes_from"]');
    await from.fill('0');
    await room2.locator('button[data-action="save"]').click();
    const fromError = room2.locator('.field-error[data-error-for$="max_passes_from"]');
    await fromError.waitFor();
    assert.match(await fromError.textContent(), /whole number from 1 to 100000/);
    assert.equal(await from.getAttribute('aria-invalid'), 'true');
    assert.ok((await from.getAttribute('aria-describedby')).includes(await fromError.getAttribute('id')));
    await from.fill('2.5');
    await room2.locator('button[data-action="save"]').click();
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'max_passes_from');
    assert.match(await room2.locator('.field-error').first().textContent(), /whole number/);
    await from.fill('');

    const name = room2.locator('input[name="name"]');
    await name.fill('room 9');
    await room2.locator('button[data-action="save"]').click();
    const nameError = room2.locator('.field-error[data-error-for$="-name"]');
    await nameError.waitFor();
    assert.match(await nameError.textContent(), /Another room already has this name/);
    assert.equal(await name.getAttribute('aria-invalid'), 'true');

    // Nothing was changed.
    const rooms = (await (await page.request.get('/api/rooms')).json()).rooms;
    const saved = rooms.find((r) => r.name === 'Room 2');
    assert.ok(saved, 'Room 2 keeps its name');
    assert.equal(saved.max_passes_from, null);
  });
});

test('an admin adds a room, and renames one into another folder', async () => {
  await withPage(env, 'rooms-added', async (page) => {
    await signIn(page, USERS.admin);
    await page.goto('/rooms');
    await page.waitForSelector('.room-row');
    await page.fill('#add-name', 'Room 11');
    await page.fill('#add-folder', 'Wing 10');
    await page.fill('#add-max-from', '2');
    await page.click('#add-button');
    await page.waitForFunction(() => document.getElementById('add-status').textContent.includes('Added Room 11'));
    const wing10 = await page.locator('.room-group[data-folder="Wing 10"] .room-row').evaluateAll((els) => els.map((el) => el.dataset.roomName));
    assert.deepEqual(wing10, ['room 10', 'Room 10A', 'Room 11', 'Room 100']);
    assert.equal(await row(page, 'Room 11').locator('input[name="max_passes_from"]').inputValue(), '2');

    // A duplicate name is refused next to the name field of the form.
    await page.fill('#add-name', 'LIBRARY');
    await page.click('#add-button');
    await page.waitForSelector('.field-error[data-error-for="add-name"]');
    assert.match(await page.textContent('.field-error[data-error-for="add-name"]'), /Another room already has this name/);

    // Moving a room to another folder regroups it, and keeps the focus on it.
    const gym = row(page, 'Gym');
    await gym.locator('input[name="folder"]').fill('Athletics');
    await gym.locator('button[data-action="save"]').click();
    await page.waitForSelector('.room-group[data-folder="Athletics"] .room-row[data-room-name="Gym"]');
    assert.match(await row(page, 'Gym').locator('[data-status]').textContent(), /Saved/);
    assert.equal(await page.evaluate(() => document.activeElement.closest('.room-row').dataset.roomName), 'Gym');
  });
});
