"""Rooms over HTTP: a name is cleaned as an import cleans it, so the same room is never stored
two ways; limits are whole numbers in range or null; only admins change rooms."""

from __future__ import annotations

import pytest

from server_util import ADMIN, TEACHER, basic_store, ok, room, sign_in


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=(ADMIN, TEACHER))


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


def test_a_name_is_trimmed_of_spaces_as_imports_trim_it(admin, store):
    doc = ok(admin.post("/api/rooms", {"name": "  Band Room  ", "folder": " Arts "}), 201)
    assert doc["name"] == "Band Room" and doc["folder"] == "Arts"
    # An import naming it with spaces around finds the same room, not a second one.
    store.rooms([room(" band room ", "Arts")])
    names = [r["name"] for r in ok(admin.get("/api/rooms"))["rooms"]]
    assert names.count("band room") + names.count("Band Room") == 1, names
    r = admin.post("/api/rooms", {"name": "   "})
    assert r.status == 400 and "name" in r.error, r
    # Only spaces are trimmed, as in imports: a line break is refused there, and here too,
    # rather than dropped here and refused there.
    r = admin.post("/api/rooms", {"name": "Choir Room\n"})
    assert r.status == 400 and "control character" in r.error, r


@pytest.mark.parametrize("value", [0, -1, 100001, 2.5, "3", True])
def test_a_limit_must_be_a_whole_number_in_range(admin, value):
    r = admin.post("/api/rooms", {"name": f"Limit Room {value!r}", "max_passes_from": value})
    assert r.status == 400, r
    assert "max_passes_from" in r.error and "100000" in r.error
    assert f"Limit Room {value!r}" not in [x["name"] for x in ok(admin.get("/api/rooms"))["rooms"]]


def test_only_admins_change_rooms(server, admin):
    teacher = sign_in(server, TEACHER)
    assert teacher.post("/api/rooms", {"name": "Teacher Room"}).status == 403
    rid = admin.room_id("Library")
    r = teacher.patch(f"/api/rooms/{rid}", {"max_passes_to": 2})
    assert r.status == 403, r
    assert ok(admin.patch(f"/api/rooms/{rid}", {"max_passes_to": None}))["max_passes_to"] is None
