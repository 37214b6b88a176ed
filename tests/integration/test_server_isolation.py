"""Two schools in one store (nothing of one school is visible to users of
another): an admin of school B neither sees nor touches school A's passes, rooms, students
or report rows, even by guessing ids."""

from __future__ import annotations

import json

import pytest

from server_util import Store, future, ok, room, students, user

A, B = "Lincoln High", "Roosevelt High"
A_ADMIN = user("Ann Admin", "admin@lincoln.test", "admin", "a-admin-pass")
A_TEACHER = user("Tom Teacher", "teacher@lincoln.test", "teacher", "a-teacher-pass")
B_ADMIN = user("Bea Boss", "admin@roosevelt.test", "admin", "b-admin-pass")
B_TEACHER = user("Bob Teacher", "teacher@roosevelt.test", "teacher", "b-teacher-pass")
# One person works at both schools, with a password at each.
A_SHARED = user("Pat Both", "pat@district.test", "teacher", "pat-at-lincoln")
B_SHARED = user("Pat Both", "pat@district.test", "admin", "pat-at-roosevelt")
A_STUDENTS = students("alpha", 4, "lincoln.test")
B_STUDENTS = students("beta", 4, "roosevelt.test")
# Both schools have a "Room 101"; each has rooms of its own.
A_ROOMS = [room("Room 101", "Science"), room("Gym", "", max_to=1), room("Lincoln Library")]
B_ROOMS = [room("Room 101", "Math"), room("Cafeteria"), room("Roosevelt Library")]


@pytest.fixture(scope="module")
def store(module_stores):
    s = Store.new(module_stores)
    s.init(A, "America/Chicago")
    s.init(B, "America/New_York")
    s.rooms(A_ROOMS, school=A).users([A_ADMIN, A_TEACHER, A_SHARED, *A_STUDENTS], school=A)
    s.rooms(B_ROOMS, school=B).users([B_ADMIN, B_TEACHER, B_SHARED, *B_STUDENTS], school=B)
    return s


@pytest.fixture(scope="module")
def server(store):
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


def login(server, who):
    return server.sign_in(who["email"], who["password"])


@pytest.fixture(scope="module")
def a_admin(server):
    return login(server, A_ADMIN)


@pytest.fixture(scope="module")
def b_admin(server):
    return login(server, B_ADMIN)


@pytest.fixture(scope="module")
def a_passes(server):
    """In school A: a now pass and a scheduled pass, made by A's teacher."""
    t = login(server, A_TEACHER)
    now = ok(t.create_pass(student=A_STUDENTS[0]["email"], origin="Room 101",
                           destination="Gym"), 201)
    scheduled = ok(t.create_pass(student=A_STUDENTS[1]["email"], origin="Room 101",
                                 destination="Lincoln Library", type="scheduled",
                                 start=future(180)), 201)
    return now, scheduled


def test_each_admin_signs_in_to_their_own_school(a_admin, b_admin):
    assert ok(a_admin.get("/api/session"))["school"]["name"] == A
    doc = ok(b_admin.get("/api/session"))
    assert doc["school"] == {"name": B, "timezone": "America/New_York"}


def test_the_password_picks_the_school_of_a_shared_email(server):
    a = server.sign_in(A_SHARED["email"], A_SHARED["password"])
    me = ok(a.get("/api/session"))
    assert me["school"]["name"] == A and me["user"]["role"] == "teacher"
    assert a.get("/api/reports/rooms").status == 403  # a teacher at A
    b = server.sign_in(B_SHARED["email"], B_SHARED["password"])
    me = ok(b.get("/api/session"))
    assert me["school"]["name"] == B and me["user"]["role"] == "admin"
    assert ok(b.get("/api/reports/rooms"))["school"] == B
    r = server.client().post("/api/session", {"email": A_SHARED["email"], "password": "neither"})
    assert r.status == 401, r


@pytest.mark.parametrize("action", ["end", "cancel"])
@pytest.mark.parametrize("which", [0, 1])
def test_other_schools_pass_ids_are_not_found(server, b_admin, a_admin, a_passes, action,
                                              which):
    pid = a_passes[which]["id"]
    for c in (b_admin, login(server, B_TEACHER)):
        r = c.post(f"/api/passes/{pid}/{action}")
        assert r.status == 404, r
        r.error
        assert A_STUDENTS[which]["email"] not in r.body.decode()
    # School A's pass is as it was.
    mine = {p["id"]: p for p in a_admin.active() + a_admin.upcoming()}
    assert mine[pid]["end"] is None and mine[pid]["cancelled"] is False


def test_other_schools_rooms_cannot_be_patched(a_admin, b_admin):
    a_rooms = {rm["name"]: rm for rm in a_admin.rooms()}
    gym = a_rooms["Gym"]
    r = b_admin.patch(f"/api/rooms/{gym['id']}", {"max_passes_to": 50, "name": "Taken"})
    assert r.status == 404, r
    r.error
    r = b_admin.patch(f"/api/rooms/{a_rooms['Room 101']['id']}", {"folder": "B's now"})
    assert r.status == 404, r
    assert {rm["name"]: rm for rm in a_admin.rooms()} == a_rooms


def test_lists_show_only_the_own_school(a_admin, b_admin, a_passes):
    b_rooms = b_admin.rooms()
    assert sorted(rm["name"] for rm in b_rooms) == sorted(rm["name"] for rm in B_ROOMS)
    assert {rm["folder"] for rm in b_rooms if rm["name"] == "Room 101"} == {"Math"}
    a_ids = {rm["id"] for rm in a_admin.rooms()}
    assert not a_ids & {rm["id"] for rm in b_rooms}

    assert b_admin.active() == []
    found = ok(b_admin.get("/api/students?q="))["students"]
    assert sorted(s["email"] for s in found) == sorted(s["email"] for s in B_STUDENTS)
    assert ok(b_admin.get("/api/students?q=alpha"))["students"] == []


def test_passes_cannot_name_another_schools_students_or_rooms(server, b_admin, a_admin):
    b_teacher = login(server, B_TEACHER)
    r = b_teacher.create_pass(student=A_STUDENTS[2]["email"], origin="Room 101",
                              destination="Cafeteria")
    assert r.status == 400 and "student" in r.error, r
    r = b_teacher.create_pass(student=B_STUDENTS[2]["email"], origin="Room 101",
                              destination="Lincoln Library")
    assert r.status == 400 and "destination" in r.error, r
    # A user id of school A, given as the student, is not found either.
    a_student_id = ok(a_admin.get("/api/students?q=alpha%20student%2002"))["students"][0]["id"]
    r = b_teacher.create_pass(student=str(a_student_id), origin="Room 101",
                              destination="Cafeteria")
    assert r.status == 400 and "student" in r.error, r
    assert b_admin.active() == []
    assert A_STUDENTS[2]["email"] not in [p["student"] for p in a_admin.active()]


def test_room_names_and_limits_are_per_school(server, b_admin, a_admin, a_passes):
    """A's Gym is full (max 1 to it); B may make its own Gym and passes to it."""
    ok(b_admin.post("/api/rooms", {"name": "Gym", "max_passes_to": 1}), 201)
    p = ok(b_admin.create_pass(student=B_STUDENTS[3]["email"], origin="Room 101",
                               destination="Gym"), 201)
    assert p["destination"] == "Gym"
    r = b_admin.create_pass(student=B_STUDENTS[0]["email"], origin="Cafeteria",
                            destination="Gym")
    assert r.status == 409 and r.error == "Gym: 1 of 1 passes to this room are active", r
    ok(b_admin.end_pass(p["id"]))
    # A's Gym still holds exactly A's one pass.
    assert [q["id"] for q in a_admin.active() if q["destination"] == "Gym"] == \
        [a_passes[0]["id"]]


@pytest.mark.parametrize("kind", ["rooms", "staff"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_reports_show_only_the_own_school(store, server, a_admin, b_admin, a_passes, kind, fmt):
    r = b_admin.get(f"/api/reports/{kind}?format={fmt}")
    assert r.status == 200, r
    text = r.body.decode("utf-8-sig")
    for name in ("Lincoln Library", "Science", "Ann Admin", "admin@lincoln.test",
                 "Tom Teacher", "teacher@lincoln.test", "Lincoln High"):
        assert name not in text, (name, text)
    if fmt == "json":
        doc = json.loads(text)
        assert doc["school"] == B
        key = "room" if kind == "rooms" else "email"
        expect = ({rm["name"] for rm in b_admin.rooms()} if kind == "rooms"
                  else {B_ADMIN["email"], B_TEACHER["email"], B_SHARED["email"]})
        assert {row[key] for row in doc["rows"]} == expect
        # School A's passes of today do not count in B's rows.
        if kind == "rooms":
            assert all(row["passes_to"] == 0 for row in doc["rows"] if row["room"] != "Gym")
        assert r.body == store.report(kind, "--format", "json", school=B)

    a = a_admin.get(f"/api/reports/{kind}?format={fmt}").body.decode("utf-8-sig")
    for name in ("Roosevelt Library", "Cafeteria", "Bea Boss", "admin@roosevelt.test"):
        assert name not in a
