"""Comparison and folder benchmarks in the reports: compare=previous and compare=FROM..TO add
every count again over that range (prev_ in JSON, "(previous)" columns in CSV and XLSX), Room
Usage JSON has each folder's medians and a flag for rooms far from them, and Staff Usage JSON
splits the now passes into own login and kiosk. Expected values are recounted here from the
import files themselves, read back as CSV, independently of the product and of hallpass_kit's
model."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import random
import urllib.parse
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hallpass_kit import (ROOM_KEYS, ROOM_TITLES, STAFF_KEYS, STAFF_TITLES, Hallpass, Pass,
                          Room, School, User, csv_cell, natcmp, passes_csv, read_xlsx)
from server_util import (ADMIN, KIOSK, TEACHER, ZONE, basic_store, cli, ok, room, sign_in,
                         students)
from store_util import schema_back_to, sql

ZONE_NAME = "America/Chicago"

# Four restrooms, three labs (folders with a median), a pair (too few rooms) and two rooms with
# no folder. The weights make some rooms far busier or quieter than their folder.
ROOMS = [Room("Restroom 1", "Restrooms"), Room("Restroom 2", "Restrooms"),
         Room("Restroom 3", "Restrooms"), Room("Restroom 4", "Restrooms"),
         Room("Lab 1", "Science"), Room("Lab 2", "Science"), Room("Lab 10", "Science"),
         Room("Pair A", "Pair"), Room("Pair B", "Pair"), Room("Gym", ""), Room("Office", "")]
FROM_WEIGHTS = {"Restroom 1": 12, "Restroom 2": 3, "Restroom 3": 3, "Restroom 4": 0.4,
                "Lab 1": 2, "Lab 2": 2, "Lab 10": 2, "Pair A": 1, "Pair B": 1, "Gym": 2,
                "Office": 1}
STAFF = [User("Ann Lee", "alee@x.org", "teacher"), User("Bob Stone", "bob@x.org", "admin"),
         User("Cy Park", "cy@x.org", "teacher"), User("Idle Ivy", "ivy@x.org", "teacher")]
KIDS = [User(f"Kid {i}", f"k{i}@x.org", "student") for i in range(10)]
KIOSKS = [User("Gym Kiosk", "gym-kiosk@x.org", "kiosk", "Gym")]


def _passes(seed=13, n=1400):
    """Random passes from mid-February to the end of November 2026 (both daylight-saving
    changes), at offsets of several zones, and a few at the edges of the changed days."""
    rnd = random.Random(seed)
    names = [r.name for r in ROOMS]
    weights = [FROM_WEIGHTS[r] for r in names]
    t0 = dt.datetime(2026, 2, 15, tzinfo=timezone.utc)
    span = (dt.datetime(2026, 12, 1, tzinfo=timezone.utc) - t0).total_seconds()
    offsets = [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=-6)),
               timezone(timedelta(hours=9))]
    staff = [u.email for u in STAFF if u.email != "ivy@x.org"]
    out = []
    for i in range(n):
        source = rnd.choices(["student", "teacher", "kiosk_mode", "kiosk_login"],
                             [25, 40, 25, 10])[0]
        kid = rnd.choice(KIDS).email
        type_, cancelled = "now", rnd.choice(["", "false"])
        if source == "student":
            creator = kid
        elif source == "kiosk_login":
            creator = KIOSKS[0].email
        else:
            creator = rnd.choice(staff)
            if source == "teacher" and rnd.random() < 0.3:
                type_ = "scheduled"
                if rnd.random() < 0.25:  # Only a scheduled pass can be cancelled.
                    cancelled = "true"
        origin = "Gym" if source == "kiosk_login" else rnd.choices(names, weights)[0]
        dest = rnd.choice([r for r in names if r != origin])
        start = (t0 + timedelta(seconds=rnd.randrange(int(span)))).astimezone(
            rnd.choice(offsets))
        out.append(Pass(f"c{i}", kid, origin, dest, creator, source, type_,
                        start.isoformat(), "", cancelled))
    # The edges of the two changed days in Chicago: 2026-03-08 (23 hours) and 2026-11-01
    # (25 hours), each pass a minute inside or outside.
    edges = ["2026-03-08T00:00:00-06:00", "2026-03-07T23:59:00-06:00",
             "2026-03-08T23:59:00-05:00", "2026-03-09T00:00:00-05:00",
             "2026-11-01T00:00:00-05:00", "2026-11-01T01:30:00-05:00",
             "2026-11-01T01:30:00-06:00", "2026-11-01T23:59:00-06:00",
             "2026-11-02T00:00:00-06:00", "2026-10-31T23:59:00-05:00"]
    for j, start in enumerate(edges):
        source = ("teacher", "kiosk_mode")[j % 2]
        out.append(Pass(f"e{j}", KIDS[j].email, "Restroom 2", "Lab 1", "alee@x.org", source,
                        "now", start, "", ""))
    return out


@pytest.fixture(scope="module")
def bench(hallpass_bin, module_stores):
    """Bench Middle, imported from two passes files (the second repeating part of the
    first); gives the school and the files' names."""
    hp = Hallpass(hallpass_bin, module_stores.dir)
    db = module_stores.new("compare")
    hp.run("init", "--db", db, "--school", "Bench Middle", "--timezone", ZONE_NAME).ok()
    school = School(hp, db, "Bench Middle", ZONE_NAME)
    school.load(rooms=ROOMS, users=STAFF + KIDS + KIOSKS)
    passes = _passes()
    files = [school.write(passes_csv(passes[:900]), "passes-1.csv"),
             school.write(passes_csv(passes[700:]), "passes-2.csv")]
    for name in files:
        school.import_file("passes", name).ok()
    return school, [school.dir / name for name in files]


# --------------------------------------------------------------------------------------------
# The recount, from the import files


def _read_passes(paths):
    seen, out = set(), []
    for path in paths:
        with open(path, newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                if row["id"] in seen:
                    continue
                seen.add(row["id"])
                if row["cancelled"].lower() == "true":
                    continue
                start = dt.datetime.fromisoformat(row["start"].replace("Z", "+00:00"))
                row["day"] = start.astimezone(ZoneInfo(ZONE_NAME)).date()
                out.append(row)
    return out


def _in(rows, first, last):
    return [r for r in rows if first <= r["day"] <= last]


def _room_counts(passes, first, last):
    counts = {r.name: [0, 0] for r in ROOMS}
    for p in _in(passes, first, last):
        counts[p["origin"]][0] += 1
        counts[p["destination"]][1] += 1
    return counts


def _staff_counts(passes, first, last):
    """email -> (now, scheduled, now from own login, now from a kiosk)."""
    counts = {u.email: [0, 0, 0, 0] for u in STAFF}
    for p in _in(passes, first, last):
        c = counts.get(p["creator"])
        if c is None:
            continue
        if p["type"] == "now" and p["source"] == "teacher":
            c[0] += 1
            c[2] += 1
        elif p["type"] == "now" and p["source"] == "kiosk_mode":
            c[0] += 1
            c[3] += 1
        elif p["type"] == "scheduled" and p["source"] == "teacher":
            c[1] += 1
    return counts


def _median(values):
    if len(values) < 3:
        return None
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def _flag(count, median):
    if median is None or median < 5:
        return None
    return "high" if count > 2 * median else "low" if count < median / 2 else None


def _day(text):
    return dt.date.fromisoformat(text)


def _previous(first, last):
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)


def expected_rooms(passes, first, last, compare=None):
    counts = _room_counts(passes, first, last)
    folders = {}
    for r in ROOMS:
        folders.setdefault(r.folder, []).append(r.name)
    rows = {}
    for r in ROOMS:
        members = folders[r.folder]
        m_from = _median([counts[m][0] for m in members]) if r.folder else None
        m_to = _median([counts[m][1] for m in members]) if r.folder else None
        rows[r.name] = {"room": r.name, "folder": r.folder, "passes_from": counts[r.name][0],
                        "passes_to": counts[r.name][1], "folder_median_from": m_from,
                        "folder_median_to": m_to, "from_flag": _flag(counts[r.name][0], m_from)}
    if compare:
        prev = _room_counts(passes, *compare)
        for name, row in rows.items():
            row["prev_passes_from"], row["prev_passes_to"] = prev[name]
    return rows


def expected_staff(passes, first, last, compare=None):
    counts = _staff_counts(passes, first, last)
    prev = _staff_counts(passes, *compare) if compare else None
    rows = {}
    for u in STAFF:
        now, sched, login, kiosk = counts[u.email]
        row = {"staff": u.name, "email": u.email, "total": now + sched, "now": now,
               "scheduled": sched, "now_login": login, "now_kiosk": kiosk}
        if prev:
            now, sched, login, kiosk = prev[u.email]
            row.update(prev_total=now + sched, prev_now=now, prev_scheduled=sched,
                       prev_now_login=login, prev_now_kiosk=kiosk)
        rows[u.email] = row
    return rows


# (from, to, compare): a month's end crossed, both changed days, a single day, an empty range
# and an empty compare range, a named range longer than the report's.
RANGES = [
    ("2026-09-15", "2026-10-14", "previous"),
    ("2026-10-25", "2026-11-07", "previous"),
    ("2026-11-01", "2026-11-01", "previous"),
    ("2026-03-08", "2026-03-08", "2026-11-01..2026-11-01"),
    ("2026-03-09", "2026-04-08", "2026-02-01..2026-03-08"),
    ("2026-12-01", "2026-12-31", "previous"),
    ("2026-09-01", "2026-09-30", "2025-09-01..2025-09-30"),
    ("2026-02-01", "2026-11-30", "previous"),
]


def _compare_days(first, last, compare):
    if compare == "previous":
        return _previous(first, last)
    a, b = compare.split("..")
    return _day(a), _day(b)


@pytest.mark.parametrize("first,last,compare", RANGES)
def test_compare_and_benchmarks_match_the_recount(bench, first, last, compare):
    school, files = bench
    passes = _read_passes(files)
    d0, d1 = _day(first), _day(last)
    c0, c1 = _compare_days(d0, d1, compare)
    args = ["--from", first, "--to", last, "--compare", compare]
    doc = school.report_json("rooms", *args)
    assert (doc["compare_from"], doc["compare_to"]) == (c0.isoformat(), c1.isoformat())
    got = {dict(r)["room"]: dict(r) for r in doc["rows"]}
    assert got == expected_rooms(passes, d0, d1, (c0, c1))
    staff = {dict(r)["email"]: dict(r) for r in school.report_json("staff", *args)["rows"]}
    assert staff == expected_staff(passes, d0, d1, (c0, c1))
    for row in staff.values():
        assert row["now_login"] + row["now_kiosk"] == row["now"]
        assert row["prev_now_login"] + row["prev_now_kiosk"] == row["prev_now"]


@pytest.mark.parametrize("first,last", [("2026-09-15", "2026-10-14"), ("2026-11-01", "2026-11-01"),
                                        ("2026-03-01", "2026-03-31")])
def test_without_compare_the_json_has_no_prev_fields(bench, first, last):
    school, files = bench
    passes = _read_passes(files)
    doc = school.report_json("rooms", "--from", first, "--to", last)
    assert "compare_from" not in doc.keys()
    rooms = {dict(r)["room"]: dict(r) for r in doc["rows"]}
    assert rooms == expected_rooms(passes, _day(first), _day(last))
    staff = {dict(r)["email"]: dict(r)
             for r in school.report_json("staff", "--from", first, "--to", last)["rows"]}
    assert staff == expected_staff(passes, _day(first), _day(last))


def test_the_data_flags_rooms_both_ways(bench):
    """The ranges above are not trivial: some rooms are high, some low, medians are halves."""
    school, _ = bench
    flags, medians = set(), set()
    for first, last, _compare in RANGES:
        for r in school.rows("rooms", "--from", first, "--to", last):
            flags.add(r["from_flag"])
            medians.add(type(r["folder_median_from"]))
    assert {"high", "low", None} <= flags
    assert {int, float, type(None)} <= medians


def test_a_folder_of_two_and_no_folder_have_no_benchmark(bench):
    school, _ = bench
    rows = {r["room"]: r for r in school.rows("rooms", "--from", "2026-02-01",
                                              "--to", "2026-11-30")}
    for name in ("Pair A", "Pair B", "Gym", "Office"):
        assert rows[name]["folder_median_from"] is None
        assert rows[name]["folder_median_to"] is None
        assert rows[name]["from_flag"] is None
    assert rows["Restroom 1"]["from_flag"] == "high"


def test_prev_columns_sort(bench):
    school, files = bench
    args = ["--from", "2026-10-01", "--to", "2026-10-31", "--compare", "previous"]
    for kind, key, field, name in (("rooms", "prev_from", "prev_passes_from", "room"),
                                   ("staff", "prev_now", "prev_now", "staff")):
        for order in ("asc", "desc"):
            rows = school.rows(kind, *args, "--sort", key, "--order", order)
            sign = -1 if order == "desc" else 1

            def cmp(a, b):
                c = (a[field] > b[field]) - (a[field] < b[field])
                return sign * c if c else natcmp(a[name], b[name])

            assert rows == sorted(rows, key=functools.cmp_to_key(cmp))
            assert len({r[field] for r in rows}) > 1


# --------------------------------------------------------------------------------------------
# CSV and XLSX


def _csv_rows(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(data[3:].decode("utf-8").splitlines()))


@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_csv_and_xlsx_columns_without_compare_are_unchanged(bench, kind):
    school, _ = bench
    args = ["--from", "2026-09-01", "--to", "2026-09-30"]
    titles = ROOM_TITLES if kind == "rooms" else STAFF_TITLES
    assert _csv_rows(school.report(kind, *args, fmt="csv").ok().stdout_bytes)[0] == titles
    table = read_xlsx(school.report(kind, *args, fmt="xlsx").ok().stdout_bytes).table()
    assert table[0] == titles


@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_csv_and_xlsx_with_compare_add_previous_columns(bench, kind):
    school, files = bench
    passes = _read_passes(files)
    args = ["--from", "2026-10-25", "--to", "2026-11-07", "--compare", "previous", "--sort",
            "prev_from" if kind == "rooms" else "prev_total", "--order", "desc"]
    if kind == "rooms":
        titles = ROOM_TITLES + ["Passes From This Room (previous)",
                                "Passes To This Room (previous)"]
        keys = ROOM_KEYS + ["prev_passes_from", "prev_passes_to"]
    else:
        titles = STAFF_TITLES + ["Total Passes (previous)", "Now Passes (previous)",
                                 "Scheduled Passes (previous)"]
        keys = STAFF_KEYS + ["prev_total", "prev_now", "prev_scheduled"]
    order = [dict(r) for r in school.report_json(kind, *args)["rows"]]
    expected = [[r[k] for k in keys] for r in order]
    d0, d1 = _day("2026-10-25"), _day("2026-11-07")
    recount = (expected_rooms if kind == "rooms" else expected_staff)(
        passes, d0, d1, _previous(d0, d1))
    name = "room" if kind == "rooms" else "email"
    assert expected == [[recount[r[name]][k] for k in keys] for r in order]

    rows = _csv_rows(school.report(kind, *args, fmt="csv").ok().stdout_bytes)
    assert rows[0] == titles
    assert rows[1:] == [[str(v) if isinstance(v, int) else csv_cell(v) for v in r]
                        for r in expected]

    book = read_xlsx(school.report(kind, *args, fmt="xlsx").ok().stdout_bytes)
    table = book.table()
    assert table[0] == titles
    assert [[("" if v is None else v) for v in r] for r in table[1:]] == expected
    # Counts are numbers, not text, in the new columns too.
    for (col, row), cell in book.cells.items():
        if row > 0 and col >= 2:
            assert cell.type in (None, "n") and isinstance(cell.value, int), cell


def test_the_table_says_what_it_compares_with(bench):
    school, _ = bench
    out = school.report("rooms", "--from", "2026-09-01", "--to", "2026-09-30", "--compare",
                        "previous", fmt="table").ok().stdout
    lines = out.splitlines()
    assert lines[0] == ("Room Usage: Bench Middle, 2026-09-01 to 2026-09-30 compared with "
                        "2026-08-02 to 2026-08-31, by room ascending")
    assert lines[2].split("  ")[-1].strip() == "Passes To This Room (previous)"


# --------------------------------------------------------------------------------------------
# Bad compare ranges


@pytest.mark.parametrize("value,says", [
    ("last", '"last" is not previous or FROM..TO'),
    ("2026-09-01", '"2026-09-01" is not previous or FROM..TO'),
    ("2026-09-31..2026-10-01", '"2026-09-31" is not a date'),
    ("2026-09-01..", '"" is not a date'),
    ("2026-10-01..2026-09-01", "2026-10-01 is after 2026-09-01"),
])
def test_a_bad_compare_is_an_error_naming_it(bench, value, says):
    school, _ = bench
    r = school.report("rooms", "--from", "2026-09-01", "--to", "2026-09-30", "--compare", value)
    assert r.code != 0 and r.stdout == ""
    assert "compare: " in r.stderr and says in r.stderr, r


def test_previous_before_the_first_date_is_an_error(bench):
    school, _ = bench
    r = school.report("staff", "--from", "0001-01-01", "--to", "0001-01-31", "--compare",
                      "previous")
    assert r.code != 0
    assert "compare: no day comes before 0001-01-01" in r.stderr
    # Cut at the first date when only part of it is before.
    doc = school.report_json("staff", "--from", "0001-01-05", "--to", "0001-01-31",
                             "--compare", "previous")
    assert (doc["compare_from"], doc["compare_to"]) == ("0001-01-01", "0001-01-04")


# --------------------------------------------------------------------------------------------
# The counters under now_kiosk: check, passes made live, an old store migrated


def test_check_agrees_after_import(bench):
    school, _ = bench
    r = school.hp.run("check", "--db", school.db)
    assert r.code == 0, r


@pytest.fixture
def spoiled(make_school):
    """A small school of its own, for tests that spoil its store; gives it and its passes
    file."""
    school = make_school("Spoiled High", ZONE_NAME)
    school.load(rooms=ROOMS, users=STAFF + KIDS + KIOSKS)
    name = school.write(passes_csv(_passes(seed=5, n=300)), "passes.csv")
    school.import_file("passes", name).ok()
    return school, school.dir / name


def test_check_names_a_wrong_kiosk_count(spoiled):
    school, _ = spoiled
    user_id, bucket = sql(school.db, "SELECT id, bucket FROM usage_counts WHERE kind = 1 "
                                     "AND period = 0 AND c > 0 ORDER BY bucket LIMIT 1")[0]
    sql(school.db, "UPDATE usage_counts SET c = c + 1 WHERE kind = 1 AND period = 0 "
                   "AND id = ? AND bucket = ?", (int(user_id), int(bucket)))
    r = school.hp.run("check", "--db", school.db)
    assert r.code != 0
    assert "now from kiosks, the passes give" in r.stdout + r.stderr, r


def test_an_older_store_fills_now_kiosk_from_its_passes(spoiled):
    """A store from before the third counter value: its kiosk counts come from its passes,
    for its days and its months."""
    school, path = spoiled
    passes = _read_passes([path])
    schema_back_to(school.db, 9)
    # Days only (the range ends mid-month), then whole months.
    for first, last in (("2026-03-05", "2026-03-20"), ("2026-03-01", "2026-10-31"),
                        ("2026-02-01", "2026-11-30")):
        rows = school.rows("staff", "--from", first, "--to", last)
        want = _staff_counts(passes, _day(first), _day(last))
        assert {r["email"]: (r["now"], r["now_login"], r["now_kiosk"]) for r in rows} == {
            e: (c[0], c[2], c[3]) for e, c in want.items()}
    assert sum(c[3] for c in _staff_counts(passes, _day("2026-02-01"),
                                           _day("2026-11-30")).values()) > 20
    assert school.hp.run("check", "--db", school.db).code == 0


# --------------------------------------------------------------------------------------------
# Over HTTP, with passes made live


KIDS_HTTP = students("cmp", 6)


@pytest.fixture
def live(stores):
    store = basic_store(stores, users=(ADMIN, TEACHER, KIOSK),
                        rooms=[room("Restroom 1", "Restrooms"), room("Restroom 2", "Restrooms"),
                               room("Restroom 3", "Restrooms")],
                        extra_students=KIDS_HTTP)
    srv = store.server().start()
    yield store, srv
    assert srv.stop() == 0, srv.log()


def _url(kind, **params):
    return f"/api/reports/{kind}?" + urllib.parse.urlencode(params)


def test_http_compare_and_now_split_follow_live_passes(live):
    store, srv = live
    admin = sign_in(srv, ADMIN)
    teacher = sign_in(srv, TEACHER)
    kiosk_admin = sign_in(srv, ADMIN)
    ok(kiosk_admin.post("/api/kiosk", {"room": "Restroom 1"}))
    ok(teacher.create_pass(student=KIDS_HTTP[0]["email"], origin="Restroom 1",
                           destination="Restroom 2"), 201)
    ok(kiosk_admin.create_pass(student=KIDS_HTTP[1]["email"], destination="Restroom 3"), 201)
    ok(kiosk_admin.create_pass(student=KIDS_HTTP[2]["email"], destination="Restroom 2"), 201)
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    day = today.isoformat()
    q = {"from": day, "to": day, "compare": "previous"}
    staff = {r["email"]: r for r in ok(admin.get(_url("staff", **q)))["rows"]}
    assert (staff[ADMIN["email"]]["now_login"], staff[ADMIN["email"]]["now_kiosk"]) == (0, 2)
    assert (staff[TEACHER["email"]]["now_login"],
            staff[TEACHER["email"]]["now_kiosk"]) == (1, 0)
    assert all(r["prev_total"] == 0 for r in staff.values())
    # The same bytes as the command line, in JSON and CSV.
    for kind in ("rooms", "staff"):
        for fmt in ("json", "csv"):
            body = admin.get(_url(kind, format=fmt, **q)).body
            assert body == store.report(kind, "--from", day, "--to", day, "--compare",
                                        "previous", "--format", fmt)
    # Yesterday against today.
    yesterday = (today - timedelta(days=1)).isoformat()
    rooms = ok(admin.get(_url("rooms", **{"from": yesterday, "to": yesterday,
                                          "compare": f"{day}..{day}"})))["rows"]
    by_name = {r["room"]: r for r in rooms}
    assert by_name["Restroom 1"]["prev_passes_from"] == 3
    assert by_name["Restroom 2"]["prev_passes_to"] == 2
    # hallpass check agrees with the live passes.
    assert cli("check", "--db", store.db).returncode == 0


def test_http_bad_compare_is_400(live):
    _, srv = live
    admin = sign_in(srv, ADMIN)
    for value, says in (("yesterday", "compare: \"yesterday\" is not previous"),
                        ("2026-09-02..2026-09-01", "compare: 2026-09-02 is after 2026-09-01"),
                        ("", "compare: \"\" is not previous")):
        r = admin.get(_url("rooms", **{"from": "2026-09-01", "to": "2026-09-30",
                                       "compare": value}))
        assert r.status == 400, r
        assert r.error.startswith(says), r.error
