"""The counters the insights read, on both stores, against a recount written here from the
import files and the API's answers: passes by source and type, by local weekday and hour of
start (in the school and to each destination), by student, and, once a pass's end is written,
its time out (ended passes, seconds, whole minutes in a histogram capped at 720, overtime) per
destination and per student. An import writes them, a live pass writes them when it is made
and when it ends (by hand or by the server's clock), a resume and a cancel take them back, and
`hallpass check` recounts them all."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from store_util import schema_back_to
from server_util import (ADMIN, KIOSK, TEACHER, basic_store, cli, ok, parse_iso, sign_in,
                         students)

ZONE = ZoneInfo("America/Chicago")
PUPILS = students("cnt", 12)
SOURCES = ["student", "teacher", "kiosk_mode", "kiosk_login"]
# Counter kinds as the store keeps them (store/counter.h).
SOURCE, HOUR, ROOM_HOUR, DURATION, OVERTIME, MINUTES, STUDENT = range(6, 13)
# Kind 13 (a student's time out) is no longer written: it is the student kind's c and d.
RULE_OVERRIDES, ROOM_OVERRIDES, ROOM_WAITS = 14, 15, 17
RULE_NUMBERS = {"max_from": 6, "max_to": 7}
WEEK_HOURS = 7 * 24
MINUTES_MAX = 720
AUTO_END_MINUTES = 120  # The default setting.
SHORT_LIMIT = 10  # Minutes: the time limit of the room "Short Stop".


def local(y, m, d, hh, mm, fold=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZONE, fold=fold)


def day_number(moment: dt.datetime) -> int:
    return (moment.astimezone(ZONE).date() - dt.date(1970, 1, 1)).days


def week_number(day: int) -> int:
    """A week's bucket: the day number of its Monday."""
    d = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    return day - d.weekday()


def month_number(day: int) -> int:
    d = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    return d.year * 12 + d.month - 1


class Recount:
    """The counters of kinds 6-13 a set of passes gives, by (kind, day, subject)."""

    def __init__(self, room_ids: dict, user_ids: dict):
        self.rooms, self.users = room_ids, user_ids
        self.values = Counter()

    def add(self, kind, day, subject, a, b=0, c=0, d=0):
        for column, v in zip("abcd", (a, b, c, d)):
            self.values[(kind, day, subject, column)] += v

    def written(self, p: dict, sign=1):
        """What a pass adds when it is written (not cancelled)."""
        start = p["start"].astimezone(ZONE)
        day = day_number(start)
        hour = start.weekday() * 24 + start.hour  # Monday 00:00 is 0.
        now = p["type"] == "now"
        self.add(SOURCE, day, SOURCES.index(p["source"]), sign * now, sign * (not now))
        self.add(STUDENT, day, self.users[p["student"]], sign * now, sign * (not now))
        self.add(HOUR, day, hour, sign)
        self.add(ROOM_HOUR, day, self.rooms[p["destination"]] * WEEK_HOURS + hour, sign)
        for rule in p.get("overrides", []):
            self.add(RULE_OVERRIDES, day, RULE_NUMBERS[rule], sign)
        if p.get("overrides"):
            self.add(ROOM_OVERRIDES, day, self.rooms[p["origin"]], sign)
            self.add(ROOM_OVERRIDES, day, self.rooms[p["destination"]], sign)

    def ended(self, p: dict, end: dt.datetime, sign=1):
        """What its written end adds: an end after the auto-end deadline counts as it."""
        start = p["start"]
        end = min(end, start + dt.timedelta(minutes=AUTO_END_MINUTES))
        seconds = int((end - start).total_seconds())
        minutes = seconds // 60
        limit = SHORT_LIMIT if p["destination"] == "Short Stop" else 0
        over = int(bool(limit) and seconds > limit * 60)
        day, to = day_number(start), self.rooms[p["destination"]]
        self.add(DURATION, day, to, sign, sign * seconds)
        if over:
            self.add(OVERTIME, day, to, sign)
        self.add(MINUTES, day, to * (MINUTES_MAX + 1) + min(minutes, MINUTES_MAX), sign)
        self.add(STUDENT, day, self.users[p["student"]], 0, 0, sign * minutes, sign * over)

    def rows(self) -> dict:
        """(kind, period, bucket, subject) -> (a, b, c, d), days, weeks, months and quarters,
        zeros left out."""
        out = Counter()
        for (kind, day, subject, col), v in self.values.items():
            out[(kind, 0, day, subject, col)] += v
            out[(kind, 1, month_number(day), subject, col)] += v
            out[(kind, 2, week_number(day), subject, col)] += v
            out[(kind, 3, month_number(day) // 3, subject, col)] += v
        rows = {}
        for (kind, period, bucket, subject, col), v in out.items():
            values = list(rows.get((kind, period, bucket, subject), (0, 0, 0, 0)))
            values["abcd".index(col)] += v
            rows[(kind, period, bucket, subject)] = tuple(values)
        return {k: v for k, v in rows.items() if v != (0, 0, 0, 0)}


def stored(store) -> dict:
    got = store.sql("SELECT kind, period, bucket, id, a, b, c, d FROM usage_counts"
                    " WHERE kind BETWEEN 6 AND 17")
    rows = {tuple(int(v) for v in row[:4]): tuple(int(v) for v in row[4:]) for row in got}
    return {k: v for k, v in rows.items() if v != (0, 0, 0, 0)}


# --------------------------------------------------------------------------------------------
# The school and its history


ROOMS = [{"name": "Room 1", "time_limit_minutes": ""},
         {"name": "Room 2", "time_limit_minutes": ""},
         {"name": "Short Stop", "time_limit_minutes": SHORT_LIMIT},
         {"name": "Library", "time_limit_minutes": ""}]
_ids = itertools.count()


def hist(student, source, start, end=None, *, type_="now", destination="Library",
         origin="Room 1", cancelled=False) -> dict:
    return {"id": f"c{next(_ids)}", "student": student, "origin": origin,
            "destination": destination, "source": source, "type": type_, "start": start,
            "end": end, "cancelled": cancelled}


def history() -> list[dict]:
    s = [p["email"] for p in PUPILS]
    return [
        # An ordinary morning: every source, both types.
        hist(s[0], "teacher", local(2026, 9, 14, 9, 5), local(2026, 9, 14, 9, 12)),
        hist(s[1], "student", local(2026, 9, 14, 9, 59), local(2026, 9, 14, 10, 20),
             destination="Short Stop"),
        hist(s[2], "kiosk_login", local(2026, 9, 14, 10, 0), local(2026, 9, 14, 10, 9),
             destination="Short Stop"),
        hist(s[3], "kiosk_mode", local(2026, 9, 14, 23, 50), local(2026, 9, 15, 0, 5)),
        hist(s[4], "teacher", local(2026, 9, 30, 13, 0), local(2026, 9, 30, 13, 0),
             type_="scheduled"),
        # A cancelled scheduled pass counts nowhere.
        hist(s[4], "teacher", local(2026, 10, 1, 8, 0), type_="scheduled", cancelled=True),
        # An end written after the deadline counts as the deadline; minutes cap at 720 only
        # past 12 hours, which the 120-minute deadline never reaches.
        hist(s[5], "teacher", local(2026, 10, 1, 8, 0), local(2026, 10, 1, 11, 30)),
        # The night the clocks go back: both 01:30s are hour 1.
        hist(s[6], "teacher", local(2026, 11, 1, 1, 30), local(2026, 11, 1, 1, 40)),
        hist(s[7], "teacher", local(2026, 11, 1, 1, 30, fold=1), local(2026, 11, 1, 1, 45, 1)),
        # The night the clocks go forward: 03:00 CDT comes after 01:59 CST.
        hist(s[8], "student", local(2026, 3, 8, 3, 0), local(2026, 3, 8, 3, 30)),
        # Out since long ago with no end: it ended itself, but no end is written until the
        # server's clock writes it.
        hist(s[9], "kiosk_mode", local(2026, 11, 20, 9, 0)),
    ]


def creator_of(p: dict) -> str:
    """Who writes a pass of its source: the student, a kiosk login, or a teacher."""
    return {"student": p["student"], "kiosk_login": KIOSK["email"]}.get(p["source"],
                                                                        TEACHER["email"])


def as_row(p: dict) -> dict:
    return {**p, "creator": creator_of(p), "start": p["start"].isoformat(),
            "end": p["end"].isoformat() if p["end"] else "",
            "cancelled": "true" if p["cancelled"] else ""}


@pytest.fixture(scope="module")
def school(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK), extra_students=PUPILS)
    store._import("rooms", ["name", "time_limit_minutes"], ROOMS, None)
    passes = history()
    store._import("passes", ["id", "student", "origin", "destination", "creator", "source",
                             "type", "start", "end", "cancelled"],
                  [as_row(p) for p in passes], None)
    rooms = {n: int(i) for i, n in store.sql("SELECT id, name FROM rooms")}
    users = {e: int(i) for i, e in store.sql("SELECT id, email FROM users")}
    recount = Recount(rooms, users)
    for p in passes:
        if not p["cancelled"]:
            recount.written(p)
            if p["end"]:
                recount.ended(p, p["end"])
    return store, passes, recount


def test_an_import_writes_every_counter_the_insights_read(school):
    store, _, recount = school
    assert stored(store) == recount.rows()
    out = cli("check", "--db", store.db).stdout.decode()
    assert "all agree" in out, out


def test_live_passes_write_them_when_made_ended_resumed_cancelled_and_auto_ended(school):
    store, passes, recount = school
    with store.server().start() as srv:
        teacher = sign_in(srv, TEACHER)
        # The clock writes the end of the pass that ended itself, with its time out.
        open_one = passes[-1]
        recount.ended(open_one, open_one["start"] + dt.timedelta(minutes=AUTO_END_MINUTES))
        deadline = time.monotonic() + 10
        while stored(store) != recount.rows() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert stored(store) == recount.rows()

        kid, other = PUPILS[10]["email"], PUPILS[11]["email"]
        p = ok(teacher.create_pass(student=kid, origin="Room 2", destination="Short Stop"), 201)
        made = {"student": kid, "source": "teacher", "type": "now",
                "destination": "Short Stop", "start": parse_iso(p["start"])}
        recount.written(made)
        assert stored(store) == recount.rows()
        done = ok(teacher.end_pass(p["id"]))
        recount.ended(made, parse_iso(done["end"]))
        assert stored(store) == recount.rows()
        # A resume takes the end's counters back; the pass counts as made still.
        ok(teacher.post(f"/api/passes/{p['id']}/resume"))
        recount.ended(made, parse_iso(done["end"]), sign=-1)
        assert stored(store) == recount.rows()
        ok(teacher.end_pass(p["id"]))
        done = ok(teacher.get(f"/api/passes?date={made['start'].astimezone(ZONE).date()}"
                              f"&student={kid}"))["passes"][0]
        recount.ended(made, parse_iso(done["end"]))
        # A pass that passed a limit by override counts for the rule and both its rooms.
        admin = sign_in(srv, ADMIN)
        ok(admin.patch(f"/api/rooms/{admin.room_id('Room 2')}", {"max_passes_to": 1}))
        first = ok(teacher.create_pass(student=other, origin="Room 1", destination="Room 2"), 201)
        r = teacher.create_pass(student=PUPILS[9]["email"], origin="Library",
                                destination="Room 2")
        assert r.status == 409 and r.json["rule"] == "max_to", r
        over = ok(teacher.create_pass(student=PUPILS[9]["email"], origin="Library",
                                      destination="Room 2", override=True), 201)
        assert over["overrides"] == ["max_to"]
        for q, origin in ((first, "Room 1"), (over, "Library")):
            recount.written({"student": q["student"], "source": "teacher", "type": "now",
                             "origin": origin, "destination": "Room 2",
                             "start": parse_iso(q["start"]), "overrides": q["overrides"]})
        assert stored(store) == recount.rows()
        for q, origin in ((first, "Room 1"), (over, "Library")):
            ended = ok(teacher.end_pass(q["id"]))
            recount.ended({"student": q["student"], "destination": "Room 2",
                           "start": parse_iso(q["start"])}, parse_iso(ended["end"]))
        # A pass started from the line counts its wait for its destination. Room 2 is full
        # (Max To 1, one pass out): the teacher sends a student to the line, the pass ends,
        # the clock offers the place, the teacher starts it.
        blocker = ok(teacher.create_pass(student=PUPILS[8]["email"], origin="Room 1",
                                         destination="Room 2"), 201)
        recount.written({"student": blocker["student"], "source": "teacher", "type": "now",
                         "origin": "Room 1", "destination": "Room 2",
                         "start": parse_iso(blocker["start"])})
        entry = ok(teacher.create_pass(student=PUPILS[7]["email"], origin="Library",
                                       destination="Room 2", wait=True), 202)
        ended = ok(teacher.end_pass(blocker["id"]))
        recount.ended({"student": blocker["student"], "destination": "Room 2",
                       "start": parse_iso(blocker["start"])}, parse_iso(ended["end"]))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            mine = [e for e in ok(teacher.get("/api/line"))["entries"] if e["id"] == entry["id"]]
            if mine and mine[0]["state"] == "offered":
                break
            time.sleep(0.2)
        started = ok(teacher.post(f"/api/line/{entry['id']}/start"), 201)
        start = parse_iso(started["start"])
        recount.written({"student": started["student"], "source": "teacher", "type": "now",
                         "origin": "Library", "destination": "Room 2", "start": start})
        wait = int((start - parse_iso(entry["joined"])).total_seconds())
        recount.add(ROOM_WAITS, day_number(start), recount.rooms["Room 2"], 1, wait)
        assert stored(store) == recount.rows()
        ended = ok(teacher.end_pass(started["id"]))
        recount.ended({"student": started["student"], "destination": "Room 2", "start": start},
                      parse_iso(ended["end"]))
        # A cancelled scheduled pass takes back what it added.
        start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)
        q = ok(teacher.create_pass(student=other, origin="Room 1", destination="Room 2",
                                   type="scheduled", start=start.isoformat(timespec="seconds")),
               201)
        ok(teacher.cancel_pass(q["id"]))
        assert stored(store) == recount.rows()
    out = cli("check", "--db", store.db).stdout.decode()
    assert "all agree" in out, out


def test_a_store_from_before_these_counters_gets_them_built_once_when_opened(school):
    store, _, recount = school
    # What a store from before had not: the line, so no waits (a later step's table).
    expected = {k: v for k, v in stored(store).items() if k[0] != ROOM_WAITS}
    assert expected, "the tests before left counters to compare"
    # Back to the schema before these counters (SQLite 8, PostgreSQL 7): passes and the
    # reports' counters stay, these are gone.
    schema_back_to(store.db, 8)
    assert count(store, "kind BETWEEN 6 AND 17") == 0
    out = cli("check", "--db", store.db).stdout.decode()  # Opening the store builds them.
    assert "all agree" in out, out
    assert stored(store) == expected
    # Built once: opening the store again adds nothing.
    cli("check", "--db", store.db)
    assert stored(store) == expected
    assert store.sql("SELECT count(*) FROM counters_unbuilt")[0][0] in (0, "0")


def count(store, where: str) -> int:
    """How many stored counters match: read without the columns of later steps."""
    return int(store.sql(f"SELECT count(*) FROM usage_counts WHERE {where}")[0][0])


def every_counter(store) -> dict:
    """Every stored counter of every kind and period, zeros too: key -> (a, b, c, d)."""
    got = store.sql("SELECT kind, period, bucket, id, a, b, c, d FROM usage_counts")
    return {tuple(int(v) for v in row[:4]): tuple(int(v) for v in row[4:]) for row in got}


# The steps after these counters, each undone to the schema before it: (the SQLite version
# before the step (PostgreSQL: one lower), what the tests before left that the step made, the
# counters that tell the older schema, and whether it has any of them).
LATER_STEPS = {
    # The weeks, built from the days; days and months stay.
    "weeks": (18, lambda key, values: key[1] == 2, "period = 2", False),
    # A student's time out in their own counter as its third and fourth values, instead of a
    # kind of its own (kind 13).
    "fourth value": (19, lambda key, values: key[0] == STUDENT and values[2], "kind = 13", True),
    # The quarters, built from the months.
    "quarters": (20, lambda key, values: key[1] == 3, "period = 3", False),
}


@pytest.mark.parametrize("step", LATER_STEPS)
def test_a_store_from_before_a_later_counter_step_gets_it_when_opened(school, step):
    store, _, _ = school
    version, made, older, older_has_them = LATER_STEPS[step]
    before = every_counter(store)
    assert any(made(key, values) for key, values in before.items()), \
        f"the tests before left what the {step} step made"
    assert not any(key[0] == 13 for key in before)
    schema_back_to(store.db, version)
    assert (count(store, older) > 0) == older_has_them
    out = cli("check", "--db", store.db).stdout.decode()  # Opening the store migrates it.
    assert "all agree" in out, out
    # What the step builds from the older rows is what the passes had written.
    assert every_counter(store) == before
