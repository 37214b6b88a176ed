"""Encounter groups end to end, on both stores: the admins' API and `hallpass import groups`
with their errors and roles, and the encounter rule in a pass's transaction. A student or a
kiosk refused by it is told only to ask their teacher (no `rule`, no group, no other
student), a teacher is told the group's name and may override it, a paused group refuses
nothing, and each prevented pass is recorded and counted. Two students of one group are
never out at once, however many requests come together. `hallpass check` still agrees."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from server_util import (ADMIN, KIOSK, SCHOOL, TEACHER, Store, basic_store, cli, ok, race, room,
                         sign_in, signed_in_fixture, students, user, write_csv)

PUPILS = students("grp", 80)
SELF = [user(f"Group Self {i:02d}", f"gself{i:02d}@lincoln.test", "student", f"gself-pass-{i:02d}")
        for i in range(4)]
OTHER_SCHOOL = "Other High"
OTHER_ADMIN = user("Olga Other", "olga@other.test", "admin", "other-pass-1")
GENERIC = "You can't start a pass right now. Please ask your teacher."
ENCOUNTER = 3
# Counter kinds as the store keeps them (store/counter.h).
RULE_REFUSALS, STUDENT_REFUSALS, GROUP_REFUSALS = 2, 4, 5
GROUP_OVERRIDES = 16


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


_history = itertools.count()


def out_now(store: Store, email: str, minutes: float = 5) -> None:
    """An open pass of the student's, started `minutes` ago, imported as history."""
    store.passes([{"id": f"group-history-{next(_history)}", "student": email,
                   "origin": "Room 102", "destination": "Restroom A",
                   "creator": TEACHER["email"], "source": "teacher", "type": "now",
                   "start": iso(now_utc() - dt.timedelta(minutes=minutes)), "end": "",
                   "cancelled": ""}], school=SCHOOL)


def today_number() -> int:
    return (dt.datetime.now(ZoneInfo("America/Chicago")).date() - dt.date(1970, 1, 1)).days


def counter(store: Store, kind: int, subject: int, column: str = "a") -> int:
    rows = store.sql(f"SELECT {column} FROM usage_counts WHERE kind = ? AND period = 0"
                     " AND bucket = ? AND id = ?", (kind, today_number(), subject))
    return int(rows[0][0]) if rows else 0


def user_id(store: Store, email: str) -> int:
    return int(store.sql("SELECT id FROM users WHERE email = ?", (email,))[0][0])


def name_of(email: str) -> str:
    return next(p["name"] for p in [*PUPILS, *SELF] if p["email"] == email)


@pytest.fixture(scope="module")
def store(module_stores):
    st = basic_store(module_stores, users=(ADMIN, TEACHER, KIOSK, *SELF), extra_students=PUPILS)
    # Student IDs for the first pupils, so that a group may name them by ID.
    st._import("users", ["name", "email", "role", "student_id"],
               [{"name": p["name"], "email": p["email"], "role": "student",
                 "student_id": f"G-{i:03d}"} for i, p in enumerate(PUPILS[:10])], SCHOOL)
    st.init(OTHER_SCHOOL)
    st.users([OTHER_ADMIN, *students("oth", 3, "other.test")], school=OTHER_SCHOOL)
    return st


@pytest.fixture(scope="module")
def server(store):
    srv = store.server("--threads", "16").start()
    yield srv
    assert srv.stop() == 0, srv.log()
    out = cli("check", "--db", store.db, "--school", SCHOOL).stdout.decode()
    assert "agree" in out, out


admin = signed_in_fixture(ADMIN, "admin")
teacher = signed_in_fixture(TEACHER, "teacher")
kiosk = signed_in_fixture(KIOSK, "kiosk")


@pytest.fixture(scope="module")
def _numbers(server):
    return {"pupils": itertools.count(10), "self": itertools.count(), "groups": itertools.count()}


@pytest.fixture
def pupils(_numbers):
    """pupils(n): emails of n students no other test uses."""
    return lambda n=1: [PUPILS[next(_numbers["pupils"])]["email"] for _ in range(n)]


@pytest.fixture
def self_student(server, _numbers):
    who = SELF[next(_numbers["self"])]
    return who, sign_in(server, who)


@pytest.fixture
def group_name(_numbers):
    return lambda: f"Group {next(_numbers['groups']):03d}"


def groups_of(client) -> list[dict]:
    return ok(client.get("/api/encounter-groups"))["groups"]


# --------------------------------------------------------------------------------------------
# The API


def test_an_admin_creates_lists_changes_pauses_and_removes_a_group(admin, pupils, group_name):
    a, b, c = pupils(3)
    name = group_name()
    g = ok(admin.post("/api/encounter-groups", {"name": name, "students": [a, "G-001"]}), 201)
    assert g["name"] == name and g["active"] is True
    assert sorted(s["email"] for s in g["students"]) == sorted([a, PUPILS[1]["email"]])
    assert g["students"][0].keys() >= {"id", "name", "email", "student_id"}
    assert any(x["id"] == g["id"] for x in groups_of(admin))

    renamed = name + " renamed"
    h = ok(admin.patch(f"/api/encounter-groups/{g['id']}", {"name": renamed,
                                                             "students": [a, b, c]}))
    assert h["name"] == renamed and len(h["students"]) == 3 and h["active"] is True
    paused = ok(admin.patch(f"/api/encounter-groups/{g['id']}", {"active": False}))
    assert paused["active"] is False and len(paused["students"]) == 3
    listed = next(x for x in groups_of(admin) if x["id"] == g["id"])
    assert listed == paused

    ok(admin.delete(f"/api/encounter-groups/{g['id']}"))
    assert all(x["id"] != g["id"] for x in groups_of(admin))
    r = admin.delete(f"/api/encounter-groups/{g['id']}")
    assert r.status == 404, r
    r = admin.patch(f"/api/encounter-groups/{g['id']}", {"active": True})
    assert r.status == 404, r


@pytest.mark.parametrize("body, status, error", [
    ({"students": ["grp10@lincoln.test", "grp11@lincoln.test"]}, 400, "name: missing"),
    ({"name": "Solo", "students": ["grp10@lincoln.test"]}, 400,
     "students: 1 given; an encounter group has 2 to 20 students"),
    ({"name": "Crowd", "students": [p["email"] for p in PUPILS[:21]]}, 400,
     "students: 21 given; an encounter group has 2 to 20 students"),
    ({"name": "Ghost", "students": ["grp10@lincoln.test", "nobody@lincoln.test"]}, 400,
     'students[1]: no student with email or student ID "nobody@lincoln.test"'),
    ({"name": "Ghost ID", "students": ["grp10@lincoln.test", "NO-SUCH"]}, 400,
     'students[1]: no student with email or student ID "NO-SUCH"'),
    ({"name": "Staff", "students": ["grp10@lincoln.test", TEACHER["email"]]}, 400,
     f'students[1]: "{TEACHER["email"]}" is not a student'),
    ({"name": "Twice", "students": ["grp10@lincoln.test", "GRP10@lincoln.test"]}, 400,
     'students[1]: "GRP10@lincoln.test" is the same student as students[0]'),
    ({"name": "Typed", "students": "grp10@lincoln.test"}, 400,
     "students: must be a list of emails or student IDs"),
    ({"name": "Flag", "students": ["grp10@lincoln.test", "grp11@lincoln.test"],
      "active": "yes"}, 400, "active: must be true or false"),
    ({"name": "Extra", "students": [], "colour": "red"}, 400,
     '"colour" is not a field of an encounter group'),
])
def test_a_bad_group_is_refused_naming_the_field_and_changes_nothing(admin, body, status,
                                                                     error):
    before = groups_of(admin)
    r = admin.post("/api/encounter-groups", body)
    assert r.status == status, r
    assert r.json["error"] == error, r.json
    assert groups_of(admin) == before


def test_a_name_is_unique_in_the_school_without_regard_to_case(admin, pupils, group_name):
    a, b = pupils(2)
    name = group_name()
    g = ok(admin.post("/api/encounter-groups", {"name": name, "students": [a, b]}), 201)
    r = admin.post("/api/encounter-groups", {"name": name.upper(), "students": [a, b]})
    assert r.status == 400, r
    assert r.json["error"] == f'name: an encounter group named "{name.upper()}" already exists'
    other = ok(admin.post("/api/encounter-groups", {"name": group_name(), "students": [a, b]}),
               201)
    r = admin.patch(f"/api/encounter-groups/{other['id']}", {"name": name})
    assert r.status == 400 and "already exists" in r.json["error"], r
    r = admin.patch(f"/api/encounter-groups/{g['id']}", {"students": [a]})
    assert r.status == 400 and r.json["error"].startswith("students: 1 given"), r
    assert next(x for x in groups_of(admin) if x["id"] == g["id"]) == g


def test_only_admins_see_or_change_groups(server, admin, teacher, kiosk, self_student, pupils,
                                          group_name):
    _, student = self_student
    a, b = pupils(2)
    g = ok(admin.post("/api/encounter-groups", {"name": group_name(), "students": [a, b]}), 201)
    for client in (teacher, kiosk, student):
        for method, path, body in [
                ("GET", "/api/encounter-groups", None),
                ("POST", "/api/encounter-groups", {"name": "X", "students": [a, b]}),
                ("POST", "/api/encounter-groups", {"bad": True}),
                ("PATCH", f"/api/encounter-groups/{g['id']}", {"active": False}),
                ("DELETE", f"/api/encounter-groups/{g['id']}", None)]:
            r = client.request(method, path, body) if body is not None else \
                client.request(method, path)
            assert r.status == 403, (method, path, r)
            assert g["name"] not in r.body.decode() and a not in r.body.decode()
    assert next(x for x in groups_of(admin) if x["id"] == g["id"]) == g

    other = sign_in(server, OTHER_ADMIN)
    assert groups_of(other) == []
    assert other.patch(f"/api/encounter-groups/{g['id']}", {"active": False}).status == 404
    assert other.delete(f"/api/encounter-groups/{g['id']}").status == 404
    r = other.post("/api/encounter-groups", {"name": "Cross", "students": [a, b]})
    assert r.status == 400 and "no student" in r.json["error"], r
    assert next(x for x in groups_of(admin) if x["id"] == g["id"]) == g


# --------------------------------------------------------------------------------------------
# The encounter rule


def no_secret(r, secrets) -> None:
    text = r.body.decode()
    for s in secrets:
        assert s not in text, (s, text)


def test_the_rule_for_a_student_a_kiosk_and_a_teacher(store, admin, teacher, kiosk,
                                                      self_student, pupils, group_name):
    who, student = self_student
    (mate,) = pupils()
    name = group_name()
    g = ok(admin.post("/api/encounter-groups", {"name": name, "students": [who["email"], mate]}),
           201)
    out_now(store, mate)
    secrets = [name, mate, name_of(mate)]
    sid = user_id(store, who["email"])
    before = (counter(store, RULE_REFUSALS, ENCOUNTER), counter(store, STUDENT_REFUSALS, sid),
              counter(store, STUDENT_REFUSALS, sid, "b"), counter(store, GROUP_REFUSALS, g["id"]))

    r = student.create_pass(origin="Room 101", destination="Library")
    assert r.status == 409, r
    assert r.json == {"error": GENERIC}, r.json
    no_secret(r, secrets)
    r = kiosk.create_pass(student=who["email"], destination="Library")
    assert r.status == 409, r
    assert r.json == {"error": GENERIC}, r.json
    no_secret(r, secrets)
    # Nothing the student or the kiosk reads tells of the group or the other student.
    for client in (student, kiosk):
        day = dt.datetime.now(ZoneInfo("America/Chicago")).date().isoformat()
        for path in ("/api/passes?active=true", f"/api/passes?date={day}",
                     "/api/passes?scheduled=true", "/api/session"):
            no_secret(ok_response(client.get(path)), secrets)
    r = student.create_pass(origin="Room 101", destination="Library", override=True)
    assert r.status == 403, r
    no_secret(r, secrets)

    r = teacher.create_pass(student=who["email"], origin="Room 101", destination="Library")
    assert r.status == 409, r
    assert r.json["error"] == f'Encounter group "{name}": another student of this group is out'
    assert r.json["rule"] == "encounter"
    assert mate not in r.body.decode() and name_of(mate) not in r.body.decode()

    after = (counter(store, RULE_REFUSALS, ENCOUNTER), counter(store, STUDENT_REFUSALS, sid),
             counter(store, STUDENT_REFUSALS, sid, "b"), counter(store, GROUP_REFUSALS, g["id"]))
    assert [x - y for x, y in zip(after, before)] == [3, 3, 3, 3]
    rows = store.sql("SELECT group_id, group_name, source FROM encounter_prevented"
                     " WHERE student_id = ? ORDER BY id", (sid,))
    assert [(int(r[0]), r[1], r[2]) for r in rows] == [
        (g["id"], name, "student"), (g["id"], name, "kiosk_login"), (g["id"], name, "teacher")]

    overridden = counter(store, GROUP_OVERRIDES, g["id"])
    p = ok(teacher.create_pass(student=who["email"], origin="Room 101", destination="Library",
                               override=True), 201)
    assert p["overrides"] == ["encounter"]
    # The override is counted for the group whose rule it passed.
    assert counter(store, GROUP_OVERRIDES, g["id"]) == overridden + 1
    listed = [x for x in teacher.active() if x["id"] == p["id"]]
    assert listed and listed[0]["overrides"] == ["encounter"]
    # The student's own pass and the kiosk's list do not tell that a group was overridden.
    for client in (student, kiosk):
        for path in ("/api/passes?active=true", f"/api/passes?date={day}"):
            r = ok_response(client.get(path))
            mine = [x for x in r.json["passes"] if x["id"] == p["id"]]
            assert mine and mine[0]["overrides"] == [], (path, mine)
            assert "encounter" not in r.body.decode(), path
    ok(teacher.end_pass(p["id"]))


def test_kiosk_mode_is_told_no_more_than_a_kiosk(server, store, admin, pupils, group_name):
    kid, mate = pupils(2)
    name = group_name()
    ok(admin.post("/api/encounter-groups", {"name": name, "students": [kid, mate]}), 201)
    out_now(store, mate)
    # A teacher's own session turned into a kiosk in its room: the kiosk's words, no more.
    staffed = sign_in(server, TEACHER)
    ok(staffed.post("/api/kiosk", {"room": "Room 101"}))
    r = staffed.create_pass(student=kid, destination="Library")
    assert r.status == 409, r
    assert r.json == {"error": GENERIC}, r.json
    no_secret(r, [name, mate, name_of(mate)])
    for path in ("/api/passes?active=true", "/api/session"):
        no_secret(ok_response(staffed.get(path)), [name, mate, name_of(mate)])
    rows = store.sql("SELECT source FROM encounter_prevented WHERE student_id = ?",
                     (user_id(store, kid),))
    assert [r[0] for r in rows] == ["kiosk_mode"]


def ok_response(r):
    assert r.status == 200, r
    return r


def test_a_paused_group_refuses_nothing_and_a_resumed_one_does(store, admin, self_student,
                                                               pupils, group_name, teacher):
    who, student = self_student
    (mate,) = pupils()
    g = ok(admin.post("/api/encounter-groups", {"name": group_name(),
                                                "students": [who["email"], mate],
                                                "active": False}), 201)
    assert g["active"] is False
    out_now(store, mate)
    p = ok(student.create_pass(origin="Room 101", destination="Library"), 201)
    ok(student.end_pass(p["id"]))
    ok(admin.patch(f"/api/encounter-groups/{g['id']}", {"active": True}))
    r = student.create_pass(origin="Room 101", destination="Library")
    assert r.status == 409 and r.json == {"error": GENERIC}, r
    # The other student's pass ends: the group no longer refuses.
    (theirs,) = [x for x in teacher.active() if x["student"] == mate]
    ok(teacher.end_pass(theirs["id"]))
    p = ok(student.create_pass(origin="Room 101", destination="Library"), 201)
    ok(student.end_pass(p["id"]))


def test_a_group_refuses_only_its_own_students(store, admin, teacher, pupils, group_name):
    a, b, stranger = pupils(3)
    ok(admin.post("/api/encounter-groups", {"name": group_name(), "students": [a, b]}), 201)
    out_now(store, a)
    p = ok(teacher.create_pass(student=stranger, origin="Room 101", destination="Library"), 201)
    ok(teacher.end_pass(p["id"]))
    # The student who is out meets rule 1 first, never the encounter rule.
    r = teacher.create_pass(student=a, origin="Room 101", destination="Library")
    assert r.status == 409 and r.json["rule"] == "student_active", r


def test_two_students_of_a_group_are_never_out_together(stores):
    """40 teacher requests released together, two for each of a group's 20 students, with
    nobody out, each between two rooms of its own (so that no room's lock puts them in a
    line; only the group's does): exactly one pass is made; every other request is refused,
    by the encounter rule or, for the student who is out, by their active pass."""
    kids = students("meet", 20)
    lanes = [(room(f"From {i:02d}"), room(f"To {i:02d}")) for i in range(40)]
    store = basic_store(stores, users=(ADMIN, TEACHER), extra_students=kids,
                        rooms=[r for lane in lanes for r in lane])
    f = write_csv(store.dir / "race-groups.csv", ["group", "student"],
                  [{"group": "Race", "student": k["email"]} for k in kids])
    cli("import", "groups", "--db", store.db, f)
    with store.server("--threads", "16").start() as srv:
        teacher = sign_in(srv, TEACHER)
        answers = race(teacher, [("POST", "/api/passes",
                                  {"student": kids[i // 2]["email"], "origin": lanes[i][0]["name"],
                                   "destination": lanes[i][1]["name"]})
                                 for i in range(40)])
        made = [r for r in answers if r.status == 201]
        assert len(made) == 1, [r.status for r in answers]
        rules = sorted({r.json["rule"] for r in answers if r.status != 201})
        assert all(r.status == 409 for r in answers if r.status != 201)
        assert rules in (["encounter"], ["encounter", "student_active"]), rules
        assert len(teacher.active()) == 1
    prevented = store.sql("SELECT count(*) FROM encounter_prevented")
    assert int(prevented[0][0]) == sum(1 for r in answers if r.status == 409
                                       and r.json["rule"] == "encounter")
    out = cli("check", "--db", store.db).stdout.decode()
    assert "agree" in out, out
    # The group's counter is recounted from the recorded prevented passes.
    store.sql("UPDATE usage_counts SET a = a + 1 WHERE kind = ? AND period = 0",
              (GROUP_REFUSALS,))
    done = cli("check", "--db", store.db, check=False)
    out = (done.stdout + done.stderr).decode()
    assert done.returncode != 0 and "group refusals Race, day" in out, out


# --------------------------------------------------------------------------------------------
# The import


def import_groups(store: Store, rows, name="groups.csv", check=True, columns=("group", "student")):
    f = write_csv(store.dir / name, list(columns), rows)
    return f, cli("import", "groups", "--db", store.db, "--school", SCHOOL, f, check=check)


def test_the_import_replaces_the_groups_it_names_and_twice_changes_nothing(store, admin,
                                                                           pupils):
    a, b, c, d = pupils(4)
    kept = ok(admin.post("/api/encounter-groups", {"name": "Not In The File",
                                                   "students": [a, b]}), 201)
    rows = [{"group": "Imported A", "student": a}, {"group": "Imported A", "student": "G-002"},
            {"group": "Imported B", "student": c}, {"group": "imported b", "student": d},
            {"group": "Imported B", "student": a}]
    f, out = import_groups(store, rows, "first.csv")
    assert out.stdout.decode().strip() == f"{f}: 5 rows: 2 groups added, 0 updated, 0 unchanged"
    by_name = {g["name"]: g for g in groups_of(admin)}
    assert sorted(s["email"] for s in by_name["Imported A"]["students"]) == \
        sorted([a, PUPILS[2]["email"]])
    assert sorted(s["email"] for s in by_name["Imported B"]["students"]) == sorted([a, c, d])
    before = groups_of(admin)
    f, out = import_groups(store, rows, "again.csv")
    assert out.stdout.decode().strip() == f"{f}: 5 rows: 0 groups added, 0 updated, 2 unchanged"
    assert groups_of(admin) == before

    # A paused group stays paused; its students become the file's.
    ok(admin.patch(f"/api/encounter-groups/{by_name['Imported B']['id']}", {"active": False}))
    f, out = import_groups(store, [{"group": "Imported B", "student": c},
                                   {"group": "Imported B", "student": b}], "third.csv")
    assert "0 groups added, 1 updated, 0 unchanged" in out.stdout.decode()
    g = next(x for x in groups_of(admin) if x["name"] == "Imported B")
    assert g["active"] is False and sorted(s["email"] for s in g["students"]) == sorted([b, c])
    assert next(x for x in groups_of(admin) if x["id"] == kept["id"]) == kept


@pytest.mark.parametrize("rows, line, error", [
    ([{"group": "Bad", "student": "grp10@lincoln.test"},
      {"group": "Bad", "student": "nobody@lincoln.test"}], 3,
     'student: no student with email or student ID "nobody@lincoln.test"'),
    ([{"group": "Bad", "student": "grp10@lincoln.test"},
      {"group": "Bad", "student": TEACHER["email"]}], 3,
     f'student: "{TEACHER["email"]}" is not a student'),
    ([{"group": "Bad", "student": "grp10@lincoln.test"},
      {"group": "Bad", "student": "G-000"},
      {"group": "Lonely", "student": "grp11@lincoln.test"}], 4,
     'group: "Lonely" has 1 student; an encounter group has 2 to 20'),
    ([{"group": "Bad", "student": "grp10@lincoln.test"},
      {"group": "Bad", "student": "GRP10@lincoln.test"}], 3,
     'student: "GRP10@lincoln.test" is in group "Bad" already (line 2)'),
    ([{"group": "", "student": "grp10@lincoln.test"}], 2, "group: empty"),
    ([{"group": "Big", "student": p["email"]} for p in PUPILS[:21]], 22,
     'student: group "Big" would have more than 20 students (it starts on line 2)'),
])
def test_a_bad_import_names_file_line_column_value_and_imports_nothing(store, admin, rows,
                                                                       line, error):
    before = groups_of(admin)
    good = [{"group": "Would Be Fine", "student": "grp12@lincoln.test"},
            {"group": "Would Be Fine", "student": "grp13@lincoln.test"}]
    f = write_csv(store.dir / "bad-groups.csv", ["group", "student"], [*rows, *good])
    out = cli("import", "groups", "--db", store.db, "--school", SCHOOL, f, check=False)
    assert out.returncode != 0
    err = out.stderr.decode()
    assert f"{f}:{line}: {error}" in err, err
    assert "nothing was imported" in err
    assert groups_of(admin) == before


def test_a_groups_file_needs_its_columns(store):
    f = write_csv(store.dir / "cols.csv", ["group", "email"], [{"group": "X", "email": "y"}])
    out = cli("import", "groups", "--db", store.db, "--school", SCHOOL, f, check=False)
    assert out.returncode != 0
    assert f'{f}:1: "email" is not a column of a groups file (group, student)' in \
        out.stderr.decode(), out.stderr


def test_help_names_the_groups_import():
    out = cli("import", "--help").stdout.decode()
    assert "groups: group,student" in out and "rooms|users|passes|groups" in out


def test_a_copy_of_the_store_keeps_the_groups(stores):
    kids = students("copy", 3)
    source = basic_store(stores, users=(ADMIN,), extra_students=kids)
    import_groups(source, [{"group": "Kept", "student": k["email"]} for k in kids[:2]],
                  "copy-groups.csv")
    target = Store.new(stores, "copy-target")
    cli("copy", "--from", source.db, "--to", target.db)
    rows = target.sql("SELECT g.name, u.email FROM encounter_groups g"
                      " JOIN encounter_members m ON m.group_id = g.id"
                      " JOIN users u ON u.id = m.student_id ORDER BY u.email")
    assert [tuple(r) for r in rows] == [("Kept", kids[0]["email"]), ("Kept", kids[1]["email"])]
