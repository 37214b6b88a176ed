"""The Users page's API: admins search, add and change the school's users, deactivate and
reactivate them, and set a new password. Every change makes the checks a users.csv row makes
(with the same messages), a deactivated user's sessions end and they cannot sign in, and
nobody but an admin of the school sees or changes anyone."""

from __future__ import annotations

import json

import pytest

from server_util import ADMIN, TEACHER, Store, ok, room, sign_in, students, user

SCHOOL, OTHER = "Lincoln High", "Roosevelt High"
STUDENT = user("Sam Student", "sam@lincoln.test", "student", "student-pass-1")
OTHER_ADMIN = user("Bea Boss", "admin@roosevelt.test", "admin", "b-admin-pass")
OTHER_STUDENT = user("Rae Roosevelt", "rae@roosevelt.test", "student")


@pytest.fixture(scope="module")
def store(module_stores):
    s = Store.new(module_stores)
    s.init(SCHOOL, "America/Chicago").init(OTHER, "America/New_York")
    s.rooms([room("Room 101", "Science"), room("Library")], school=SCHOOL)
    s.users([ADMIN, TEACHER, STUDENT, *students("pupil", 3)], school=SCHOOL)
    s.rooms([room("Gym")], school=OTHER).users([OTHER_ADMIN, OTHER_STUDENT], school=OTHER)
    return s


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


def find(admin, query="", **params) -> list[dict]:
    q = "&".join([f"q={query}", *(f"{k}={v}" for k, v in params.items())])
    return ok(admin.get(f"/api/users?{q}"))["users"]


def by_email(admin, email) -> dict:
    (u,) = [u for u in find(admin, email) if u["email"] == email]
    return u


def test_search_matches_name_email_and_student_id_of_the_school_only(admin):
    ok(admin.post("/api/users", {"name": "Ida Idris", "email": "ida@lincoln.test",
                                 "role": "student", "student_id": "S-4410"}), 201)
    assert [u["name"] for u in find(admin, "s-44")] == ["Ida Idris"]  # student ID, any case
    assert [u["email"] for u in find(admin, "IDRIS")] == ["ida@lincoln.test"]  # name
    names = [u["name"] for u in find(admin, "pupil")]  # email
    assert names == sorted(names) and len(names) == 3, names
    assert find(admin, "roosevelt") == []  # another school's users never show
    teachers = find(admin, role="teacher")
    assert [u["email"] for u in teachers] == [TEACHER["email"]]
    # A % or _ is a plain character, not a wildcard.
    assert find(admin, "%25") == [] and find(admin, "_") == []


def test_the_limit_is_the_databases_and_says_when_there_are_more(admin):
    doc = ok(admin.get("/api/users?role=student&limit=2"))
    assert len(doc["users"]) == 2 and doc["more"] is True, doc
    doc = ok(admin.get("/api/users?role=student&limit=500"))
    assert doc["more"] is False and len(doc["users"]) >= 5, doc
    for bad in ("0", "501", "x", "-1", "2.5"):
        r = admin.get(f"/api/users?limit={bad}")
        assert r.status == 400 and "limit" in r.error and "500" in r.error, r
    r = admin.get("/api/users?role=janitor")
    assert r.status == 400 and "role" in r.error and "janitor" in r.error, r


def test_an_added_user_has_every_field_and_a_password_to_sign_in_with(admin, server):
    doc = ok(admin.post("/api/users", {
        "name": " Lee Park ", "email": "lee@lincoln.test", "role": "teacher",
        "room": "room 101", "password": "lee-pass-1"}), 201)
    assert doc["name"] == "Lee Park" and doc["room"] == "Room 101", doc
    assert doc["role"] == "teacher" and doc["active"] is True and doc["student_id"] is None
    assert "password" not in doc and "password_hash" not in doc
    assert ok(server.sign_in("lee@lincoln.test", "lee-pass-1").get("/api/session"))
    s = ok(admin.post("/api/users", {"name": "Max Moss", "email": "max@lincoln.test",
                                     "role": "student", "student_id": "S-77",
                                     "max_passes_per_day": 6}), 201)
    assert s["student_id"] == "S-77" and s["max_passes_per_day"] == 6 and s["room"] is None
    assert by_email(admin, "max@lincoln.test") == s
    # The same email again is refused, not an update of the user there.
    r = admin.post("/api/users", {"name": "Other Lee", "email": "LEE@lincoln.test",
                                  "role": "student"})
    assert r.status == 409 and "email" in r.error and "Lee Park" in r.error, r
    assert by_email(admin, "lee@lincoln.test")["name"] == "Lee Park"


@pytest.mark.parametrize("body, field, words", [
    ({"role": "student"}, "name", "empty"),
    ({"name": "No Mail", "role": "student"}, "email", "empty"),
    ({"name": "Bad Mail", "email": "not-an-email", "role": "student"}, "email", "not an email"),
    ({"name": "No Role", "email": "norole@lincoln.test"}, "role", "empty"),
    ({"name": "Odd Role", "email": "odd@lincoln.test", "role": "janitor"}, "role", "janitor"),
    ({"name": "Kim Kiosk", "email": "k@lincoln.test", "role": "kiosk"}, "room", "kiosk needs"),
    ({"name": "Room Kid", "email": "rk@lincoln.test", "role": "student", "room": "Library"},
     "room", "a student has no room"),
    ({"name": "Far Room", "email": "fr@lincoln.test", "role": "teacher", "room": "Gym"},
     "room", "Gym"),
    ({"name": "Bad Id", "email": "bi@lincoln.test", "role": "student", "student_id": "S 1"},
     "student_id", "letters, digits"),
    ({"name": "Staff Id", "email": "si@lincoln.test", "role": "teacher", "student_id": "T-1"},
     "student_id", "only a student"),
    ({"name": "Too Many", "email": "tm@lincoln.test", "role": "student",
      "max_passes_per_day": 51}, "max_passes_per_day", "50"),
    ({"name": "Zero", "email": "z@lincoln.test", "role": "student",
      "max_passes_per_day": 0}, "max_passes_per_day", "50"),
    ({"name": "Text Limit", "email": "tl@lincoln.test", "role": "student",
      "max_passes_per_day": "3"}, "max_passes_per_day", "whole number"),
    ({"name": "Staff Limit", "email": "sl@lincoln.test", "role": "teacher",
      "max_passes_per_day": 3}, "max_passes_per_day", "only a student"),
    ({"name": "Huge Pass", "email": "hp@lincoln.test", "role": "student",
      "password": "x" * 257}, "password", "256"),
    ({"name": "Extra", "email": "ex@lincoln.test", "role": "student", "active": False},
     "active", "not a field"),
])
def test_a_bad_field_is_named_with_the_reason_and_adds_nobody(admin, body, field, words):
    r = admin.post("/api/users", body)
    assert r.status == 400, r
    assert field in r.error and words in r.error, r.error
    if "email" in body:
        assert find(admin, body["email"]) == []


def test_a_student_id_is_each_students_own(admin):
    ok(admin.post("/api/users", {"name": "Ada Ames", "email": "ada@lincoln.test",
                                 "role": "student", "student_id": "A-100"}), 201)
    r = admin.post("/api/users", {"name": "Ben Bell", "email": "ben@lincoln.test",
                                  "role": "student", "student_id": "a-100"})
    assert r.status == 409 and "student_id" in r.error and "Ada Ames" in r.error, r
    assert find(admin, "ben@lincoln.test") == []
    ben = ok(admin.post("/api/users", {"name": "Ben Bell", "email": "ben@lincoln.test",
                                       "role": "student"}), 201)
    r = admin.patch(f"/api/users/{ben['id']}", {"student_id": "A-100"})
    assert r.status == 409 and "Ada Ames" in r.error, r
    # A student keeps their own ID through a change of another field.
    ada = by_email(admin, "ada@lincoln.test")
    assert ok(admin.patch(f"/api/users/{ada['id']}", {"name": "Ada Ames-Long"}))["student_id"] \
        == "A-100"


def test_an_edit_changes_only_what_it_names(admin, server):
    t = ok(admin.post("/api/users", {"name": "Gil Gray", "email": "gil@lincoln.test",
                                     "role": "teacher", "room": "Library",
                                     "password": "gil-pass-1"}), 201)
    doc = ok(admin.patch(f"/api/users/{t['id']}", {"email": "gil.gray@lincoln.test"}))
    assert doc["email"] == "gil.gray@lincoln.test" and doc["room"] == "Library", doc
    assert doc["name"] == "Gil Gray" and doc["id"] == t["id"]
    # The new email signs in with the same password; the old one is nobody now.
    server.sign_in("gil.gray@lincoln.test", "gil-pass-1")
    assert server.client().sign_in("gil@lincoln.test", "gil-pass-1").status == 401
    doc = ok(admin.patch(f"/api/users/{t['id']}", {"room": None}))
    assert doc["room"] is None
    # A teacher made a student loses the home room only a teacher has.
    ok(admin.patch(f"/api/users/{t['id']}", {"room": "Room 101"}))
    doc = ok(admin.patch(f"/api/users/{t['id']}", {"role": "student", "max_passes_per_day": 3}))
    assert doc["role"] == "student" and doc["room"] is None and doc["max_passes_per_day"] == 3
    doc = ok(admin.patch(f"/api/users/{t['id']}", {"max_passes_per_day": None}))
    assert doc["max_passes_per_day"] is None
    r = admin.patch(f"/api/users/{t['id']}", {"email": ADMIN["email"]})
    assert r.status == 409 and "email" in r.error, r
    r = admin.patch(f"/api/users/{t['id']}", {"password": "new-one-1"})
    assert r.status == 400 and "password" in r.error, r
    assert by_email(admin, "gil.gray@lincoln.test")["role"] == "student"


def test_an_admin_sets_a_new_password_and_the_old_sessions_end(admin, server):
    sam = server.sign_in(STUDENT["email"], STUDENT["password"])
    sid = by_email(admin, STUDENT["email"])["id"]
    r = admin.post(f"/api/users/{sid}/password", {"password": ""})
    assert r.status == 400 and "password" in r.error, r
    assert sam.get("/api/session").status == 200
    ok(admin.post(f"/api/users/{sid}/password", {"password": "brand-new-pass"}))
    assert sam.get("/api/session").status == 401
    assert server.client().sign_in(STUDENT["email"], STUDENT["password"]).status == 401
    server.sign_in(STUDENT["email"], "brand-new-pass")
    assert "hash" not in ok(admin.get(f"/api/users?q={STUDENT['email']}"))["users"][0]


def test_another_schools_user_is_not_found(admin, store):
    (other,) = store.sql("SELECT id FROM users WHERE email = ?", ("rae@roosevelt.test",))
    oid = other[0]
    assert admin.patch(f"/api/users/{oid}", {"name": "Taken Over"}).status == 404
    assert admin.post(f"/api/users/{oid}/password", {"password": "hijack-1"}).status == 404
    assert admin.patch("/api/users/999999", {"name": "Nobody"}).status == 404
    (row,) = store.sql("SELECT name FROM users WHERE id = ?", (oid,))
    assert row[0] == "Rae Roosevelt"


def test_only_admins_manage_users(server, admin):
    teacher = sign_in(server, TEACHER)
    sid = by_email(admin, "pupil00@lincoln.test")["id"]
    assert teacher.get("/api/users").status == 403
    assert teacher.post("/api/users", {"name": "T Made", "email": "tm2@lincoln.test",
                                       "role": "student"}).status == 403
    assert teacher.patch(f"/api/users/{sid}", {"name": "Renamed"}).status == 403
    assert teacher.post(f"/api/users/{sid}/password", {"password": "teacher-set"}).status == 403
    assert by_email(admin, "pupil00@lincoln.test")["name"] == "Pupil Student 00"
    assert find(admin, "tm2@") == []
    assert server.client().get("/api/users").status == 401


def records(store, action: str) -> list[dict]:
    rows = store.sql("SELECT user_id, who, address, target, detail FROM audit_log"
                     " WHERE action = ? ORDER BY id", (action,))
    keys = ("user_id", "who", "address", "target", "detail")
    out = [dict(zip(keys, r)) for r in rows]
    for r in out:
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    return out


def test_deactivating_ends_the_sessions_and_sign_ins_until_reactivated(admin, server):
    ok(admin.post("/api/users", {"name": "Dee Dane", "email": "dee@lincoln.test",
                                 "role": "teacher", "password": "dee-pass-1"}), 201)
    dee = server.sign_in("dee@lincoln.test", "dee-pass-1")
    did = by_email(admin, "dee@lincoln.test")["id"]
    doc = ok(admin.patch(f"/api/users/{did}", {"active": False}))
    assert doc["active"] is False and doc["name"] == "Dee Dane", doc
    assert dee.get("/api/session").status == 401
    r = server.client().sign_in("dee@lincoln.test", "dee-pass-1")
    assert r.status == 401 and "deactivated" in r.error, r
    # The search can show only the deactivated, or leave them out.
    assert [u["email"] for u in find(admin, "dee@", active="false")] == ["dee@lincoln.test"]
    assert find(admin, "dee@", active="true") == []
    assert admin.get("/api/users?active=maybe").status == 400
    doc = ok(admin.patch(f"/api/users/{did}", {"active": True}))
    assert doc["active"] is True
    server.sign_in("dee@lincoln.test", "dee-pass-1")
    r = admin.patch(f"/api/users/{did}", {"active": "no"})
    assert r.status == 400 and "active" in r.error, r


def test_an_admin_cannot_deactivate_themselves_nor_drop_their_admin_role(admin):
    me = by_email(admin, ADMIN["email"])
    r = admin.patch(f"/api/users/{me['id']}", {"active": False})
    assert r.status == 400 and "your own account" in r.error, r
    r = admin.patch(f"/api/users/{me['id']}", {"role": "teacher"})
    assert r.status == 400 and "admin role" in r.error, r
    assert ok(admin.get("/api/session"))["user"]["role"] == "admin"
    assert by_email(admin, ADMIN["email"])["active"] is True


def test_each_change_is_in_the_audit_log_without_a_password(admin, store):
    aid = by_email(admin, ADMIN["email"])["id"]
    u = ok(admin.post("/api/users", {"name": "Aud Itt", "email": "aud@lincoln.test",
                                     "role": "student", "password": "aud-secret-1"}), 201)
    (rec,) = [r for r in records(store, "user_create") if r["target"] == "aud@lincoln.test"]
    assert int(rec["user_id"]) == aid and rec["who"] == ADMIN["email"] and rec["address"]
    assert "before" not in rec["detail"]
    assert rec["detail"]["after"]["name"] == "Aud Itt" and rec["detail"]["after"]["active"]
    ok(admin.patch(f"/api/users/{u['id']}", {"student_id": "AU-1"}))
    (rec,) = [r for r in records(store, "user_update") if r["target"] == "aud@lincoln.test"]
    assert rec["detail"]["before"]["student_id"] is None
    assert rec["detail"]["after"]["student_id"] == "AU-1"
    # A change that changes nothing records nothing.
    ok(admin.patch(f"/api/users/{u['id']}", {"student_id": "AU-1"}))
    assert len([r for r in records(store, "user_update") if r["target"] == "aud@lincoln.test"]) == 1
    ok(admin.patch(f"/api/users/{u['id']}", {"active": False}))
    ok(admin.patch(f"/api/users/{u['id']}", {"active": True}))
    for action, before, after in (("user_deactivate", True, False),
                                  ("user_activate", False, True)):
        (rec,) = [r for r in records(store, action) if r["target"] == "aud@lincoln.test"]
        assert rec["detail"]["before"]["active"] is before, rec
        assert rec["detail"]["after"]["active"] is after, rec
    ok(admin.post(f"/api/users/{u['id']}/password", {"password": "aud-secret-2"}))
    (rec,) = [r for r in records(store, "user_password_reset")
              if r["target"] == "aud@lincoln.test"]
    assert int(rec["user_id"]) == aid
    text = json.dumps(store.sql("SELECT detail FROM audit_log"))
    assert "aud-secret" not in text and "argon2" not in text and "hash" not in text
    # A refused change is no record either.
    n = len(store.sql("SELECT id FROM audit_log"))
    assert admin.patch(f"/api/users/{u['id']}", {"max_passes_per_day": 99}).status == 400
    assert len(store.sql("SELECT id FROM audit_log")) == n
