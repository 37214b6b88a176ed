"""Sessions over their life: a maximum lifetime however often used (--session-max), expired
sessions removed while the server runs, a kiosk signed out only by a staff member, staff
passwords typed at a kiosk counted apart from sign-ins, the rooms a signed-in user starts
from, and students named by email or student ID, never by an internal user number."""

from __future__ import annotations

import re

import pytest

from server_util import (ADMIN, KIOSK, STUDENT, TEACHER, basic_store, cli, ok, sign_in,
                         token_hash, user)

KIOSK_TEACHER = user("Kim Kiosk", "kim@lincoln.test", "teacher", "kim-pass-1")
GUARD_TEACHER = user("Gus Guard", "gus@lincoln.test", "teacher", "gus-pass-1")
USERS = (ADMIN, TEACHER, STUDENT, KIOSK, KIOSK_TEACHER, GUARD_TEACHER)
DAY = 86400


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=USERS)


def stage(store, token: str, column: str, seconds: int):
    """Moves a session's created_at or last_seen `seconds` into the past, in the store."""
    rows = store.sql(f"UPDATE sessions SET {column} = {column} - ? WHERE token_hash = ? "
                     "RETURNING token_hash", (seconds, token_hash(token)))
    assert len(rows) == 1, rows


def sessions_of(store, token: str) -> int:
    return len(store.sql("SELECT token_hash FROM sessions WHERE token_hash = ?",
                         (token_hash(token),)))


# --------------------------------------------------------------------------------------------
# Lifetime


def test_a_session_in_use_ends_at_its_maximum_lifetime(server, store):
    c = sign_in(server, TEACHER)
    # Signed in six days ago and used a minute ago: still on (default maximum: 7 days).
    stage(store, c.token, "created_at", 6 * DAY)
    assert c.get("/api/session").status == 200
    # Eight days ago: over, though used just now.
    stage(store, c.token, "created_at", 2 * DAY)
    r = c.get("/api/session")
    assert r.status == 401, r
    assert "maximum lifetime" in r.error
    assert sessions_of(store, c.token) == 0
    assert c.get("/api/rooms").status == 401


def test_session_max_option_sets_the_lifetime(store):
    srv = store.server("--session-max", "1", log_name="max").start()
    try:
        c = sign_in(srv, ADMIN)
        stage(store, c.token, "created_at", DAY // 2)
        assert c.get("/api/session").status == 200
        stage(store, c.token, "created_at", DAY)
        assert c.get("/api/session").status == 401
    finally:
        assert srv.stop() == 0, srv.log()


@pytest.mark.parametrize("value", ["0", "367", "seven"])
def test_session_max_option_refuses_bad_values(store, value):
    proc = cli("serve", "--db", store.db, "--session-max", value, check=False)
    assert proc.returncode == 2, proc
    assert b"--session-max" in proc.stderr


def max_age(response) -> int:
    """The Max-Age of the session cookie a sign-in set."""
    value = response.header("Set-Cookie")
    m = re.search(r"Max-Age=(\d+)", value or "")
    assert m, value
    return int(m.group(1))


def test_the_cookie_lasts_as_long_as_a_session_may_live(store):
    # The cookie must not end a session in use before the server would: with a 30-minute idle
    # limit, a teacher busy all day keeps the cookie, which lasts the maximum lifetime.
    srv = store.server("--session-idle", "30", "--session-max", "2", log_name="cookie").start()
    try:
        r = srv.client().post("/api/session", {"email": TEACHER["email"],
                                              "password": TEACHER["password"]})
        assert r.status == 200, r
        assert max_age(r) == 2 * DAY
    finally:
        assert srv.stop() == 0, srv.log()


# --------------------------------------------------------------------------------------------
# A kiosk signs out only with a staff member


def test_a_kiosk_login_signs_out_only_with_staff_credentials(server, store):
    k = sign_in(server, KIOSK)
    for body in ({}, {"email": STUDENT["email"], "password": STUDENT["password"]},
                 {"email": TEACHER["email"], "password": "wrong"},
                 {"email": KIOSK["email"], "password": KIOSK["password"]}):
        r = k.delete("/api/session", body)
        assert r.status == 403, (body, r)
        assert "staff" in r.error
        assert r.cookie()[0] is None, r.headers
    # No body at all is refused the same way.
    r = k.request("DELETE", "/api/session", headers={"Content-Type": "application/json"})
    assert r.status == 403, r
    assert ok(k.get("/api/session"))["user"]["role"] == "kiosk"

    r = k.delete("/api/session", {"email": TEACHER["email"], "password": TEACHER["password"]})
    assert r.status == 200, r
    assert r.cookie()[0] == ""
    assert sessions_of(store, k.token) == 0
    assert k.get("/api/session").status == 401


def test_wrong_passwords_at_a_kiosk_are_slowed_down(server):
    k = sign_in(server, KIOSK)
    bad = {"email": GUARD_TEACHER["email"], "password": "guess"}
    statuses = [k.delete("/api/session", bad).status for _ in range(7)]
    assert statuses[:5] == [403] * 5, statuses
    assert 429 in statuses[5:], statuses
    r = k.delete("/api/session", {"email": GUARD_TEACHER["email"],
                                  "password": GUARD_TEACHER["password"]})
    assert r.status == 429, r
    assert r.header("Retry-After"), r.headers
    assert ok(k.get("/api/session"))["user"]["role"] == "kiosk"
    # The teacher whose password was guessed at still signs in at once.
    assert server.client().sign_in(GUARD_TEACHER["email"],
                                   GUARD_TEACHER["password"]).status == 200


def test_kiosk_exit_guesses_do_not_lock_the_teachers_sign_in(server):
    t = sign_in(server, KIOSK_TEACHER)
    ok(t.post("/api/kiosk", {"room": "Library"}))
    statuses = [t.delete("/api/kiosk", {"password": "guess"}).status for _ in range(7)]
    assert statuses[:5] == [403] * 5, statuses
    assert 429 in statuses[5:], statuses  # A try a second after the sixth is let through.
    # The teacher's own sign-in, elsewhere, is not held up by what was typed at the kiosk.
    r = server.client().sign_in(KIOSK_TEACHER["email"], KIOSK_TEACHER["password"])
    assert r.status == 200, r


# --------------------------------------------------------------------------------------------
# Who am I


def test_the_session_user_has_student_id_and_room(server):
    me = ok(sign_in(server, KIOSK).get("/api/session"))
    assert me["user"]["room"] == "Room 101"
    assert me["user"]["student_id"] is None
    me = ok(sign_in(server, TEACHER).get("/api/session"))
    assert me["user"]["room"] is None and me["user"]["student_id"] is None
    assert set(me["user"]) == {"id", "name", "email", "role", "student_id", "room"}


def test_sign_in_answers_as_get_session_does(server):
    c = server.client()
    r = c.sign_in(KIOSK["email"], KIOSK["password"])
    assert r.status == 200, r
    assert r.json == ok(c.get("/api/session"))


# --------------------------------------------------------------------------------------------
# Naming a student


def test_an_internal_user_number_never_names_a_student(server):
    teacher = sign_in(server, TEACHER)
    found = ok(teacher.get("/api/students?q=sam"))["students"]
    assert [s["email"] for s in found] == [STUDENT["email"]]
    assert "student_id" in found[0]
    number = str(found[0]["id"])
    k = sign_in(server, KIOSK)
    # Typing the user's internal number at the kiosk is an unknown student ID, not a pass.
    r = k.create_pass(student=number, destination="Library")
    assert r.status == 400, r
    assert "student" in r.error and "student ID" in r.error
    r = teacher.create_pass(student=number, origin="Room 102", destination="Library")
    assert r.status == 400, r
    assert STUDENT["email"] not in [p["student"] for p in teacher.active()]
    # The email still works.
    p = ok(k.create_pass(student=STUDENT["email"], destination="Library"), 201)
    assert p["student"] == STUDENT["email"] and "student_id" in p
    ok(k.end_pass(p["id"]))


# --------------------------------------------------------------------------------------------
# A store that fails


def test_who_am_i_is_503_when_the_store_cannot_read_the_kiosks_room(module_stores):
    store = basic_store(module_stores, users=(KIOSK,))
    srv = store.server(log_name="broken").start()
    try:
        k = sign_in(srv, KIOSK)
        assert ok(k.get("/api/session"))["kiosk"]["room"] == "Room 101"
        # Sessions and users still answer; rooms do not.
        store.sql("ALTER TABLE rooms RENAME TO rooms_away")
        r = k.get("/api/session")
        assert r.status == 503, r
        assert "store" in r.error
    finally:
        store.sql("ALTER TABLE rooms_away RENAME TO rooms")
        assert srv.stop() == 0, srv.log()
