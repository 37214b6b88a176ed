"""No-pass times end to end, on both stores: the school's bell schedule (imported with
`hallpass import schedule`, read and replaced with GET and PUT /api/schedule), the first and
last minutes of each period in which students and kiosks may not start a pass, and blackouts
(GET/POST /api/blackouts, DELETE /api/blackouts/{id}), "stop all passes" among them. Each
schedule is built relative to now (a period that began 3 minutes ago, one that ends in 3), so
no test needs a fake clock. Staff are never checked; admins alone see and change the times,
and only their own school's. `hallpass check` agrees with the counters after all of it."""

from __future__ import annotations

import datetime as dt

import pytest
from zoneinfo import ZoneInfo

from server_util import (ADMIN, KIOSK, TEACHER, cli, ok, room, sign_in, students, user,
                         basic_store, write_csv)
from store_util import sql

ZONE = ZoneInfo("America/Chicago")
SCHOOL, OTHER_SCHOOL = "Lincoln High", "Roosevelt High"
OTHER_ADMIN = user("Otto Other", "admin@roosevelt.test", "admin", "otto-pass-1")
SELF = [user(f"Bell Student {i}", f"bell{i}@lincoln.test", "student", f"bell-pass-{i}")
        for i in range(3)]
PUPILS = students("bell", 40)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SCHEDULE_COLUMNS = ["day", "period", "start", "end"]


# --------------------------------------------------------------------------------------------
# Times


def local_now() -> dt.datetime:
    return dt.datetime.now(ZONE)


def hhmm(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M")


def floor_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def ceil_minute(moment: dt.datetime) -> dt.datetime:
    down = floor_minute(moment)
    return down if down == moment else down + dt.timedelta(minutes=1)


def local_clock(moment: dt.datetime) -> str:
    """The school's wall clock as the rules' messages say it: HH:MM, rounded up."""
    return hhmm(ceil_minute(moment.astimezone(ZONE)))


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def daytime():
    """The local day has room on both sides of now for the periods the tests build (periods
    lie within one local day: the longest begin 42 minutes before now or end 47 after it);
    near midnight there is none, and the test is skipped."""
    now = local_now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < dt.timedelta(minutes=60) or \
            midnight + dt.timedelta(days=1) - now < dt.timedelta(minutes=60):
        pytest.skip("too near the school's local midnight for periods around now")
    return now


# --------------------------------------------------------------------------------------------
# The school


@pytest.fixture(scope="module")
def store(module_stores):
    st = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK, *SELF), extra_students=PUPILS)
    cli("init", "--db", st.db, "--school", OTHER_SCHOOL, "--timezone", "America/New_York")
    st.rooms([room("Main Office")], school=OTHER_SCHOOL)
    st.users([OTHER_ADMIN], school=OTHER_SCHOOL)
    return st


@pytest.fixture(scope="module")
def server(store):
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()
    out = cli("check", "--db", store.db, "--school", SCHOOL).stdout.decode()
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
def student(server):
    return sign_in(server, SELF[0])


@pytest.fixture(scope="module")
def other_admin(server):
    return sign_in(server, OTHER_ADMIN)


def put_schedule(client, rows):
    return client.request("PUT", "/api/schedule", {"schedule": rows})


_pupils = iter(PUPILS)


@pytest.fixture
def pupil():
    """A student no other test uses (for a kiosk's or teacher's pass)."""
    return next(_pupils)["email"]


@pytest.fixture
def times(admin):
    """times(first=N, last=M, schedule=[rows]) sets the school's first and last minutes and
    its schedule for one test; they go back to none after it, and every blackout goes."""

    def change(first=None, last=None, schedule=()):
        ok(admin.patch("/api/settings", {"no_pass_first_minutes": first,
                                         "no_pass_last_minutes": last}))
        return ok(put_schedule(admin, list(schedule)))

    yield change
    ok(admin.patch("/api/settings", {"no_pass_first_minutes": None,
                                     "no_pass_last_minutes": None}))
    ok(put_schedule(admin, []))
    for b in ok(admin.get("/api/blackouts"))["blackouts"]:
        ok(admin.delete(f"/api/blackouts/{b['id']}"))


def today() -> str:
    return local_now().date().isoformat()


def period(name: str, start: dt.datetime, end: dt.datetime, day: str | None = None) -> dict:
    return {"day": day or today(), "period": name, "start": hhmm(start), "end": hhmm(end)}


RULE_REFUSALS, NO_PASS_TIME = 2, 2  # The counter kind of refusals by rule, and rule 2.


def refusals(store) -> int:
    """The refusals by the no-pass times counted today."""
    day = (local_now().date() - dt.date(1970, 1, 1)).days
    rows = store.sql("SELECT a FROM usage_counts WHERE kind = ? AND period = 0 AND bucket = ?"
                     " AND id = ?", (RULE_REFUSALS, day, NO_PASS_TIME))
    return int(rows[0][0]) if rows else 0


def refused(r, message: str) -> None:
    assert r.status == 409, r
    assert r.json == {"error": message, "rule": "no_pass_time"}, r.json


def passes(client, **fields):
    """A pass the client may start: created, then ended so the student may go again."""
    p = ok(client.create_pass(**fields), 201)
    ok(client.end_pass(p["id"]))
    return p


# --------------------------------------------------------------------------------------------
# The first and last minutes of a period


def test_first_minutes_of_a_period_refuse_students_and_kiosks(times, daytime, store, student,
                                                              kiosk, teacher, pupil):
    began = floor_minute(daytime - dt.timedelta(minutes=3))
    times(first=10, schedule=[period("Period 2", began, began + dt.timedelta(minutes=50))])
    until = hhmm(began + dt.timedelta(minutes=10))
    message = f"No passes until {until} (first 10 minutes of Period 2)"
    counted = refusals(store)
    refused(student.create_pass(origin="Room 101", destination="Library"), message)
    refused(kiosk.create_pass(student=pupil, destination="Library"), message)
    assert refusals(store) == counted + 2  # Each refusal is counted, per rule and day.
    # Staff are not checked.
    passes(teacher, student=pupil, origin="Room 101", destination="Library")
    # With the setting off, the same period refuses no one.
    times(first=None, schedule=[period("Period 2", began, began + dt.timedelta(minutes=50))])
    passes(student, origin="Room 101", destination="Library")


def test_last_minutes_of_a_period_refuse(times, daytime, student, kiosk, pupil):
    ends = ceil_minute(daytime + dt.timedelta(minutes=3))
    times(last=5, schedule=[period("Period 5", ends - dt.timedelta(minutes=45), ends)])
    message = f"No passes until {hhmm(ends)} (last 5 minutes of Period 5)"
    refused(student.create_pass(origin="Room 101", destination="Library"), message)
    refused(kiosk.create_pass(student=pupil, destination="Library"), message)
    # Outside the window (first minutes on, but the period began long ago), a pass starts.
    times(first=10, schedule=[period("Period 5", ends - dt.timedelta(minutes=45), ends)])
    passes(student, origin="Room 101", destination="Library")


def test_a_dates_rows_replace_its_weekdays(times, daytime, student):
    began = floor_minute(daytime - dt.timedelta(minutes=3))
    weekday = WEEKDAYS[daytime.weekday()]
    tomorrow = (daytime.date() + dt.timedelta(days=1)).isoformat()
    around_now = period("Period 3", began, began + dt.timedelta(minutes=40), day=weekday)
    # Today's weekday has a period that began 3 minutes ago: refused (tomorrow's date rows
    # change nothing today).
    times(first=10, schedule=[around_now, period("Assembly", began, began + dt.timedelta(
        minutes=40), day=tomorrow)])
    refused(student.create_pass(origin="Room 101", destination="Library"),
            f"No passes until {hhmm(began + dt.timedelta(minutes=10))} "
            "(first 10 minutes of Period 3)")
    # A row for today's date replaces the weekday's rows today: only a period long over.
    times(first=10, schedule=[around_now, {"day": today(), "period": "Early bird",
                                           "start": "00:00", "end": "00:01"}])
    passes(student, origin="Room 101", destination="Library")


# --------------------------------------------------------------------------------------------
# Blackouts


def test_stop_all_passes_until_deleted(times, daytime, admin, student, kiosk, teacher, pupil):
    times()
    b = ok(admin.post("/api/blackouts", {"end": None, "reason": "Lockdown drill"}), 201)
    assert b["end"] is None and b["reason"] == "Lockdown drill" and b["active"] is True, b
    assert b["created_by"] == ADMIN["name"], b
    refused(student.create_pass(origin="Room 101", destination="Library"),
            "No passes for now (Lockdown drill)")
    refused(kiosk.create_pass(student=pupil, destination="Library"),
            "No passes for now (Lockdown drill)")
    passes(teacher, student=pupil, origin="Room 101", destination="Library")
    listed = ok(admin.get("/api/blackouts"))["blackouts"]
    assert [x["id"] for x in listed] == [b["id"]], listed
    assert ok(admin.delete(f"/api/blackouts/{b['id']}")) == {"deleted": b["id"]}
    assert ok(admin.get("/api/blackouts"))["blackouts"] == []
    passes(student, origin="Room 101", destination="Library")
    passes(kiosk, student=pupil, destination="Library")


def test_a_mis_tapped_end_resumes_during_a_blackout(times, admin, student):
    """Resuming is undoing an end, not starting a pass: the no-pass times do not stop it."""
    times()
    p = ok(student.create_pass(origin="Room 101", destination="Library"), 201)
    ok(student.end_pass(p["id"]))
    ok(admin.post("/api/blackouts", {"end": None, "reason": "Drill"}), 201)
    assert ok(student.post(f"/api/passes/{p['id']}/resume"))["active"] is True
    ok(student.end_pass(p["id"]))


def test_a_blackout_with_an_end_and_one_to_come(times, daytime, admin, student):
    now = dt.datetime.now(dt.timezone.utc)
    # One from now for half an hour, beside the first minutes of a period: the blackout
    # answers.
    began = floor_minute(daytime - dt.timedelta(minutes=3))
    times(first=10, schedule=[period("Period 4", began, began + dt.timedelta(minutes=50))])
    end = now + dt.timedelta(minutes=30, seconds=20)
    b = ok(admin.post("/api/blackouts", {"start": iso(now - dt.timedelta(minutes=1)),
                                         "end": iso(end), "reason": "Assembly"}), 201)
    refused(student.create_pass(origin="Room 101", destination="Library"),
            f"No passes until {local_clock(end)} (Assembly)")
    # One still to come refuses no one yet.
    times()
    ok(admin.delete(f"/api/blackouts/{b['id']}"))
    later = ok(admin.post("/api/blackouts", {"start": iso(now + dt.timedelta(hours=1)),
                                             "end": iso(now + dt.timedelta(hours=2))}), 201)
    assert later["active"] is False and later["reason"] is None, later
    passes(student, origin="Room 101", destination="Library")


def test_blackout_errors_name_the_field(times, admin):
    times()
    now = dt.datetime.now(dt.timezone.utc)
    cases = [
        ({"start": "tomorrow"}, "start: "),
        ({"start": "2019-12-31T10:00:00Z", "end": "2020-01-01T10:00:00Z"},
         "end: \"2020-01-01T10:00:00Z\" has already passed"),
        ({"end": "2020-01-01T10:00:00Z"}, "end: \"2020-01-01T10:00:00Z\" is not after the start"),
        ({"start": iso(now + dt.timedelta(hours=2)), "end": iso(now + dt.timedelta(hours=1))},
         "is not after the start"),
        ({"end": 5}, "end: must be a string"),
        ({"reason": "x" * 300}, "reason: "),
        ({"until": None}, "\"until\" is not a field of a blackout"),
    ]
    for body, words in cases:
        r = admin.post("/api/blackouts", body)
        assert r.status == 400, (body, r)
        assert words in r.json["error"], (body, r.json)
    assert ok(admin.get("/api/blackouts"))["blackouts"] == []
    assert admin.delete("/api/blackouts/999999").status == 404


def test_only_admins_and_only_their_school(times, admin, teacher, student, kiosk, other_admin):
    times(schedule=[{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"}])
    b = ok(admin.post("/api/blackouts", {"start": "2030-01-06T08:00:00-06:00",
                                         "end": "2030-01-06T09:00:00-06:00",
                                         "reason": "Testing"}), 201)
    for client in (teacher, student, kiosk):
        assert client.get("/api/schedule").status == 403
        assert put_schedule(client, []).status == 403
        assert client.get("/api/blackouts").status == 403
        assert client.post("/api/blackouts", {"end": None}).status == 403
        assert client.delete(f"/api/blackouts/{b['id']}").status == 403
    # Another school's admin sees none of it and cannot delete it.
    assert ok(other_admin.get("/api/schedule")) == {"schedule": []}
    assert ok(other_admin.get("/api/blackouts")) == {"blackouts": []}
    assert other_admin.delete(f"/api/blackouts/{b['id']}").status == 404
    assert [x["id"] for x in ok(admin.get("/api/blackouts"))["blackouts"]] == [b["id"]]
    assert len(ok(admin.get("/api/schedule"))["schedule"]) == 1


# --------------------------------------------------------------------------------------------
# The schedule over the API and from a file


def test_put_schedule_errors_change_nothing(times, admin):
    good = [{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"},
            {"day": "2030-01-07", "period": "Late start", "start": "10:00", "end": "10:50"}]
    times(schedule=good)
    cases = [
        ([{"day": "mon", "period": "P1", "start": "8:5", "end": "09:00"}],
         "schedule[0]: start: \"8:5\" is not a time HH:MM from 00:00 to 23:59"),
        ([{"day": "mon", "period": "P1", "start": "09:00", "end": "08:00"}],
         "schedule[0]: end: \"08:00\" is not after the start 09:00"),
        ([good[0], {"day": "MON", "period": "P2", "start": "08:40", "end": "09:30"}],
         "schedule[1]: start: P2 08:40-09:30 overlaps Period 1 08:00-08:50 on mon"),
        ([{"day": "someday", "period": "P1", "start": "08:00", "end": "09:00"}],
         "schedule[0]: day: \"someday\" is not mon, tue, wed, thu, fri, sat, sun or a date"),
        ([{"day": "mon", "period": "P1", "start": "08:00"}], "schedule[0]: end: must be text"),
        ([{"day": "mon", "period": "P1", "start": "08:00", "end": "09:00", "room": "x"}],
         "schedule[0]: \"room\" is not a field of a period"),
        ("mon", "schedule: must be a list"),
    ]
    for rows, words in cases:
        r = put_schedule(admin, rows)
        assert r.status == 400, (rows, r)
        assert r.json["error"].startswith(words), (rows, r.json)
    assert ok(admin.get("/api/schedule"))["schedule"] == good


def import_schedule(store, rows, check=True, name="bells.csv"):
    path = write_csv(store.dir / name, SCHEDULE_COLUMNS, rows)
    return cli("import", "schedule", "--db", store.db, "--school", SCHOOL, path, check=check), path


def test_import_schedule_replaces_it_and_twice_changes_nothing(times, store, admin):
    times(schedule=[{"day": "fri", "period": "Old", "start": "07:00", "end": "07:30"}])
    rows = [{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"},
            {"day": "Mon", "period": "Period 2", "start": " 08:55 ", "end": "09:45"},
            {"day": "2030-01-07", "period": "Assembly", "start": "08:00", "end": "09:00"}]
    out, path = import_schedule(store, rows)
    assert out.stdout.decode() == f"{path}: 3 periods: the bell schedule replaced\n"
    expected = [{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"},
                {"day": "mon", "period": "Period 2", "start": "08:55", "end": "09:45"},
                {"day": "2030-01-07", "period": "Assembly", "start": "08:00", "end": "09:00"}]
    assert ok(admin.get("/api/schedule"))["schedule"] == expected
    out, path = import_schedule(store, rows)
    assert out.stdout.decode() == f"{path}: 3 periods: the bell schedule unchanged\n"
    assert ok(admin.get("/api/schedule"))["schedule"] == expected


@pytest.mark.parametrize("bad, words", [
    ({"day": "mon", "period": "Period 3", "start": "9:5", "end": "10:00"},
     "start: \"9:5\" is not a time HH:MM from 00:00 to 23:59"),
    ({"day": "mon", "period": "Period 3", "start": "10:00", "end": "09:50"},
     "end: \"09:50\" is not after the start 10:00"),
    ({"day": "mon", "period": "Period 3", "start": "08:30", "end": "09:10"},
     "start: Period 3 08:30-09:10 overlaps Period 1 08:00-08:50 on mon"),
    ({"day": "2030-02-30", "period": "Period 3", "start": "08:30", "end": "09:10"},
     "day: \"2030-02-30\" is not mon, tue, wed, thu, fri, sat, sun or a date YYYY-MM-DD"),
    ({"day": "mon", "period": "", "start": "10:30", "end": "11:10"}, "period: "),
])
def test_import_schedule_errors_name_file_line_column_and_value(times, store, admin, bad, words):
    before = [{"day": "tue", "period": "Kept", "start": "07:00", "end": "07:30"}]
    times(schedule=before)
    rows = [{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"},
            {"day": "mon", "period": "Period 2", "start": "08:55", "end": "09:45"}, bad]
    out, path = import_schedule(store, rows, check=False, name="bad-bells.csv")
    assert out.returncode != 0
    err = out.stderr.decode()
    assert f"{path}:4: {words}" in err, err
    assert "nothing was imported" in err, err
    assert ok(admin.get("/api/schedule"))["schedule"] == before


def test_import_schedule_header_errors(store):
    path = store.dir / "no-end.csv"
    path.write_text("day,period,start\nmon,Period 1,08:00\n")
    out = cli("import", "schedule", "--db", store.db, "--school", SCHOOL, path, check=False)
    assert out.returncode != 0
    assert f"{path}:1: end: the header has no such column" in out.stderr.decode()


def test_a_copy_keeps_the_schedule_and_the_blackouts(module_stores):
    # A school of its own with no passes: the copy of live passes is another matter.
    st = basic_store(module_stores, users=(ADMIN,))
    rows = [{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"},
            {"day": "2030-01-07", "period": "Assembly", "start": "08:00", "end": "09:00"}]
    import_schedule(st, rows, name="copied-bells.csv")
    with st.server().start() as srv:
        ok(sign_in(srv, ADMIN).post("/api/blackouts", {"end": None, "reason": "Stop"}), 201)
    target = module_stores.new("copy")
    cli("copy", "--from", st.db, "--to", target)
    schedule = ("SELECT weekday, day, period, start_minute, end_minute FROM bell_schedule"
                " ORDER BY position")
    blackouts = ("SELECT b.reason, u.email FROM blackouts b JOIN users u ON u.id = b.created_by"
                 " WHERE b.end_at IS NULL")
    assert len(sql(target, schedule)) == 2
    assert sql(target, schedule) == sql(st.db, schedule)
    assert [tuple(r) for r in sql(target, blackouts)] == [("Stop", ADMIN["email"])]
