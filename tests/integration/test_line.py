"""The waiting line end to end, on both stores: which refusals offer it (can_wait), joining
with `wait`, the line as each role sees it and its positions, offers made by the server's
clock when a place frees (polled, never a fake clock), taking an offer, lapses, leaving, the
offers counting as active passes for the room limits, the hallway cap, a student's own pass
and their encounter groups, and races: offers never let more passes out than a limit allows,
and two servers on one PostgreSQL store make each offer once."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from server_util import (ADMIN, KIOSK, PASS_COLUMNS, TEACHER, Store, basic_store, cli, ok,
                         parse_iso, race, sign_in, students, user)

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
    store.passes(rows)


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


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK, *SELF),
                       extra_students=PUPILS)


@pytest.fixture(scope="module")
def server(store):
    srv = store.server("--threads", "16").start()
    yield srv
    assert srv.stop() == 0, srv.log()
    out = cli("check", "--db", store.db).stdout.decode()
    assert "0 differ" in out or "agree" in out, out


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


@pytest.fixture(scope="module")
def teacher(server):
    return sign_in(server, TEACHER)


@pytest.fixture(scope="module")
def kiosk(server):
    return sign_in(server, KIOSK)


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
def empty_line(request, teacher):
    """Each test starts and ends with an empty line, so positions and offers are its own."""
    if "server" not in request.fixturenames and "teacher" not in request.fixturenames:
        yield
        return
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
    history(store, {"student": third, "origin": b, "destination": a, "minutes": 200})
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


def test_a_full_hallway_offers_the_line_to_a_student(self_student, rooms, pupils, settings,
                                                     store):
    (who, client) = self_student
    a, b = rooms({}, {})
    others = pupils(2)
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
                                                           rooms, pupils, store, server,
                                                           module_stores):
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
    # Another school sees nothing of it.
    other = Store.new(module_stores, "otherline") if store.kind == "sqlite" else None
    if other is not None:
        other.init("Other High").users([user("Olga Admin", "olga@other.test", "admin",
                                             "olga-pass-1")], school="Other High")
        with other.server().start() as srv2:
            assert entries(srv2.sign_in("olga@other.test", "olga-pass-1")) == []
