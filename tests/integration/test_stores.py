"""The two stores against each other (--db is a SQLite file or a postgresql:// URI;
docs/scaling.md):

- the same schools, imported into a SQLite file and into a PostgreSQL database, give
  byte-identical reports in every format (JSON, CSV, the table; XLSX by its sheet's cells) for
  several ranges, each day, and every sort key both ways, and the rows an independent model
  of the counting rules (hallpass_kit) works out;
- `hallpass copy` from SQLite to PostgreSQL and back gives identical reports everywhere, says
  how many reports it compared, carries the password hashes, and refuses (changing nothing) a
  target that already holds one of the schools;
- two `hallpass serve` processes on one PostgreSQL database keep the room limits and the
  one-active-pass rule under racing requests split between them, and answer two requests
  that change the same rooms' report counters in opposite orders.

Tests that need both stores at once are marked both_stores; those on two servers run on the
PostgreSQL store only.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import itertools
import json
import random
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import store_util
from hallpass_kit import (FORMATS, ROOM_SORTS, STAFF_SORTS, Hallpass, Model, Pass, Room, User,
                          local_date, passes_csv, read_xlsx, rooms_csv, users_csv)
from server_util import (Client, Server, Store, cli, future, ok, race, room, sign_in, students,
                         user)
from store_util import StoreFactory, is_uri, pg_tables, school_names

# --------------------------------------------------------------------------------------------
# Two schools, with names that exercise natural order, and a few thousand passes over seven
# weeks (across the end of daylight saving time in Chicago) of every source and type, with
# cancelled ones.

LINCOLN, LINCOLN_ZONE = "Lincoln High", "America/Chicago"
ROOSEVELT, ROOSEVELT_ZONE = "Roosevelt Middle", "Asia/Kolkata"

LINCOLN_ROOMS = [
    Room("Room 10A", "Science"), Room("room 10", "Science"), Room("Room 2", "Science"),
    Room("Room 010", "science"), Room("Room 1", "Science"), Room("Room 100", "Math 10"),
    Room("Room 99999999999999999999", "Math 10"), Room("Room 100000000000000000000", "Math 9"),
    Room("_Lab", ""), Room("Lab", "Labs"), Room("lab 3b", "Labs"), Room("Lab 3", "labs"),
    Room("#Annex", ""), Room("3D Lab", "Labs"), Room("Café", "Cafés"), Room("CAFÉ", "Cafés"),
    Room("Äpfel Hall", "Arts"), Room("zebra Hall", "arts"), Room("Gym", "", "6", ""),
    Room("Restroom 1", "Restrooms", "", "3"), Room("Restroom 01", "Restrooms", "", "3"),
    Room("=Formula Room", "-Wing"), Room('Quote "Q", East', "Ωmega"),
    Room("Library", "", "", "25"),
    Room("Nurse", "Offices", "", "4"), Room("Empty Closet", "Offices"),
]
UNUSED = {"Empty Closet", "#Annex"}
# Two "Pat Kim" (a tie, ordered by creation), case and numbers in names and emails, and
# names that a spreadsheet would take for formulas.
LINCOLN_STAFF = [
    User("Pat Kim", "pk2@lincoln.test", "teacher"),
    User("Ann Lee", "alee@lincoln.test", "teacher"),
    User("Pat Kim", "pk1@lincoln.test", "admin"),
    User("ann lee", "alee2@lincoln.test", "teacher"),
    User("Bob 10", "b10@lincoln.test", "teacher"), User("bob 9", "B9@lincoln.test", "teacher"),
    User("Teacher 2", "t2@lincoln.test", "teacher"),
    User("Teacher 10", "t10@lincoln.test", "teacher"),
    User("Émile Zola", "ez@lincoln.test", "teacher"),
    User("@Home Room", "+plus@lincoln.test", "teacher"),
    User('=HYPERLINK("x")', "-dash@lincoln.test", "teacher"),
    User("Zoë, the Admin", "zoe@lincoln.test", "admin", "", "zoe-pass-1"),
    User("Idle Teacher", "idle@lincoln.test", "teacher"),
]
LINCOLN_STUDENTS = [User(f"Student {i}", f"s{i}@students.lincoln.test", "student")
                    for i in range(60)]
LINCOLN_KIOSKS = [User("Gym Kiosk", "gym-kiosk@lincoln.test", "kiosk", "Gym"),
                  User("Lab Kiosk", "lab-kiosk@lincoln.test", "kiosk", "Lab"),
                  User("Library Kiosk", "lib-kiosk@lincoln.test", "kiosk", "Library")]

ROOSEVELT_ROOMS = [Room("Room 2", "Wing A"), Room("Room 12", "Wing A"), Room("Room 1B", ""),
                   Room("Library", "Media"), Room("Office", "")]
ROOSEVELT_STAFF = [User("Anand Rao", "alee@lincoln.test", "admin", "", "anand-pass-1"),
                   User("Kavya 2", "k2@roosevelt.test", "teacher"),
                   User("kavya 10", "k10@roosevelt.test", "teacher")]
ROOSEVELT_STUDENTS = [User(f"Pupil {i}", f"p{i}@roosevelt.test", "student") for i in range(12)]
ROOSEVELT_KIOSKS = [User("Office Kiosk", "office-kiosk@roosevelt.test", "kiosk", "Office")]


def make_passes(prefix, zone, rooms, staff, students_, kiosks, start, days, n, seed):
    """n passes over `days` days from `start` (a local date), of every source and type, with
    cancelled scheduled ones, some still out, start times in several UTC offsets, and some
    close to local midnight."""
    rnd = random.Random(seed)
    names = [r.name for r in rooms if r.name not in UNUSED]
    creators = [u.email for u in staff if u.email != "idle@lincoln.test"]
    offsets = [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=-6)),
               timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=9))]
    z = ZoneInfo(zone)
    out = []
    for i in range(n):
        source = rnd.choices(["student", "teacher", "kiosk_mode", "kiosk_login"],
                             [25, 40, 15, 20])[0]
        student = rnd.choice(students_).email
        type_, cancelled = "now", rnd.choice(["", "false", "FALSE", "False"])
        if source == "student":
            creator = student
        elif source == "kiosk_login":
            kiosk = rnd.choice(kiosks)
            creator = kiosk.email
        else:
            creator = rnd.choice(creators)
            if source == "teacher" and rnd.random() < 0.35:
                type_ = "scheduled"
                if rnd.random() < 0.3:
                    cancelled = rnd.choice(["true", "True", "TRUE"])
        origin = kiosk.room if source == "kiosk_login" else rnd.choice(names)
        destination = rnd.choice([r for r in names if r != origin])
        day = start + timedelta(days=rnd.randrange(days))
        if rnd.random() < 0.08:  # close to local midnight, either side
            seconds = rnd.choice([rnd.randrange(0, 600), 86400 - rnd.randrange(1, 600)])
        else:
            seconds = rnd.randrange(7 * 3600, 16 * 3600)
        moment = (dt.datetime(day.year, day.month, day.day, tzinfo=z)
                  + timedelta(seconds=seconds)).astimezone(timezone.utc)
        text = moment.astimezone(rnd.choice(offsets)).isoformat().replace("+00:00", "Z")
        end = ""
        if cancelled.lower() != "true" and rnd.random() < 0.9:
            end = (moment + timedelta(minutes=rnd.randrange(0, 45))).astimezone(
                rnd.choice(offsets)).isoformat()
        out.append(Pass(f"{prefix}{i}", student, origin, destination, creator, source, type_,
                        text, end, cancelled))
    return out


# The last student has no pass (so none still out).
LINCOLN_PASSES = make_passes("L", LINCOLN_ZONE, LINCOLN_ROOMS, LINCOLN_STAFF,
                             LINCOLN_STUDENTS[:-1], LINCOLN_KIOSKS, dt.date(2026, 9, 28), 7 * 7,
                             3200, 20260928)
ROOSEVELT_PASSES = make_passes("R", ROOSEVELT_ZONE, ROOSEVELT_ROOMS, ROOSEVELT_STAFF,
                               ROOSEVELT_STUDENTS, ROOSEVELT_KIOSKS, dt.date(2026, 10, 5), 14,
                               300, 20261005)

# The ranges compared in every format: the whole term (whole months: the stores read month
# counters), part of September, all of October and part of November (day and month counters),
# and the day daylight saving time ends (25 hours long; small counts, so many ties, ordered by
# name, then creation). Each day of the term is compared besides, as JSON.
RANGES = [("2026-09-01", "2026-11-30"), ("2026-09-15", "2026-11-10"),
          ("2026-11-01", "2026-11-01")]
DAYS = (dt.date(2026, 9, 27), dt.date(2026, 11, 16))
ROOSEVELT_RANGES = [("2026-10-01", "2026-10-31")]
ROOSEVELT_DAYS = (dt.date(2026, 10, 4), dt.date(2026, 10, 19))
REPORTS = ("rooms", "staff")
WORKERS = 4


def sorts(kind):
    """The default, then every sort key both ways."""
    keys = list(ROOM_SORTS if kind == "rooms" else STAFF_SORTS)
    return [(None, None)] + [(k, o) for k in keys for o in ("asc", "desc")]


def comparable(fmt: str, data: bytes):
    """A report's bytes, but an XLSX by its sheet: names, then every cell's reference, type,
    value and style (the file holds its creation time)."""
    if fmt != "xlsx":
        return data
    book = read_xlsx(data)
    cells = tuple(sorted((c.ref, c.type, c.value, c.style, c.formula)
                         for c in book.cells.values()))
    return (tuple(book.sheet_names), cells)


def run_all(hp: Hallpass, jobs: dict) -> dict:
    """Runs `hallpass ARGS` for each job (key -> args) a few at a time; every run must
    succeed. Gives key -> Result."""
    with ThreadPoolExecutor(WORKERS) as ex:
        futures = {key: ex.submit(hp.run, *args) for key, args in jobs.items()}
    out = {}
    for key, f in futures.items():
        r = f.result()
        assert r.code == 0, f"{key}: {r!r}"
        out[key] = r
    return out


def report_matrix(hp: Hallpass, db, school: str, ranges=RANGES, formats=FORMATS) -> dict:
    """(kind, from, to, sort, order, format) -> the report, comparable, for every range, sort
    and format."""
    jobs = {}
    for kind in REPORTS:
        for first, last in ranges:
            for sort, order in sorts(kind):
                for fmt in formats:
                    args = ["report", kind, "--db", db, "--school", school, "--from", first,
                            "--to", last, "--format", fmt]
                    if sort:
                        args += ["--sort", sort, "--order", order]
                    jobs[(kind, first, last, sort, order, fmt)] = args
    return {k: comparable(k[-1], r.stdout_bytes) for k, r in run_all(hp, jobs).items()}


def daily_matrix(hp: Hallpass, db, school: str, first: dt.date, last: dt.date) -> dict:
    """(kind, day) -> the JSON report of that one day, for each day from first to last."""
    jobs = {}
    day = first
    while day <= last:
        for kind in REPORTS:
            jobs[(kind, day.isoformat())] = ["report", kind, "--db", db, "--school", school,
                                             "--from", day.isoformat(), "--to",
                                             day.isoformat(), "--format", "json"]
        day += timedelta(days=1)
    return {k: r.stdout_bytes for k, r in run_all(hp, jobs).items()}


def assert_same(a: dict, b: dict, what: str, select=lambda key: True):
    keys = [k for k in a if select(k)]
    assert keys, "nothing compared"
    assert set(keys) == {k for k in b if select(k)}
    differ = [k for k in keys if a[k] != b[k]]
    assert not differ, (f"{what}: {len(differ)} of {len(keys)} reports differ, e.g. {differ[0]}:"
                        f"\n{a[differ[0]]!r:.1500}\n{b[differ[0]]!r:.1500}")


def build(hp: Hallpass, db, files: dict):
    """Both schools, from the same CSV files, into the store at db."""
    for name, zone in ((LINCOLN, LINCOLN_ZONE), (ROOSEVELT, ROOSEVELT_ZONE)):
        hp.run("init", "--db", db, "--school", name, "--timezone", zone).ok()
        for kind in ("rooms", "users", "passes"):
            for f in files[name][kind]:
                hp.run("import", kind, "--db", db, "--school", name, f).ok()


def table_dump(db) -> dict:
    """Every row of every table of the store, as text, in order: to see that nothing
    changed."""
    if is_uri(db):
        tables = pg_tables(db)
    else:
        tables = sorted(r[0] for r in store_util.sql(
            db, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                "name NOT LIKE 'sqlite_%'"))
    dump = {}
    for t in tables:
        rows = store_util.sql(db, f"SELECT * FROM {t}")
        dump[t] = sorted(tuple("" if v is None else (v.hex() if isinstance(v, bytes) else str(v))
                               for v in row) for row in rows)
    return dump


# --------------------------------------------------------------------------------------------
# The two stores, built from the same files


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("stores")


@pytest.fixture(scope="module")
def hp(hallpass_bin, work) -> Hallpass:
    return Hallpass(hallpass_bin, work)


@pytest.fixture(scope="module")
def files(work) -> dict:
    """The import files of each school: rooms, users (kiosks name their rooms), and passes in
    two files that overlap, the second repeating ids of the first (skipped)."""
    out = {}
    for name, rooms, users, passes in (
            (LINCOLN, LINCOLN_ROOMS, LINCOLN_STAFF + LINCOLN_STUDENTS + LINCOLN_KIOSKS,
             LINCOLN_PASSES),
            (ROOSEVELT, ROOSEVELT_ROOMS, ROOSEVELT_STAFF + ROOSEVELT_STUDENTS + ROOSEVELT_KIOSKS,
             ROOSEVELT_PASSES)):
        stem = name.split()[0].lower()
        half = len(passes) * 2 // 3
        texts = {"rooms": [rooms_csv(rooms)], "users": [users_csv(users)],
                 "passes": [passes_csv(passes[:half]), passes_csv(passes[half // 2:])]}
        out[name] = {}
        for kind, parts in texts.items():
            out[name][kind] = []
            for i, text in enumerate(parts):
                path = work / f"{stem}-{kind}-{i}.csv"
                path.write_text(text, encoding="utf-8")
                out[name][kind].append(path)
    return out


@pytest.fixture(scope="module")
def sqlite_db(hp, work, files):
    db = StoreFactory("sqlite", work).new("imported")
    build(hp, db, files)
    return db


@pytest.fixture(scope="module")
def pg_db(hp, work, files, pg_server):
    db = StoreFactory("postgresql", work, pg_server).new()
    build(hp, db, files)
    return db


@pytest.fixture(scope="module")
def sqlite_reports(hp, sqlite_db):
    return report_matrix(hp, sqlite_db, LINCOLN)


@pytest.fixture(scope="module")
def pg_reports(hp, pg_db):
    return report_matrix(hp, pg_db, LINCOLN)


@pytest.fixture(scope="module")
def sqlite_daily(hp, sqlite_db):
    return daily_matrix(hp, sqlite_db, LINCOLN, *DAYS)


@pytest.fixture(scope="module")
def sqlite_second(hp, sqlite_db):
    return second_school(hp, sqlite_db)


def model(school=LINCOLN) -> Model:
    if school == LINCOLN:
        m = Model(LINCOLN_ZONE)
        m.add(LINCOLN_ROOMS, LINCOLN_STAFF + LINCOLN_STUDENTS + LINCOLN_KIOSKS, LINCOLN_PASSES)
    else:
        m = Model(ROOSEVELT_ZONE)
        m.add(ROOSEVELT_ROOMS, ROOSEVELT_STAFF + ROOSEVELT_STUDENTS + ROOSEVELT_KIOSKS,
              ROOSEVELT_PASSES)
    return m


both = pytest.mark.both_stores


@both
def test_the_data_is_not_trivial():
    m = model()
    kinds = collections.Counter((p.source, p.type, p.cancelled.lower() == "true")
                                for p in m.passes)
    for source in ("student", "teacher", "kiosk_mode", "kiosk_login"):
        assert kinds[(source, "now", False)] > 100, kinds
    assert kinds[("teacher", "scheduled", False)] > 100
    assert kinds[("teacher", "scheduled", True)] > 50
    assert len(m.passes) >= 3000
    assert any(not p.end for p in m.passes)
    rows = m.rows("staff", dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    assert len({r["total"] for r in rows}) > 5
    # Days in the school's zone differ from days in UTC for some passes.
    assert any(local_date(p.start, m.zone) != local_date(p.start, dt.timezone.utc)
               for p in m.passes)
    day = m.rows("rooms", dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    assert sum(r["passes_from"] for r in day) > 20


@both
@pytest.mark.parametrize("kind", REPORTS)
@pytest.mark.parametrize("first,last", RANGES)
def test_both_stores_give_identical_reports(sqlite_reports, pg_reports, kind, first, last):
    assert_same(sqlite_reports, pg_reports, "SQLite and PostgreSQL",
                lambda k: k[:3] == (kind, first, last))


@both
@pytest.mark.parametrize("kind", REPORTS)
@pytest.mark.parametrize("first,last", RANGES)
def test_both_stores_give_the_reports_the_spec_says(sqlite_reports, pg_reports, kind, first,
                                                     last):
    m = model()
    d0, d1 = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    for sort, order in sorts(kind):
        expected = m.rows(kind, d0, d1, sort, order)
        for reports in (sqlite_reports, pg_reports):
            doc = json.loads(reports[(kind, first, last, sort, order, "json")])
            assert doc["rows"] == expected, (sort, order)


def second_school(hp, db) -> dict:
    """Roosevelt Middle's reports: every sort of a month as JSON, and each day."""
    out = report_matrix(hp, db, ROOSEVELT, ROOSEVELT_RANGES, formats=("json",))
    out.update(daily_matrix(hp, db, ROOSEVELT, *ROOSEVELT_DAYS))
    return out


@both
def test_both_stores_give_identical_reports_each_day(hp, sqlite_daily, pg_db):
    a = sqlite_daily
    b = daily_matrix(hp, pg_db, LINCOLN, *DAYS)
    assert_same(a, b, "SQLite and PostgreSQL, day by day")
    m = model()
    for (kind, day), data in a.items():
        d = dt.date.fromisoformat(day)
        assert json.loads(data)["rows"] == m.rows(kind, d, d), day


@both
def test_both_stores_agree_with_their_own_counters(hp, sqlite_db, pg_db):
    for db in (sqlite_db, pg_db):
        for school in (LINCOLN, ROOSEVELT):
            r = hp.run("check", "--db", db, "--school", school)
            assert r.code == 0, r


@both
def test_both_stores_give_identical_reports_for_the_second_school(hp, sqlite_second, pg_db):
    a = sqlite_second
    assert_same(a, second_school(hp, pg_db), "SQLite and PostgreSQL, Roosevelt Middle")
    m = model(ROOSEVELT)
    for (kind, first, last, sort, order, fmt), data in \
            [(k, v) for k, v in a.items() if len(k) == 6]:
        expected = m.rows(kind, dt.date.fromisoformat(first), dt.date.fromisoformat(last),
                          sort, order)
        assert json.loads(data)["rows"] == expected


# --------------------------------------------------------------------------------------------
# hallpass copy


COPIED = re.compile(r"copied (\d+) schools?, (\d+) rooms?, (\d+) users?, (\d+) pass(?:es)?; "
                    r"(\d+) reports? compared, all equal")


def copy_counts(out: str) -> tuple:
    m = COPIED.search(out)
    assert m, f"no counts in {out!r}"
    return tuple(int(x) for x in m.groups())


def expected_compared() -> int:
    """Both reports over the whole range and each day of it, for each school: the range runs
    from the local day of the first pass to that of the last."""
    n = 0
    for m in (model(LINCOLN), model(ROOSEVELT)):
        days = {local_date(p.start, m.zone) for p in m.passes}
        n += 2 * (1 + (max(days) - min(days)).days + 1)
    return n


@pytest.fixture(scope="module")
def copies(hp, work, sqlite_db, pg_server):
    """SQLite -> a new PostgreSQL database -> a new SQLite file."""
    to_pg = StoreFactory("postgresql", work, pg_server).new()
    r1 = hp.run("copy", "--from", sqlite_db, "--to", to_pg)
    to_sqlite = StoreFactory("sqlite", work).new("copied-back")
    r2 = hp.run("copy", "--from", to_pg, "--to", to_sqlite) if r1.code == 0 else None
    return to_pg, to_sqlite, r1, r2


def expected_totals() -> tuple:
    rooms = len(LINCOLN_ROOMS) + len(ROOSEVELT_ROOMS)
    users = (len(LINCOLN_STAFF + LINCOLN_STUDENTS + LINCOLN_KIOSKS)
             + len(ROOSEVELT_STAFF + ROOSEVELT_STUDENTS + ROOSEVELT_KIOSKS))
    return 2, rooms, users, len(LINCOLN_PASSES) + len(ROOSEVELT_PASSES)


@both
def test_copy_from_sqlite_to_postgresql_and_back(copies):
    to_pg, to_sqlite, r1, r2 = copies
    assert r1.code == 0, r1
    assert r2 is not None and r2.code == 0, r2
    for r in (r1, r2):
        counts = copy_counts(r.stdout + r.stderr)
        assert counts[:4] == expected_totals(), r
        assert counts[4] == expected_compared(), r
    assert school_names(to_pg) == sorted([LINCOLN, ROOSEVELT])
    assert school_names(to_sqlite) == sorted([LINCOLN, ROOSEVELT])


@pytest.fixture(scope="module")
def copied_reports(hp, copies):
    to_pg, to_sqlite, r1, r2 = copies
    assert r1.code == 0 and r2 is not None and r2.code == 0, (r1, r2)
    return {"postgresql": report_matrix(hp, to_pg, LINCOLN),
            "sqlite": report_matrix(hp, to_sqlite, LINCOLN)}


@both
@pytest.mark.parametrize("kind", REPORTS)
def test_copies_give_identical_reports(sqlite_reports, copied_reports, kind):
    for target in ("postgresql", "sqlite"):
        assert_same(sqlite_reports, copied_reports[target], f"the original and the {target} copy",
                    lambda k: k[0] == kind)


@both
def test_copies_give_identical_reports_each_day_and_for_the_second_school(
        hp, sqlite_daily, sqlite_second, copies):
    to_pg, to_sqlite, r1, r2 = copies
    for target in (to_pg, to_sqlite):
        assert_same(sqlite_daily, daily_matrix(hp, target, LINCOLN, *DAYS),
                    f"the original and {target}, day by day")
        assert_same(sqlite_second, second_school(hp, target),
                    f"the original and {target}, Roosevelt Middle")


@both
@pytest.mark.parametrize("target", ["postgresql", "sqlite"], ids=["into-postgresql",
                                                                 "into-sqlite"])
def test_a_copy_checks_and_serves_with_the_passwords(hp, copies, work, pg_server, target):
    """The copy's counters agree with its passes; the password hashes came along; and the
    copy takes new rooms and passes (its ids go on from the copied ones). A copy of its own,
    since this one changes it."""
    to_pg, to_sqlite, r1, r2 = copies
    if target == "postgresql":
        source, db = to_sqlite, StoreFactory("postgresql", work, pg_server).new()
    else:
        source, db = to_pg, StoreFactory("sqlite", work).new("served")
    hp.run("copy", "--from", source, "--to", db).ok()
    for school in (LINCOLN, ROOSEVELT):
        r = hp.run("check", "--db", db, "--school", school)
        assert r.code == 0, r
    srv = Server(db, log=work / f"copied-{target}.serve.log").start()
    try:
        zoe = srv.sign_in("zoe@lincoln.test", "zoe-pass-1")
        assert ok(zoe.get("/api/session"))["school"]["name"] == LINCOLN
        # The same email at the other school, with its own password.
        c = srv.sign_in("alee@lincoln.test", "anand-pass-1")
        assert ok(c.get("/api/session"))["school"]["name"] == ROOSEVELT
        assert srv.client().post("/api/session", {"email": "zoe@lincoln.test",
                                                  "password": "wrong"}).status == 401
        new = ok(zoe.post("/api/rooms", {"name": f"New Room {target}"}), 201)
        assert new["id"] not in [rm["id"] for rm in zoe.rooms() if rm["name"] != new["name"]]
        p = ok(zoe.create_pass(student=LINCOLN_STUDENTS[-1].email, origin="Room 2",
                               destination=new["name"]), 201)
        assert [q["id"] for q in zoe.active() if q["destination"] == new["name"]] == [p["id"]]
        ok(zoe.end_pass(p["id"]))
    finally:
        assert srv.stop() == 0, srv.log()


@both
@pytest.mark.parametrize("case", ["postgresql-holding-one-school", "postgresql-holding-both",
                                  "sqlite-holding-both", "sqlite-holding-one-school",
                                  "sqlite-holding-one-school-in-capitals"],
                         ids=lambda case: f"into-{case}")
def test_a_copy_into_a_store_that_holds_a_school_fails_and_changes_nothing(
        hp, work, sqlite_db, copies, pg_server, case):
    to_pg, to_sqlite, r1, r2 = copies
    # held: the schools of the source that the target holds (the error names one).
    if case == "postgresql-holding-one-school":
        # Roosevelt Middle is there (with a room of its own); Lincoln High, the source's
        # first school, is not, and must not be left there either.
        source, target = sqlite_db, StoreFactory("postgresql", work, pg_server).new()
        held = [ROOSEVELT]
        hp.run("init", "--db", target, "--school", ROOSEVELT, "--timezone", "UTC").ok()
        hp.run("import", "rooms", "--db", target, "-", input=rooms_csv([Room("Hall 9")])).ok()
    elif case == "sqlite-holding-one-school":
        source, target = to_pg, StoreFactory("sqlite", work).new("holding")
        held = [ROOSEVELT]
        hp.run("init", "--db", target, "--school", ROOSEVELT, "--timezone", "UTC").ok()
    elif case == "sqlite-holding-one-school-in-capitals":
        # School names compare without regard to ASCII case, as a command naming one finds it.
        source, target = to_pg, StoreFactory("sqlite", work).new("holding-capitals")
        held = [ROOSEVELT]
        hp.run("init", "--db", target, "--school", ROOSEVELT.upper(), "--timezone", "UTC").ok()
    elif case == "postgresql-holding-both":
        source, target, held = sqlite_db, to_pg, [LINCOLN, ROOSEVELT]
    else:
        source, target, held = to_pg, to_sqlite, [LINCOLN, ROOSEVELT]
    before = table_dump(target)
    schools = school_names(target)
    code, out, err = hp.run("copy", "--from", source, "--to", target)
    assert code != 0, out
    assert any(f'"{name}"' in err for name in held), err
    assert school_names(target) == schools
    assert table_dump(target) == before


# --------------------------------------------------------------------------------------------
# Two servers on one PostgreSQL database

CROWD = 40
ROUNDS = 3
ADMIN = user("Ann Admin", "admin@lincoln.test", "admin", "admin-pass-1")
TEACHER = user("Tom Teacher", "teacher@lincoln.test", "teacher", "teacher-pass-1")
KIDS = students("duo", CROWD)
EMAILS = [k["email"] for k in KIDS]


@pytest.fixture(scope="module")
def duo(module_stores):
    """Lincoln High in one PostgreSQL database, and two `hallpass serve` processes on it,
    each with a teacher signed in."""
    store = Store.new(module_stores).init(LINCOLN, LINCOLN_ZONE)
    store.rooms([room("Room 101")]).users([ADMIN, TEACHER, *KIDS])
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(store.server("--threads", "16", log_name=f"serve-{name}").start())
        admin = sign_in(servers[0], ADMIN)
        teachers = [sign_in(s, TEACHER) for s in servers]
        yield Duo(store, servers, admin, teachers)
    finally:
        codes = [s.stop() for s in servers]
        assert codes == [0] * len(servers), [s.log() for s in servers]


@dataclasses.dataclass
class Duo:
    store: Store
    servers: list
    admin: Client
    teachers: list  # a teacher's session on each server

    def __iter__(self):
        return iter((self.servers, self.admin, self.teachers))


_rooms = itertools.count()


def new_rooms(admin, *limits):
    names = []
    for lim in limits:
        name = f"Duo Room {next(_rooms):03d}"
        ok(admin.post("/api/rooms", {"name": name, **lim}), 201)
        names.append(name)
    return names


@pytest.fixture
def duo_clean(duo):
    """Each test starts and ends with no pass out and none scheduled."""
    t = duo.teachers[0]
    assert [p for p in t.active() if p["active"]] == []
    yield duo
    t = duo.teachers[1]
    for p in t.active():
        if p["active"]:
            ok(t.end_pass(p["id"]))
    for p in t.upcoming():
        if not p["cancelled"]:
            ok(t.cancel_pass(p["id"]))


def split_race(teachers, bodies):
    """The bodies as racing pass requests, half of them (alternately) to each server."""
    return race(teachers[0], [(teachers[i % 2], "POST", "/api/passes", b)
                              for i, b in enumerate(bodies)])


def tally(answers):
    return collections.Counter(r.status for r in answers)


def check_active(teachers, won, keep):
    """Both servers list exactly the passes that won."""
    for t in teachers:
        out = [p for p in t.active() if keep(p)]
        assert sorted(p["id"] for p in out) == sorted(won), (won, out)
        assert all(p["active"] for p in out)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_servers_keep_max_passes_to(duo_clean, round_):
    servers, admin, teachers = duo_clean
    (dest,) = new_rooms(admin, {"max_passes_to": 2})
    origins = new_rooms(admin, {}, {}, {}, {})
    answers = split_race(teachers, [{"student": e, "origin": origins[i % 4], "destination": dest}
                                    for i, e in enumerate(EMAILS)])
    assert tally(answers) == {201: 2, 409: CROWD - 2}, tally(answers)
    for r in answers:
        if r.status == 409:
            assert r.error == f"{dest}: 2 of 2 passes to this room are active", r
    won = [r.json["id"] for r in answers if r.status == 201]
    check_active(teachers, won, lambda p: p["destination"] == dest)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_servers_keep_max_passes_from(duo_clean, round_):
    servers, admin, teachers = duo_clean
    (origin,) = new_rooms(admin, {"max_passes_from": 2})
    dests = new_rooms(admin, {}, {}, {})
    answers = split_race(teachers, [{"student": e, "origin": origin, "destination": dests[i % 3]}
                                    for i, e in enumerate(EMAILS)])
    assert tally(answers) == {201: 2, 409: CROWD - 2}, tally(answers)
    for r in answers:
        if r.status == 409:
            assert r.error == f"{origin}: 2 of 2 passes from this room are active", r
    won = [r.json["id"] for r in answers if r.status == 201]
    check_active(teachers, won, lambda p: p["origin"] == origin)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_servers_give_one_student_one_pass(duo_clean, round_):
    servers, admin, teachers = duo_clean
    student = EMAILS[round_]
    rs = new_rooms(admin, {}, {}, {}, {}, {})
    answers = split_race(teachers, [{"student": student, "origin": rs[i % 5],
                                     "destination": rs[(i + 1) % 5]} for i in range(20)])
    assert tally(answers) == {201: 1, 409: 19}, tally(answers)
    for r in answers:
        if r.status == 409:
            assert "already has an active pass" in r.error, r
    won = [r.json["id"] for r in answers if r.status == 201]
    check_active(teachers, won, lambda p: p["student"] == student)


# Report counters changed the same day, for the same two rooms, in opposite directions: a
# pass from A to B cancelled while one from B to A is cancelled, or created. Under SQLite the
# two requests take turns; under PostgreSQL each locks the counter rows it upserts, one by
# one. To make the interleaving certain rather than a matter of luck, a psql session of the
# test's own holds room B's counter rows (the store's usage_counts, kind 0 = a room) while the
# request that needs B's first (B to A) and then the one that needs A's first (A to B) come in
# and wait; then it lets go. The server must answer both as it does one at a time.

class Deadlocked(AssertionError):
    """A request failed with PostgreSQL's "deadlock detected"."""


class CounterLock:
    """A psql session holding, in an open transaction, a room's report counter rows."""

    def __init__(self, uri: str, room_id: int):
        self.uri = uri
        self.proc = subprocess.Popen(
            [store_util.psql_binary(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", uri], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=store_util.pg_env())
        self.proc.stdin.write(
            "BEGIN;\nSELECT count(*) FROM (SELECT 1 FROM usage_counts WHERE kind = 0 AND "
            f"id = {int(room_id)} FOR UPDATE) AS held;\n\\echo held\n")
        self.proc.stdin.flush()
        rows = self.proc.stdout.readline().strip()
        said = self.proc.stdout.readline().strip()
        if said != "held" or not rows.isdigit() or int(rows) == 0:
            self.proc.kill()
            raise AssertionError(f"could not hold the room's counters (the store's schema "
                                 f"changed?): {rows!r} {said!r} {self.proc.stderr.read()!r}")

    def waiting(self) -> int:
        """How many sessions of the database wait for a lock."""
        return int(store_util.psql(self.uri, "SELECT count(*) FROM pg_stat_activity WHERE "
                                             "wait_event_type = 'Lock' AND "
                                             "datname = current_database()")[0][0])

    def wait_for(self, n: int, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while self.waiting() < n:
            assert time.monotonic() < deadline, f"{n} requests never waited for the lock"
            time.sleep(0.02)

    def release(self):
        self.proc.stdin.write("COMMIT;\n")
        self.proc.stdin.close()
        assert self.proc.wait(PSQL_WAIT) == 0, self.proc.stderr.read()


PSQL_WAIT = 30


def in_thread(fn):
    """Runs fn in a thread; gives a function that waits and returns what fn returned."""
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("r", fn()), daemon=True)
    t.start()

    def result():
        t.join(HTTP_WAIT)
        assert "r" in out, "no answer"
        return out["r"]

    return result


HTTP_WAIT = 60


# Once a bug: the counters were upserted in each pass's own order (origin, then destination),
# so two transactions changing rooms A and B in opposite orders deadlocked on PostgreSQL. They
# are now written in one key order for all.
@pytest.mark.postgresql_only
@pytest.mark.parametrize("second", ["cancel", "create"])
def test_counters_of_two_rooms_changed_both_ways_at_once(duo_clean, second):
    duo = duo_clean
    a_to_b, b_to_a = duo.teachers  # one on each server
    a, b = new_rooms(duo.admin, {}, {})
    start = future(120)
    x = ok(a_to_b.create_pass(student=EMAILS[30], origin=a, destination=b, type="scheduled",
                              start=start), 201)
    y = ok(b_to_a.create_pass(student=EMAILS[31], origin=b, destination=a, type="scheduled",
                              start=start), 201)
    lock = CounterLock(duo.store.db, duo.admin.room_id(b))
    try:
        first = in_thread(lambda: b_to_a.cancel_pass(y["id"]))
        lock.wait_for(1)
        if second == "cancel":
            then = in_thread(lambda: a_to_b.cancel_pass(x["id"]))
        else:
            then = in_thread(lambda: a_to_b.create_pass(student=EMAILS[32], origin=a,
                                                        destination=b))
        lock.wait_for(2)
    finally:
        lock.release()
    answers = [first(), then()]
    failed = [r for r in answers if r.status >= 500]
    if any(b"deadlock detected" in r.body for r in failed):
        raise Deadlocked(f"{[(r.status, r.body[:300]) for r in answers]}")
    assert [r.status for r in answers] == [200, 200 if second == "cancel" else 201], answers
    # Both took effect, and the counters agree with the passes.
    upcoming = {p["id"]: p for p in a_to_b.upcoming()}
    assert y["id"] not in upcoming or upcoming[y["id"]]["cancelled"]
    if second == "cancel":
        assert x["id"] not in upcoming or upcoming[x["id"]]["cancelled"]
    cli("check", "--db", duo.store.db)
