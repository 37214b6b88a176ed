"""The waiting line end to end, on both stores: which refusals offer it (can_wait), joining
with `wait`, the line as each role sees it and its positions, offers made by the server's
clock when a place frees (polled, never a fake clock), taking an offer, lapses, leaving, the
offers counting as active passes for the room limits, the hallway cap, a student's own pass
and their encounter groups, and races: offers never let more passes out than a limit allows,
and two servers on one PostgreSQL store make each offer once."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest

import store_util

from server_util import (ADMIN, KIOSK, SCHOOL, TEACHER, Store, basic_store, cli, earlier_today,
                         ok, parse_iso, race, sign_in, signed_in_fixture, students, user)

ZONE = ZoneInfo("America/Chicago")
PUPILS = students("line", 120)
SELF = [user(f"Line Self {i:02d}", f"lineself{i:02d}@lincoln.test", "student",
             f"line-pass-{i:02d}") for i in range(8)]
SETTINGS = ["max_active_passes", "max_passes_per_day", "wait_in_line", "line_offer_seconds"]
ENTRY_KEYS = {"id", "student", "student_name", "student_id", "origin", "destination", "state",
              "position", "joined", "offered_at", "offer_expires", "offer_seconds_left", "pass"}
# How long the clock may take to make an offer once a place frees (it walks every second).
OFFER_WAIT = 4.0


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


_history = itertools.count()


def history(store: Store, *passes: dict) -> None:
    """Imports open passes a teacher wrote: each a dict with student, origin, destination and
    minutes (how long ago it started)."""
    rows = [{"id": f"line-history-{next(_history)}", "student": p["student"],
             "origin": p["origin"], "destination": p["destination"],
             "creator": TEACHER["email"], "source": "teacher", "type": "now",
             "start": iso(now_utc() - dt.timedelta(minutes=p.get("minutes", 5))), "end": "",
             "cancelled": ""} for p in passes]
    store.passes(rows, school=SCHOOL)


def name_of(email: str) -> str:
    for p in [*PUPILS, *SELF]:
        if p["email"] == email:
            return p["name"]
    raise AssertionError(email)


def wait_for(what, timeout: float = OFFER_WAIT, every: float = 0.1):
    """Polls what() until it gives something true; returns it, or fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(every)


def entries(client) -> list[dict]:
    return ok(client.get("/api/line"))["entries"]


def entry_of(client, email: str) -> dict | None:
    for e in entries(client):
        if e["student"] == email:
            return e
    return None


def offered(client, email: str):
    """The student's entry once it is offered (polled)."""
    return wait_for(lambda: (e := entry_of(client, email)) and e["state"] == "offered" and e)


def join(client, student: str, origin: str, destination: str, **extra):
    return client.post("/api/passes", {"student": student, "origin": origin,
                                       "destination": destination, "wait": True, **extra})


# --------------------------------------------------------------------------------------------
# The school


# A second school in the same store, which must see nothing of the first's line.
OTHER = "Other High"
OTHER_ADMIN = user("Olga Admin", "olga@other.test", "admin", "olga-pass-1")
OTHER_STUDENT = user("Oscar Other", "oscar@other.test", "student")


@pytest.fixture(scope="module")
def store(module_stores):
    st = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK, *SELF),
                     extra_students=PUPILS)
    st.init(OTHER)
    st.rooms([{"name": "Room 101", "folder": "", "max_passes_from": None,
               "max_passes_to": 1}, {"name": "Gym", "folder": "", "max_passes_from": None,
                                     "max_passes_to": None}], school=OTHER)
    st.users([OTHER_ADMIN, OTHER_STUDENT], school=OTHER)
    return st


@pytest.fixture(scope="module")
def server(store):
    srv = store.server("--threads", "16").start()
    yield srv
    assert srv.stop() == 0, srv.log()
    for school in (SCHOOL, OTHER):
        out = cli("check", "--db", store.db, "--school", school).stdout.decode()
        assert "0 differ" in out or "agree" in out, out


admin = signed_in_fixture(ADMIN, "admin")
teacher = signed_in_fixture(TEACHER, "teacher")
kiosk = signed_in_fixture(KIOSK, "kiosk")


@pytest.fixture(scope="module")
def _numbers(server):
    return {"pupils": itertools.count(), "self": itertools.count(), "rooms": itertools.count()}


@pytest.fixture
def pupils(_numbers):
    return lambda n=1: [PUPILS[next(_numbers["pupils"])]["email"] for _ in range(n)]


@pytest.fixture
def self_student(server, _numbers):
    who = SELF[next(_numbers["self"])]
    return who, sign_in(server, who)


@pytest.fixture
def rooms(admin, _numbers):
    def make(*fields):
        names = []
        for f in fields:
            name = f"Line Room {next(_numbers['rooms']):03d}"
            ok(admin.post("/api/rooms", {"name": name, **f}), 201)
            names.append(name)
        return names

    return make


@pytest.fixture
def settings(admin):
    def change(**values):
        return ok(admin.patch("/api/settings", values))

    yield change
    ok(admin.patch("/api/settings", {k: None for k in SETTINGS}))


@pytest.fixture(autouse=True)
def empty_line(request):
    """Each test of the module's school starts and ends with an empty line, so positions and
    offers are its own (a test with a store of its own has none of that school)."""
    if "teacher" not in request.fixturenames:
        yield
        return
    teacher = request.getfixturevalue("teacher")
    for e in entries(teacher):
        teacher.delete(f"/api/line/{e['id']}")
    yield
    for e in entries(teacher):
        teacher.delete(f"/api/line/{e['id']}")


# --------------------------------------------------------------------------------------------
# can_wait and joining


def test_can_wait_comes_only_with_a_refusal_the_line_can_answer(teacher, rooms, pupils,
                                                                 settings, store):
    a, full, b = rooms({}, {"max_passes_to": 1}, {})
    first, second, third = pupils(3)
    history(store, {"student": first, "origin": a, "destination": full})
    # A full room: the 409 carries can_wait, for staff too ("Send to line").
    r = teacher.create_pass(student=second, origin=a, destination=full)
    assert r.status == 409 and r.json["rule"] == "max_to" and r.json["can_wait"] is True, r
    # A student limit: no place in line would help.
    settings(max_passes_per_day=1)
    # A pass of the student's earlier today that has ended (even just after midnight).
    start = earlier_today(30)
    store.passes([{"id": f"line-history-{next(_history)}", "student": third, "origin": b,
                   "destination": a, "creator": TEACHER["email"], "source": "teacher",
                   "type": "now", "start": iso(start),
                   "end": iso(min(start + dt.timedelta(minutes=5), now_utc())),
                   "cancelled": ""}], school=SCHOOL)
    r = teacher.create_pass(student=third, origin=b, destination=a)
    assert r.status == 409 and r.json["rule"] == "student_limit", r
    assert "can_wait" not in r.json, r
    r = join(teacher, third, b, a)
    assert r.status == 409 and r.json["rule"] == "student_limit", r
    settings(max_passes_per_day=None)
    # The line turned off: no can_wait, and wait gives the plain refusal.
    settings(wait_in_line=False)
    r = teacher.create_pass(student=second, origin=a, destination=full)
    assert r.status == 409 and "can_wait" not in r.json, r
    r = join(teacher, second, a, full)
    assert r.status == 409 and r.json["rule"] == "max_to", r
    assert entries(teacher) == []


def test_a_full_hallway_offers_the_line_to_a_student(self_student, teacher, rooms, pupils,
                                                     settings, store):
    (who, client) = self_student
    a, b = rooms({}, {})
    others = pupils(2)
    for p in teacher.active():  # The hallway holds only this test's passes.
        ok(teacher.end_pass(p["id"]))
    settings(max_active_passes=2)
    history(store, *({"student": s, "origin": b, "destination": a} for s in others))
    r = client.create_pass(origin=a, destination=b)
    assert r.status == 409 and r.json["rule"] == "hallway_cap" and r.json["can_wait"] is True, r
    r = client.post("/api/passes", {"origin": a, "destination": b, "wait": True})
    assert r.status == 202, r
    e = r.json
    assert set(e) == ENTRY_KEYS, e
    assert e["student"] == who["email"] and e["student_name"] == who["name"]
    assert e["origin"] == a and e["destination"] == b and e["state"] == "waiting"
    assert e["position"] == 1 and e["offered_at"] is None and e["offer_expires"] is None
    assert e["offer_seconds_left"] is None and e["pass"] is None and e["student_id"] is None
    assert abs((parse_iso(e["joined"]) - now_utc()).total_seconds()) < 5
    # Already in line: 409 with no rule, and nothing changes.
    r = client.post("/api/passes", {"origin": a, "destination": b, "wait": True})
    assert r.status == 409 and r.json == {"error": f"{who['name']} is already in line"}, r
    assert [x["id"] for x in entries(client)] == [e["id"]]
    ok(client.delete(f"/api/line/{e['id']}"))


def test_each_role_sees_its_part_of_the_line_in_join_order(teacher, kiosk, self_student,
                                                           rooms, pupils, store, server):
    (who, client) = self_student
    a, full = rooms({}, {"max_passes_to": 1})
    out, first, second = pupils(3)
    history(store, {"student": out, "origin": a, "destination": full})
    e1 = ok(join(teacher, first, a, full), 202)
    # The kiosk's room, Room 101.
    e2 = ok(join(kiosk, second, "Room 101", full), 202)
    e3 = ok(client.post("/api/passes", {"origin": a, "destination": full, "wait": True}), 202)
    assert [e1["position"], e2["position"], e3["position"]] == [1, 2, 3]
    listed = entries(teacher)
    assert [(e["id"], e["position"]) for e in listed] == [(e1["id"], 1), (e2["id"], 2),
                                                         (e3["id"], 3)]
    assert [(e["id"], e["position"]) for e in entries(kiosk)] == [(e2["id"], 2)]
    assert [(e["id"], e["position"]) for e in entries(client)] == [(e3["id"], 3)]
    # Who may not see an entry may not start or remove it either: to them it does not exist.
    assert client.delete(f"/api/line/{e1['id']}").status == 404
    assert kiosk.post(f"/api/line/{e1['id']}/start").status == 404
    # Leaving moves those after it up.
    left = ok(teacher.delete(f"/api/line/{e1['id']}"))
    assert left["state"] == "left" and left["position"] is None
    assert teacher.delete(f"/api/line/{e1['id']}").status == 409
    assert [e["position"] for e in entries(teacher)] == [1, 2]
    assert entries(client)[0]["position"] == 2
    # Another school sees nothing of it, and cannot touch it.
    olga = sign_in(server, OTHER_ADMIN)
    assert entries(olga) == []
    assert olga.delete(f"/api/line/{e2['id']}").status == 404
    assert olga.post(f"/api/line/{e2['id']}/start").status == 404
    assert [e["id"] for e in entries(teacher)] == [e2["id"], e3["id"]]


# --------------------------------------------------------------------------------------------
# Offers, taking them, lapses


def test_a_freed_place_is_offered_and_taken(teacher, self_student, rooms, pupils, store,
                                            server):
    (who, client) = self_student
    a, full = rooms({}, {"max_passes_to": 1})
    (out,) = pupils()
    history(store, {"student": out, "origin": a, "destination": full})
    mine = ok(client.post("/api/passes", {"origin": a, "destination": full, "wait": True}), 202)
    (other_who, other) = SELF[-1], sign_in(server, SELF[-1])
    # Not offered yet: 409, and nobody else may take it.
    r = client.post(f"/api/line/{mine['id']}/start")
    assert r.status == 409 and r.json == {"error": "the offer has not come yet"}, r
    assert other.post(f"/api/line/{mine['id']}/start").status == 404
    # The pass out ends; the clock offers the place within a second or two.
    (p,) = [x for x in teacher.active() if x["student"] == out]
    ended = time.monotonic()
    ok(teacher.end_pass(p["id"]))
    e = offered(client, who["email"])
    assert time.monotonic() - ended < OFFER_WAIT
    assert e["id"] == mine["id"] and e["position"] == 1
    assert 25 <= e["offer_seconds_left"] <= 30, e
    assert (parse_iso(e["offer_expires"]) - parse_iso(e["offered_at"])).total_seconds() == 30
    # The offer holds the place: the teacher cannot send another student there directly.
    (late,) = pupils()
    r = teacher.create_pass(student=late, origin=a, destination=full)
    assert r.status == 409 and r.json["rule"] == "max_to", r
    assert other.post(f"/api/line/{mine['id']}/start").status == 404
    started = ok(client.post(f"/api/line/{mine['id']}/start"), 201)
    assert started["student"] == who["email"] and started["destination"] == full
    assert started["source"] == "student" and started["active"] is True
    assert entries(client) == [] and entries(teacher) == []
    r = client.post(f"/api/line/{mine['id']}/start")
    assert r.status == 409, r
    rows = store.sql("SELECT state, pass_id FROM line_entries WHERE id = ?", (mine["id"],))
    assert [(str(s), int(i)) for s, i in rows] == [("started", started["id"])]
    ok(client.end_pass(started["id"]))


def test_lapses_return_the_entry_once_then_end_it(teacher, rooms, pupils, store, settings):
    settings(line_offer_seconds=10)
    a, full = rooms({}, {"max_passes_to": 1})
    out, first, second = pupils(3)
    history(store, {"student": out, "origin": a, "destination": full})
    e1 = ok(join(teacher, first, a, full), 202)
    e2 = ok(join(teacher, second, a, full), 202)
    (p,) = [x for x in teacher.active() if x["student"] == out]
    ok(teacher.end_pass(p["id"]))
    offered(teacher, first)
    assert entry_of(teacher, second)["state"] == "waiting"
    # The first offer lapses: the entry is back in its place, and the place goes to the next.
    e = wait_for(lambda: (x := entry_of(teacher, second)) and x["state"] == "offered" and x,
                 timeout=14)
    back = entry_of(teacher, first)
    assert back["state"] == "waiting" and back["position"] == 1, back
    assert back["offered_at"] is None and back["offer_seconds_left"] is None, back
    r = teacher.post(f"/api/line/{e1['id']}/start")
    assert r.status == 409 and r.json == {"error": "the offer has lapsed"}, r
    # The second's offer lapses in turn: its place goes to the first, whose second offer
    # lapses too, and it leaves the line.
    wait_for(lambda: entry_of(teacher, first)["state"] == "offered", timeout=14)
    wait_for(lambda: entry_of(teacher, first) is None, timeout=14)
    # Gone by time at once; the clock writes the lapse within a second or so.
    r = teacher.post(f"/api/line/{e1['id']}/start")
    assert r.status == 409 and r.json == {"error": "the offer has lapsed"}, r
    wait_for(lambda: [(str(s), int(n)) for s, n in store.sql(
        "SELECT state, lapses FROM line_entries WHERE id = ?", (e1["id"],))] == [("lapsed", 1)])
    r = teacher.post(f"/api/line/{e1['id']}/start")
    assert r.status == 409 and r.json == {"error": "the offer has lapsed"}, r
    ok(teacher.delete(f"/api/line/{e2['id']}"))


# --------------------------------------------------------------------------------------------
# An outstanding offer counts as an active pass


def offer_standing(teacher, store, rooms, pupils, origin=None, destination=None):
    """Rooms (by default a plain origin and a destination with Max Passes To 1) whose one
    place is held by an offer: (origin, destination, the offered student, their entry)."""
    a, full = rooms(origin or {}, destination or {"max_passes_to": 1})
    out, waiting = pupils(2)
    history(store, {"student": out, "origin": a, "destination": full})
    e = ok(join(teacher, waiting, a, full), 202)
    (p,) = [x for x in teacher.active() if x["student"] == out]
    ok(teacher.end_pass(p["id"]))
    offered(teacher, waiting)
    return a, full, waiting, e


def test_an_offer_counts_toward_max_to_and_the_students_own_pass(teacher, rooms, pupils,
                                                                  store):
    a, full, waiting, e = offer_standing(teacher, store, rooms, pupils)
    (late,) = pupils()
    r = teacher.create_pass(student=late, origin=a, destination=full)
    assert r.status == 409 and r.json["rule"] == "max_to", r
    assert r.json["error"].endswith("1 of 1 passes to this room are active"), r
    # The offered student may not start another pass while their offer stands.
    r = teacher.create_pass(student=waiting, origin=a, destination="Library")
    assert r.status == 409 and r.json["rule"] == "student_active", r
    assert r.json["error"] == f"{name_of(waiting)} already has an offer from the line to take"
    # Nor join the line again: they are in it.
    r = join(teacher, waiting, a, "Library")
    assert r.status == 409 and r.json == {"error": f"{name_of(waiting)} is already in line"}, r
    ok(teacher.delete(f"/api/line/{e['id']}"))
    # Gone from the line, the place is free again.
    p = ok(teacher.create_pass(student=late, origin=a, destination=full), 201)
    ok(teacher.end_pass(p["id"]))


def test_an_offer_counts_toward_the_hallway_cap(teacher, kiosk, rooms, pupils, store,
                                                settings):
    a, b = rooms({}, {})
    out, waiting, late = pupils(3)
    for p in teacher.active():  # The hallway holds only this test's passes.
        ok(teacher.end_pass(p["id"]))
    settings(max_active_passes=1)
    history(store, {"student": out, "origin": a, "destination": b})
    e = ok(join(kiosk, waiting, "Room 101", b), 202)
    (p,) = [x for x in teacher.active() if x["student"] == out]
    ok(teacher.end_pass(p["id"]))
    offered(teacher, waiting)
    r = kiosk.create_pass(student=late, destination=b)
    assert r.status == 409 and r.json["rule"] == "hallway_cap", r
    assert r.json["error"] == "The hallway is full: 1 of 1 passes are active", r
    # Taken by the kiosk of its origin: the offer's own place counts for it.
    started = ok(kiosk.post(f"/api/line/{e['id']}/start"), 201)
    assert started["source"] == "kiosk_login" and started["origin"] == "Room 101"
    ok(teacher.end_pass(started["id"]))


def test_an_offer_counts_toward_max_from(teacher, rooms, pupils, store):
    a, dest, waiting, e = offer_standing(teacher, store, rooms, pupils,
                                         origin={"max_passes_from": 1}, destination={})
    (late,) = pupils()
    r = teacher.create_pass(student=late, origin=a, destination="Library")
    assert r.status == 409 and r.json["rule"] == "max_from", r
    ok(teacher.delete(f"/api/line/{e['id']}"))


def test_an_offer_counts_toward_a_group_mates_encounter(teacher, admin, rooms, pupils, store):
    (mate,) = pupils()
    a, full, waiting, e = offer_standing(teacher, store, rooms, pupils)
    g = ok(admin.post("/api/encounter-groups", {"name": "Line Pair",
                                                "students": [waiting, mate]}), 201)
    r = teacher.create_pass(student=mate, origin=a, destination="Library")
    assert r.status == 409 and r.json["rule"] == "encounter", r
    ok(teacher.delete(f"/api/line/{e['id']}"))
    p = ok(teacher.create_pass(student=mate, origin=a, destination="Library"), 201)
    ok(teacher.end_pass(p["id"]))
    ok(admin.delete(f"/api/encounter-groups/{g['id']}"))


def test_a_pass_created_directly_removes_the_students_entry(teacher, rooms, pupils, store):
    a, full = rooms({}, {"max_passes_to": 1})
    out, waiting = pupils(2)
    history(store, {"student": out, "origin": a, "destination": full})
    e = ok(join(teacher, waiting, a, full), 202)
    p = ok(teacher.create_pass(student=waiting, origin=a, destination="Library"), 201)
    assert entries(teacher) == []
    rows = store.sql("SELECT state FROM line_entries WHERE id = ?", (e["id"],))
    assert [str(r[0]) for r in rows] == ["removed"]
    r = teacher.delete(f"/api/line/{e['id']}")
    assert r.status == 409, r
    ok(teacher.end_pass(p["id"]))


# --------------------------------------------------------------------------------------------
# Races


def busiest_instant(store: Store, room_id: int) -> tuple[int, int]:
    """The most passes active to the room plus offers outstanding for it at any instant, from
    the stored passes and entries: each pass out over [start, end), each offer held over
    [offered_at, the earliest of its expiry and when it ended: taken, left or removed).
    Returns (the most, at which instant)."""
    spans = [(int(s), int(e) if e not in (None, "") else 2 ** 62)
             for s, e in store.sql("SELECT start_at, end_at FROM passes WHERE destination_id = ?"
                                   " AND type = 'now' AND cancelled = ?",
                                   (room_id, False if store.kind != "sqlite" else 0))]
    for offered_at, expires, ended in store.sql(
            "SELECT offered_at, offer_expires, ended_at FROM line_entries"
            " WHERE destination_id = ? AND offered_at IS NOT NULL", (room_id,)):
        end = int(expires)
        if ended not in (None, ""):
            end = min(end, int(ended))
        spans.append((int(offered_at), end))
    best = (0, 0)
    for t in sorted({s for s, _ in spans}):
        n = sum(1 for s, e in spans if s <= t < e)
        best = max(best, (n, t))
    return best


def test_offers_never_let_more_out_than_the_room_allows(teacher, rooms, pupils, store,
                                                        settings):
    """Max Passes To 2, full; 10 students waiting; the passes out end in bursts while 10
    other students try to go there at once and the offers are taken as they come. At no
    instant are more than 2 passes out to the room and offers held for it, and every offer
    ends taken."""
    settings(line_offer_seconds=300)  # No lapse: every offer is taken, or the test fails.
    a, full = rooms({}, {"max_passes_to": 2})
    room_id = teacher.room_id(full)
    first = pupils(2)
    waiting = pupils(10)
    others = pupils(10)
    history(store, *({"student": s, "origin": a, "destination": full} for s in first))
    joined = [ok(join(teacher, s, a, full), 202)["id"] for s in waiting]
    deadline = time.monotonic() + 60
    rounds = 0
    while time.monotonic() < deadline:
        line = {e["id"]: e for e in entries(teacher)}
        if not any(i in line for i in joined):
            break
        out = [p for p in teacher.active() if p["destination"] == full]
        requests = [("POST", f"/api/passes/{p['id']}/end", {}) for p in out]
        requests += [("POST", f"/api/line/{i}/start", {}) for i, e in line.items()
                     if e["state"] == "offered"]
        if rounds < 3:
            requests += [("POST", "/api/passes", {"student": s, "origin": a,
                                                  "destination": full}) for s in others]
        if requests:
            for r in race(teacher, requests):
                assert r.status in (200, 201, 409), r
        rounds += 1
        time.sleep(1.2)
    for p in teacher.active():
        if p["destination"] == full:
            ok(teacher.end_pass(p["id"]))
    states = store.sql("SELECT state, count(*) FROM line_entries WHERE destination_id = ?"
                       " GROUP BY state", (room_id,))
    assert {str(s): int(n) for s, n in states} == {"started": 10}, states
    most, at = busiest_instant(store, room_id)
    assert most <= 2, (most, at)
    assert most == 2  # The room was full at times: the sweep saw something.


@pytest.mark.postgresql_only
def test_two_servers_make_each_offer_once(stores):
    """Two servers with their clocks on one PostgreSQL store: a room with Max Passes To 1 and
    six students waiting. The first place frees when the pass out ends itself (its auto-end,
    written once), the others when a teacher ends the pass taken from the last offer. Each
    freed place is offered once: the two servers' logs count one auto-end and as many offers
    as places freed, and the room never holds more than one pass and offer."""
    kids = students("twoline", 8)
    store = basic_store(stores, users=(ADMIN, TEACHER), extra_students=kids)
    store.rooms([{"name": "Solo", "folder": "", "max_passes_from": None, "max_passes_to": 1}])
    # Out for 2 hours less 4 seconds: it ends itself (auto_end_minutes 120) once both run.
    store.passes([{"id": "two-out", "student": kids[0]["email"], "origin": "Room 101",
                   "destination": "Solo", "creator": TEACHER["email"], "source": "teacher",
                   "type": "now", "start": iso(now_utc() - dt.timedelta(minutes=120, seconds=-4)),
                   "end": "", "cancelled": ""}])
    servers = [store.server(log_name=f"lineclock{i}") for i in range(2)]
    for srv in servers:
        srv.start()
    try:
        clients = [sign_in(srv, TEACHER) for srv in servers]
        waiting = [k["email"] for k in kids[1:7]]
        for i, s in enumerate(waiting):
            ok(join(clients[i % 2], s, "Room 101", "Solo"), 202)
        for i, s in enumerate(waiting):
            c = clients[i % 2]
            if i > 0:
                (p,) = [x for x in c.active() if x["destination"] == "Solo"]
                ok(c.end_pass(p["id"]))
            e = wait_for(lambda: (x := entry_of(c, s)) and x["state"] == "offered" and x,
                         timeout=10)
            # Both clocks keep walking: still one offer, to the first in line, a moment later.
            time.sleep(1.5)
            line = entries(c)
            assert [x["state"] for x in line].count("offered") == 1, line
            ok(clients[(i + 1) % 2].post(f"/api/line/{e['id']}/start"), 201)
        for p in clients[0].active():
            ok(clients[0].end_pass(p["id"]))
        room_id = clients[0].room_id("Solo")
    finally:
        for srv in servers:
            assert srv.stop() == 0, srv.log()
    # The whole logs: srv.log() keeps only their ends, which the access lines fill.
    logs = [srv.log_path.read_text(errors="replace") for srv in servers]
    offered_n = sum(int(m.group(1)) for log in logs
                    for m in re.finditer(r"hallpass serve: (\d+) places? offered", log))
    ended_n = sum(int(m.group(1)) for log in logs
                  for m in re.finditer(r"hallpass serve: (\d+) pass(?:es)? ended at", log))
    assert (offered_n, ended_n) == (6, 1), logs
    assert busiest_instant(store, room_id)[0] == 1


def test_a_copy_keeps_the_line_and_the_passes_it_became(stores):
    kids = students("copyline", 3)
    st = basic_store(stores, users=(ADMIN, TEACHER), extra_students=kids)
    st.rooms([{"name": "Solo", "folder": "", "max_passes_from": None, "max_passes_to": 1}])
    history(st, {"student": kids[0]["email"], "origin": "Room 101", "destination": "Solo"})
    with st.server().start() as srv:
        t = sign_in(srv, TEACHER)
        first = ok(join(t, kids[1]["email"], "Room 101", "Solo"), 202)
        ok(join(t, kids[2]["email"], "Room 101", "Solo"), 202)
        (p,) = t.active()
        ok(t.end_pass(p["id"]))
        offered(t, kids[1]["email"])
        taken = ok(t.post(f"/api/line/{first['id']}/start"), 201)
    target = stores.new("linecopy")
    cli("copy", "--from", st.db, "--to", target)
    line = ("SELECT u.email, l.state, l.joined, l.offered_at, l.lapses, p.start_at"
            " FROM line_entries l JOIN users u ON u.id = l.student_id"
            " LEFT JOIN passes p ON p.id = l.pass_id ORDER BY l.joined, u.email")
    copied = [tuple(str(v) for v in r) for r in store_util.sql(target, line)]
    assert copied == [tuple(str(v) for v in r) for r in st.sql(line)], copied
    assert [(r[0], r[1]) for r in copied] == [(kids[1]["email"], "started"),
                                             (kids[2]["email"], "waiting")]
    assert copied[0][5] == str(int(parse_iso(taken["start"]).timestamp()))
