"""Passes over HTTP: now and scheduled passes, ending and
cancelling, the active list, one active pass per student, room limits with their message,
staff override, and room limits changed by an admin."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest

from server_util import (ADMIN, TEACHER, basic_store, future, ok, parse_iso, sign_in,
                         students)

POOL = students("pass", 90)


@pytest.fixture(scope="module")
def server(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER),
                        extra_students=POOL)
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


@pytest.fixture(scope="module")
def teacher(server):
    return sign_in(server, TEACHER)


_rooms = itertools.count()


@pytest.fixture(scope="module")
def _pupil_numbers(server):
    """Counts the pupils handed out on the module's server (one count per store)."""
    return itertools.count()


@pytest.fixture
def pupils(_pupil_numbers):
    """pupils(n): n students that no other test of this module uses."""
    return lambda n=1: [POOL[next(_pupil_numbers)]["email"] for _ in range(n)]


@pytest.fixture
def rooms(admin):
    """rooms(**limits_of_each) -> names of new rooms, made over HTTP by the admin, e.g.
    rooms({}, {"max_passes_to": 2})."""

    def make(*limits):
        names = []
        for lim in limits:
            name = f"Pass Room {next(_rooms):03d}"
            ok(admin.post("/api/rooms", {"name": name, **lim}), 201)
            names.append(name)
        return names

    return make


def ids(passes):
    return [p["id"] for p in passes]


def close_to_now(text, seconds=10):
    moment = parse_iso(text)
    assert moment.utcoffset() is not None, text
    return abs((moment - dt.datetime.now(dt.timezone.utc)).total_seconds()) <= seconds


# --------------------------------------------------------------------------------------------
# Now and scheduled passes


def test_now_pass(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    r = teacher.create_pass(student=kid, origin=a, destination=b, type="now", override=False)
    p = ok(r, 201)
    assert isinstance(p["id"], int)
    assert (p["student"], p["origin"], p["destination"]) == (kid, a, b)
    assert (p["type"], p["source"], p["creator"]) == ("now", "teacher", TEACHER["email"])
    assert p["end"] is None and p["cancelled"] is False and p["active"] is True
    assert close_to_now(p["start"]), p
    listed = {q["id"]: q for q in teacher.active()}
    assert listed[p["id"]] == p
    # The type may be left out: a pass is a now pass by default.
    (kid2,) = pupils()
    q = ok(teacher.create_pass(student=kid2, origin=a, destination=b), 201)
    assert q["type"] == "now" and q["active"]


def test_room_names_ignore_ascii_case(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    p = ok(teacher.create_pass(student=kid.upper(), origin=a.upper(), destination=b.lower()),
           201)
    assert (p["student"], p["origin"], p["destination"]) == (kid, a, b)


@pytest.mark.parametrize("offset_hours", [-5, 0, 9])
def test_scheduled_pass_starts_at_the_given_instant(teacher, rooms, pupils, offset_hours):
    (kid,) = pupils()
    a, b = rooms({}, {})
    start = future(90, offset_hours=offset_hours)
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b, type="scheduled",
                               start=start), 201)
    assert p["type"] == "scheduled" and p["source"] == "teacher"
    assert p["active"] is False and p["end"] is None and p["cancelled"] is False
    assert parse_iso(p["start"]) == parse_iso(start)


def test_scheduled_pass_with_z_offset(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b, type="scheduled",
                               start=start), 201)
    assert parse_iso(p["start"]) == parse_iso(start)


@pytest.mark.parametrize("start", [
    future(-60),                      # in the past
    future(-1, offset_hours=3),       # a minute ago, another offset
    None,                             # missing
    "",                               # empty
    "tomorrow",
    "2099-01-01T10:00:00",            # no offset
    "2099-01-01",                     # no time
    "2099-02-30T10:00:00-05:00",      # no such day
])
def test_scheduled_pass_needs_a_future_start_with_offset(teacher, rooms, pupils, start):
    (kid,) = pupils()
    a, b = rooms({}, {})
    body = {"student": kid, "origin": a, "destination": b, "type": "scheduled"}
    if start is not None:
        body["start"] = start
    r = teacher.post("/api/passes", body)
    assert r.status == 400, r
    assert r.error.startswith("start"), r
    assert kid not in [p["student"] for p in teacher.active()]


def test_scheduled_pass_is_not_in_the_active_list_before_it_starts(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b, type="scheduled",
                               start=future(45)), 201)
    assert p["active"] is False
    ok(teacher.cancel_pass(p["id"]))


def test_active_list_marks_what_is_active(teacher, rooms, pupils):
    """Whatever else it lists, the list's own flag tells the truth, and ended and cancelled
    passes are never on it (docs/api.md: staff also see scheduled passes still to start)."""
    kids = pupils(3)
    a, b = rooms({}, {})
    now = ok(teacher.create_pass(student=kids[0], origin=a, destination=b), 201)
    ended = ok(teacher.create_pass(student=kids[1], origin=a, destination=b), 201)
    ok(teacher.end_pass(ended["id"]))
    cancelled = ok(teacher.create_pass(student=kids[2], origin=a, destination=b,
                                       type="scheduled", start=future(50)), 201)
    ok(teacher.cancel_pass(cancelled["id"]))
    listed = {p["id"]: p for p in teacher.active()}
    assert listed[now["id"]]["active"] is True
    assert ended["id"] not in listed and cancelled["id"] not in listed
    for p in listed.values():
        assert p["cancelled"] is False and p["end"] is None
        assert p["active"] == (parse_iso(p["start"]) <= dt.datetime.now(dt.timezone.utc))
    ok(teacher.end_pass(now["id"]))


def test_a_scheduled_pass_that_has_started_is_active(teacher, rooms, pupils):
    kids = pupils(2)
    a, full, c = rooms({}, {"max_passes_to": 1}, {})
    zone = dt.timezone(dt.timedelta(hours=-5))
    start = dt.datetime.fromtimestamp(int(time.time()) + 2, zone)
    s = ok(teacher.create_pass(student=kids[0], origin=a, destination=full, type="scheduled",
                               start=start.isoformat()), 201)
    assert s["active"] is False
    time.sleep(max(0.0, start.timestamp() + 1.05 - time.time()))
    listed = {p["id"]: p for p in teacher.active()}
    assert listed[s["id"]]["active"] is True
    # It counts: for the room's limit, and as the student's one active pass.
    r = teacher.create_pass(student=kids[1], origin=a, destination=full)
    assert r.status == 409 and r.error == f"{full}: 1 of 1 passes to this room are active", r
    r = teacher.create_pass(student=kids[0], origin=a, destination=c)
    assert r.status == 409 and "already has an active pass" in r.error, r
    # Started: it can no longer be cancelled, only ended.
    r = teacher.cancel_pass(s["id"])
    assert r.status == 409, r
    e = ok(teacher.end_pass(s["id"]))
    assert e["active"] is False and e["cancelled"] is False
    ok(teacher.create_pass(student=kids[1], origin=a, destination=full), 201)


def test_active_list_holds_only_active_passes(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b, type="scheduled",
                               start=future(45)), 201)
    try:
        listed = teacher.active()
        assert p["id"] not in ids(listed)
        assert all(q["active"] for q in listed)
        upcoming = teacher.upcoming()
        assert p["id"] in ids(upcoming)
        assert not any(q["active"] for q in upcoming)
    finally:
        ok(teacher.cancel_pass(p["id"]))


@pytest.mark.parametrize("body,word", [
    ({"student": "nobody@lincoln.test"}, "student"),
    ({"student": TEACHER["email"]}, "student"),
    ({"student": ""}, "student"),
    ({"student": None}, "student"),
    ({"origin": "No Such Room"}, "origin"),
    ({"origin": None}, "origin"),
    ({"destination": "No Such Room"}, "destination"),
    ({"destination": "@same"}, "destination"),
    ({"type": "later"}, "type"),
])
def test_pass_fields_are_checked(teacher, rooms, pupils, body, word):
    (kid,) = pupils()
    a, b = rooms({}, {})
    doc = {"student": kid, "origin": a, "destination": b}
    doc.update(body)
    if doc["destination"] == "@same":
        doc["destination"] = a
    doc = {k: v for k, v in doc.items() if v is not None}
    r = teacher.post("/api/passes", doc)
    assert r.status == 400, r
    assert r.error.startswith(word), r
    assert kid not in [p["student"] for p in teacher.active()]


# --------------------------------------------------------------------------------------------
# Ending and cancelling


def test_end_a_pass_once(teacher, admin, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b), 201)
    e = ok(admin.end_pass(p["id"]))  # any staff member may end it
    assert e["id"] == p["id"] and e["active"] is False and e["cancelled"] is False
    assert close_to_now(e["end"]) and parse_iso(e["end"]) >= parse_iso(e["start"])
    assert p["id"] not in ids(teacher.active())

    again = teacher.end_pass(p["id"])
    assert again.status == 409, again
    again.error
    assert teacher.cancel_pass(p["id"]).status == 409


@pytest.mark.parametrize("pid", [987654321, 0])
def test_end_or_cancel_an_unknown_pass_is_404(teacher, pid):
    for r in (teacher.end_pass(pid), teacher.cancel_pass(pid)):
        assert r.status == 404, r
        r.error


def test_cancel_a_scheduled_pass(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    s = ok(teacher.create_pass(student=kid, origin=a, destination=b, type="scheduled",
                               start=future(30)), 201)
    # Not started: it cannot be ended, only cancelled.
    r = teacher.end_pass(s["id"])
    assert r.status == 409, r
    c = ok(teacher.cancel_pass(s["id"]))
    assert c["id"] == s["id"] and c["cancelled"] is True and c["active"] is False
    assert s["id"] not in ids(teacher.active())
    again = teacher.cancel_pass(s["id"])
    assert again.status == 409, again
    again.error
    assert teacher.end_pass(s["id"]).status == 409


def test_a_now_pass_cannot_be_cancelled(teacher, rooms, pupils):
    (kid,) = pupils()
    a, b = rooms({}, {})
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b), 201)
    r = teacher.cancel_pass(p["id"])
    assert r.status == 409, r
    r.error
    still = {q["id"]: q for q in teacher.active()}[p["id"]]
    assert still["active"] and not still["cancelled"]
    ok(teacher.end_pass(p["id"]))


# --------------------------------------------------------------------------------------------
# One active pass per student


def test_a_student_has_one_active_pass(teacher, admin, rooms, pupils):
    (kid,) = pupils()
    a, b, c = rooms({}, {}, {})
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b), 201)
    for who in (teacher, admin):
        for override in (False, True):  # override is for room limits, not this rule
            r = who.create_pass(student=kid, origin=b, destination=c, override=override)
            assert r.status == 409, r
            assert "Pass Student" in r.error and "active pass" in r.error, r
    assert [q["id"] for q in teacher.active() if q["student"] == kid] == [p["id"]]
    ok(teacher.end_pass(p["id"]))
    q = ok(teacher.create_pass(student=kid, origin=b, destination=c), 201)
    ok(teacher.end_pass(q["id"]))


# --------------------------------------------------------------------------------------------
# Room limits


def test_max_passes_to_a_room(teacher, rooms, pupils):
    kids = pupils(4)
    a, full = rooms({}, {"max_passes_to": 2})
    made = [ok(teacher.create_pass(student=k, origin=a, destination=full), 201) for k in kids[:2]]
    r = teacher.create_pass(student=kids[2], origin=a, destination=full)
    assert r.status == 409, r
    assert r.error == f"{full}: 2 of 2 passes to this room are active"
    assert sorted(q["id"] for q in teacher.active() if q["destination"] == full) == ids(made)
    # Ending one frees a place.
    ok(teacher.end_pass(made[0]["id"]))
    ok(teacher.create_pass(student=kids[2], origin=a, destination=full), 201)
    r = teacher.create_pass(student=kids[3], origin=a, destination=full)
    assert r.status == 409 and r.error == f"{full}: 2 of 2 passes to this room are active", r


def test_max_passes_from_a_room(teacher, rooms, pupils):
    kids = pupils(3)
    full, b, c = rooms({"max_passes_from": 1}, {}, {})
    p = ok(teacher.create_pass(student=kids[0], origin=full, destination=b), 201)
    r = teacher.create_pass(student=kids[1], origin=full, destination=c)
    assert r.status == 409, r
    assert r.error == f"{full}: 1 of 1 passes from this room are active"
    # Passes *to* the room are not limited by its from-limit.
    ok(teacher.create_pass(student=kids[2], origin=b, destination=full), 201)
    ok(teacher.end_pass(p["id"]))
    ok(teacher.create_pass(student=kids[1], origin=full, destination=c), 201)


def test_both_limits_name_the_room_that_is_full(teacher, rooms, pupils):
    kids = pupils(3)
    src, dst = rooms({"max_passes_from": 3}, {"max_passes_to": 1})
    ok(teacher.create_pass(student=kids[0], origin=src, destination=dst), 201)
    r = teacher.create_pass(student=kids[1], origin=src, destination=dst)
    assert r.status == 409 and r.error == f"{dst}: 1 of 1 passes to this room are active", r


def test_ended_and_cancelled_passes_do_not_count(teacher, rooms, pupils):
    kids = pupils(3)
    a, full = rooms({}, {"max_passes_to": 1})
    p = ok(teacher.create_pass(student=kids[0], origin=a, destination=full), 201)
    ok(teacher.end_pass(p["id"]))
    s = ok(teacher.create_pass(student=kids[1], origin=a, destination=full, type="scheduled",
                               start=future(20)), 201)
    ok(teacher.cancel_pass(s["id"]))
    ok(teacher.create_pass(student=kids[2], origin=a, destination=full), 201)


def test_staff_override_passes_the_limit(teacher, admin, rooms, pupils):
    kids = pupils(4)
    a, full = rooms({}, {"max_passes_to": 2})
    for k in kids[:2]:
        ok(teacher.create_pass(student=k, origin=a, destination=full), 201)
    over = ok(teacher.create_pass(student=kids[2], origin=a, destination=full, override=True),
              201)
    assert over["active"] and over["source"] == "teacher"
    assert len([q for q in teacher.active() if q["destination"] == full]) == 3
    # The room stays full for passes without override, and the message tells the truth.
    r = admin.create_pass(student=kids[3], origin=a, destination=full, override=False)
    assert r.status == 409, r
    assert r.error == f"{full}: 3 of 2 passes to this room are active"
    ok(admin.create_pass(student=kids[3], origin=a, destination=full, override=True), 201)


def test_scheduled_passes_are_not_refused_by_limits(teacher, rooms, pupils):
    kids = pupils(3)
    a, full = rooms({"max_passes_from": 1}, {"max_passes_to": 1})
    ok(teacher.create_pass(student=kids[0], origin=a, destination=full), 201)
    for k in kids[1:]:
        s = ok(teacher.create_pass(student=k, origin=a, destination=full, type="scheduled",
                                   start=future(60)), 201)
        assert s["type"] == "scheduled"


def test_admin_changes_a_limit_and_the_next_pass_sees_it(teacher, admin, rooms, pupils):
    kids = pupils(5)
    a, dst = rooms({}, {"max_passes_to": 1})
    rid = admin.room_id(dst)
    ok(teacher.create_pass(student=kids[0], origin=a, destination=dst), 201)
    r = teacher.create_pass(student=kids[1], origin=a, destination=dst)
    assert r.status == 409 and r.error == f"{dst}: 1 of 1 passes to this room are active", r

    doc = ok(admin.patch(f"/api/rooms/{rid}", {"max_passes_to": 2}))
    assert doc["max_passes_to"] == 2 and doc["name"] == dst
    assert {rm["name"]: rm for rm in teacher.rooms()}[dst]["max_passes_to"] == 2
    ok(teacher.create_pass(student=kids[1], origin=a, destination=dst), 201)
    r = teacher.create_pass(student=kids[2], origin=a, destination=dst)
    assert r.status == 409 and r.error == f"{dst}: 2 of 2 passes to this room are active", r

    # null: no limit at all.
    assert ok(admin.patch(f"/api/rooms/{rid}", {"max_passes_to": None}))["max_passes_to"] is None
    ok(teacher.create_pass(student=kids[2], origin=a, destination=dst), 201)

    # Lowered under what is out: nothing ends, new passes are refused.
    ok(admin.patch(f"/api/rooms/{rid}", {"max_passes_to": 1}))
    r = teacher.create_pass(student=kids[3], origin=a, destination=dst)
    assert r.status == 409 and r.error == f"{dst}: 3 of 1 passes to this room are active", r

    # A from-limit set on the origin holds too; the renamed room's message uses its new name.
    src = admin.room_id(a)
    ok(admin.patch(f"/api/rooms/{src}", {"max_passes_from": 3, "name": a + " Renamed"}))
    r = teacher.create_pass(student=kids[4], origin=a + " Renamed", destination="Library")
    assert r.status == 409, r
    assert r.error == f"{a} Renamed: 3 of 3 passes from this room are active"


@pytest.mark.parametrize("body", [
    {"max_passes_to": 0}, {"max_passes_to": -1}, {"max_passes_from": "2"},
    {"max_passes_from": 1.5}, {"max_passes_to": True}, {"name": ""}, {"name": 7},
    {"folder": 3}, {"colour": "red"},
])
def test_room_changes_are_checked(admin, rooms, body):
    (name,) = rooms({"max_passes_to": 4})
    rid = admin.room_id(name)
    r = admin.patch(f"/api/rooms/{rid}", body)
    assert r.status == 400, r
    r.error
    after = {rm["name"]: rm for rm in admin.rooms()}[name]
    assert after["max_passes_to"] == 4 and after["max_passes_from"] is None


def test_room_names_stay_unique(admin, rooms):
    a, b = rooms({}, {})
    r = admin.post("/api/rooms", {"name": a.upper()})
    assert r.status == 409, r
    r.error
    r = admin.patch(f"/api/rooms/{admin.room_id(b)}", {"name": a.lower()})
    assert r.status == 409, r
    r.error
    names = [rm["name"] for rm in admin.rooms()]
    assert names.count(a) == 1 and b in names
    r = admin.patch("/api/rooms/987654321", {"folder": "x"})
    assert r.status == 404, r
    r.error
