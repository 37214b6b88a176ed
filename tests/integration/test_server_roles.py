"""Who may do what over HTTP: reports and room changes are for admins;
teachers create passes for students, end them and launch kiosk mode; students create only
their own now passes; a kiosk login and kiosk mode make now passes from their room, with the
source and creator the spec names."""

from __future__ import annotations

import itertools

import pytest

from server_util import (ADMIN, KIOSK, STUDENT, TEACHER, basic_store, future, ok,
                         room, sign_in, students, user)

OTHER_STUDENT = user("Olive Other", "olive@lincoln.test", "student", "olive-pass-1")
KIM = user("Kim Kestrel", "kim@lincoln.test", "teacher", "kim-pass-1")
ROOMS = [room(f"Role Room {i}", "Roles") for i in range(1, 13)]
POOL = students("role", 30)


@pytest.fixture(scope="module")
def server(module_stores):
    store = basic_store(module_stores,
                        users=(ADMIN, TEACHER, STUDENT, OTHER_STUDENT, KIOSK, KIM),
                        rooms=ROOMS, extra_students=POOL)
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


@pytest.fixture(scope="module")
def teacher(server):
    return sign_in(server, TEACHER)


@pytest.fixture(scope="module")
def student(server):
    return sign_in(server, STUDENT)


@pytest.fixture(scope="module")
def kiosk(server):
    return sign_in(server, KIOSK)


@pytest.fixture(scope="module")
def _pool(server):
    """Counts the pupils handed out on the module's server (one count per store)."""
    return itertools.count()


@pytest.fixture
def pupil(_pool):
    """A student (no password) that no other test of this module uses."""
    return POOL[next(_pool)]["email"]


@pytest.fixture(autouse=True)
def clean_slate(teacher):
    """Each test starts with no pass out, whatever the one before left."""
    yield
    for p in teacher.active():
        if p["active"]:
            ok(teacher.end_pass(p["id"]))
        elif p["type"] == "scheduled" and not p["cancelled"]:
            ok(teacher.cancel_pass(p["id"]))


# --------------------------------------------------------------------------------------------
# Admin-only endpoints


REPORTS = ["/api/reports/rooms", "/api/reports/staff", "/api/reports/rooms?format=csv",
           "/api/reports/staff?format=xlsx"]


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("who", ["teacher", "student", "kiosk"])
def test_only_admins_read_reports(request, admin, path, who):
    c = request.getfixturevalue(who)
    r = c.get(path)
    assert r.status == 403, r
    r.error
    assert r.header("Content-Disposition") is None
    assert admin.get(path).status == 200


@pytest.mark.parametrize("who", ["teacher", "student", "kiosk"])
def test_only_admins_create_or_change_rooms(request, admin, who):
    c = request.getfixturevalue(who)
    r = c.post("/api/rooms", {"name": f"Sneaky {who}", "max_passes_to": 5})
    assert r.status == 403, r
    r.error
    rid = admin.room_id("Role Room 12")
    r = c.patch(f"/api/rooms/{rid}", {"max_passes_to": 1})
    assert r.status == 403, r
    r.error
    names = {rm["name"]: rm for rm in admin.rooms()}
    assert f"Sneaky {who}" not in names
    assert names["Role Room 12"]["max_passes_to"] is None


def test_every_signed_in_user_lists_rooms(admin, teacher, student, kiosk):
    names = [rm["name"] for rm in admin.rooms()]
    assert "Room 101" in names and "Role Room 1" in names
    for c in (teacher, student, kiosk):
        assert [rm["name"] for rm in c.rooms()] == names


def test_admin_creates_and_changes_rooms(admin):
    r = admin.post("/api/rooms", {"name": "Role Made Room", "folder": "Made",
                                  "max_passes_from": 3})
    doc = ok(r, 201)
    assert doc["name"] == "Role Made Room" and doc["folder"] == "Made"
    assert doc["max_passes_from"] == 3 and doc["max_passes_to"] is None
    doc = ok(admin.patch(f"/api/rooms/{doc['id']}", {"max_passes_to": 4, "folder": ""}))
    assert doc["max_passes_to"] == 4 and doc["max_passes_from"] == 3 and doc["folder"] == ""


def test_student_lookup_is_for_staff(admin, teacher, student, kiosk):
    r = teacher.get("/api/students?q=ROLE%20student%2003")
    found = [s["email"] for s in ok(r)["students"]]
    assert found == ["role03@lincoln.test"]
    assert all(s["role"] == "student" for s in ok(admin.get("/api/students?q=lincoln"))["students"])
    assert TEACHER["email"] not in [s["email"] for s in
                                    ok(teacher.get("/api/students?q=tom"))["students"]]
    for c in (student, kiosk):
        r = c.get("/api/students?q=role")
        assert r.status == 403, r
        r.error


# --------------------------------------------------------------------------------------------
# Teachers


def test_teacher_creates_and_ends_passes_for_students(teacher, admin, pupil):
    r = teacher.create_pass(student=pupil, origin="Role Room 1", destination="Role Room 2")
    p = ok(r, 201)
    assert p["student"] == pupil and p["source"] == "teacher" and p["type"] == "now"
    assert p["creator"] == TEACHER["email"] and p["active"] is True and p["end"] is None
    assert p["id"] in [q["id"] for q in teacher.active()]
    assert p["id"] in [q["id"] for q in admin.active()]

    ended = ok(teacher.end_pass(p["id"]))
    assert ended["id"] == p["id"] and ended["end"] is not None and ended["active"] is False
    assert p["id"] not in [q["id"] for q in teacher.active()]


def test_admin_may_do_what_a_teacher_may(admin, pupil):
    p = ok(admin.create_pass(student=pupil, origin="Role Room 1", destination="Role Room 3"),
           201)
    assert p["source"] == "teacher" and p["creator"] == ADMIN["email"]
    s = ok(admin.create_pass(student=pupil, origin="Role Room 1", destination="Role Room 3",
                             type="scheduled", start=future(90)), 201)
    assert s["type"] == "scheduled" and s["source"] == "teacher"
    ok(admin.cancel_pass(s["id"]))
    ok(admin.end_pass(p["id"]))


def test_teacher_ends_a_pass_a_student_made(teacher, student):
    p = ok(student.create_pass(origin="Role Room 4", destination="Role Room 5"), 201)
    ended = ok(teacher.end_pass(p["id"]))
    assert ended["active"] is False


def test_staff_may_not_create_passes_for_staff(teacher):
    r = teacher.create_pass(student=ADMIN["email"], origin="Role Room 1",
                            destination="Role Room 2")
    assert r.status == 400, r
    assert "student" in r.error


# --------------------------------------------------------------------------------------------
# Students


def test_student_creates_own_now_pass(student, teacher):
    p = ok(student.create_pass(origin="Role Room 6", destination="Role Room 7"), 201)
    assert p["student"] == STUDENT["email"] and p["creator"] == STUDENT["email"]
    assert p["source"] == "student" and p["type"] == "now" and p["active"]
    mine = student.active()
    assert [q["id"] for q in mine] == [p["id"]]
    # The student ends it themselves.
    ended = ok(student.end_pass(p["id"]))
    assert ended["active"] is False
    # Naming themselves (in any case) is the same as leaving the student out.
    q = ok(student.create_pass(student=STUDENT["email"].upper(), origin="Role Room 6",
                               destination="Role Room 7"), 201)
    assert q["student"] == STUDENT["email"] and q["source"] == "student"
    ok(student.end_pass(q["id"]))


def test_student_may_not_create_a_pass_for_another_student(student, teacher, pupil):
    r = student.create_pass(student=pupil, origin="Role Room 6", destination="Role Room 7")
    assert r.status == 403, r
    assert "student" in r.error
    assert pupil not in [p["student"] for p in teacher.active()]


def test_student_may_not_schedule_a_pass(student, teacher):
    r = student.create_pass(origin="Role Room 6", destination="Role Room 7", type="scheduled",
                            start=future(60))
    assert r.status == 403, r
    assert "type" in r.error
    assert STUDENT["email"] not in [p["student"] for p in teacher.active()]


def test_student_may_not_override_a_limit(student, admin, teacher):
    rid = ok(admin.post("/api/rooms", {"name": "Role Full Room", "max_passes_to": 1}), 201)["id"]
    blocker = ok(teacher.create_pass(student=OTHER_STUDENT["email"], origin="Role Room 8",
                                     destination="Role Full Room"), 201)
    for override in (True, False):
        r = student.create_pass(origin="Role Room 6", destination="Role Full Room",
                                override=override)
        assert r.status in (403, 409), r
        r.error
    r = student.create_pass(origin="Role Room 6", destination="Role Full Room", override=True)
    assert r.status == 403, r
    assert "override" in r.error
    assert STUDENT["email"] not in [p["student"] for p in teacher.active()]
    ok(teacher.end_pass(blocker["id"]))
    assert rid


def test_student_sees_and_ends_only_own_passes(server, student, teacher, pupil):
    theirs = ok(teacher.create_pass(student=pupil, origin="Role Room 9",
                                    destination="Role Room 10"), 201)
    olive = sign_in(server, OTHER_STUDENT)
    mine = ok(olive.create_pass(origin="Role Room 9", destination="Role Room 11"), 201)
    assert [p["id"] for p in olive.active()] == [mine["id"]]
    assert theirs["id"] not in [p["id"] for p in student.active()]
    r = student.end_pass(theirs["id"])
    assert r.status in (403, 404), r
    r.error
    r = student.cancel_pass(mine["id"])
    assert r.status in (403, 404), r
    assert [p["id"] for p in teacher.active() if p["id"] == theirs["id"]] == [theirs["id"]]
    ok(olive.end_pass(mine["id"]))
    ok(teacher.end_pass(theirs["id"]))


def test_student_cannot_cancel_a_scheduled_pass(student, teacher):
    s = ok(teacher.create_pass(student=STUDENT["email"], origin="Role Room 1",
                               destination="Role Room 2", type="scheduled", start=future(120)),
           201)
    r = student.cancel_pass(s["id"])
    assert r.status == 403, r
    r.error
    ok(teacher.cancel_pass(s["id"]))


# --------------------------------------------------------------------------------------------
# Kiosk login


def test_kiosk_session_names_its_room(kiosk):
    doc = ok(kiosk.get("/api/session"))
    assert doc["user"]["role"] == "kiosk"
    assert doc["kiosk"]["room"] == "Room 101"
    assert doc["kiosk"]["kiosk_mode"] is False


def test_kiosk_login_creates_now_passes_from_its_room(kiosk, teacher, pupil):
    p = ok(kiosk.create_pass(student=pupil, destination="Role Room 1"), 201)
    assert p["source"] == "kiosk_login" and p["type"] == "now"
    assert p["creator"] == KIOSK["email"] and p["origin"] == "Room 101"
    assert p["student"] == pupil
    # The kiosk ends a pass from its room (the student comes back).
    ok(kiosk.end_pass(p["id"]))
    # Naming its own room as the origin (in any case) is fine.
    q = ok(kiosk.create_pass(student=pupil, origin="room 101", destination="Role Room 1"), 201)
    assert q["origin"] == "Room 101" and q["source"] == "kiosk_login"
    ok(teacher.end_pass(q["id"]))


def test_kiosk_login_origin_is_always_its_room(kiosk, teacher, pupil):
    r = kiosk.create_pass(student=pupil, origin="Role Room 2", destination="Role Room 1")
    assert r.status == 400, r
    assert "origin" in r.error
    assert pupil not in [p["student"] for p in teacher.active()]


@pytest.mark.parametrize("extra,word", [({"type": "scheduled", "start": future(60)}, "type"),
                                        ({"override": True}, "override")])
def test_kiosk_login_makes_only_plain_now_passes(kiosk, teacher, pupil, extra, word):
    r = kiosk.create_pass(student=pupil, destination="Role Room 1", **extra)
    assert r.status == 403, r
    assert word in r.error
    assert pupil not in [p["student"] for p in teacher.active()]


def test_kiosk_login_cannot_start_or_leave_kiosk_mode(kiosk):
    r = kiosk.post("/api/kiosk", {"room": "Library"})
    assert r.status == 403, r
    r = kiosk.delete("/api/kiosk", {"password": KIOSK["password"]})
    assert r.status == 409, r
    r.error
    assert ok(kiosk.get("/api/session"))["kiosk"]["room"] == "Room 101"


# --------------------------------------------------------------------------------------------
# Kiosk mode


def test_kiosk_mode_passes_carry_the_teacher_as_creator(server, pupil):
    t = sign_in(server, TEACHER)  # its own session: kiosk mode changes the session
    doc = ok(t.post("/api/kiosk", {"room": "Library"}))
    assert doc["kiosk"]["room"] == "Library" and doc["kiosk"]["kiosk_mode"] is True
    me = ok(t.get("/api/session"))
    assert me["kiosk"]["room"] == "Library" and me["kiosk"]["kiosk_mode"] is True

    p = ok(t.create_pass(student=pupil, destination="Role Room 1"), 201)
    assert p["source"] == "kiosk_mode" and p["type"] == "now"
    assert p["creator"] == TEACHER["email"] and p["origin"] == "Library"
    ok(t.end_pass(p["id"]))

    # A kiosk in kiosk mode is a kiosk: no other origin, no scheduling, no override, and
    # none of the staff pages.
    r = t.create_pass(student=pupil, origin="Role Room 2", destination="Role Room 1")
    assert r.status == 400 and "origin" in r.error, r
    r = t.create_pass(student=pupil, destination="Role Room 1", type="scheduled",
                      start=future(60))
    assert r.status == 403, r
    r = t.create_pass(student=pupil, destination="Role Room 1", override=True)
    assert r.status == 403, r
    assert t.get("/api/students?q=a").status == 403
    assert t.post("/api/kiosk", {"room": "Room 102"}).status == 403

    # Leaving needs the teacher's password.
    for body in ({}, {"password": "wrong"}, {"password": STUDENT["password"]}):
        r = t.delete("/api/kiosk", body)
        assert r.status == 403, (body, r)
        assert "password" in r.error
    assert ok(t.get("/api/session"))["kiosk"]["kiosk_mode"] is True
    r = t.create_pass(student=pupil, destination="Role Room 1")
    assert ok(r, 201)["source"] == "kiosk_mode"
    ok(t.end_pass(r.json["id"]))

    ok(t.delete("/api/kiosk", {"password": TEACHER["password"]}))
    assert ok(t.get("/api/session"))["kiosk"] is None
    p = ok(t.create_pass(student=pupil, origin="Role Room 2", destination="Role Room 1"), 201)
    assert p["source"] == "teacher"
    ok(t.end_pass(p["id"]))

    # Leaving again: not in kiosk mode.
    r = t.delete("/api/kiosk", {"password": TEACHER["password"]})
    assert r.status == 409, r


def test_admin_in_kiosk_mode_loses_admin_pages(server):
    a = sign_in(server, ADMIN)
    ok(a.post("/api/kiosk", {"room": "Room 102"}))
    assert a.get("/api/reports/rooms").status == 403
    assert a.post("/api/rooms", {"name": "Kiosk Made"}).status == 403
    ok(a.delete("/api/kiosk", {"password": ADMIN["password"]}))
    assert a.get("/api/reports/rooms").status == 200


def test_kiosk_mode_needs_a_known_room_and_staff(server, student):
    t = sign_in(server, TEACHER)
    r = t.post("/api/kiosk", {"room": "No Such Room"})
    assert r.status == 400 and "room" in r.error, r
    r = t.post("/api/kiosk", {})
    assert r.status == 400 and "room" in r.error, r
    r = student.post("/api/kiosk", {"room": "Library"})
    assert r.status == 403, r
    assert ok(student.get("/api/session"))["kiosk"] is None


def test_guessing_the_kiosk_exit_password_is_slowed_down(server):
    k = sign_in(server, KIM)
    ok(k.post("/api/kiosk", {"room": "Role Room 3"}))
    answers = [k.delete("/api/kiosk", {"password": f"guess-{i}"}) for i in range(10)]
    assert all(r.status in (403, 429) for r in answers), answers
    assert any(r.status == 429 and r.header("Retry-After") for r in answers), \
        [r.status for r in answers]
