"""The pass rules end to end, on both stores: a pass's time limit, overtime and auto-end (by
time, and written by the server's clock), the rules of a now pass in their order with their
messages and who may pass which, overrides recorded on the pass, every refusal counted, and
resuming a mis-tapped end. Each case is set up from imported history relative to now (an open
pass from 3 hours ago, one ended 2 minutes ago, passes earlier today), so no test needs a fake
clock. `hallpass check` agrees with the counters after all of it."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from zoneinfo import ZoneInfo

import pytest

from server_util import (ADMIN, KIOSK, PASS_COLUMNS, TEACHER, Store, ago, basic_store, cli,
                         earlier_today, iso, now_utc, ok, parse_iso, room, sign_in, students,
                         user)

ZONE = ZoneInfo("America/Chicago")
PUPILS = students("rule", 150)
# Students who sign in themselves: each password costs one Argon2id hash, so there are few.
SELF = [user(f"Self Student {i:02d}", f"self{i:02d}@lincoln.test", "student", f"self-pass-{i:02d}")
        for i in range(10)]
# A student with a daily limit of their own (a 504 plan, say).
LEE = user("Lee Limited", "lee@lincoln.test", "student", "lee-pass-1")
SETTINGS = ["auto_end_minutes", "default_time_limit_minutes", "max_active_passes",
            "max_passes_per_day", "max_passes_per_week", "cooldown_minutes",
            "no_pass_first_minutes", "no_pass_last_minutes", "wait_in_line",
            "line_offer_seconds"]
RULE_NUMBERS = {"student_active": 1, "no_pass_time": 2, "encounter": 3, "cooldown": 4,
                "student_limit": 5, "max_from": 6, "max_to": 7, "hallway_cap": 8}
# Counter kinds of refusals as the store keeps them (store/counter.h).
RULE_REFUSALS, ROOM_REFUSALS, STUDENT_REFUSALS = 2, 3, 4


# --------------------------------------------------------------------------------------------
# Times, history and counters


def local_clock(moment: dt.datetime) -> str:
    """The school's wall clock as the rules' messages say it: HH:MM, rounded up, with the date
    before it when that minute falls on another local day than now (near midnight)."""
    local = moment.astimezone(ZONE)
    if local.second or local.microsecond:
        local += dt.timedelta(seconds=60 - local.second)
    if local.date() != dt.datetime.now(ZONE).date():
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%H:%M")


def today_number() -> int:
    return (dt.datetime.now(ZONE).date() - dt.date(1970, 1, 1)).days


_history = itertools.count()


def history(store: Store, *passes: dict) -> None:
    """Imports passes: each a dict with student, origin, destination, start (a datetime) and
    optionally end (a datetime) and type; a teacher wrote them."""
    rows = []
    for p in passes:
        rows.append({"id": f"history-{next(_history)}", "student": p["student"],
                     "origin": p["origin"], "destination": p["destination"],
                     "creator": TEACHER["email"], "source": "teacher",
                     "type": p.get("type", "now"), "start": iso(p["start"]),
                     "end": iso(p["end"]) if p.get("end") else "", "cancelled": ""})
    store.passes(rows)


def counter(store: Store, kind: int, subject: int, column: str = "a") -> int:
    rows = store.sql(f"SELECT {column} FROM usage_counts WHERE kind = ? AND period = 0"
                     " AND bucket = ? AND id = ?", (kind, today_number(), subject))
    return int(rows[0][0]) if rows else 0


def user_id(store: Store, email: str) -> int:
    return int(store.sql("SELECT id FROM users WHERE email = ?", (email,))[0][0])


def refusal_counts(store: Store, rule: str, student: str) -> tuple[int, int]:
    return (counter(store, RULE_REFUSALS, RULE_NUMBERS[rule]),
            counter(store, STUDENT_REFUSALS, user_id(store, student)))


def refused(r, rule: str | None, message: str, can_wait: bool = False) -> None:
    """r is the 409 of a refusal by `rule` (None: no rule named) with `message`."""
    assert r.status == 409, r
    doc = r.json
    assert doc["error"] == message, doc
    assert doc.get("rule") == rule, doc
    assert doc.get("can_wait", False) is can_wait, doc


# --------------------------------------------------------------------------------------------
# The school


@pytest.fixture(scope="module")
def store(module_stores):
    st = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK, *SELF, LEE),
                     extra_students=PUPILS)
    st._import("users", ["name", "email", "role", "max_passes_per_day"],
               [{"name": LEE["name"], "email": LEE["email"], "role": "student",
                 "max_passes_per_day": 1}], None)
    return st


@pytest.fixture(scope="module")
def server(store):
    srv = store.server("--threads", "16").start()
    yield srv
    assert srv.stop() == 0, srv.log()
    # The counters agree with a recount of the passes after everything the module did.
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
    """pupils(n): emails of n students no other test uses (they do not sign in)."""
    return lambda n=1: [PUPILS[next(_numbers["pupils"])]["email"] for _ in range(n)]


@pytest.fixture
def self_student(server, _numbers):
    """A student no other test uses, signed in: (their user row, their client)."""
    who = SELF[next(_numbers["self"])]
    return who, sign_in(server, who)


@pytest.fixture
def rooms(admin, _numbers):
    """rooms(fields, ...) -> names of new rooms made by the admin with those fields."""

    def make(*fields):
        names = []
        for f in fields:
            name = f"Rule Room {next(_numbers['rooms']):03d}"
            ok(admin.post("/api/rooms", {"name": name, **f}), 201)
            names.append(name)
        return names

    return make


@pytest.fixture
def settings(admin):
    """settings(key=value, ...) changes the school's settings for one test; they go back to
    their defaults after it."""

    def change(**values):
        return ok(admin.patch("/api/settings", values))

    yield change
    ok(admin.patch("/api/settings", {k: None for k in SETTINGS}))


def name_of(email: str) -> str:
    for p in [*PUPILS, *SELF, LEE]:
        if p["email"] == email:
            return p["name"]
    raise AssertionError(email)


def day_list(client, start: dt.datetime, email: str) -> list[dict]:
    """The passes of a student that started at `start` (to the second), from the list of
    passes of its local day."""
    day = start.astimezone(ZONE).date().isoformat()
    listed = ok(client.get(f"/api/passes?date={day}&student={email}"))["passes"]
    return [p for p in listed if parse_iso(p["start"]) == start.replace(microsecond=0)]


def passes_of(client, email: str) -> list[dict]:
    return [p for p in client.active() if p["student"] == email]


# --------------------------------------------------------------------------------------------
# Time limits, overtime, auto-end


def test_a_pass_keeps_the_time_limit_and_deadline_it_started_with(store, teacher, admin,
                                                                  rooms, pupils, settings):
    settings(default_time_limit_minutes=20)
    a, short, plain = rooms({}, {"time_limit_minutes": 10}, {})
    late, fresh, later = pupils(3)
    history(store, {"student": late, "origin": a, "destination": short, "start": ago(15)})
    (old,) = passes_of(teacher, late)
    assert old["time_limit_minutes"] == 10 and old["overtime"] is True, old
    assert old["overtime_seconds"] >= 5 * 60 - 5, old
    assert old["active"] is True and old["end"] is None and old["end_reason"] is None
    assert parse_iso(old["auto_end_at"]) - parse_iso(old["start"]) == dt.timedelta(hours=2)

    p = ok(teacher.create_pass(student=fresh, origin=a, destination=plain), 201)
    assert p["time_limit_minutes"] == 20  # The school's default: the room has none.
    assert p["overtime"] is False and p["overtime_seconds"] == 0 and p["overrides"] == []

    # Changes apply to passes that start after them.
    ok(admin.patch(f"/api/rooms/{admin.room_id(short)}", {"time_limit_minutes": 30}))
    settings(auto_end_minutes=30, default_time_limit_minutes=None)
    (old,) = passes_of(teacher, late)
    assert old["time_limit_minutes"] == 10 and old["active"] is True
    q = ok(teacher.create_pass(student=later, origin=a, destination=short), 201)
    assert q["time_limit_minutes"] == 30
    assert parse_iso(q["auto_end_at"]) - parse_iso(q["start"]) == dt.timedelta(minutes=30)
    assert [x["time_limit_minutes"] for x in passes_of(teacher, fresh)] == [20]


def test_a_scheduled_pass_takes_the_limits_that_stand_when_it_starts(store, teacher, admin,
                                                                    rooms, pupils, settings):
    settings(default_time_limit_minutes=20)
    a, short, plain = rooms({}, {"time_limit_minutes": 10}, {})
    kid, other = pupils(2)
    start = now_utc() + dt.timedelta(hours=2)
    to_short = ok(teacher.create_pass(student=kid, origin=a, destination=short, type="scheduled",
                                      start=iso(start)), 201)
    to_plain = ok(teacher.create_pass(student=other, origin=a, destination=plain,
                                      type="scheduled", start=iso(start)), 201)
    assert (to_short["time_limit_minutes"], to_plain["time_limit_minutes"]) == (10, 20)
    # The rules change before the passes start: they start under the new ones.
    ok(admin.patch(f"/api/rooms/{admin.room_id(short)}", {"time_limit_minutes": 30}))
    settings(auto_end_minutes=45, default_time_limit_minutes=None)
    upcoming = {p["id"]: p for p in ok(teacher.get("/api/passes?scheduled=true"))["passes"]}
    for p, limit in ((to_short, 30), (to_plain, None)):
        got = upcoming[p["id"]]
        assert got["time_limit_minutes"] == limit, got
        assert parse_iso(got["auto_end_at"]) - parse_iso(got["start"]) == dt.timedelta(
            minutes=45), got
    # So does a rooms file that gives a room its time limit.
    store._import("rooms", ["name", "time_limit_minutes"], [{"name": plain,
                                                             "time_limit_minutes": 15}], None)
    upcoming = {p["id"]: p for p in ok(teacher.get("/api/passes?scheduled=true"))["passes"]}
    assert upcoming[to_plain["id"]]["time_limit_minutes"] == 15


def test_an_ended_pass_was_overtime_by_its_end(teacher, rooms, pupils, store):
    a, b = rooms({}, {"time_limit_minutes": 1})
    (kid,) = pupils()
    history(store, {"student": kid, "origin": a, "destination": b, "start": ago(3)})
    (p,) = passes_of(teacher, kid)
    done = ok(teacher.end_pass(p["id"]))
    assert done["end_reason"] == "ended" and done["active"] is False
    assert done["overtime"] is True and done["overtime_seconds"] >= 115


def test_auto_end_holds_by_time_before_any_end_is_written(stores):
    """A server that does not run the clock: an open pass from 3 hours ago (auto-end 120
    minutes) is not active, counts toward no limit and blocks nobody, though its end is not
    written; a server with the clock then writes its end as its deadline."""
    kids = students("late", 3)
    store = basic_store(stores, users=(ADMIN, TEACHER), extra_students=kids,
                        rooms=[room("Room 201", max_to=1)])
    start = ago(180)
    history(store, {"student": kids[0]["email"], "origin": "Room 101",
                    "destination": "Room 201", "start": start},
            {"student": kids[1]["email"], "origin": "Room 101", "destination": "Library",
             "start": ago(5)})
    with store.server("--no-clock").start() as srv:
        teacher = sign_in(srv, TEACHER)
        assert [p["student"] for p in teacher.active()] == [kids[1]["email"]]
        # Rule 1 and Max Passes To This Room do not see the pass that ended itself.
        p = ok(teacher.create_pass(student=kids[0]["email"], origin="Room 102",
                                   destination="Room 201"), 201)
        assert p["active"] is True
        old = store.sql("SELECT coalesce(end_at, -1) FROM passes WHERE start_at = ?",
                        (int(start.timestamp()),))
        assert [int(e) for (e,) in old] == [-1], old
        # A day's list shows it ended itself at its deadline, though no end is written.
        (shown,) = day_list(teacher, start, kids[0]["email"])
        assert shown["end_reason"] == "auto" and shown["active"] is False, shown
        assert parse_iso(shown["end"]) == start.replace(microsecond=0) + dt.timedelta(hours=2)
    with store.server().start():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            old = store.sql("SELECT coalesce(end_at, -1) FROM passes WHERE start_at = ?",
                            (int(start.timestamp()),))
            if int(old[0][0]) != -1:
                break
            time.sleep(0.2)
        assert int(old[0][0]) == int(start.timestamp()) + 120 * 60, old
    out = cli("check", "--db", store.db).stdout.decode()
    assert "agree" in out, out


def test_the_clock_ends_a_pass_at_its_deadline_while_serving(store, teacher, rooms, pupils,
                                                             server, settings):
    a, b = rooms({}, {})
    (kid,) = pupils()
    # Ten minutes is the shortest auto-end; this pass reaches it within two seconds.
    settings(auto_end_minutes=10)
    start = now_utc() - dt.timedelta(minutes=10) + dt.timedelta(seconds=2)
    history(store, {"student": kid, "origin": a, "destination": b, "start": start})
    assert len(passes_of(teacher, kid)) == 1
    deadline = int(start.replace(microsecond=0).timestamp()) + 600
    waited = time.monotonic() + 6
    ends = []
    while time.monotonic() < waited:
        ends = store.sql("SELECT coalesce(end_at, -1) FROM passes WHERE student_id = ?",
                         (user_id(store, kid),))
        if int(ends[0][0]) != -1:
            break
        time.sleep(0.2)
    assert [int(e[0]) for e in ends] == [deadline], ends
    assert passes_of(teacher, kid) == []
    (shown,) = day_list(teacher, start, kid)
    assert shown["end_reason"] == "auto" and shown["active"] is False, shown
    assert parse_iso(shown["end"]).timestamp() == deadline
    log = server.log_path.read_text(errors="replace")  # Whole: log() keeps only its end.
    assert "1 pass ended at its auto-end" in log or "passes ended" in log


# --------------------------------------------------------------------------------------------
# The rules, their words and who may pass them


def test_one_active_pass_nobody_may_pass(teacher, kiosk, rooms, pupils, store):
    a, b = rooms({}, {})
    (kid,) = pupils()
    ok(teacher.create_pass(student=kid, origin=a, destination=b), 201)
    before = refusal_counts(store, "student_active", kid)
    message = f"{name_of(kid)} already has an active pass"
    refused(teacher.create_pass(student=kid, origin=a, destination=b, override=True),
            "student_active", message)
    refused(kiosk.create_pass(student=kid, destination=b), "student_active", message)
    after = refusal_counts(store, "student_active", kid)
    assert after == (before[0] + 2, before[1] + 2)


def test_cooldown_for_students_and_kiosks_not_staff(teacher, kiosk, rooms, pupils, store,
                                                   settings, self_student):
    settings(cooldown_minutes=10)
    a, b = rooms({}, {})
    who, client = self_student
    (kid,) = pupils()
    ended = ago(2)
    history(store, {"student": who["email"], "origin": a, "destination": b, "start": ago(9),
                    "end": ended},
            {"student": kid, "origin": a, "destination": b, "start": ago(9), "end": ended})
    free_at = local_clock(ended.replace(microsecond=0) + dt.timedelta(minutes=10))
    refused(client.create_pass(origin=a, destination=b), "cooldown",
            f"{who['name']} can start a new pass at {free_at}")
    refused(kiosk.create_pass(student=kid, destination=b), "cooldown",
            f"{name_of(kid)} can start a new pass at {free_at}")
    # Staff are not checked against the cooldown: nothing to override, nothing recorded.
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b), 201)
    assert p["overrides"] == []


def test_daily_limit_counts_now_passes_earlier_today_to_counted_rooms(teacher, kiosk, rooms,
                                                                       pupils, store,
                                                                       settings):
    settings(max_passes_per_day=2)
    a, b = rooms({}, {})
    (nurse,) = rooms({"counts_toward_limit": False})
    kid, other = pupils(2)
    history(store,
            {"student": kid, "origin": a, "destination": b, "start": earlier_today(50),
             "end": earlier_today(45)},
            {"student": kid, "origin": a, "destination": nurse, "start": earlier_today(40),
             "end": earlier_today(35)},
            {"student": other, "origin": a, "destination": b, "start": earlier_today(30),
             "end": earlier_today(25)},
            {"student": other, "origin": a, "destination": b, "start": earlier_today(20),
             "end": earlier_today(15)})
    # The pass to the nurse does not count: kid has used 1 of 2.
    p = ok(kiosk.create_pass(student=kid, destination=b), 201)
    ok(teacher.end_pass(p["id"]))
    before = refusal_counts(store, "student_limit", kid)
    refused(kiosk.create_pass(student=kid, destination=b), "student_limit",
            f"{name_of(kid)} has used 2 of 2 passes today")
    refused(teacher.create_pass(student=other, origin=a, destination=b), "student_limit",
            f"{name_of(other)} has used 2 of 2 passes today")
    # Both refusals count for the rule, one for each student.
    assert refusal_counts(store, "student_limit", kid) == (before[0] + 2, before[1] + 1)
    # Staff may pass it with an override, and the pass records it.
    q = ok(teacher.create_pass(student=other, origin=a, destination=b, override=True), 201)
    assert q["overrides"] == ["student_limit"]
    assert [x["overrides"] for x in passes_of(teacher, other)] == [["student_limit"]]


def test_marking_a_room_counted_or_not_changes_only_the_passes_after_it(teacher, admin, kiosk,
                                                                         rooms, pupils, store,
                                                                         settings):
    settings(max_passes_per_day=1)
    a, counted = rooms({}, {})
    (nurse,) = rooms({"counts_toward_limit": False})
    to_nurse, to_counted = pupils(2)
    history(store,
            {"student": to_nurse, "origin": a, "destination": nurse,
             "start": earlier_today(40), "end": earlier_today(35)},
            {"student": to_counted, "origin": a, "destination": counted,
             "start": earlier_today(30), "end": earlier_today(25)})
    # The nurse now counts, and the other room no longer does: this morning's passes keep
    # what they started with.
    ok(admin.patch(f"/api/rooms/{admin.room_id(nurse)}", {"counts_toward_limit": True}))
    ok(admin.patch(f"/api/rooms/{admin.room_id(counted)}", {"counts_toward_limit": False}))
    p = ok(kiosk.create_pass(student=to_nurse, destination=nurse), 201)
    ok(teacher.end_pass(p["id"]))
    refused(kiosk.create_pass(student=to_nurse, destination=nurse), "student_limit",
            f"{name_of(to_nurse)} has used 1 of 1 passes today")
    refused(kiosk.create_pass(student=to_counted, destination=nurse), "student_limit",
            f"{name_of(to_counted)} has used 1 of 1 passes today")


def test_a_students_own_daily_limit_replaces_the_schools(server, store, rooms, settings):
    settings(max_passes_per_day=5)
    a, b = rooms({}, {})
    history(store, {"student": LEE["email"], "origin": a, "destination": b,
                    "start": earlier_today(30), "end": earlier_today(25)})
    lee = sign_in(server, LEE)
    refused(lee.create_pass(origin=a, destination=b), "student_limit",
            f"{LEE['name']} has used 1 of 1 passes today")
    r = lee.create_pass(origin=a, destination=b, override=True)
    assert r.status == 403 and "only staff" in r.error, r


def test_weekly_limit(kiosk, rooms, pupils, store, settings):
    settings(max_passes_per_week=2)
    a, b = rooms({}, {})
    (kid,) = pupils()
    history(store, *[{"student": kid, "origin": a, "destination": b,
                      "start": earlier_today(40 - 10 * i), "end": earlier_today(35 - 10 * i)}
                     for i in range(2)])
    refused(kiosk.create_pass(student=kid, destination=b), "student_limit",
            f"{name_of(kid)} has used 2 of 2 passes this week")


def test_room_limits_staff_override_and_the_line(teacher, kiosk, rooms, pupils, store,
                                                 settings, self_student):
    a, full_to = rooms({"max_passes_from": 1}, {"max_passes_to": 1})
    out_from, out_to, gone, kid, staffed = pupils(5)
    history(store,
            {"student": out_from, "origin": a, "destination": "Library", "start": ago(5)},
            {"student": out_to, "origin": "Room 102", "destination": full_to, "start": ago(5)},
            # Out for 3 hours: it ended itself, and counts toward no limit.
            {"student": gone, "origin": "Room 102", "destination": full_to, "start": ago(180)})
    who, client = self_student
    to_id = teacher.room_id(full_to)
    before_to = counter(store, ROOM_REFUSALS, to_id, "b")
    refused(client.create_pass(origin=a, destination="Library"), "max_from",
            f"{a}: 1 of 1 passes from this room are active", can_wait=True)
    refused(kiosk.create_pass(student=kid, destination=full_to), "max_to",
            f"{full_to}: 1 of 1 passes to this room are active", can_wait=True)
    assert counter(store, ROOM_REFUSALS, to_id, "b") == before_to + 1
    # Staff are refused too, with the line's offer ("Send to line"), and may override.
    refused(teacher.create_pass(student=staffed, origin=a, destination=full_to), "max_from",
            f"{a}: 1 of 1 passes from this room are active", can_wait=True)
    p = ok(teacher.create_pass(student=staffed, origin=a, destination=full_to, override=True),
           201)
    assert p["overrides"] == ["max_from", "max_to"]
    # With the line off, no place in line is offered.
    settings(wait_in_line=False)
    refused(kiosk.create_pass(student=kid, destination=full_to), "max_to",
            f"{full_to}: 2 of 1 passes to this room are active")


def test_the_order_of_the_rules(teacher, kiosk, rooms, pupils, store, settings):
    settings(max_passes_per_day=1, cooldown_minutes=30)
    a, full = rooms({}, {"max_passes_to": 1})
    blocker, kid = pupils(2)
    history(store,
            {"student": blocker, "origin": "Room 102", "destination": full, "start": ago(4)},
            {"student": kid, "origin": a, "destination": "Library",
             "start": earlier_today(6), "end": earlier_today(2)})
    # Cooldown (4) before the daily limit (5) before Max Passes To (7).
    r = kiosk.create_pass(student=kid, destination=full)
    assert r.status == 409 and r.json["rule"] == "cooldown", r
    # Staff are not checked against the cooldown: the daily limit answers, then the room.
    r = teacher.create_pass(student=kid, origin=a, destination=full)
    assert r.status == 409 and r.json["rule"] == "student_limit", r
    # One override passes both, and the pass records both, in the rules' order.
    p = ok(teacher.create_pass(student=kid, origin=a, destination=full, override=True), 201)
    assert p["overrides"] == ["student_limit", "max_to"]
    # Now the student is out: the one-active-pass rule (1) answers before any other.
    r = teacher.create_pass(student=kid, origin=a, destination=full, override=True)
    assert r.status == 409 and r.json["rule"] == "student_active", r


def test_hallway_cap_for_students_and_kiosks(teacher, kiosk, rooms, pupils, store, settings):
    a, b = rooms({}, {})
    kid, staffed = pupils(2)
    out = len(teacher.active())
    settings(max_active_passes=max(out, 1))
    if out == 0:
        (first,) = pupils()
        ok(teacher.create_pass(student=first, origin=a, destination=b), 201)
    out = len(teacher.active())
    before = refusal_counts(store, "hallway_cap", kid)
    refused(kiosk.create_pass(student=kid, destination=b), "hallway_cap",
            f"The hallway is full: {out} of {max(out, 1)} passes are active", can_wait=True)
    assert refusal_counts(store, "hallway_cap", kid) == (before[0] + 1, before[1] + 1)
    # Staff are not checked against the cap.
    p = ok(teacher.create_pass(student=staffed, origin=a, destination=b), 201)
    assert p["overrides"] == []


def test_scheduled_passes_meet_no_rule_when_made(teacher, rooms, pupils, settings):
    settings(max_active_passes=1, max_passes_per_day=1)
    a, b = rooms({}, {"max_passes_to": 1})
    kid, other = pupils(2)
    ok(teacher.create_pass(student=other, origin=a, destination=b, override=True), 201)
    start = iso(now_utc() + dt.timedelta(hours=2))
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b, type="scheduled",
                               start=start), 201)
    assert p["overrides"] == [] and p["active"] is False


def test_a_started_scheduled_pass_counts_for_the_rooms_and_the_cap_not_the_students_limit(
        teacher, kiosk, rooms, pupils, store, settings):
    settings(max_passes_per_day=1)
    a, b = rooms({"max_passes_from": 1}, {})
    out, earlier, third, kid = pupils(4)
    history(store,
            {"student": out, "origin": a, "destination": b, "start": ago(5),
             "type": "scheduled"},
            {"student": earlier, "origin": "Room 102", "destination": b,
             "start": earlier_today(40), "end": earlier_today(35), "type": "scheduled"})
    (started,) = passes_of(teacher, out)
    assert started["type"] == "scheduled" and started["active"] is True
    # Out since its start: it fills its room's Max Passes From...
    refused(teacher.create_pass(student=third, origin=a, destination=b), "max_from",
            f"{a}: 1 of 1 passes from this room are active", can_wait=True)
    # ...and counts toward the hallway cap.
    active = teacher.active()
    assert started["id"] in [p["id"] for p in active]
    settings(max_active_passes=len(active))
    refused(kiosk.create_pass(student=kid, destination=b), "hallway_cap",
            f"The hallway is full: {len(active)} of {len(active)} passes are active",
            can_wait=True)
    settings(max_active_passes=None)
    # A scheduled pass counts toward no student's limit: the day's one pass is still free.
    ok(teacher.create_pass(student=earlier, origin="Room 102", destination=b), 201)


def test_the_day_and_the_week_are_local_and_start_on_monday(teacher, kiosk, rooms, pupils, store,
                                                            settings):
    local = dt.datetime.now(ZONE)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = midnight - dt.timedelta(days=local.weekday())
    if local - monday < dt.timedelta(minutes=3):
        pytest.skip("the week began less than 3 minutes ago")
    a, b = rooms({}, {})
    day_kid, week_kid = pupils(2)
    # Late yesterday is not today.
    settings(max_passes_per_day=1)
    history(store, {"student": day_kid, "origin": a, "destination": b,
                    "start": midnight - dt.timedelta(minutes=30),
                    "end": midnight - dt.timedelta(minutes=25)})
    p = ok(kiosk.create_pass(student=day_kid, destination=b), 201)
    ok(teacher.end_pass(p["id"]))
    refused(kiosk.create_pass(student=day_kid, destination=b), "student_limit",
            f"{name_of(day_kid)} has used 1 of 1 passes today")
    # Last Sunday night is last week; Monday just after midnight is this week.
    settings(max_passes_per_day=None, max_passes_per_week=2)
    history(store,
            {"student": week_kid, "origin": a, "destination": b,
             "start": monday - dt.timedelta(hours=1),
             "end": monday - dt.timedelta(minutes=55)},
            {"student": week_kid, "origin": a, "destination": b,
             "start": monday + dt.timedelta(seconds=30),
             "end": monday + dt.timedelta(seconds=90)})
    p = ok(kiosk.create_pass(student=week_kid, destination=b), 201)
    ok(teacher.end_pass(p["id"]))
    refused(kiosk.create_pass(student=week_kid, destination=b), "student_limit",
            f"{name_of(week_kid)} has used 2 of 2 passes this week")
    # Staff may pass the week's limit with an override.
    q = ok(teacher.create_pass(student=week_kid, origin=a, destination=b, override=True), 201)
    assert q["overrides"] == ["student_limit"]
    ok(teacher.end_pass(q["id"]))
    # With the day and the week both used up, the refusal names the day.
    today = 2 + (1 if local.weekday() == 0 else 0)
    settings(max_passes_per_day=today)
    refused(kiosk.create_pass(student=week_kid, destination=b), "student_limit",
            f"{name_of(week_kid)} has used {today} of {today} passes today")


# --------------------------------------------------------------------------------------------
# Ending and resuming


def test_resume_within_a_minute(teacher, rooms, pupils, self_student, kiosk):
    a, b = rooms({}, {})
    who, client = self_student
    p = ok(client.create_pass(origin=a, destination=b), 201)
    done = ok(client.end_pass(p["id"]))
    assert done["active"] is False and done["end_reason"] == "ended"
    again = ok(client.post(f"/api/passes/{p['id']}/resume"))
    assert again["active"] is True and again["end"] is None and again["end_reason"] is None
    assert again["start"] == p["start"]
    # A kiosk resumes the passes from or to its room; others are not theirs.
    (kid,) = pupils()
    q = ok(kiosk.create_pass(student=kid, destination=b), 201)
    ok(teacher.end_pass(q["id"]))
    assert ok(kiosk.post(f"/api/passes/{q['id']}/resume"))["active"] is True
    r = client.post(f"/api/passes/{q['id']}/resume")
    assert r.status == 404, r
    # A pass that is out cannot be resumed.
    r = teacher.post(f"/api/passes/{q['id']}/resume")
    assert r.status == 409 and r.error == "the pass has not ended", r
    # The day's list: a student sees their own passes, ended and out, and no one else's.
    mine = ok(client.get(f"/api/passes?date={dt.datetime.now(ZONE).date()}"))["passes"]
    assert [x["id"] for x in mine] == [p["id"]] and mine[0]["end_reason"] is None
    r = client.get(f"/api/passes?date={dt.datetime.now(ZONE).date()}&student={kid}")
    assert r.status == 403, r


def test_resume_refused_late_after_auto_end_or_by_the_rules(teacher, kiosk, rooms, pupils, store,
                                                            settings):
    a, b = rooms({}, {"max_passes_to": 1})
    late, auto, kid, taker = pupils(4)
    history(store,
            {"student": late, "origin": a, "destination": "Library", "start": ago(10),
             "end": ago(2)},
            {"student": auto, "origin": a, "destination": "Library", "start": ago(180)})
    ids = {p["student"]: p["id"] for p in
           [*teacher.get("/api/passes?active=true").json["passes"]]}
    assert auto not in ids
    rows = store.sql("SELECT id, student_id FROM passes WHERE student_id IN (?, ?)",
                     (user_id(store, late), user_id(store, auto)))
    by_student = {int(s): int(i) for i, s in rows}
    r = teacher.post(f"/api/passes/{by_student[user_id(store, late)]}/resume")
    assert r.status == 409 and r.error == \
        "the pass ended more than a minute ago; start a new pass", r
    r = teacher.post(f"/api/passes/{by_student[user_id(store, auto)]}/resume")
    assert r.status == 409 and r.error == \
        "the pass ended itself after its time out; start a new pass", r
    # Ended by mistake, then the room filled: Max Passes To refuses the resume.
    p = ok(teacher.create_pass(student=kid, origin=a, destination=b), 201)
    ok(teacher.end_pass(p["id"]))
    ok(teacher.create_pass(student=taker, origin=a, destination=b), 201)
    refused(teacher.post(f"/api/passes/{p['id']}/resume"), "max_to",
            f"{b}: 1 of 1 passes to this room are active")
    # Max Passes From and the hallway cap refuse a resume too, with no place in line.
    c, d = rooms({"max_passes_from": 1}, {})
    kid2, taker2, other = pupils(3)
    p2 = ok(teacher.create_pass(student=kid2, origin=c, destination=d), 201)
    ok(teacher.end_pass(p2["id"]))
    ok(teacher.create_pass(student=taker2, origin=c, destination=d), 201)
    refused(teacher.post(f"/api/passes/{p2['id']}/resume"), "max_from",
            f"{c}: 1 of 1 passes from this room are active")
    k = ok(kiosk.create_pass(student=other, destination="Library"), 201)
    ok(kiosk.end_pass(k["id"]))
    out = len(teacher.active())
    settings(max_active_passes=out)
    refused(kiosk.post(f"/api/passes/{k['id']}/resume"), "hallway_cap",
            f"The hallway is full: {out} of {out} passes are active")
    settings(max_active_passes=None)
    # ...and a pass of the student's own that is out refuses it by the one-active-pass rule.
    ok(teacher.create_pass(student=kid, origin=a, destination="Library"), 201)
    refused(teacher.post(f"/api/passes/{p['id']}/resume"), "student_active",
            f"{name_of(kid)} already has an active pass")


# --------------------------------------------------------------------------------------------
# The hallway cap under requests at once


def test_thirty_students_at_once_against_a_cap_of_three(stores):
    """30 kiosk requests released together, for 30 different students, against a hallway cap
    of 3 with nobody out: exactly 3 passes are made, every other request is refused by the
    cap, and the counters agree."""
    kids = students("crowd", 30)
    store = basic_store(stores, users=(ADMIN, TEACHER, KIOSK), extra_students=kids)
    cli("settings", "--db", store.db, "max_active_passes=3")
    from server_util import race
    with store.server("--threads", "16").start() as srv:
        kiosk = sign_in(srv, KIOSK)
        answers = race(kiosk, [("POST", "/api/passes",
                                {"student": k["email"], "destination": "Library"})
                               for k in kids])
        made = [r for r in answers if r.status == 201]
        refusals = [r for r in answers if r.status != 201]
        assert len(made) == 3, [r.status for r in answers]
        assert all(r.status == 409 and r.json["rule"] == "hallway_cap" for r in refusals), \
            refusals[:3]
        teacher = sign_in(srv, TEACHER)
        assert len(teacher.active()) == 3
    rule = store.sql("SELECT a FROM usage_counts WHERE kind = ? AND period = 0 AND id = ?",
                     (RULE_REFUSALS, RULE_NUMBERS["hallway_cap"]))
    assert int(rule[0][0]) == 27, rule
    out = cli("check", "--db", store.db).stdout.decode()
    assert "agree" in out, out


@pytest.mark.postgresql_only
def test_two_servers_write_each_auto_end_once(stores):
    """Two servers with their clocks on one PostgreSQL store, started together on 600 passes
    (three batches of the clock) that ended themselves while no server ran: every end is
    written, as its deadline, and the two clocks' counts add up to 600, so none was written
    twice."""
    kids = students("twice", 60)
    store = basic_store(stores, users=(ADMIN, TEACHER), extra_students=kids)
    history(store, *[{"student": k["email"], "origin": "Room 101", "destination": "Library",
                      "start": ago(130 + 10 * i + j)}
                     for i, k in enumerate(kids) for j in range(10)])
    servers = [store.server(log_name=f"clock{i}") for i in range(2)]
    for srv in servers:
        srv.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            left = store.sql("SELECT count(*) FROM passes WHERE end_at IS NULL")
            if int(left[0][0]) == 0:
                break
            time.sleep(0.2)
        assert int(left[0][0]) == 0, left
        wrong = store.sql("SELECT count(*) FROM passes WHERE end_at <> auto_end_at")
        assert int(wrong[0][0]) == 0, wrong
    finally:
        for srv in servers:
            assert srv.stop() == 0, srv.log()
    pattern = re.compile(r"hallpass serve: (\d+) pass(?:es)? ended at (?:its|their) auto-end")
    # The whole logs: srv.log() keeps only their ends, which the access lines fill.
    written = sum(int(m.group(1)) for srv in servers
                  for m in pattern.finditer(srv.log_path.read_text(errors="replace")))
    assert written == 600, [srv.log() for srv in servers]


@pytest.mark.parametrize("query", ["date=2026-02-30", "date=", "date=tomorrow",
                                   "date=2026-11-29&active=true"])
def test_a_bad_day_list_is_refused(teacher, query):
    r = teacher.get(f"/api/passes?{query}")
    assert r.status == 400, r
    assert "date" in r.error, r
