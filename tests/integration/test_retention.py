"""Retention on both stores: `hallpass purge`, the server's daily purge, and one student's
records exported and removed (`hallpass student export|delete`).

A school year is imported from the files of test_insights.py (passes from mid-February to
now in America/Chicago, with encounter groups), with a few refusals and places in line
written straight into the store in spring, since an import makes none. Purged before a
mid-June date, Room Usage, Staff Usage and every insight but `students` give the same bytes
as before over the whole year, the month cut in two and a range inside it; `students` leaves
the purged days out and says which they were; `hallpass check` recounts the days kept and
agrees; the purge is in the audit log."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from hallpass_kit import Hallpass, School
from server_util import Store, write_csv
import test_insights as ti

YEAR = ("--from", "2026-01-01", "--to", "2026-12-31")
CUT = dt.date(2026, 6, 15)  # The first day kept: June is cut in two.
RANGES = [YEAR, ("--from", "2026-06-01", "--to", "2026-06-30"),
          ("--from", "2026-06-10", "--to", "2026-06-20")]
INSIGHTS_KEPT = ["daily", "heatmap", "durations", "limits", "rules", "sources", "encounters"]
COMPARED = {"rooms", "staff", "durations", "limits"}
FORMATS = ["json", "csv", "table"]
EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


@pytest.fixture
def year(hallpass_bin, stores):
    """Insight High as test_insights.py imports it, in a store of this test's own (purges
    change it); gives the school and what its files say."""
    hp = Hallpass(hallpass_bin, stores.dir)
    db = stores.new("retention")
    hp.run("init", "--db", db, "--school", "Insight High", "--timezone", ti.ZONE_NAME).ok()
    d = stores.dir
    files = {
        "rooms": ti._write(d / "rooms.csv", ["name", "folder", "time_limit_minutes"], ti.ROOMS),
        "users": ti._write(d / "users.csv", ["name", "email", "role", "room", "password",
                                             "student_id"], ti.STAFF + [ti.KIOSK_ROW] + ti.KIDS),
        "groups": ti._write(d / "groups.csv", ["group", "student"],
                            [(g, s) for g, members in ti.GROUPS for s in members]),
    }
    passes = ti._passes()
    files["passes1"] = ti._write(d / "passes-1.csv", ti.PASS_COLUMNS, passes[:700])
    files["passes2"] = ti._write(d / "passes-2.csv", ti.PASS_COLUMNS, passes[600:])
    for kind in ("rooms", "users", "groups", "passes1", "passes2"):
        hp.run("import", kind.rstrip("12"), "--db", db, str(files[kind])).ok()
    return School(hp, db, "Insight High", ti.ZONE_NAME), ti.Files(files)


def sql(school, statement, params=()):
    return Store(school.dir, school.db).sql(statement, params)


def count(school, table, where="1 = 1", params=()):
    return int(sql(school, f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0])


def stage_spring_records(school):
    """Three refusals in March and two places in line in April: what only the live rules
    make, written as they would be (their counters are not: those days are purged)."""
    kid = sql(school, "SELECT id FROM users WHERE email = ?", (ti.KIDS[0][1],))[0][0]
    room = sql(school, "SELECT id FROM rooms WHERE name = 'Library'")[0][0]
    school_id = sql(school, "SELECT id FROM schools")[0][0]
    for i, day in enumerate([dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]):
        at = int(dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.timezone.utc).timestamp())
        sql(school, "INSERT INTO refusals(school_id, rule, student_id, origin_id, destination_id,"
                    " source, at, local_day) VALUES (?, ?, ?, ?, ?, 'student', ?, ?)",
            (school_id, 6 + i % 2, kid, room, room, at, day_number(day)))
    for day in (dt.date(2026, 4, 6), dt.date(2026, 4, 7)):
        at = int(dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.timezone.utc).timestamp())
        sql(school, "INSERT INTO line_entries(school_id, student_id, origin_id, destination_id,"
                    " creator_id, source, joined, local_day, state, ended_at)"
                    " VALUES (?, ?, ?, ?, ?, 'student', ?, ?, 'left', ?)",
            (school_id, kid, room, room, kid, at, day_number(day), at + 60))


def run_insight(school, kind, *args, fmt="json"):
    return school.hp.run("insights", kind, "--db", school.db, "--format", fmt, *args).ok()


def outputs(school):
    """Both reports and every insight but students, in JSON, CSV and the table, over each range
    (with compare where there is one, and the heatmap of one room too)."""
    out = {}
    for rng in RANGES:
        for fmt in FORMATS:
            for kind in ("rooms", "staff"):
                out[(kind, rng, fmt)] = school.report(kind, *rng, fmt=fmt).ok().stdout_bytes
                out[(kind, rng, fmt, "compare")] = school.report(
                    kind, *rng, "--compare", "previous", fmt=fmt).ok().stdout_bytes
            for kind in INSIGHTS_KEPT:
                out[(kind, rng, fmt)] = run_insight(school, kind, *rng, fmt=fmt).stdout_bytes
                if kind in COMPARED:
                    out[(kind, rng, fmt, "compare")] = run_insight(
                        school, kind, *rng, "--compare", "previous", fmt=fmt).stdout_bytes
            out[("heatmap", rng, fmt, "Nurse")] = run_insight(
                school, "heatmap", *rng, "--destination", "Nurse", fmt=fmt).stdout_bytes
    return out


def differing(before, after):
    return [key for key in before if before[key] != after[key]]


def students_json(school, *args):
    return json.loads(run_insight(school, "students", *args).stdout)


def purge(school, *args):
    return school.hp.run("purge", "--db", school.db, *args)


def audit(school, action):
    rows = sql(school, "SELECT who, target, detail FROM audit_log WHERE action = ? ORDER BY id",
               (action,))
    return [(who, target, json.loads(detail)) for who, target, detail in rows]


def test_purge_keeps_the_reports_and_insights_and_leaves_out_the_students_days(year):
    school, f = year
    stage_spring_records(school)
    before = outputs(school)
    after_cut = ("--from", "2026-07-01", "--to", "2026-12-31")
    students_later = run_insight(school, "students", *after_cut).stdout_bytes
    cut_day = day_number(CUT)
    passes_before = count(school, "passes", "local_day < ?", (cut_day,))
    assert passes_before > 300  # Four months of passes go.
    passes_kept = count(school, "passes", "local_day >= ?", (cut_day,))

    r = purge(school, "--before", CUT.isoformat()).ok()
    assert r.stdout.startswith(f"removed before {CUT}: {passes_before} passes, 2 line entries, "
                               "3 refusals, 0 prevented passes")

    assert differing(before, outputs(school)) == []
    # Nothing of the purged days is left, and every kept day is.
    assert count(school, "passes", "local_day < ?", (cut_day,)) == 0
    assert count(school, "refusals") == 0 and count(school, "line_entries") == 0
    assert count(school, "passes") == passes_kept
    assert count(school, "usage_counts", "kind IN (4, 12, 13) AND period = 0 AND bucket < ?",
                 (cut_day,)) == 0

    # students: the kept days' counts, and which days went.
    data = students_json(school, *YEAR)
    assert data["purged_through"] == "2026-06-14"
    want = ti.recount_students(f, CUT, dt.date(2026, 12, 31))
    assert {row["email"]: row for row in data["rows"]} == want
    june = students_json(school, "--from", "2026-06-01", "--to", "2026-06-30")
    assert {row["email"]: row for row in june["rows"]} == \
        ti.recount_students(f, CUT, dt.date(2026, 6, 30))
    table = run_insight(school, "students", *YEAR, fmt="table").stdout
    assert "Purged: the days through 2026-06-14 were purged; these counts leave them out" in table
    # A range after the purge reads as it did, with no word of it.
    assert run_insight(school, "students", *after_cut).stdout_bytes == students_later

    check = school.hp.run("check", "--db", school.db).ok()
    assert f"recounted from {CUT} on: the days before were purged" in check.stdout
    assert "all agree" in check.stdout

    [(who, target, detail)] = audit(school, "purge")
    assert (who, target) == ("command line", CUT.isoformat())
    assert detail == {"before": CUT.isoformat(), "passes": passes_before, "line_entries": 2,
                      "refusals": 3, "prevented": 0, "audit": 0}

    # Again on the same date: nothing more goes, and the reports still agree.
    r = purge(school, "--before", CUT.isoformat()).ok()
    assert r.stdout.startswith(f"removed before {CUT}: 0 passes, 0 line entries, 0 refusals")
    assert school.hp.run("check", "--db", school.db).ok()


def test_a_dry_run_says_what_would_go_and_changes_nothing(year):
    school, _ = year
    stage_spring_records(school)
    before = outputs(school)
    students = students_json(school, *YEAR)
    tables = {t: count(school, t) for t in ("passes", "refusals", "line_entries",
                                           "usage_counts", "audit_log")}
    dry = purge(school, "--before", CUT.isoformat(), "--dry-run").ok()
    assert dry.stdout.startswith(f"would remove before {CUT}: ")
    assert {t: count(school, t) for t in tables} == tables
    assert differing(before, outputs(school)) == []
    assert students_json(school, *YEAR) == students
    assert "purged_through" not in students
    real = purge(school, "--before", CUT.isoformat()).ok()
    assert real.stdout.replace("removed", "would remove", 1) == dry.stdout


@pytest.mark.parametrize("value, message", [
    ("2026-02-30", '--before: "2026-02-30" is not a date YYYY-MM-DD'),
    ("June 15", '--before: "June 15" is not a date YYYY-MM-DD'),
    ("tomorrow", None),
])
def test_a_bad_date_changes_nothing(year, value, message):
    school, _ = year
    if value == "tomorrow":
        today = dt.datetime.now(ti.ZONE).date()
        value = (today + dt.timedelta(days=1)).isoformat()
        message = (f"--before: {value} is after today ({today}); only the days before today "
                   "are purged")
    passes = count(school, "passes")
    r = purge(school, "--before", value)
    assert r.code == 1
    assert r.stderr == f"hallpass purge: {message}\nnothing was removed\n"
    assert count(school, "passes") == passes and audit(school, "purge") == []
    missing = purge(school)
    assert missing.code == 2 and "--before DATE is required" in missing.stderr


def test_the_server_purges_on_its_own_with_the_setting(hallpass_bin, stores):
    """retain_passes_days=100: the server purges at start, as the server, the passes of the
    days more than 100 days ago; the reports keep their counts; a second server on the store
    the same day purges nothing more."""
    store = Store.new(stores, "daily").init("Daily High")
    today = dt.datetime.now(ti.ZONE).date()
    old = today - dt.timedelta(days=150)
    recent = today - dt.timedelta(days=20)
    store.rooms([{"name": "Room 1", "folder": "", "max_passes_from": None,
                  "max_passes_to": None},
                 {"name": "Library", "folder": "", "max_passes_from": None,
                  "max_passes_to": None}])
    store.users([{"name": "Tia Teacher", "email": "tia@daily.test", "role": "teacher",
                  "room": None, "password": None},
                 {"name": "Sid Student", "email": "sid@daily.test", "role": "student",
                  "room": None, "password": None}])

    def at(day):
        return dt.datetime(day.year, day.month, day.day, 10, tzinfo=ti.ZONE).isoformat()

    store.passes([{"id": "old", "student": "sid@daily.test", "origin": "Room 1",
                   "destination": "Library", "creator": "tia@daily.test", "source": "teacher",
                   "type": "now", "start": at(old), "end": "", "cancelled": ""},
                  {"id": "recent", "student": "sid@daily.test", "origin": "Room 1",
                   "destination": "Library", "creator": "tia@daily.test", "source": "teacher",
                   "type": "now", "start": at(recent), "end": "", "cancelled": ""}])
    rng = ("--from", (old - dt.timedelta(days=1)).isoformat(), "--to", today.isoformat())
    rooms = store.report("rooms", *rng, "--format", "json")
    hp = Hallpass(hallpass_bin, stores.dir)
    hp.run("settings", "--db", store.db, "retain_passes_days=100").ok()
    assert store.sql("SELECT count(*) FROM audit_log WHERE action = 'purge'") in ([(0,)], [("0",)])

    def purges():
        return [(who, target, json.loads(detail)) for who, target, detail in store.sql(
            "SELECT who, target, detail FROM audit_log WHERE action = 'purge' ORDER BY id")]

    with store.server().start():
        deadline = time.monotonic() + 20
        while not purges() and time.monotonic() < deadline:
            time.sleep(0.2)
    first = (today - dt.timedelta(days=100)).isoformat()
    assert purges() == [("server", first, {"before": first, "passes": 1, "line_entries": 0,
                                            "refusals": 0, "prevented": 0, "audit": 0})]
    assert [r[0] for r in store.sql("SELECT ext_id FROM passes")] == ["recent"]
    assert store.report("rooms", *rng, "--format", "json") == rooms
    with store.server().start():
        time.sleep(1.5)  # Its run at start finds nothing to do today.
    assert len(purges()) == 1
    assert "all agree" in hp.run("check", "--db", store.db).ok().stdout


def test_export_and_delete_one_student(year):
    school, f = year
    kid_name, kid, _, _, _, kid_code = ti.KIDS[1]  # In the group "Pair 2", with a student ID.
    before = outputs(school)
    students = students_json(school, *YEAR)

    r = school.hp.run("student", "export", "--db", school.db, kid_code).ok()
    doc = json.loads(r.stdout)
    assert doc["student"]["email"] == kid and doc["student"]["name"] == kid_name
    assert doc["student"]["student_id"] == kid_code
    ids = {p["id"] for p in f.passes if p["student"] == kid}
    own = count(school, "passes", "student_id = (SELECT id FROM users WHERE email = ?)", (kid,))
    assert len(doc["passes"]) == own and own >= len(ids) > 10
    assert {p["ext_id"] for p in doc["passes"]} >= ids
    assert [g["name"] for g in doc["encounter_groups"]] == ["Pair 2"]
    assert doc["refusals"] == [] and doc["line_entries"] == []
    [(who, target, detail)] = audit(school, "student_export")
    assert (who, target) == ("command line", kid)
    assert detail["passes"] == own and detail["encounter_groups"] == 1

    # A second export holds the first one's audit record.
    again = json.loads(school.hp.run("student", "export", "--db", school.db, kid).ok().stdout)
    assert [(a["action"], a["target"]) for a in again["audit"]] == [("student_export", kid)]

    r = school.hp.run("student", "delete", "--db", school.db, kid).ok()
    assert r.stdout.startswith(f"removed {kid}: {own} passes, 0 line entries, 0 refusals, "
                               "0 prevented passes, 1 group memberships")
    assert count(school, "users", "email = ?", (kid,)) == 0
    assert count(school, "passes") == count(school, "passes", "student_id IN (SELECT id FROM users)")
    # The reports and insights of past ranges stand, but for the group that lost a member and
    # the pass the student had out now (durations' open counts the passes out, as they are).
    after = outputs(school)
    changed = differing(before, after)
    assert changed and all(key[0] in ("encounters", "durations") for key in changed)

    def closed(data):
        return [{k: v for k, v in row.items() if not k.endswith("open")}
                for row in json.loads(data)["rows"]]

    for key in changed:
        if key[0] == "durations" and key[2] == "json":
            assert closed(after[key]) == closed(before[key])
    open_before = sum(r["open"] for r in json.loads(before[("durations", YEAR, "json")])["rows"])
    open_after = sum(r["open"] for r in json.loads(after[("durations", YEAR, "json")])["rows"])
    assert open_after == open_before - 1
    groups = json.loads(run_insight(school, "encounters", *YEAR).stdout)["rows"]
    assert {g["group"]: g["members"] for g in groups} == {"Pair 2": 1, "Pair 10": 3}
    left = students_json(school, *YEAR)
    assert left["rows"] == [row for row in students["rows"] if row["email"] != kid]
    assert "all agree" in school.hp.run("check", "--db", school.db).ok().stdout
    [(who, target, detail)] = audit(school, "student_delete")
    assert (who, target) == ("command line", kid)
    assert detail["passes"] == own and detail["memberships"] == 1

    # A purge after the removal: the counts kept for the removed student go with their days.
    purge(school, "--before", CUT.isoformat()).ok()
    assert "all agree" in school.hp.run("check", "--db", school.db).ok().stdout


@pytest.mark.parametrize("args, message", [
    (["export", "nobody@insight.test"],
     'STUDENT: no student with email or student ID "nobody@insight.test"'),
    (["delete", "S999"], 'STUDENT: no student with email or student ID "S999"'),
    (["delete", "tess@insight.test"], 'STUDENT: "tess@insight.test" is not a student'),
])
def test_an_unknown_student_changes_nothing(year, args, message):
    school, _ = year
    users, passes = count(school, "users"), count(school, "passes")
    r = school.hp.run("student", args[0], "--db", school.db, args[1])
    assert r.code == 1
    assert r.stderr.startswith(f"hallpass student: {message}\n")
    assert (count(school, "users"), count(school, "passes")) == (users, passes)
    assert count(school, "audit_log", "action LIKE 'student_%'") == 0


def test_retain_passes_days_is_a_setting(year):
    school, _ = year
    hp = school.hp
    assert "retain_passes_days=\n" in hp.run("settings", "--db", school.db).ok().stdout
    r = hp.run("settings", "--db", school.db, "retain_passes_days=29")
    assert r.code == 1
    assert 'retain_passes_days: "29" is not a whole number from 30 to 3650' in r.stderr
    assert "retain_passes_days=365\n" in hp.run("settings", "--db", school.db,
                                                 "retain_passes_days=365").ok().stdout


def test_a_purge_takes_old_audit_records_but_none_of_the_last_30_days(year):
    """Purged up to today, the audit records of 40 days ago go and those of 10 days ago stay:
    the log keeps its last 30 days whatever the date."""
    school, _ = year
    school_id = sql(school, "SELECT id FROM schools")[0][0]
    now = int(time.time())
    for days, target in ((40, "old@insight.test"), (10, "recent@insight.test")):
        sql(school, "INSERT INTO audit_log(school_id, at, who, action, target)"
                    " VALUES (?, ?, 'ada@insight.test', 'sign_in', ?)",
            (school_id, now - days * 86400, target))
    today = dt.datetime.now(ti.ZONE).date().isoformat()
    r = purge(school, "--before", today).ok()
    assert r.stdout.endswith(", 1 audit records\n")
    # The imports that built the school are recorded too, just now: they stay as well.
    left = [row[0] for row in sql(school, "SELECT target FROM audit_log"
                                          " WHERE action <> 'import' ORDER BY id")]
    assert left == ["recent@insight.test", today]
    [(_, _, detail)] = audit(school, "purge")
    assert detail["audit"] == 1 and detail["passes"] > 1000
    assert "all agree" in school.hp.run("check", "--db", school.db).ok().stdout


MIDWEEK_CUT = dt.date(2026, 5, 13)  # A Wednesday: its week, May and the second quarter cut.
# Ranges the students insight reads from week rows (two whole weeks inside May), from a quarter
# row (the second quarter whole) and from both with months (the year); each starts before the
# cut.
LEVEL_RANGES = [("2026-05-11", "2026-05-24"), ("2026-04-01", "2026-06-30"),
                ("2026-01-01", "2026-12-31"), ("2026-05-04", "2026-05-17")]


def student_levels_off(school, kinds=(4, 12)):
    """The week, month and quarter counters of the per-student kinds that differ from the sum of
    their day counters (the days kept): [] when every level adds up."""
    rows = sql(school, "SELECT kind, period, bucket, id, a, b, c, d FROM usage_counts WHERE "
                       f"kind IN ({', '.join(map(str, kinds))})")
    stored = {tuple(int(v) for v in r[:4]): tuple(int(v) for v in r[4:]) for r in rows}
    summed = {}
    for (kind, period, bucket, subject), values in stored.items():
        if period != 0:
            continue
        d = EPOCH + dt.timedelta(days=bucket)
        month = d.year * 12 + d.month - 1
        # Periods: 2 a week by its Monday (day 0 was a Thursday), 1 a month, 3 a quarter.
        for key in ((kind, 2, bucket - (bucket + 3) % 7, subject), (kind, 1, month, subject),
                    (kind, 3, month // 3, subject)):
            summed[key] = tuple(x + y for x, y in zip(summed.get(key, (0,) * 4), values))
    off = [(k, v, summed.get(k)) for k, v in stored.items()
           if k[1] != 0 and v != summed.get(k, (0,) * 4)]
    off += [(k, None, v) for k, v in summed.items() if k not in stored and any(v)]
    return off


def test_a_purge_in_mid_week_keeps_every_level_of_the_students_counters_true(year):
    school, f = year
    cut = MIDWEEK_CUT
    durations_before = {rng: run_insight(school, "durations", "--from", rng[0], "--to", rng[1])
                        .stdout_bytes for rng in LEVEL_RANGES}
    assert student_levels_off(school) == []
    # The cut falls inside a week, a month and a quarter that had passes on both sides of it.
    week = (cut - dt.timedelta(days=2), cut + dt.timedelta(days=4))
    assert count(school, "passes", "local_day >= ? AND local_day < ?",
                 (day_number(week[0]), day_number(cut))) > 0
    assert count(school, "passes", "local_day >= ? AND local_day <= ?",
                 (day_number(cut), day_number(week[1]))) > 0

    purge(school, "--before", cut.isoformat()).ok()

    # Each week, month and quarter of a student holds exactly their kept days.
    assert student_levels_off(school) == []
    assert count(school, "usage_counts", "kind IN (4, 12, 13) AND period = 2 AND bucket < ?",
                 (day_number(week[0]),)) == 0
    assert count(school, "usage_counts", "kind IN (4, 12, 13) AND period = 3 AND bucket < ?",
                 (2026 * 4 + 1,)) == 0
    # The students insight over those ranges counts the kept passes only, as a recount of the
    # import files from the cut on does; the range before the cut compared too.
    now = dt.datetime.now(dt.timezone.utc)
    for first, last in LEVEL_RANGES:
        d0, d1 = ti._day(first), ti._day(last)
        data = students_json(school, "--from", first, "--to", last)
        assert data["purged_through"] == (cut - dt.timedelta(days=1)).isoformat()
        assert {r["email"]: r for r in data["rows"]} == ti.recount_students(f, cut, d1), first
        # durations reads the same levels of counters that stay: all the passes, as before.
        doc = run_insight(school, "durations", "--from", first, "--to", last)
        assert doc.stdout_bytes == durations_before[(first, last)]
        assert {r["room"]: r for r in json.loads(doc.stdout)["rows"]} == \
            ti.recount_durations(f, d0, d1, now)

    # Compared with the two weeks before, which the cut falls in: their kept days.
    compared = students_json(school, "--from", "2026-05-18", "--to", "2026-05-31",
                             "--compare", "previous")
    assert {r["email"]: r for r in compared["rows"]} == ti.recount_students(
        f, dt.date(2026, 5, 18), dt.date(2026, 5, 31), (cut, dt.date(2026, 5, 17)))

    check = school.hp.run("check", "--db", school.db).ok()
    assert f"recounted from {cut} on: the days before were purged" in check.stdout
    assert "all agree" in check.stdout
