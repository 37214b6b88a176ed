// After a purge, the Analytics page's Students tab says which days were purged under the
// table, as the API's purged_through says, and Room Usage shows the same counts as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { withPage, signIn, USERS, useSchool, shownCells, BIN } from './helpers.mjs';

const FROM = '2025-03-03';
const TO = '2025-03-14';
const CUT = '2025-03-10'; // The first day kept.

let env;
let admin;
let roomsBefore;

useSchool(['admin'], async (s) => {
  env = s.env;
  admin = s.admin;
  roomsBefore = await (await admin.get(`/api/reports/rooms?from=${FROM}&to=${TO}`)).json();
  execFileSync(BIN, ['purge', '--db', env.db, '--before', CUT], { encoding: 'utf8' });
});

test('the Students tab says which days a purge removed; Room Usage keeps its counts', async () => {
  await withPage(env, 'retention-students', async (page) => {
    await signIn(page, USERS.admin, { next: `/analytics?from=${FROM}&to=${TO}&tab=students` });
    await page.waitForSelector(`#students-report:is([data-state="ready"], [data-state="empty"])[data-from="${FROM}"]`);
    const data = await (await admin.get(`/api/insights/students?from=${FROM}&to=${TO}`)).json();
    assert.equal(data.purged_through, '2025-03-09');
    assert.match(await page.textContent('#students-status'), /the days through 2025-03-09 were purged and are left out$/);
    const rooms = await (await admin.get(`/api/reports/rooms?from=${FROM}&to=${TO}`)).json();
    assert.deepEqual(rooms, roomsBefore, 'Room Usage over the purged days is as it was');
    const shown = await shownCells(page, '#students-table');
    assert.equal(shown.length, Math.max(data.rows.length, 1), 'the table shows the kept days\' students');
  });
});
