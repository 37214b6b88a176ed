"""`hallpass check` and the refusals of the pass rules, on both stores: every refusal is recorded
as a row beside its counters, so the check recounts the refusal counters of every kind (per
rule, per room, per student; per day and per month) and names one that was changed behind its
back. A store whose refusal counters come from before refusals were recorded (an older
hallpass) compares those days' refusal counters not at all, rather than wrongly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from store_util import schema_back_to
from server_util import (ADMIN, KIOSK, TEACHER, Store, ago, basic_store, cli, earlier_today,
                         iso, ok, room, sign_in, students, write_csv)

ZONE = ZoneInfo("America/Chicago")
KIDS = students("refuse", 12)
EMAILS = [k["email"] for k in KIDS]
SMALL_FROM, SMALL_TO = "Small From", "Small To"
# Counter kinds of refusals as the store keeps them (store/counter.h).
RULE_REFUSALS, ROOM_REFUSALS, STUDENT_REFUSALS = 2, 3, 4
RULE_NUMBERS = {"student_active": 1, "no_pass_time": 2, "encounter": 3, "cooldown": 4,
                "student_limit": 5, "max_from": 6, "max_to": 7, "hallway_cap": 8}


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def today_number() -> int:
    return (today() - dt.date(1970, 1, 1)).days


def refused(r, rule: str) -> None:
    assert r.status == 409, r
    assert r.json["rule"] == rule, r.json


def check(store: Store):
    done = cli("check", "--db", store.db, check=False)
    return done.returncode, (done.stdout + done.stderr).decode()


def refuse_by_every_rule(store: Store) -> None:
    """One refusal by each of the eight rules, through the API, each for a student of its own;
    the passes that set them up stay out."""
    f = write_csv(store.dir / "groups.csv", ["group", "student"],
                  [{"group": "Apart", "student": e} for e in EMAILS[:2]])
    cli("import", "groups", "--db", store.db, f)
    # A pass earlier today for the daily limit, and one ended 2 minutes ago for the cooldown.
    store.passes([
        {"id": "earlier", "student": EMAILS[7], "origin": "Room 101", "destination": "Library",
         "creator": TEACHER["email"], "source": "teacher", "type": "now",
         "start": iso(earlier_today(60)), "end": iso(earlier_today(50)), "cancelled": ""},
        {"id": "just-back", "student": EMAILS[8], "origin": "Room 101",
         "destination": "Library", "creator": TEACHER["email"], "source": "teacher",
         "type": "now", "start": iso(ago(9)), "end": iso(ago(2)), "cancelled": ""},
    ])
    with store.server().start() as srv:
        teacher, kiosk, admin = (sign_in(srv, who) for who in (TEACHER, KIOSK, ADMIN))

        def out(i, origin="Room 101", destination="Library"):
            ok(teacher.create_pass(student=EMAILS[i], origin=origin, destination=destination),
               201)

        out(2)
        refused(teacher.create_pass(student=EMAILS[2], origin="Room 102",
                                    destination="Library"), "student_active")
        out(0)
        refused(teacher.create_pass(student=EMAILS[1], origin="Room 102",
                                    destination="Library"), "encounter")
        out(3, origin=SMALL_FROM)
        refused(teacher.create_pass(student=EMAILS[4], origin=SMALL_FROM,
                                    destination="Library"), "max_from")
        out(5, destination=SMALL_TO)
        refused(teacher.create_pass(student=EMAILS[6], origin="Room 102",
                                    destination=SMALL_TO), "max_to")
        ok(admin.patch("/api/settings", {"max_passes_per_day": 1}))
        refused(teacher.create_pass(student=EMAILS[7], origin="Room 102",
                                    destination="Library"), "student_limit")
        ok(admin.patch("/api/settings", {"max_passes_per_day": None, "cooldown_minutes": 30}))
        refused(kiosk.create_pass(student=EMAILS[8], destination="Library"), "cooldown")
        ok(admin.patch("/api/settings", {"cooldown_minutes": None}))
        b = ok(admin.post("/api/blackouts", {"end": None, "reason": "Drill"}), 201)
        refused(kiosk.create_pass(student=EMAILS[9], destination="Library"), "no_pass_time")
        ok(admin.delete(f"/api/blackouts/{b['id']}"))
        ok(admin.patch("/api/settings", {"max_active_passes": len(teacher.active())}))
        refused(kiosk.create_pass(student=EMAILS[10], destination="Library"), "hallway_cap")


@pytest.fixture(scope="module")
def store(module_stores):
    st = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK), extra_students=KIDS,
                     rooms=[room(SMALL_FROM, max_from=1), room(SMALL_TO, max_to=1)])
    refuse_by_every_rule(st)
    return st


def id_of(store: Store, table: str, column: str, value: str) -> int:
    return int(store.sql(f"SELECT id FROM {table} WHERE {column} = ?", (value,))[0][0])


def test_each_refusal_is_a_row_and_check_agrees(store):
    rows = store.sql("SELECT rule, student_id, origin_id, destination_id, source, local_day"
                     " FROM refusals ORDER BY rule")
    student = {e: id_of(store, "users", "email", e) for e in EMAILS}
    rooms = {n: id_of(store, "rooms", "name", n)
             for n in ("Room 101", "Room 102", "Library", SMALL_FROM, SMALL_TO)}
    day = today_number()
    assert [tuple(str(v) for v in r) for r in rows] == [tuple(str(v) for v in r) for r in [
        (1, student[EMAILS[2]], rooms["Room 102"], rooms["Library"], "teacher", day),
        (2, student[EMAILS[9]], rooms["Room 101"], rooms["Library"], "kiosk_login", day),
        (3, student[EMAILS[1]], rooms["Room 102"], rooms["Library"], "teacher", day),
        (4, student[EMAILS[8]], rooms["Room 101"], rooms["Library"], "kiosk_login", day),
        (5, student[EMAILS[7]], rooms["Room 102"], rooms["Library"], "teacher", day),
        (6, student[EMAILS[4]], rooms[SMALL_FROM], rooms["Library"], "teacher", day),
        (7, student[EMAILS[6]], rooms["Room 102"], rooms[SMALL_TO], "teacher", day),
        (8, student[EMAILS[10]], rooms["Room 101"], rooms["Library"], "kiosk_login", day),
    ]], rows
    code, out = check(store)
    assert code == 0 and "8 refusals recounted" in out and "all agree" in out, out
    assert "not compared" not in out, out


def corrupt(store: Store, kind: int, subject: int, column: str, by: int) -> None:
    store.sql(f"UPDATE usage_counts SET {column} = {column} + ? WHERE kind = ? AND period = 0"
              " AND bucket = ? AND id = ?", (by, kind, today_number(), subject))


CORRUPTIONS = [
    # (kind, subject as (table, column, value) or a rule's name, value column, the line's start)
    (RULE_REFUSALS, "max_to", "a", "rule refusals max_to, day {day}: stored 2 refused, "
                                   "the refusals give 1 refused"),
    (ROOM_REFUSALS, ("rooms", "name", SMALL_FROM), "a",
     "room refusals Small From, day {day}: stored 2 refused_from and 0 refused_to, "
     "the refusals give 1 refused_from and 0 refused_to"),
    (ROOM_REFUSALS, ("rooms", "name", SMALL_TO), "b",
     "room refusals Small To, day {day}: stored 0 refused_from and 2 refused_to, "
     "the refusals give 0 refused_from and 1 refused_to"),
    (STUDENT_REFUSALS, ("users", "email", EMAILS[1]), "b",
     f"student refusals {EMAILS[1]}, day {{day}}: stored 1 refused and 2 prevented, "
     "the refusals give 1 refused and 1 prevented"),
]


@pytest.mark.parametrize("kind, subject, column, line", CORRUPTIONS,
                         ids=["rule", "room-from", "room-to", "student-prevented"])
def test_check_names_a_changed_refusal_counter(store, kind, subject, column, line):
    number = RULE_NUMBERS[subject] if isinstance(subject, str) else id_of(store, *subject)
    corrupt(store, kind, number, column, 1)
    try:
        code, out = check(store)
    finally:
        corrupt(store, kind, number, column, -1)
    assert code == 1, out
    assert line.format(day=today().isoformat()) in out, out
    # The day's counter differs; its month's, which nothing changed, still agrees.
    assert "1 of " in out and "counters differ from a recount of" in out, out
    assert "8 refusals" in out, out
    code, out = check(store)
    assert code == 0 and "all agree" in out, out


def test_a_refusal_row_without_its_counter_is_named_too(store):
    # A row the counters never saw (a counter lost, say) shows as a recount above the stored.
    rule = RULE_NUMBERS["cooldown"]
    store.sql("UPDATE usage_counts SET a = a - 1 WHERE kind = ? AND id = ?",
              (RULE_REFUSALS, rule))
    try:
        code, out = check(store)
    finally:
        store.sql("UPDATE usage_counts SET a = a + 1 WHERE kind = ? AND id = ?",
                  (RULE_REFUSALS, rule))
    month = today().isoformat()[:7]
    assert code == 1, out
    assert f"rule refusals cooldown, month {month}: stored 0 refused, the refusals give " \
           "1 refused" in out, out
    assert "4 of " in out, out  # Its day, week, month and quarter.


def test_refusal_counters_from_before_refusals_were_recorded_are_not_compared(stores):
    """A store an older hallpass made: refusal counters, no refusal rows. Opening it migrates
    it; the check then compares every pass counter but none of the refusal counters of the
    days up to the last that an older hallpass counted a refusal on (nor their month), so it
    agrees. Refusals on later days are recounted as any."""
    st = basic_store(stores, users=(ADMIN, TEACHER, KIOSK), extra_students=KIDS,
                     rooms=[room(SMALL_FROM, max_from=1), room(SMALL_TO, max_to=1)])
    refuse_by_every_rule(st)
    # Back to the schema before refusals were rows (SQLite 7, PostgreSQL 6): the counters stay.
    schema_back_to(st.db, 7)
    # A refusal counter of yesterday, as an older hallpass left it.
    yesterday = today_number() - 1
    st.sql("INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b)"
           " SELECT id, ?, 0, ?, ?, 1, 0 FROM schools",
           (RULE_REFUSALS, yesterday, RULE_NUMBERS["max_to"]))
    code, out = check(st)  # Opening the store migrates it.
    assert code == 0 and "all agree" in out, out
    assert "0 refusals recounted" in out, out
    # 8 rules, 3 rooms... all of today's and their month's (and yesterday's) counters.
    skipped = int(out.split(" refusal counters not compared")[0].rsplit("\n", 1)[-1])
    assert skipped > 8, out
    through = st.sql("SELECT through_day FROM refusals_unrecorded")
    assert [int(d) for (d,) in through] == [today_number()], through
    # Pass counters are still compared.
    room101 = id_of(st, "rooms", "name", "Room 101")
    st.sql("UPDATE usage_counts SET a = a + 1 WHERE kind = 0 AND period = 0 AND id = ?",
           (room101,))
    code, out = check(st)
    assert code == 1 and f"room Room 101, day {today().isoformat()}: stored" in out, out
    # Tomorrow's refusals would be rows: a refusal counter after the last unrecorded day with
    # no row under it is named.
    st.sql("UPDATE usage_counts SET a = a - 1 WHERE kind = 0 AND period = 0 AND id = ?",
           (room101,))
    st.sql("UPDATE refusals_unrecorded SET through_day = through_day - 40")
    code, out = check(st)
    assert code == 1 and f"rule refusals max_to, day {today().isoformat()}: stored 1 refused," \
                         " the refusals give 0 refused" in out, out
