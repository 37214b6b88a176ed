"""The insights end to end, on both stores. A school is imported from files written here
(rooms in folders and one with a 10-minute time limit, students with and without student IDs,
encounter groups, passes of every source and type, ended and still out, cancelled ones, passes
on the daylight-saving days 2026-03-08 and 2026-11-01 in America/Chicago and across month
ends), and every insight is compared with a recount written here in Python over those files,
never over the store, over ranges that cross a month, the changed days, a single day and an
empty range, with and without compare. Then CSV titles and cells, XLSX numbers, sort orders,
the same bytes over HTTP, and refusals and overrides made through the API, which the import
cannot make, with who may see what."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import random
import time
import urllib.parse
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hallpass_kit import Hallpass, School, csv_cell, natcmp, read_xlsx
from server_util import (ADMIN, KIOSK, TEACHER, Store, basic_store, cli, ok, room, sign_in,
                         students)

ZONE_NAME = "America/Chicago"
ZONE = ZoneInfo(ZONE_NAME)
AUTO_END = 120 * 60  # The school's auto-end, by default: a pass out longer ended then.
MEDIAN_CAP = 720
NOW = dt.datetime.now(timezone.utc).replace(microsecond=0)

# name, folder, time limit (minutes; "" for none). Natural order puts Room 2 before Room 10;
# "=Lab" tests the formula guard.
ROOMS = [("Room 2", "Classrooms", ""), ("Room 10", "Classrooms", ""),
         ("room 3", "Classrooms", ""), ("Restroom A", "Restrooms", "10"),
         ("Restroom B", "Restrooms", ""), ("Library", "", ""), ("=Lab", "+Science", ""),
         ("Nurse", "Offices", "")]
LIMITS = {name: int(limit) for name, _, limit in ROOMS if limit}
ADMIN_ROW = ("Ada Admin", "ada@insight.test", "admin", "", "ada-pass-123", "")
STAFF = [ADMIN_ROW, ("Tess Teacher", "tess@insight.test", "teacher", "", "", ""),
         ("Ty Teacher", "ty@insight.test", "teacher", "", "", "")]
KIOSK_ROW = ("Hall Kiosk", "hall-kiosk@insight.test", "kiosk", "Library", "", "")
KIDS = [(f"Kid {i}", f"kid{i}@insight.test", "student", "", "", f"S{i:03d}" if i % 3 else "")
        for i in range(1, 13)]
GROUPS = [("Pair 2", [KIDS[0][1], KIDS[1][1]]), ("Pair 10", [KIDS[2][1], KIDS[3][1], KIDS[4][1]])]

SOURCES = ["student", "teacher", "kiosk_mode", "kiosk_login"]
TYPES = ["now", "scheduled"]
IN_STAFF = {("teacher", "now"), ("kiosk_mode", "now"), ("teacher", "scheduled")}


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _passes(seed=21, n=1100):
    """Random passes from mid-February 2026 to a few hours ago, written at several offsets;
    four in five have an end (some past the auto-end), scheduled ones are sometimes cancelled;
    passes at the edges of both changed days and of month ends; some still out now."""
    rnd = random.Random(seed)
    names = [r[0] for r in ROOMS]
    t0 = dt.datetime(2026, 2, 15, tzinfo=timezone.utc)
    t1 = min(dt.datetime(2026, 12, 1, tzinfo=timezone.utc), NOW - timedelta(hours=3))
    span = int((t1 - t0).total_seconds())
    offsets = [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=-6)),
               timezone(timedelta(hours=9))]
    staff = [s[1] for s in STAFF]
    out = []

    def add(pid, start, source=None, ended=True, kid=None, dest=None, minutes=None):
        source = source or rnd.choices(SOURCES, [30, 40, 20, 10])[0]
        kid = kid or rnd.choice(KIDS)[1]
        type_, cancelled = "now", rnd.choice(["", "false"])
        if source == "student":
            creator = kid
        elif source == "kiosk_login":
            creator = KIOSK_ROW[1]
        else:
            creator = rnd.choice(staff)
            if source == "teacher" and rnd.random() < 0.3 and ended:  # Those out are now.
                type_ = "scheduled"
                if rnd.random() < 0.25:  # Only a scheduled pass can be cancelled.
                    cancelled = "true"
        if dest is None:
            origin = "Library" if source == "kiosk_login" else rnd.choice(names)
            dest = rnd.choice([r for r in names if r != origin])
        else:
            origin = "Library" if source == "kiosk_login" else rnd.choice(
                [r for r in names if r != dest])
        end = ""
        if ended:
            seconds = (minutes * 60 if minutes is not None else
                       rnd.choice([rnd.randrange(20, 15 * 60), rnd.randrange(60, 40 * 60),
                                   rnd.randrange(100 * 60, 200 * 60)]))
            finish = start + timedelta(seconds=seconds)
            if finish <= NOW - timedelta(minutes=1):  # An end is never in the future.
                end = _iso(finish)
        out.append([pid, kid, origin, dest, creator, source, type_, _iso(start), end,
                    cancelled])

    for i in range(n):
        start = (t0 + timedelta(seconds=rnd.randrange(span))).astimezone(rnd.choice(offsets))
        add(f"r{i}", start, ended=rnd.random() < 0.8)
    # The edges of the changed days (23 and 25 hours) and of month ends, a minute either side.
    edges = ["2026-03-08T00:00:00-06:00", "2026-03-07T23:59:00-06:00",
             "2026-03-08T01:59:00-06:00", "2026-03-08T03:00:00-05:00",
             "2026-03-08T23:59:00-05:00", "2026-03-09T00:00:00-05:00",
             "2026-11-01T00:00:00-05:00", "2026-11-01T01:30:00-05:00",
             "2026-11-01T01:30:00-06:00", "2026-11-01T23:59:00-06:00",
             "2026-11-02T00:00:00-06:00", "2026-10-31T23:59:00-05:00",
             "2026-09-30T23:59:30-05:00", "2026-10-01T00:00:00-05:00",
             "2026-10-01T04:59:00+00:00", "2026-10-01T05:00:00+00:00"]
    for j, start in enumerate(edges):
        moment = dt.datetime.fromisoformat(start)
        if moment < NOW - timedelta(hours=3):
            add(f"e{j}", moment, source=SOURCES[j % 4], dest="Restroom A", minutes=j * 2)
    # Out now: started minutes ago with no end (and one past its auto-end, no longer out).
    for j, minutes in enumerate([3, 9, 25, 47, 200]):
        add(f"o{j}", NOW - timedelta(minutes=minutes), source=("student", "teacher")[j % 2],
            ended=False, kid=KIDS[j][1], dest=("Nurse", "Restroom A")[j % 2])
    return out


PASS_COLUMNS = ["id", "student", "origin", "destination", "creator", "source", "type", "start",
                "end", "cancelled"]


def _write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def school(hallpass_bin, module_stores):
    """Insight High, imported from files written here; gives the school and the files."""
    hp = Hallpass(hallpass_bin, module_stores.dir)
    db = module_stores.new("insights")
    hp.run("init", "--db", db, "--school", "Insight High", "--timezone", ZONE_NAME).ok()
    sch = School(hp, db, "Insight High", ZONE_NAME)
    d = module_stores.dir
    files = {
        "rooms": _write(d / "rooms.csv", ["name", "folder", "time_limit_minutes"], ROOMS),
        "users": _write(d / "users.csv", ["name", "email", "role", "room", "password",
                                          "student_id"], STAFF + [KIOSK_ROW] + KIDS),
        "groups": _write(d / "groups.csv", ["group", "student"],
                         [(g, s) for g, members in GROUPS for s in members]),
    }
    passes = _passes()
    files["passes1"] = _write(d / "passes-1.csv", PASS_COLUMNS, passes[:700])
    files["passes2"] = _write(d / "passes-2.csv", PASS_COLUMNS, passes[600:])  # overlaps
    for kind in ("rooms", "users", "groups", "passes1", "passes2"):
        hp.run("import", kind.rstrip("12"), "--db", db, str(files[kind])).ok()
    return sch, files


# --------------------------------------------------------------------------------------------
# The recount, from the import files


def _read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Files:
    """What the import files say, read back as CSV."""

    def __init__(self, files):
        self.rooms = [{"name": r["name"], "folder": r["folder"],
                       "limit": int(r["time_limit_minutes"] or 0)} for r in _read(files["rooms"])]
        self.users = _read(files["users"])
        self.groups = {}
        for r in _read(files["groups"]):
            self.groups.setdefault(r["group"], []).append(r["student"])
        seen, self.passes = set(), []
        for name in ("passes1", "passes2"):
            for r in _read(files[name]):
                if r["id"] in seen:
                    continue
                seen.add(r["id"])
                if r["cancelled"].lower() == "true":
                    continue  # Cancelled passes never count.
                p = dict(r)
                p["start"] = dt.datetime.fromisoformat(r["start"])
                p["end"] = dt.datetime.fromisoformat(r["end"]) if r["end"] else None
                local = p["start"].astimezone(ZONE)
                p["day"], p["weekday"], p["hour"] = local.date(), local.isoweekday(), local.hour
                self.passes.append(p)
        self.limit = {r["name"]: r["limit"] for r in self.rooms}

    def within(self, first, last):
        return [p for p in self.passes if first <= p["day"] <= last]

    def seconds(self, p):
        """Time out of an ended pass: its end, or its auto-end when that came first."""
        start = int(p["start"].timestamp())
        end = min(int(p["end"].timestamp()), start + AUTO_END)
        return max(0, end - start)

    def overtime(self, p):
        limit = self.limit[p["destination"]]
        return limit > 0 and self.seconds(p) > limit * 60

    def still_out(self, p, now):
        start = p["start"].timestamp()
        return p["end"] is None and start <= now.timestamp() < start + AUTO_END


def _half_up(num, den):
    return (2 * num + den) // (2 * den)


def _lower_median(values):
    if not values:
        return None
    return sorted(values)[(len(values) + 1) // 2 - 1]


def _days(first, last):
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def recount_daily(f, first, last):
    rows = {d: {"date": d.isoformat(), "passes": 0, **{s: 0 for s in SOURCES}}
            for d in _days(first, last)}
    for p in f.within(first, last):
        rows[p["day"]]["passes"] += 1
        rows[p["day"]][p["source"]] += 1
    return [rows[d] for d in sorted(rows)]


def recount_heatmap(f, first, last, destination=None):
    counts = {}
    for p in f.within(first, last):
        if destination is None or p["destination"] == destination:
            counts[(p["weekday"], p["hour"])] = counts.get((p["weekday"], p["hour"]), 0) + 1
    return [{"weekday": w, "hour": h, "passes": counts.get((w, h), 0)}
            for w in range(1, 8) for h in range(24)]


def _durations(f, first, last, now):
    out = {}
    for r in f.rooms:
        ended = [p for p in f.within(first, last) if p["destination"] == r["name"] and p["end"]]
        secs = sum(f.seconds(p) for p in ended)
        out[r["name"]] = {
            "ended": len(ended),
            "average_minutes": _half_up(secs * 10, len(ended) * 60) / 10 if ended else None,
            "median_minutes": _lower_median([min(f.seconds(p) // 60, MEDIAN_CAP)
                                             for p in ended]),
            "overtime": sum(1 for p in ended if f.overtime(p)),
            "open": sum(1 for p in f.within(first, last)
                        if p["destination"] == r["name"] and f.still_out(p, now)),
        }
    return out


def recount_durations(f, first, last, now, compare=None):
    cur = _durations(f, first, last, now)
    prev = _durations(f, *compare, now) if compare else None
    rows = {}
    for r in f.rooms:
        row = {"room": r["name"], "folder": r["folder"], **cur[r["name"]]}
        if prev:
            row.update({f"prev_{k}": v for k, v in prev[r["name"]].items()})
        rows[r["name"]] = row
    return rows


def _students(f, first, last):
    out = {}
    for p in f.within(first, last):
        s = out.setdefault(p["student"], {"passes": 0, "now": 0, "scheduled": 0,
                                          "minutes_out": 0, "overtime": 0, "refused": 0,
                                          "prevented": 0})
        s["passes"] += 1
        s[p["type"]] += 1
        if p["end"]:
            s["minutes_out"] += f.seconds(p) // 60
            s["overtime"] += 1 if f.overtime(p) else 0
    return out


def recount_students(f, first, last, compare=None):
    cur = _students(f, first, last)
    prev = _students(f, *compare) if compare else {}
    zero = {"passes": 0, "now": 0, "scheduled": 0, "minutes_out": 0, "overtime": 0,
            "refused": 0, "prevented": 0}
    rows = {}
    for u in f.users:
        if u["role"] != "student" or (u["email"] not in cur and u["email"] not in prev):
            continue
        row = {"student": u["name"], "email": u["email"], "student_id": u["student_id"] or None,
               **cur.get(u["email"], zero)}
        if compare:
            row.update({f"prev_{k}": v for k, v in prev.get(u["email"], zero).items()})
        rows[u["email"]] = row
    return rows


def recount_limits(f, compare=False):
    """Imports make no refusals, waits or overrides: every room, all zeros."""
    counts = {"refused_from": 0, "refused_to": 0, "waited": 0, "average_wait_seconds": None,
              "overridden": 0}
    rows = {}
    for r in f.rooms:
        row = {"room": r["name"], "folder": r["folder"], **counts}
        if compare:
            row.update({f"prev_{k}": v for k, v in counts.items()})
        rows[r["name"]] = row
    return rows


def recount_sources(f, first, last):
    counts = {}
    for p in f.within(first, last):
        counts[(p["source"], p["type"])] = counts.get((p["source"], p["type"]), 0) + 1
    return [{"source": s, "type": t, "passes": counts.get((s, t), 0),
             "in_staff_usage": (s, t) in IN_STAFF} for s in SOURCES for t in TYPES]


RULES = ["student_active", "no_pass_time", "encounter", "cooldown", "student_limit",
         "max_from", "max_to", "hallway_cap"]


def _day(text):
    return dt.date.fromisoformat(text)


def _previous(first, last):
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)


def _compare_days(first, last, compare):
    if compare == "previous":
        return _previous(first, last)
    a, b = compare.split("..")
    return _day(a), _day(b)


TODAY = NOW.astimezone(ZONE).date()

# (from, to, compare): across a month's end, both changed days alone and in their weeks, a
# single ordinary day, an empty range (before any pass), a range ending today (passes still
# out), a school year.
RANGES = [
    ("2026-09-15", "2026-10-14", "previous"),
    ("2026-03-08", "2026-03-08", "2026-11-01..2026-11-01"),
    ("2026-11-01", "2026-11-01", "previous"),
    ("2026-10-25", "2026-11-07", "2026-03-01..2026-03-14"),
    ("2026-06-17", "2026-06-17", "previous"),
    ("2025-01-01", "2025-01-31", "previous"),
    ((TODAY - timedelta(days=9)).isoformat(), TODAY.isoformat(), "previous"),
    ("2026-02-01", "2026-11-30", "2025-02-01..2025-11-30"),
]


def insight(sch, kind, *args, fmt="json"):
    return sch.hp.run("insights", kind, "--db", sch.db, "--format", fmt, *args)


def insight_json(sch, kind, *args):
    return json.loads(insight(sch, kind, *args).ok().stdout)


@pytest.mark.parametrize("first,last,compare", RANGES)
def test_every_insight_matches_the_recount(school, first, last, compare):
    sch, files = school
    f = Files(files)
    d0, d1 = _day(first), _day(last)
    c0, c1 = _compare_days(d0, d1, compare)
    rng = ["--from", first, "--to", last]
    cmp = ["--compare", compare]
    now = dt.datetime.now(timezone.utc)

    doc = insight_json(sch, "daily", *rng)
    assert {k: doc[k] for k in ("insight", "school", "from", "to", "sort", "order")} == {
        "insight": "daily", "school": "Insight High", "from": first, "to": last,
        "sort": "date", "order": "asc"}
    assert doc["rows"] == recount_daily(f, d0, d1)

    assert insight_json(sch, "heatmap", *rng)["rows"] == recount_heatmap(f, d0, d1)
    doc = insight_json(sch, "heatmap", *rng, "--destination", "restroom a")
    assert doc["destination"] == "Restroom A"
    assert doc["rows"] == recount_heatmap(f, d0, d1, "Restroom A")

    doc = insight_json(sch, "durations", *rng, *cmp)
    assert (doc["compare_from"], doc["compare_to"]) == (c0.isoformat(), c1.isoformat())
    assert {r["room"]: r for r in doc["rows"]} == recount_durations(f, d0, d1, now, (c0, c1))
    plain = insight_json(sch, "durations", *rng)
    assert "compare_from" not in plain
    assert {r["room"]: r for r in plain["rows"]} == recount_durations(f, d0, d1, now)

    doc = insight_json(sch, "students", *rng, *cmp)
    assert {r["email"]: r for r in doc["rows"]} == recount_students(f, d0, d1, (c0, c1))
    doc = insight_json(sch, "students", *rng)
    assert {r["email"]: r for r in doc["rows"]} == recount_students(f, d0, d1)

    doc = insight_json(sch, "limits", *rng, *cmp)
    assert {r["room"]: r for r in doc["rows"]} == recount_limits(f, compare=True)

    rules = insight_json(sch, "rules", *rng)["rows"]
    assert rules == [{"rule": r, "refused": 0, "overridden": 0} for r in RULES]

    assert insight_json(sch, "sources", *rng)["rows"] == recount_sources(f, d0, d1)

    # Every group, in natural order, with its members; imports prevent nothing.
    assert insight_json(sch, "encounters", *rng)["rows"] == [
        {"group": g, "members": len(f.groups[g]), "active": True, "prevented": 0,
         "overridden": 0} for g in ("Pair 2", "Pair 10")]


def test_the_data_is_not_trivial(school):
    """The ranges above see medians, averages with a decimal, overtime, open passes, empty
    rooms, students with and without IDs, and every source."""
    sch, files = school
    f = Files(files)
    now = dt.datetime.now(timezone.utc)
    year = recount_durations(f, _day("2026-02-01"), TODAY, now)
    assert sum(r["overtime"] for r in year.values()) > 5
    assert sum(r["open"] for r in year.values()) == 4
    assert any(r["average_minutes"] != int(r["average_minutes"]) for r in year.values())
    assert any(r["ended"] == 0 for r in recount_durations(f, _day("2026-06-17"),
                                                          _day("2026-06-17"), now).values())
    studs = recount_students(f, _day("2026-02-01"), TODAY)
    assert {r["student_id"] is None for r in studs.values()} == {True, False}
    src = recount_sources(f, _day("2026-02-01"), TODAY)
    assert all(r["passes"] > 0 for r in src if r["type"] == "now")
    # The changed days have passes in their hours around the change.
    assert len(f.within(_day("2026-03-08"), _day("2026-03-08"))) >= 4
    assert len(f.within(_day("2026-11-01"), _day("2026-11-01"))) >= 4


def test_an_empty_range_has_its_fixed_rows_and_no_students(school):
    sch, _ = school
    rng = ["--from", "2024-05-01", "--to", "2024-05-03"]
    assert [r["passes"] for r in insight_json(sch, "daily", *rng)["rows"]] == [0, 0, 0]
    assert len(insight_json(sch, "heatmap", *rng)["rows"]) == 168
    rows = insight_json(sch, "durations", *rng)["rows"]
    assert len(rows) == len(ROOMS)
    assert all(r["average_minutes"] is None and r["median_minutes"] is None for r in rows)
    assert insight_json(sch, "students", *rng)["rows"] == []
    assert len(insight_json(sch, "sources", *rng)["rows"]) == 8
    assert len(insight_json(sch, "rules", *rng)["rows"]) == 8


def test_check_agrees_after_import(school):
    sch, _ = school
    r = sch.hp.run("check", "--db", sch.db)
    assert r.code == 0, r


# --------------------------------------------------------------------------------------------
# Sort and natural order


# kind -> the default order's key of a row, and the sort keys to try.
DEFAULT_ORDER = {
    "daily": lambda r: r["date"],
    "heatmap": lambda r: (r["weekday"], r["hour"]),
    "sources": lambda r: (SOURCES.index(r["source"]), TYPES.index(r["type"])),
    "rules": lambda r: RULES.index(r["rule"]),
}
SORT_KEYS = {
    "daily": ["passes", "teacher", "kiosk_login", "date"],
    "heatmap": ["passes", "hour", "weekday"],
    "durations": ["room", "folder", "ended", "average_minutes", "median_minutes", "open",
                  "prev_average_minutes"],
    "students": ["student", "email", "student_id", "minutes_out", "prev_passes"],
    "limits": ["room", "folder", "average_wait_seconds"],
    "rules": ["rule", "refused"],
    "sources": ["source", "type", "passes", "in_staff_usage"],
    "encounters": ["group", "members"],
}
RANK = {"rule": RULES.index, "source": SOURCES.index, "type": TYPES.index}


def _cmp_values(key, a, b):
    if a is None or b is None:  # No value before any value.
        return (a is not None) - (b is not None)
    if key in RANK:
        a, b = RANK[key](a), RANK[key](b)
    if isinstance(a, str):
        return natcmp(a, b)
    return (a > b) - (a < b)


@pytest.mark.parametrize("kind", sorted(SORT_KEYS))
def test_sort_keys_both_ways_ties_in_the_default_order(school, kind):
    sch, _ = school
    rng = ["--from", "2026-03-01", "--to", "2026-11-30"]
    extra = ["--compare", "previous"] if kind in ("durations", "students", "limits") else []
    default = insight_json(sch, kind, *rng, *extra)["rows"]
    if kind in DEFAULT_ORDER:
        assert default == sorted(default, key=DEFAULT_ORDER[kind])
    else:  # The first column in natural order; the import's order (creation) for ties.
        first = next(iter(default[0])) if default else None
        assert default == sorted(default, key=functools.cmp_to_key(
            lambda a, b: natcmp(a[first], b[first])))
    for key in SORT_KEYS[kind]:
        for order in ("asc", "desc"):
            doc = insight_json(sch, kind, *rng, *extra, "--sort", key, "--order", order)
            assert (doc["sort"], doc["order"]) == (key, order)
            sign = -1 if order == "desc" else 1
            want = sorted(default, key=functools.cmp_to_key(
                lambda a, b: sign * _cmp_values(key, a[key], b[key])))
            assert doc["rows"] == want, (key, order)


def test_rooms_sort_in_natural_order(school):
    sch, _ = school
    rows = insight_json(sch, "durations", "--from", "2026-09-01", "--to", "2026-09-30")["rows"]
    names = [r["room"] for r in rows]
    assert names.index("Room 2") < names.index("room 3") < names.index("Room 10")


# --------------------------------------------------------------------------------------------
# CSV, XLSX and the table


TITLES = {
    "daily": ["Date", "Passes", "Student", "Teacher", "Kiosk Mode", "Kiosk Login"],
    "heatmap": ["Weekday", "Hour", "Passes"],
    "durations": ["Room", "Folder", "Ended", "Average Minutes", "Median Minutes", "Overtime",
                  "Open"],
    "students": ["Student", "Email", "Student ID", "Passes", "Now", "Scheduled", "Minutes Out",
                 "Overtime", "Refused", "Prevented"],
    "limits": ["Room", "Folder", "Refused From", "Refused To", "Waited",
               "Average Wait Seconds", "Overridden"],
    "rules": ["Rule", "Refused", "Overridden"],
    "sources": ["Source", "Type", "Passes", "In Staff Usage"],
    "encounters": ["Group", "Members", "Active", "Prevented", "Overridden"],
}
COMPARED = {"durations": ["Ended", "Average Minutes", "Median Minutes", "Overtime", "Open"],
            "students": ["Passes", "Now", "Scheduled", "Minutes Out", "Overtime", "Refused",
                         "Prevented"],
            "limits": ["Refused From", "Refused To", "Waited", "Average Wait Seconds",
                       "Overridden"]}


def _csv_rows(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    return list(csv.reader(data[3:].decode("utf-8").splitlines()))


def _csv_value(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, int):
        return str(v)
    return csv_cell(v)


@pytest.mark.parametrize("kind,compare", [(k, False) for k in sorted(TITLES)] +
                         [(k, True) for k in sorted(COMPARED)])
def test_csv_titles_and_cells_follow_the_json(school, kind, compare):
    sch, _ = school
    args = ["--from", "2026-10-25", "--to", "2026-11-07"]
    titles = TITLES[kind]
    if compare:
        args += ["--compare", "previous"]
        titles = titles + [f"{t} (previous)" for t in COMPARED[kind]]
    rows = insight_json(sch, kind, *args)["rows"]
    got = _csv_rows(insight(sch, kind, *args, fmt="csv").ok().stdout_bytes)
    assert got[0] == titles
    assert got[1:] == [[_csv_value(v) for v in r.values()] for r in rows]


def test_csv_guards_text_that_looks_like_a_formula(school):
    sch, _ = school
    got = _csv_rows(insight(sch, "durations", fmt="csv").ok().stdout_bytes)
    lab = [r for r in got if r[0].endswith("=Lab")]
    assert lab and lab[0][:2] == ["'=Lab", "'+Science"]


@pytest.mark.parametrize("kind", ["durations", "students", "sources", "heatmap"])
def test_xlsx_opens_with_numbers_as_numbers(school, kind):
    sch, _ = school
    args = ["--from", "2026-09-01", "--to", "2026-11-30"]
    if kind in COMPARED:
        args += ["--compare", "previous"]
    rows = insight_json(sch, kind, *args)["rows"]
    book = read_xlsx(insight(sch, kind, *args, fmt="xlsx").ok().stdout_bytes)
    table = book.table()
    assert table[0] == list(TITLES[kind]) + (
        [f"{t} (previous)" for t in COMPARED[kind]] if kind in COMPARED else [])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row.values()):
            cell = book.cells.get((c, r))
            if value is None or value == "":  # No value, or no text: a blank cell.
                assert cell is None or cell.raw is None, cell
            elif value is True or value is False:
                assert cell.type == "b" and cell.raw == ("1" if value else "0"), cell
            elif isinstance(value, (int, float)):
                assert cell.type in (None, "n") and cell.value == value, cell
            else:
                assert cell.type in ("s", "inlineStr") and cell.value == value, cell


def test_file_names_and_the_table(school, tmp_path):
    sch, _ = school
    out = tmp_path / "d.xlsx"
    insight(sch, "durations", "--from", "2026-11-02", "--to", "2026-11-06", "--output",
            str(out), fmt="xlsx").ok()
    assert read_xlsx(out.read_bytes()).sheet_names == ["Durations"]
    text = insight(sch, "durations", "--from", "2026-11-02", "--to", "2026-11-06",
                   "--compare", "previous", fmt="table").ok().stdout
    assert text.splitlines()[0] == ("Durations: Insight High, 2026-11-02 to 2026-11-06 "
                                    "compared with 2026-10-28 to 2026-11-01, by room ascending")
    heat = insight(sch, "heatmap", "--destination", "nurse", fmt="table").ok().stdout
    assert ", to Nurse, by weekday ascending" in heat.splitlines()[0]


# --------------------------------------------------------------------------------------------
# Bad parameters on the command line


@pytest.mark.parametrize("args,says", [
    (["daily", "--from", "2026-02-30"], "from: "),
    (["daily", "--to", "2026-13-01"], "to: "),
    (["daily", "--from", "2026-10-02", "--to", "2026-10-01"], "from: 2026-10-02 is after"),
    (["heatmap", "--sort", "room"], 'sort: "room" is not a column of the heatmap insight'),
    (["rules", "--order", "up"], 'order: "up" is not asc or desc'),
    (["daily", "--compare", "previous"], "compare: the daily insight has no comparison"),
    (["sources", "--compare", "previous"], "compare: the sources insight has no comparison"),
    (["durations", "--compare", "soon"], 'compare: "soon" is not previous or FROM..TO'),
    (["heatmap", "--destination", "Pool"], 'destination: the school has no room named "Pool"'),
    (["daily", "--destination", "Nurse"], "--destination is for the heatmap only"),
    (["daily", "--from", "1990-01-01", "--to", "2026-01-01"],
     "from: the daily insight covers at most 3700 days"),
    (["moods"], '"moods" is not an insight'),
    (["daily", "--format", "pdf"], 'format: "pdf" is not'),
])
def test_bad_parameters_name_themselves(school, args, says):
    sch, _ = school
    r = sch.hp.run("insights", *args, "--db", sch.db)
    assert r.code == 2 and r.stdout == "", r
    assert says in r.stderr, r


# --------------------------------------------------------------------------------------------
# Over HTTP: the same bytes, on the imported school


@pytest.fixture(scope="module")
def school_server(school):
    sch, _ = school
    from server_util import Server
    srv = Server(sch.db, "--no-clock", log=sch.dir / "insights-serve.log").start()
    yield srv
    assert srv.stop() == 0, srv.log()


def _url(kind, **params):
    return f"/api/insights/{kind}?" + urllib.parse.urlencode(params)


@pytest.mark.parametrize("kind", sorted(TITLES))
def test_http_gives_the_bytes_of_the_command_line(school, school_server, kind):
    sch, _ = school
    admin = school_server.sign_in(ADMIN_ROW[1], ADMIN_ROW[4])
    q = {"from": "2026-09-20", "to": "2026-10-10"}
    args = ["--from", q["from"], "--to", q["to"]]
    if kind in COMPARED:
        q["compare"], args = "previous", args + ["--compare", "previous"]
    if kind == "heatmap":
        q["destination"], args = "Nurse", args + ["--destination", "Nurse"]
    for fmt in ("json", "csv"):
        r = admin.get(_url(kind, format=fmt, **q))
        assert r.status == 200, r
        assert r.body == insight(sch, kind, *args, fmt=fmt).ok().stdout_bytes
    r = admin.get(_url(kind, format="xlsx", **q))
    assert r.status == 200
    assert r.header("Content-Disposition") == (
        f'attachment; filename="{kind}_2026-09-20_2026-10-10.xlsx"')
    assert read_xlsx(r.body).table()[0][:2] == TITLES[kind][:2]
    r = admin.get(_url(kind, format="csv", **q))
    assert r.header("Content-Disposition") == (
        f'attachment; filename="{kind}_2026-09-20_2026-10-10.csv"')


def test_pages_json_lists_each_insights_download_columns(school_server):
    admin = school_server.sign_in(ADMIN_ROW[1], ADMIN_ROW[4])
    insights = ok(admin.get("/pages.json"))["insights"]
    assert sorted(insights) == sorted(TITLES)
    for kind, spec in insights.items():
        assert [c["title"] for c in spec["columns"]] == TITLES[kind]
        doc = ok(admin.get(_url(kind, **{"from": "2026-09-01", "to": "2026-09-30"})))
        assert spec["columns"][0]["key"] == doc["sort"]
        assert [c["field"] for c in spec["columns"]] == list(doc["rows"][0])
        # Number columns (counts, averages, truths) are numeric; text ones are not.
        for c in spec["columns"]:
            text = any(isinstance(r[c["field"]], str) for r in doc["rows"])
            assert c["numeric"] == (not text), (kind, c)
        assert spec["title"]


@pytest.mark.parametrize("params,says", [
    ({"from": "2026-02-30"}, "from: "),
    ({"to": "soon"}, "to: "),
    ({"sort": "nope"}, 'sort: "nope" is not a column of the durations insight'),
    ({"order": "sideways"}, 'order: "sideways" is not asc or desc'),
    ({"format": "table"}, 'format: "table" is not json, csv or xlsx'),
    ({"compare": "2026-09-02..2026-09-01"}, "compare: 2026-09-02 is after 2026-09-01"),
])
def test_http_bad_parameters_are_400_naming_them(school_server, params, says):
    admin = school_server.sign_in(ADMIN_ROW[1], ADMIN_ROW[4])
    r = admin.get(_url("durations", **params))
    assert r.status == 400, r
    assert r.error.startswith(says), r.error


def test_http_compare_and_destination_errors(school_server):
    admin = school_server.sign_in(ADMIN_ROW[1], ADMIN_ROW[4])
    for kind in ("daily", "heatmap", "rules", "sources", "encounters"):
        r = admin.get(_url(kind, compare="previous"))
        assert r.status == 400 and r.error.startswith(
            f"compare: the {kind} insight has no comparison"), r
    r = admin.get(_url("heatmap", destination="Pool"))
    assert r.status == 400 and r.error.startswith("destination: "), r
    assert admin.get("/api/insights/moods").status == 404
    assert admin.get("/api/insights").status == 404


# --------------------------------------------------------------------------------------------
# Refusals and overrides made through the API, who may see them, and schools apart


KIDS_LIVE = students("live", 8)
OTHER = "Other High"
OTHER_ADMIN = {"name": "Olga Other", "email": "olga@other.test", "role": "admin",
               "room": None, "password": "olga-pass-12"}
OTHER_KIDS = students("other", 2, "other.test")


@pytest.fixture(scope="module")
def live(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK),
                        rooms=[room("Cap From", "Caps", max_from=1),
                               room("Cap To", "Caps", max_to=1), room("Line To", max_to=1)],
                        extra_students=KIDS_LIVE)
    store.init(OTHER, ZONE_NAME)
    store.rooms([room("Other Room"), room("Other Hall")], school=OTHER)
    store.users([OTHER_ADMIN, *OTHER_KIDS], school=OTHER)
    srv = store.server().start()
    yield store, srv
    assert srv.stop() == 0, srv.log()
    for name in ("Lincoln High", OTHER):  # The counters agree with a recount of the passes.
        assert cli("check", "--db", store.db, "--school", name).returncode == 0


def _kid(i):
    return KIDS_LIVE[i]["email"]


@pytest.fixture(scope="module")
def refusals(live):
    """Passes, refusals and overrides made through the API today; gives the clients."""
    store, srv = live
    admin, teacher = sign_in(srv, ADMIN), sign_in(srv, TEACHER)
    other = sign_in(srv, OTHER_ADMIN)
    ok(teacher.create_pass(student=_kid(0), origin="Cap From", destination="Library"), 201)
    r = teacher.create_pass(student=_kid(1), origin="Cap From", destination="Library")
    assert r.status == 409 and r.json["rule"] == "max_from", r
    p = ok(teacher.create_pass(student=_kid(1), origin="Cap From", destination="Library",
                               override=True), 201)
    assert p["overrides"] == ["max_from"]
    ok(teacher.create_pass(student=_kid(2), origin="Room 101", destination="Cap To"), 201)
    for _ in range(2):
        r = teacher.create_pass(student=_kid(3), origin="Room 101", destination="Cap To")
        assert r.status == 409 and r.json["rule"] == "max_to", r
    g = ok(admin.post("/api/encounter-groups", {"name": "Apart", "students":
                                                [_kid(4), _kid(5)]}), 201)
    ok(teacher.create_pass(student=_kid(4), origin="Room 101", destination="Library"), 201)
    r = teacher.create_pass(student=_kid(5), origin="Room 102", destination="Library")
    assert r.status == 409 and r.json["rule"] == "encounter", r
    r = teacher.create_pass(student=_kid(0), origin="Room 101", destination="Library")
    assert r.status == 409 and r.json["rule"] == "student_active", r
    ok(other.create_pass(student=OTHER_KIDS[0]["email"], origin="Other Room",
                         destination="Other Hall"), 201)
    return admin, teacher, other, g


def _today():
    return dt.datetime.now(ZONE).date().isoformat()


def _rows(client, kind, **params):
    day = _today()
    return ok(client.get(_url(kind, **{"from": day, "to": day, **params})))["rows"]


def test_api_refusals_in_students(refusals):
    admin, *_ = refusals
    rows = {r["email"]: r for r in _rows(admin, "students", compare="previous")}
    assert set(rows) == {_kid(i) for i in (0, 1, 2, 3, 4, 5)}
    assert (rows[_kid(1)]["passes"], rows[_kid(1)]["refused"]) == (1, 1)
    assert (rows[_kid(3)]["passes"], rows[_kid(3)]["refused"]) == (0, 2)
    assert (rows[_kid(5)]["refused"], rows[_kid(5)]["prevented"]) == (1, 1)
    assert rows[_kid(0)]["refused"] == 1 and rows[_kid(0)]["prevented"] == 0
    assert rows[_kid(0)]["student_id"] is None
    assert all(r["prev_passes"] == 0 and r["prev_refused"] == 0 for r in rows.values())


def test_api_refusals_and_overrides_in_limits(refusals):
    admin, *_ = refusals
    rows = {r["room"]: r for r in _rows(admin, "limits", compare="previous")}
    assert (rows["Cap From"]["refused_from"], rows["Cap From"]["refused_to"]) == (1, 0)
    assert (rows["Cap To"]["refused_from"], rows["Cap To"]["refused_to"]) == (0, 2)
    assert rows["Cap From"]["overridden"] == 1 and rows["Library"]["overridden"] == 1
    assert rows["Cap To"]["overridden"] == 0
    assert all(r["waited"] == 0 and r["average_wait_seconds"] is None for r in rows.values())
    assert all(r["prev_overridden"] == 0 for r in rows.values())


def test_api_refusals_and_overrides_in_rules(refusals):
    admin, *_ = refusals
    rows = _rows(admin, "rules")
    assert [r["rule"] for r in rows] == RULES
    by = {r["rule"]: (r["refused"], r["overridden"]) for r in rows}
    assert by == {"student_active": (1, 0), "no_pass_time": (0, 0), "encounter": (1, 0),
                  "cooldown": (0, 0), "student_limit": (0, 0), "max_from": (1, 1),
                  "max_to": (2, 0), "hallway_cap": (0, 0)}
    assert [r["rule"] for r in _rows(admin, "rules", sort="refused", order="desc")][:2] == [
        "max_to", "student_active"]


def test_api_prevented_in_encounters(refusals):
    admin, *_ = refusals
    assert _rows(admin, "encounters") == [{"group": "Apart", "members": 2, "active": True,
                                           "prevented": 1, "overridden": 0}]


def test_api_live_passes_in_durations_heatmap_daily_sources(refusals):
    admin, *_ = refusals
    rows = {r["room"]: r for r in _rows(admin, "durations")}
    assert (rows["Library"]["open"], rows["Cap To"]["open"]) == (3, 1)
    assert rows["Library"]["ended"] == 0 and rows["Library"]["median_minutes"] is None
    heat = _rows(admin, "heatmap", destination="library")
    hour = dt.datetime.now(ZONE)
    cell = [h for h in heat if (h["weekday"], h["hour"]) == (hour.isoweekday(), hour.hour)]
    # The passes were made a moment ago: this hour, or the one before at an hour's turn.
    assert cell[0]["passes"] == 3 or sum(h["passes"] for h in heat) == 3
    (day,) = _rows(admin, "daily")
    assert (day["passes"], day["teacher"]) == (4, 4)
    src = {(r["source"], r["type"]): r["passes"] for r in _rows(admin, "sources")}
    assert src[("teacher", "now")] == 4 and sum(src.values()) == 4


def test_api_schools_apart(refusals):
    admin, _, other, _ = refusals
    assert {r["email"] for r in _rows(other, "students")} == {OTHER_KIDS[0]["email"]}
    assert {r["room"] for r in _rows(other, "durations")} == {"Other Room", "Other Hall"}
    assert _rows(other, "encounters") == []
    assert sum(r["refused"] for r in _rows(other, "rules")) == 0
    doc = ok(other.get(_url("daily")))
    assert doc["school"] == OTHER
    assert OTHER_KIDS[0]["email"] not in {r["email"] for r in _rows(admin, "students")}


def _by(rows, key):
    return {r[key]: r for r in rows}


def test_api_an_encounter_override_counts_for_the_group_and_the_rule(refusals):
    """After the tests above (they count exactly): staff pass the group's rule by override."""
    admin, teacher, _, _ = refusals
    before = (_by(_rows(admin, "encounters"), "group")["Apart"],
              _by(_rows(admin, "rules"), "rule")["encounter"],
              _by(_rows(admin, "students"), "email")[_kid(5)])
    p = ok(teacher.create_pass(student=_kid(5), origin="Room 102", destination="Restroom A",
                               override=True), 201)
    assert p["overrides"] == ["encounter"]
    group = _by(_rows(admin, "encounters"), "group")["Apart"]
    rule = _by(_rows(admin, "rules"), "rule")["encounter"]
    kid = _by(_rows(admin, "students"), "email")[_kid(5)]
    assert (group["overridden"], group["prevented"]) == (before[0]["overridden"] + 1,
                                                         before[0]["prevented"])
    assert (rule["overridden"], rule["refused"]) == (before[1]["overridden"] + 1,
                                                     before[1]["refused"])
    assert kid["passes"] == before[2]["passes"] + 1
    limits = _by(_rows(admin, "limits"), "room")
    assert limits["Room 102"]["overridden"] >= 1


def test_api_a_pass_from_the_line_counts_its_wait(live, refusals):
    store, _ = live
    admin, teacher, _, _ = refusals
    ok(teacher.create_pass(student=_kid(7), origin="Room 101", destination="Line To"), 201)
    entry = ok(teacher.post("/api/passes", {"student": _kid(6), "origin": "Room 102",
                                           "destination": "Line To", "wait": True}), 202)
    (out,) = [p for p in teacher.active() if p["student"] == _kid(7)]
    ok(teacher.end_pass(out["id"]))
    deadline = time.monotonic() + 10
    while True:  # The clock offers the freed place within a second or two.
        mine = [e for e in ok(teacher.get("/api/line"))["entries"] if e["id"] == entry["id"]]
        if mine and mine[0]["state"] == "offered":
            break
        assert time.monotonic() < deadline, mine
        time.sleep(0.1)
    ok(teacher.post(f"/api/line/{entry['id']}/start"), 201)
    row = _by(_rows(admin, "limits", compare="previous"), "room")["Line To"]
    room_id = teacher.room_id("Line To")
    ((waited, seconds),) = [(int(a), int(b)) for a, b in store.sql(
        "SELECT a, b FROM usage_counts WHERE kind = 17 AND period = 0 AND id = ?", (room_id,))]
    assert (row["waited"], waited) == (1, 1)
    assert row["average_wait_seconds"] == seconds  # One wait: its own seconds.
    assert (row["prev_waited"], row["prev_average_wait_seconds"]) == (0, None)
    dur = _by(_rows(admin, "durations"), "room")["Line To"]
    assert (dur["ended"], dur["open"]) == (1, 1)


@pytest.mark.parametrize("kind", sorted(TITLES))
def test_api_admins_only(live, refusals, kind):
    _, srv = live
    _, teacher, _, _ = refusals
    assert srv.client().get(_url(kind)).status == 401
    r = teacher.get(_url(kind))
    assert r.status == 403 and r.error == "only admins see insights", r
    kiosk = sign_in(srv, KIOSK)
    assert kiosk.get(_url(kind, format="csv")).status == 403
