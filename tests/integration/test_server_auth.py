"""Sign-in, sessions and their end, sign-in throttling, and what an anonymous client gets
(sessions are HttpOnly SameSite=Strict cookies that expire; repeated failed
sign-ins are slowed down; 401 when not signed in)."""

from __future__ import annotations

import time

import pytest

from server_util import (ADMIN, KIOSK, STUDENT, TEACHER, basic_store, sign_in, token_hash,
                         user)

THROTTLED = user("Theo Throttled", "theo@lincoln.test", "teacher", "theo-pass-1")
USERS = (ADMIN, TEACHER, STUDENT, KIOSK, THROTTLED)


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=USERS)


@pytest.fixture(scope="module")
def server(store):
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


# --------------------------------------------------------------------------------------------
# Signing in


def test_sign_in_sets_an_http_only_strict_session_cookie(server):
    c = server.client()
    r = c.sign_in(TEACHER["email"], TEACHER["password"])
    assert r.status == 200, r
    token, attrs = r.cookie()
    assert token and len(token) >= 32, r.headers
    assert "httponly" in attrs, r.headers
    assert attrs.get("samesite", "").lower() == "strict", r.headers
    assert attrs.get("path") == "/", r.headers
    assert int(attrs["max-age"]) > 0
    body = r.json
    assert body["user"]["email"] == TEACHER["email"]
    assert body["user"]["role"] == "teacher"
    assert body["school"]["name"] == "Lincoln High"
    assert "password" not in r.body.decode().lower()

    me = c.get("/api/session")
    assert me.status == 200, me
    assert me.json["user"]["email"] == TEACHER["email"]


def test_sign_in_email_ignores_ascii_case(server):
    c = server.client()
    r = c.sign_in(ADMIN["email"].upper(), ADMIN["password"])
    assert r.status == 200, r
    assert r.json["user"]["email"] == ADMIN["email"]


def test_wrong_password_and_unknown_email_get_the_same_401(server):
    wrong = server.client().post("/api/session",
                                 {"email": STUDENT["email"], "password": "not-it"})
    unknown = server.client().post("/api/session",
                                   {"email": "nobody@lincoln.test", "password": "not-it"})
    assert wrong.status == 401, wrong
    assert unknown.status == 401, unknown
    assert wrong.error == unknown.error
    assert wrong.cookie()[0] is None and unknown.cookie()[0] is None
    # A user without a password cannot sign in with an empty one.
    empty = server.client().post("/api/session", {"email": STUDENT["email"], "password": ""})
    assert empty.status in (400, 401), empty
    empty.error


@pytest.mark.parametrize("body", [{}, {"email": ADMIN["email"]}, {"password": "x"},
                                  {"email": ADMIN["email"], "password": 12345},
                                  {"email": ["a"], "password": "x"}])
def test_sign_in_needs_email_and_password_as_strings(server, body):
    r = server.client().post("/api/session", body)
    assert r.status == 400, r
    r.error


def test_every_sign_in_gives_a_new_token(server):
    """Session fixation: a token a client brings is never adopted, each sign-in is new."""
    c = server.client()
    tokens = set()
    for _ in range(3):
        r = c.sign_in(STUDENT["email"], STUDENT["password"])  # sends the previous cookie
        assert r.status == 200, r
        tokens.add(r.cookie()[0])
    assert len(tokens) == 3

    planted = server.client(token="attacker-chosen-token-0123456789abcdefghij")
    r = planted.sign_in(STUDENT["email"], STUDENT["password"])
    assert r.status == 200, r
    assert r.cookie()[0] != "attacker-chosen-token-0123456789abcdefghij"
    assert server.client(token="attacker-chosen-token-0123456789abcdefghij") \
        .get("/api/session").status == 401


def test_sign_out_ends_the_session_on_the_server(server):
    c = sign_in(server, TEACHER)
    other = sign_in(server, TEACHER)
    old = c.token
    assert c.get("/api/passes?active=true").status == 200

    r = c.sign_out()
    assert r.status == 200, r
    value, attrs = r.cookie()
    assert value == "" and attrs.get("max-age") == "0", r.headers

    # The old cookie, replayed, is dead on the server, not just forgotten by the browser.
    stale = server.client(token=old)
    for method, path in [("GET", "/api/session"), ("GET", "/api/passes?active=true"),
                         ("GET", "/api/rooms")]:
        rr = stale.request(method, path)
        assert rr.status == 401, (method, path, rr)
        rr.error
    assert stale.sign_out().status == 401
    # Signing out one session leaves the user's other sessions alone.
    assert other.get("/api/session").status == 200


def age_session(store, token: str, seconds: int):
    """Stages, in the store itself, a session last used `seconds` earlier than it was: with
    sqlite3 on SQLite, with psql on PostgreSQL (sessions.last_seen is in Unix seconds)."""
    rows = store.sql("UPDATE sessions SET last_seen = last_seen - ? WHERE token_hash = ? "
                     "RETURNING last_seen", (seconds, token_hash(token)))
    assert len(rows) == 1, f"no session of the token in {store.db}: {rows}"


def test_an_idle_session_expires(server, store):
    c = sign_in(server, TEACHER)
    assert c.get("/api/session").status == 200
    # Staged in the store: the session was last used a day ago (default idle: 480 minutes).
    age_session(store, c.token, 86400)
    r = c.get("/api/session")
    assert r.status == 401, r
    r.error
    # It stays ended.
    assert c.get("/api/rooms").status == 401


def test_a_session_used_within_the_idle_time_stays(server, store):
    c = sign_in(server, TEACHER)
    age_session(store, c.token, 7200)
    assert c.get("/api/session").status == 200
    assert c.get("/api/rooms").status == 200


def test_session_idle_option_sets_the_expiry(store):
    srv = store.server("--session-idle", "1", log_name="idle").start()
    try:
        c = sign_in(srv, ADMIN)
        r = c.get("/api/session")
        assert r.status == 200
        fresh = srv.client()
        # The cookie lasts the maximum lifetime (7 days by default); the idle limit is the
        # server's to enforce, counted from the last use.
        assert (fresh.sign_in(ADMIN["email"], ADMIN["password"]).cookie()[1]["max-age"] ==
                str(7 * 86400))
        age_session(store, c.token, 30)
        assert c.get("/api/session").status == 200
        age_session(store, c.token, 120)
        r = c.get("/api/session")
        assert r.status == 401, r
        assert fresh.get("/api/session").status == 200
    finally:
        assert srv.stop() == 0, srv.log()


def test_repeated_failed_sign_ins_are_throttled(server):
    email = THROTTLED["email"]
    bad = {"email": email, "password": "wrong-guess"}
    c = server.client()
    for i in range(4):
        r = c.post("/api/session", bad)
        assert r.status == 401, (i, r)
    # The server counts in whole seconds: send the fifth failure and the next try early in
    # a second so that both fall in it.
    frac = time.time() % 1
    if frac > 0.3:
        time.sleep(1.02 - frac)
    r5 = c.post("/api/session", bad)
    r6 = c.post("/api/session", bad)
    assert r5.status == 401, r5
    assert r6.status == 429, r6
    assert "try again" in r6.error or r6.error
    retry = r6.header("Retry-After")
    assert retry is not None and retry.isdigit() and int(retry) >= 1, r6.headers

    # While throttled, even the right password is refused, so guessing gains nothing.
    right = server.client().post("/api/session", {"email": email.upper(),
                                                  "password": THROTTLED["password"]})
    assert right.status == 429, right
    assert right.header("Retry-After")

    # Other accounts are not held up.
    assert server.client().sign_in(TEACHER["email"], TEACHER["password"]).status == 200

    # Slowed down, not locked out: after the wait the right password works.
    time.sleep(int(right.header("Retry-After")) + 0.2)
    r = server.client().sign_in(email, THROTTLED["password"])
    assert r.status == 200, r


# --------------------------------------------------------------------------------------------
# Anonymous clients


ROUTES = [
    ("GET", "/api/session"),
    ("DELETE", "/api/session"),
    ("GET", "/api/passes?active=true"),
    ("POST", "/api/passes"),
    ("POST", "/api/passes/1/end"),
    ("POST", "/api/passes/1/cancel"),
    ("POST", "/api/kiosk"),
    ("DELETE", "/api/kiosk"),
    ("GET", "/api/rooms"),
    ("POST", "/api/rooms"),
    ("PATCH", "/api/rooms/1"),
    ("GET", "/api/students?q=a"),
    ("GET", "/api/reports/rooms"),
    ("GET", "/api/reports/staff?format=csv"),
]


@pytest.mark.parametrize("method,path", ROUTES)
@pytest.mark.parametrize("token", [None, "", "no-such-session-token"])
def test_anonymous_requests_get_401(server, method, path, token):
    c = server.client(token=token)
    body = {"student": STUDENT["email"], "origin": "Room 101", "destination": "Library",
            "room": "Room 101", "name": "Hacked", "password": "x"}
    r = c.request(method, path) if method == "GET" else c.request(method, path, body)
    assert r.status == 401, r
    r.error
    assert r.cookie()[0] is None


def test_anonymous_changes_nothing(server):
    admin = sign_in(server, ADMIN)
    assert [rm["name"] for rm in admin.rooms()].count("Hacked") == 0
    assert admin.get("/api/passes?active=true").json["passes"] == []
