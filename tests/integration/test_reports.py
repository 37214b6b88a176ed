"""The Room Usage and Staff Usage reports: every rule of the reports (docs/api.md)."""

from __future__ import annotations

import datetime as dt
import json
import random
from datetime import timedelta, timezone

import pytest

from hallpass_kit import (ROOM_KEYS, ROOM_SORTS, STAFF_KEYS, STAFF_SORTS, Hallpass, Model, Pass, Room, School, User,
                          expected_csv, local_date, local_instant, natsorted, plain, read_xlsx,
                          today_in)

SEPT = ("--from", "2026-09-01", "--to", "2026-09-30")


def p(i, student, origin, destination, creator, source, type_="now",
      start="2026-09-14T10:00:00-05:00", end="", cancelled=""):
    return Pass(str(i), student, origin, destination, creator, source, type_, start, end,
                cancelled)


# --------------------------------------------------------------------------------------------
# Counting


@pytest.fixture
def counted(school):
    """One pass of every source and type, with cancelled ones, in Lincoln High."""
    school.load(
        rooms=[Room("Room 101", "Science"), Room("Restroom B", "Restrooms"),
               Room("Library"), Room("Gym"), Room("Empty Room", "Nowhere")],
        users=[User("Ann Lee", "alee@x.org", "teacher"),
               User("Bob Stone", "bob@x.org", "admin"),
               User("Idle Ivy", "ivy@x.org", "teacher"),
               User("Sam Diaz", "sam@x.org", "student"),
               User("Sue Park", "sue@x.org", "student"),
               User("Library Kiosk", "kiosk@x.org", "kiosk", "Library")],
        passes=[
            # student source: rooms only.
            p(1, "sam@x.org", "Room 101", "Restroom B", "sam@x.org", "student"),
            # teacher now and scheduled.
            p(2, "sue@x.org", "Room 101", "Restroom B", "alee@x.org", "teacher", "now",
              end="2026-09-14T10:05:00-05:00"),
            p(3, "sam@x.org", "Room 101", "Library", "alee@x.org", "teacher", "scheduled",
              "2026-09-15T13:00:00-05:00", cancelled="false"),
            # cancelled scheduled passes never count, anywhere.
            p(4, "sue@x.org", "Room 101", "Gym", "alee@x.org", "teacher", "scheduled",
              "2026-09-16T13:00:00-05:00", cancelled="true"),
            p(5, "sue@x.org", "Gym", "Library", "bob@x.org", "teacher", "scheduled",
              "2026-09-16T14:00:00-05:00", cancelled="TRUE"),
            # kiosk_mode: the staff member who launched it.
            p(6, "sam@x.org", "Gym", "Restroom B", "alee@x.org", "kiosk_mode"),
            p(7, "sue@x.org", "Gym", "Restroom B", "bob@x.org", "kiosk_mode"),
            # kiosk_login: rooms only.
            p(8, "sam@x.org", "Library", "Restroom B", "kiosk@x.org", "kiosk_login"),
            p(9, "sue@x.org", "Library", "Room 101", "kiosk@x.org", "kiosk_login"),
            # an admin's own scheduled pass.
            p(10, "sam@x.org", "Library", "Gym", "bob@x.org", "teacher", "scheduled",
              "2026-09-20T09:00:00-05:00"),
        ])
    return school


# No folder here has three rooms: no room has a benchmark.
NO_BENCHMARK = {"folder_median_from": None, "folder_median_to": None, "from_flag": None}


def test_room_usage_counts_every_source_and_type(counted):
    assert counted.rows("rooms", *SEPT) == [
        {"room": "Empty Room", "folder": "Nowhere", "passes_from": 0, "passes_to": 0,
         **NO_BENCHMARK},
        {"room": "Gym", "folder": "", "passes_from": 2, "passes_to": 1, **NO_BENCHMARK},
        {"room": "Library", "folder": "", "passes_from": 3, "passes_to": 1, **NO_BENCHMARK},
        {"room": "Restroom B", "folder": "Restrooms", "passes_from": 0, "passes_to": 5,
         **NO_BENCHMARK},
        {"room": "Room 101", "folder": "Science", "passes_from": 3, "passes_to": 1,
         **NO_BENCHMARK},
    ]


def test_staff_usage_counts_own_login_and_kiosk_mode(counted):
    # Ann: p2 from her login, p6 from her kiosk; Bob: p7 from his kiosk.
    assert counted.rows("staff", *SEPT) == [
        {"staff": "Ann Lee", "email": "alee@x.org", "total": 3, "now": 2, "scheduled": 1,
         "now_login": 1, "now_kiosk": 1},
        {"staff": "Bob Stone", "email": "bob@x.org", "total": 2, "now": 1, "scheduled": 1,
         "now_login": 0, "now_kiosk": 1},
        {"staff": "Idle Ivy", "email": "ivy@x.org", "total": 0, "now": 0, "scheduled": 0,
         "now_login": 0, "now_kiosk": 0},
    ]


def test_students_and_kiosks_are_never_staff(counted):
    emails = {r["email"] for r in counted.rows("staff", *SEPT)}
    assert emails == {"alee@x.org", "bob@x.org", "ivy@x.org"}


def test_an_empty_school_has_empty_reports(school):
    assert school.rows("rooms", *SEPT) == []
    assert school.rows("staff", *SEPT) == []


def test_every_room_and_staff_member_appears_with_no_passes(counted):
    rooms = counted.rows("rooms", "--from", "2027-01-01", "--to", "2027-01-31")
    assert [r["room"] for r in rooms] == ["Empty Room", "Gym", "Library", "Restroom B",
                                         "Room 101"]
    assert all(r["passes_from"] == r["passes_to"] == 0 for r in rooms)
    staff = counted.rows("staff", "--from", "2027-01-01", "--to", "2027-01-31")
    assert [(s["staff"], s["total"], s["now"], s["scheduled"]) for s in staff] == [
        ("Ann Lee", 0, 0, 0), ("Bob Stone", 0, 0, 0), ("Idle Ivy", 0, 0, 0)]


# --------------------------------------------------------------------------------------------
# Date range


@pytest.fixture
def two_rooms(school):
    school.load(rooms=[Room("A"), Room("B")],
                users=[User("Ann Lee", "alee@x.org", "teacher"),
                       User("Sam Diaz", "sam@x.org", "student")])
    return school


def _day_passes(school, instants):
    school.load(passes=[p(f"d{i}", "sam@x.org", "A", "B", "alee@x.org", "teacher", "now", t)
                        for i, t in enumerate(instants)])


def _from_a(school, first, last):
    rows = school.rows("rooms", "--from", first, "--to", last)
    staff = school.rows("staff", "--from", first, "--to", last)
    assert rows[0]["room"] == "A"
    assert rows[0]["passes_from"] == rows[1]["passes_to"] == staff[0]["now"]
    return rows[0]["passes_from"]


def test_the_range_is_inclusive(two_rooms):
    _day_passes(two_rooms, ["2026-09-09T12:00:00-05:00", "2026-09-10T00:00:00-05:00",
                            "2026-09-15T12:00:00-05:00", "2026-09-20T23:59:59-05:00",
                            "2026-09-21T00:00:00-05:00"])
    assert _from_a(two_rooms, "2026-09-10", "2026-09-20") == 3
    assert _from_a(two_rooms, "2026-09-10", "2026-09-10") == 1
    assert _from_a(two_rooms, "2026-09-20", "2026-09-20") == 1
    assert _from_a(two_rooms, "2026-09-09", "2026-09-21") == 5
    assert _from_a(two_rooms, "2026-09-11", "2026-09-19") == 1


CHICAGO_DST = [
    # Spring forward: 2026-03-08 is 23 hours long (02:00 CST becomes 03:00 CDT).
    ("2026-03-08T05:59:59Z", "2026-03-07"),        # 23:59:59 CST
    ("2026-03-08T06:00:00Z", "2026-03-08"),        # 00:00 CST
    ("2026-03-08T01:59:59-06:00", "2026-03-08"),   # just before the jump
    ("2026-03-08T03:00:00-05:00", "2026-03-08"),   # just after it
    ("2026-03-09T04:59:59Z", "2026-03-08"),        # 23:59:59 CDT
    ("2026-03-09T05:00:00Z", "2026-03-09"),        # 00:00 CDT
    # Fall back: 2026-11-01 is 25 hours long (02:00 CDT becomes 01:00 CST).
    ("2026-10-31T23:59:59-05:00", "2026-10-31"),
    ("2026-11-01T05:00:00Z", "2026-11-01"),        # 00:00 CDT
    ("2026-11-01T01:30:00-05:00", "2026-11-01"),   # the first 01:30
    ("2026-11-01T01:30:00-06:00", "2026-11-01"),   # the second 01:30
    ("2026-11-02T05:59:59Z", "2026-11-01"),        # 23:59:59 CST
    ("2026-11-02T06:00:00Z", "2026-11-02"),        # 00:00 CST
]


def test_days_around_the_chicago_daylight_saving_changes(two_rooms):
    for instant, day in CHICAGO_DST:  # The test data agrees with the IANA database.
        assert local_date(instant, two_rooms.zone).isoformat() == day
    _day_passes(two_rooms, [t for t, _ in CHICAGO_DST])
    expected = {}
    for _, day in CHICAGO_DST:
        expected[day] = expected.get(day, 0) + 1
    for day, n in sorted(expected.items()):
        assert _from_a(two_rooms, day, day) == n, day
    assert expected["2026-03-08"] == 4 and expected["2026-11-01"] == 4
    assert _from_a(two_rooms, "2026-03-07", "2026-03-08") == 5
    assert _from_a(two_rooms, "2026-03-08", "2026-03-09") == 5
    assert _from_a(two_rooms, "2026-10-31", "2026-11-01") == 5
    assert _from_a(two_rooms, "2026-11-01", "2026-11-02") == 5
    assert _from_a(two_rooms, "2026-03-01", "2026-11-30") == 12


def test_a_school_east_of_utc(make_school):
    school = make_school("Kolkata Public", "Asia/Kolkata")
    school.load(rooms=[Room("A"), Room("B")],
                users=[User("Ann Lee", "alee@x.org", "teacher"),
                       User("Sam Diaz", "sam@x.org", "student")])
    instants = [("2026-09-14T18:29:59Z", "2026-09-14"), ("2026-09-14T18:30:00Z", "2026-09-15"),
                ("2026-09-14T23:59:59+05:30", "2026-09-14"),
                ("2026-09-15T00:00:00+05:30", "2026-09-15"),
                ("2026-09-13T18:30:00Z", "2026-09-14"),
                ("2026-09-15T18:29:59Z", "2026-09-15")]
    for instant, day in instants:
        assert local_date(instant, school.zone).isoformat() == day
    _day_passes(school, [t for t, _ in instants])
    assert _from_a(school, "2026-09-14", "2026-09-14") == 3
    assert _from_a(school, "2026-09-15", "2026-09-15") == 3
    assert _from_a(school, "2026-09-13", "2026-09-13") == 0
    assert _from_a(school, "2026-09-16", "2026-09-16") == 0


# Schools around the world; the machine's own TZ is set far from each school's, so that a
# program that used the machine's zone would show it.
DEFAULT_RANGE_ZONES = [("Pacific/Kiritimati", "Etc/GMT+12"), ("Pacific/Pago_Pago", "Etc/GMT-14"),
                       ("America/Chicago", "Asia/Tokyo"), ("Asia/Kolkata", "America/Los_Angeles")]


@pytest.mark.parametrize("zone,machine_tz", DEFAULT_RANGE_ZONES)
def test_the_default_range_is_the_30_days_ending_today(make_school, zone, machine_tz):
    for attempt in range(3):  # Again with a new store if the school's day turns meanwhile.
        today = today_in(zone)
        school = make_school("World School", zone)  # a fresh store each time
        school.load(rooms=[Room("A"), Room("B")],
                    users=[User("Ann Lee", "alee@x.org", "teacher"),
                           User("Sam Diaz", "sam@x.org", "student")])
        passes = []
        for offset in (-30, -29, -1, 0, 1):
            d = today + timedelta(days=offset)
            for hh, mm, ss in ((0, 0, 0), (12, 0, 0), (23, 59, 59)):
                kind = "scheduled" if offset > 0 else "now"
                passes.append(p(f"{offset}-{hh}", "sam@x.org", "A", "B", "alee@x.org",
                                "teacher", kind,
                                local_instant(zone, d.year, d.month, d.day, hh, mm, ss)))
        school.load(passes=passes)
        rooms = json.loads(school.report("rooms", env={"TZ": machine_tz}).ok().stdout)
        staff = json.loads(school.report("staff", env={"TZ": machine_tz}).ok().stdout)
        if today_in(zone) == today:
            break
    for doc in (rooms, staff):
        assert doc["to"] == today.isoformat()
        assert doc["from"] == (today - timedelta(days=29)).isoformat()
    # Days -29, -1 and 0, three passes each.
    assert rooms["rows"][0]["passes_from"] == 9
    assert staff["rows"][0]["total"] == 9


def test_only_to_gives_the_30_days_ending_then(two_rooms):
    _day_passes(two_rooms, ["2026-09-01T12:00:00-05:00", "2026-09-02T12:00:00-05:00",
                            "2026-09-30T12:00:00-05:00", "2026-10-01T12:00:00-05:00"])
    doc = two_rooms.report_json("rooms", "--to", "2026-09-30")
    assert (doc["from"], doc["to"]) == ("2026-09-01", "2026-09-30")
    assert doc["rows"][0]["passes_from"] == 3


def test_only_from_runs_to_today(make_school):
    zone = "Pacific/Kiritimati"
    school = make_school("Line Islands", zone)
    school.load(rooms=[Room("A"), Room("B")],
                users=[User("Ann Lee", "alee@x.org", "teacher"),
                       User("Sam Diaz", "sam@x.org", "student")])
    today = today_in(zone)
    start = today - timedelta(days=45)
    _day_passes(school, [local_instant(zone, d.year, d.month, d.day)
                         for d in (start - timedelta(days=1), start, today)])
    doc = school.report_json("rooms", "--from", start.isoformat())
    assert doc["from"] == start.isoformat()
    assert doc["to"] in (today.isoformat(), today_in(zone).isoformat())
    assert doc["rows"][0]["passes_from"] == 2


# --------------------------------------------------------------------------------------------
# Order


def test_natural_order_of_room_names(school):
    school.load(rooms=[Room("Room 10A"), Room("room 10"), Room("Room 2")])
    assert [r["room"] for r in school.rows("rooms", *SEPT)] == ["Room 2", "room 10", "Room 10A"]
    assert [r["room"] for r in school.rows("rooms", *SEPT, "--order", "desc")] == [
        "Room 10A", "room 10", "Room 2"]


def test_an_empty_folder_sorts_first(school):
    school.load(rooms=[Room("A", "Science"), Room("B", ""), Room("C", "Arts"), Room("D", "")])
    rows = school.rows("rooms", *SEPT, "--sort", "folder")
    assert [(r["folder"], r["room"]) for r in rows] == [("", "B"), ("", "D"), ("Arts", "C"),
                                                       ("Science", "A")]
    rows = school.rows("rooms", *SEPT, "--sort", "folder", "--order", "desc")
    # Ties follow the name ascending, even in descending order.
    assert [(r["folder"], r["room"]) for r in rows] == [("Science", "A"), ("Arts", "C"),
                                                       ("", "B"), ("", "D")]


def test_ties_follow_the_name_then_creation_order(school):
    school.load(
        rooms=[Room("Room 3"), Room("Room 1"), Room("Room 2")],
        users=[User("Pat Kim", "pk-b@x.org", "teacher"), User("Ann Lee", "alee@x.org", "admin"),
               User("Pat Kim", "pk-a@x.org", "admin"), User("Zed Ray", "zed@x.org", "teacher"),
               User("Sam Diaz", "sam@x.org", "student")],
        passes=[p(1, "sam@x.org", "Room 3", "Room 1", "zed@x.org", "teacher"),
                p(2, "sam@x.org", "Room 1", "Room 3", "zed@x.org", "teacher")])
    staff = school.rows("staff", *SEPT)
    assert [s["email"] for s in staff] == ["alee@x.org", "pk-b@x.org", "pk-a@x.org",
                                           "zed@x.org"]
    staff = school.rows("staff", *SEPT, "--order", "desc")
    assert [s["email"] for s in staff] == ["zed@x.org", "pk-b@x.org", "pk-a@x.org",
                                           "alee@x.org"]
    for order in ("asc", "desc"):
        staff = school.rows("staff", *SEPT, "--sort", "total", "--order", order)
        zeros = ["alee@x.org", "pk-b@x.org", "pk-a@x.org"]
        assert [s["email"] for s in staff] == (zeros + ["zed@x.org"] if order == "asc"
                                               else ["zed@x.org"] + zeros)
    rooms = school.rows("rooms", *SEPT, "--sort", "from", "--order", "desc")
    assert [r["room"] for r in rooms] == ["Room 1", "Room 3", "Room 2"]
    rooms = school.rows("rooms", *SEPT, "--sort", "to", "--order", "asc")
    assert [r["room"] for r in rooms] == ["Room 2", "Room 1", "Room 3"]


def test_numbers_compare_by_value(school):
    rooms = [Room(f"R{i}") for i in range(12)] + [Room("Hub")]
    school.load(rooms=rooms, users=[User("Ann Lee", "alee@x.org", "teacher"),
                                    User("Sam Diaz", "sam@x.org", "student")])
    # R0..R11 get 0..11 passes to them, so 9 < 10 < 11 must not sort as text.
    passes = [p(f"{i}-{k}", "sam@x.org", "Hub", f"R{i}", "alee@x.org", "teacher")
              for i in range(12) for k in range(i)]
    school.load(passes=passes)
    rows = school.column_rows("rooms", *SEPT, "--sort", "to", "--order", "desc")
    assert [r["passes_to"] for r in rows] == [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0]
    assert rows[-2:] == [{"room": "Hub", "folder": "", "passes_from": 66, "passes_to": 0},
                         {"room": "R0", "folder": "", "passes_from": 0, "passes_to": 0}]


# --------------------------------------------------------------------------------------------
# The model: a school with awkward names and a few hundred random passes, every sort key in
# both directions, compared with what the reports promise.

ORACLE_ROOMS = [
    Room("Room 10A", "Science"), Room("room 10", "Science"), Room("Room 2", "Science"),
    Room("Room 010", "science"), Room("Room 99999999999999999999", "Math 10"),
    Room("Room 100000000000000000000", "Math 9"), Room("_Lab", ""), Room("Lab", "Labs"),
    Room("#Annex", ""), Room("3D Lab", "Labs"), Room("Café", "Cafés"), Room("CAFÉ", "Cafés"),
    Room("Äpfel Hall", "Arts"), Room("zebra Hall", "arts"), Room("Gym", ""),
    Room("Restroom 1", "Restrooms", "", "3"), Room("Restroom 01", "Restrooms"),
    Room("=Formula Room", "-Wing"), Room("Nurse", "Offices", "", "4"), Room("Room 1 ", "x1"),
]
UNUSED_ROOMS = {"Nurse", "#Annex"}
ORACLE_STAFF = [
    User("Pat Kim", "pk2@x.org", "teacher"), User("Ann Lee", "alee@x.org", "teacher"),
    User("Pat Kim", "pk1@x.org", "admin"), User("ann lee", "alee2@x.org", "teacher"),
    User("Bob 10", "b10@x.org", "teacher"), User("bob 9", "B9@x.org", "teacher"),
    User("Émile Zola", "ez@x.org", "teacher"), User("@Home Room", "+plus@x.org", "teacher"),
    User("Zed Admin", "zed@x.org", "admin"), User("Idle Teacher", "idle@x.org", "teacher"),
]
ORACLE_STUDENTS = [User(f"Student {i}", f"s{i}@students.x.org", "student") for i in range(8)]
ORACLE_KIOSKS = [User("Gym Kiosk", "gym-kiosk@x.org", "kiosk", "Gym"),
                 User("Lab Kiosk", "lab-kiosk@x.org", "kiosk", "Lab")]
ORACLE_ZONE = "America/Chicago"


def _oracle_passes(seed=20260914, n=450):
    rnd = random.Random(seed)
    rooms = [r.name.strip() for r in ORACLE_ROOMS if r.name not in UNUSED_ROOMS]
    staff = [u.email for u in ORACLE_STAFF if u.email != "idle@x.org"]
    t0 = dt.datetime(2026, 8, 28, tzinfo=timezone.utc)
    offsets = [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=-6)),
               timezone(timedelta(hours=5, minutes=30))]
    out = []
    for i in range(n):
        source = rnd.choices(["student", "teacher", "kiosk_mode", "kiosk_login"],
                             [30, 35, 15, 20])[0]
        student = rnd.choice(ORACLE_STUDENTS).email
        type_, cancelled = "now", rnd.choice(["", "false", "FALSE"])
        if source == "student":
            creator = student
        elif source == "kiosk_login":
            kiosk = rnd.choice(ORACLE_KIOSKS)
            creator = kiosk.email
        else:
            creator = rnd.choice(staff)
            if source == "teacher" and rnd.random() < 0.35:
                type_ = "scheduled"
                if rnd.random() < 0.3:
                    cancelled = rnd.choice(["true", "True"])
        if source == "kiosk_login":
            origin = kiosk.room
        else:
            origin = rnd.choice(rooms)
        destination = rnd.choice([r for r in rooms if r != origin])
        start = t0 + timedelta(seconds=rnd.randrange(0, 40 * 86400))
        start = start.astimezone(rnd.choice(offsets))
        text = start.isoformat().replace("+00:00", "Z")
        end = ""
        if cancelled.lower() != "true" and rnd.random() < 0.8:
            end = (start + timedelta(minutes=rnd.randrange(0, 40))).isoformat()
        out.append(Pass(f"o{i}", student, origin, destination, creator, source, type_, text,
                        end, cancelled))
    return out


@pytest.fixture(scope="module")
def oracle(hallpass_bin, module_stores):
    hp = Hallpass(hallpass_bin, module_stores.dir)
    db = module_stores.new("o")
    hp.run("init", "--db", db, "--school", "Oracle High", "--timezone", ORACLE_ZONE).ok()
    school = School(hp, db, "Oracle High", ORACLE_ZONE)
    model = Model(ORACLE_ZONE)
    users = ORACLE_STAFF + ORACLE_STUDENTS + ORACLE_KIOSKS
    # Room names are trimmed on import ("Room 1 " is "Room 1").
    rooms = [Room(r.name.strip(), r.folder, r.max_from, r.max_to) for r in ORACLE_ROOMS]
    passes = _oracle_passes()
    school.load(rooms=ORACLE_ROOMS, users=users)
    # Two files, the second repeating part of the first.
    school.load(passes=passes[:300])
    school.load(passes=passes[200:])
    model.add(rooms=rooms, users=users, passes=passes)
    return school, model


ORACLE_RANGES = [("2026-08-01", "2026-10-31"), ("2026-09-01", "2026-09-30"),
                 ("2026-09-14", "2026-09-14"), ("2026-08-31", "2026-09-06")]


def _sorts(kind):
    keys = list(ROOM_SORTS if kind == "rooms" else STAFF_SORTS)
    return [(None, None)] + [(k, o) for k in keys for o in ("asc", "desc")]


@pytest.mark.parametrize("kind", ["rooms", "staff"])
@pytest.mark.parametrize("first,last", ORACLE_RANGES)
def test_reports_follow_the_spec_for_every_sort(oracle, kind, first, last):
    school, model = oracle
    d0, d1 = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    for sort, order in _sorts(kind):
        args = ["--from", first, "--to", last]
        if sort:
            args += ["--sort", sort, "--order", order]
        doc = school.report_json(kind, *args)
        expected = model.rows(kind, d0, d1, sort, order)
        assert plain(doc)["rows"] == expected, (sort, order)
        assert doc["sort"] == (sort or ("room" if kind == "rooms" else "staff"))
        assert doc["order"] == (order or "asc")


def test_the_oracle_data_is_not_trivial(oracle):
    school, model = oracle
    rows = model.rows("staff", dt.date(2026, 8, 1), dt.date(2026, 10, 31))
    assert sum(r["now"] for r in rows) > 50 and sum(r["scheduled"] for r in rows) > 20
    assert any(p.cancelled.lower() == "true" for p in model.passes)
    rooms = model.rows("rooms", dt.date(2026, 9, 14), dt.date(2026, 9, 14))
    assert sum(r["passes_from"] for r in rooms) > 3


@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_csv_and_xlsx_hold_the_rows_in_order(oracle, kind):
    school, model = oracle
    sort = "folder" if kind == "rooms" else "total"
    args = ["--from", "2026-09-01", "--to", "2026-09-30", "--sort", sort, "--order", "desc"]
    expected = model.rows(kind, dt.date(2026, 9, 1), dt.date(2026, 9, 30), sort, "desc")
    assert school.report(kind, *args, fmt="csv").ok().stdout_bytes == expected_csv(kind,
                                                                                   expected)
    book = read_xlsx(school.report(kind, *args, fmt="xlsx").ok().stdout_bytes)
    table = book.table()
    keys = ROOM_KEYS if kind == "rooms" else STAFF_KEYS
    got = [[("" if v is None else v) for v in row] for row in table[1:]]
    assert got == [[r[k] for k in keys] for r in expected]


def test_natsorted_helper_matches_the_spec_examples():
    # The test's own model of natural order agrees with the documented examples.
    assert natsorted(["Room 10A", "room 10", "Room 2"]) == ["Room 2", "room 10", "Room 10A"]
    assert natsorted(["b", "", "a"]) == ["", "a", "b"]


# --------------------------------------------------------------------------------------------
# Schools


@pytest.fixture
def two_schools(make_school, run):
    lincoln = make_school("Lincoln High", "America/Chicago", select=True)
    run("init", "--db", lincoln.db, "--school", "Roosevelt Middle",
        "--timezone", "Asia/Kolkata").ok()
    roosevelt = School(lincoln.hp, lincoln.db, "Roosevelt Middle", "Asia/Kolkata", select=True)
    lincoln.load(
        rooms=[Room("Room 101", "Science"), Room("Library"), Room("Lincoln Gym", "Sports")],
        users=[User("Ann Lee", "alee@x.org", "teacher"), User("Sam Diaz", "sam@x.org", "student"),
               User("Lincoln Principal", "boss@lincoln.org", "admin")],
        passes=[p(1, "sam@x.org", "Room 101", "Library", "alee@x.org", "teacher", "now",
                  "2026-09-14T18:45:00Z"),
                p(2, "sam@x.org", "Library", "Lincoln Gym", "alee@x.org", "kiosk_mode", "now",
                  "2026-09-14T12:00:00Z")])
    roosevelt.load(
        rooms=[Room("Room 101", "Humanities"), Room("Library", "Media")],
        users=[User("Anand Rao", "alee@x.org", "admin"), User("Sam Diaz", "sam@x.org", "student")],
        passes=[p(1, "sam@x.org", "Library", "Room 101", "alee@x.org", "teacher", "now",
                  "2026-09-14T18:45:00Z")])
    return lincoln, roosevelt


def test_two_schools_need_school(two_schools, run):
    lincoln, _ = two_schools
    for kind in ("rooms", "staff"):
        code, out, err = run("report", kind, "--db", lincoln.db, *SEPT)
        assert code != 0
        assert "--school" in err
        assert out == ""


def test_an_unknown_school_is_an_error(two_schools, run):
    lincoln, _ = two_schools
    code, out, err = run("report", "rooms", "--db", lincoln.db, "--school", "Hogwarts")
    assert code != 0
    assert "Hogwarts" in err


def test_each_school_sees_only_its_own(two_schools):
    lincoln, roosevelt = two_schools
    assert lincoln.column_rows("rooms", *SEPT) == [
        {"room": "Library", "folder": "", "passes_from": 1, "passes_to": 1},
        {"room": "Lincoln Gym", "folder": "Sports", "passes_from": 0, "passes_to": 1},
        {"room": "Room 101", "folder": "Science", "passes_from": 1, "passes_to": 0}]
    assert lincoln.column_rows("staff", *SEPT) == [
        {"staff": "Ann Lee", "email": "alee@x.org", "total": 2, "now": 2, "scheduled": 0},
        {"staff": "Lincoln Principal", "email": "boss@lincoln.org", "total": 0, "now": 0,
         "scheduled": 0}]
    assert roosevelt.column_rows("rooms", *SEPT) == [
        {"room": "Library", "folder": "Media", "passes_from": 1, "passes_to": 0},
        {"room": "Room 101", "folder": "Humanities", "passes_from": 0, "passes_to": 1}]
    assert roosevelt.column_rows("staff", *SEPT) == [
        {"staff": "Anand Rao", "email": "alee@x.org", "total": 1, "now": 1, "scheduled": 0}]
    assert roosevelt.report_json("rooms", *SEPT)["school"] == "Roosevelt Middle"


def test_each_school_counts_days_in_its_own_zone(two_schools):
    lincoln, roosevelt = two_schools
    # 2026-09-14T18:45Z is 13:45 on the 14th in Chicago and 00:15 on the 15th in Kolkata.
    day = ("--from", "2026-09-15", "--to", "2026-09-15")
    assert [r["passes_from"] for r in lincoln.rows("rooms", *day)] == [0, 0, 0]
    assert [r["passes_from"] for r in roosevelt.rows("rooms", *day)] == [1, 0]
    day = ("--from", "2026-09-14", "--to", "2026-09-14")
    assert [r["passes_from"] for r in lincoln.rows("rooms", *day)] == [1, 0, 1]
    assert [r["passes_from"] for r in roosevelt.rows("rooms", *day)] == [0, 0]


def test_a_pass_id_is_per_school(two_schools):
    lincoln, roosevelt = two_schools
    # Both schools imported a pass "1"; a second pass "2" in Roosevelt is new there.
    r = roosevelt.import_text("passes", "\n".join([
        "id,student,origin,destination,creator,source,type,start",
        "2,sam@x.org,Room 101,Library,alee@x.org,teacher,now,2026-09-16T10:00:00+05:30"]))
    r.ok()
    assert "1 passes added" in r.stdout or "1 pass added" in r.stdout
    assert roosevelt.rows("rooms", *SEPT)[1]["passes_from"] == 1


def test_a_school_cannot_use_another_schools_rooms_or_users(two_schools):
    lincoln, roosevelt = two_schools
    before = (lincoln.state(*SEPT), roosevelt.state(*SEPT))
    code, out, err = roosevelt.import_text("passes", "\n".join([
        "id,student,origin,destination,creator,source,type,start",
        "9,sam@x.org,Lincoln Gym,Library,alee@x.org,teacher,now,2026-09-16T10:00:00+05:30"]),
        "passes.csv")
    assert code != 0
    assert 'passes.csv:2: origin: no room named "Lincoln Gym"' in err
    code, out, err = roosevelt.import_text("passes", "\n".join([
        "id,student,origin,destination,creator,source,type,start",
        "9,sam@x.org,Room 101,Library,boss@lincoln.org,teacher,now,2026-09-16T10:00:00+05:30"]),
        "passes.csv")
    assert code != 0
    assert "passes.csv:2: creator:" in err and "boss@lincoln.org" in err
    assert (lincoln.state(*SEPT), roosevelt.state(*SEPT)) == before
