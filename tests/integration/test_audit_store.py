"""The audit log's ground: sign-ins, refused sign-ins and sign-outs are recorded with who,
when and from which address; the log is append-only in the store itself (no record changes,
none is removed until older than the school's purge point, which stays 30 days behind); and a
deactivated user can neither sign in nor go on with a session they had."""

from __future__ import annotations

import json
import time

import pytest

from server_util import ADMIN, STUDENT, TEACHER, basic_store, sign_in
import store_util

DAY = 86400


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=(ADMIN, TEACHER, STUDENT))


def records(store, action: str | None = None) -> list[dict]:
    rows = store.sql("SELECT id, at, user_id, who, address, action, target, detail "
                     "FROM audit_log ORDER BY id")
    keys = ("id", "at", "user_id", "who", "address", "action", "target", "detail")
    out = [dict(zip(keys, r)) for r in rows]
    for r in out:
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    return [r for r in out if action is None or r["action"] == action]


def user_id(store, email: str) -> int:
    return int(store.sql("SELECT id FROM users WHERE email = ?", (email,))[0][0])


def test_a_sign_in_and_a_sign_out_are_recorded_with_the_address(server, store):
    before = time.time()
    c = sign_in(server, TEACHER)
    signed = records(store, "sign_in")[-1]
    assert signed["who"] == TEACHER["email"]
    assert signed["target"] == TEACHER["email"]
    assert int(signed["user_id"]) == user_id(store, TEACHER["email"])
    assert signed["address"] == "127.0.0.1"
    assert signed["detail"] == {"method": "password"}
    assert before - 1 <= int(signed["at"]) <= time.time() + 1

    assert c.sign_out().status in (200, 204)
    out = records(store, "sign_out")[-1]
    assert out["who"] == TEACHER["email"] and out["address"] == "127.0.0.1"
    assert int(out["id"]) > int(signed["id"])


def test_a_wrong_password_is_recorded_without_the_password(server, store):
    r = server.client().sign_in(ADMIN["email"], "not-the-password-7")
    assert r.status == 401
    failed = records(store, "sign_in_failed")[-1]
    assert failed["who"] == ADMIN["email"]
    assert failed["user_id"] in (None, "", 0)
    assert failed["detail"] == {"reason": "wrong password"}
    assert not any("not-the-password-7" in json.dumps(r) for r in records(store))


def test_an_unknown_email_leaves_no_record_in_the_school(server, store):
    count = len(records(store))
    assert server.client().sign_in("nobody@elsewhere.test", "whatever-pass").status == 401
    assert len(records(store)) == count


def test_a_deactivated_user_cannot_sign_in_and_their_session_ends(server, store):
    c = sign_in(server, STUDENT)
    assert c.get("/api/session").status == 200
    store.sql("UPDATE users SET active = 0 WHERE email = ?" if store.kind == "sqlite" else
              "UPDATE users SET active = false WHERE email = ?", (STUDENT["email"],))
    try:
        r = c.get("/api/session")
        assert r.status == 401, r
        assert "deactivated" in r.error
        # The session is gone from the store, not just refused.
        assert store.sql("SELECT count(*) FROM sessions WHERE user_id = ?",
                         (user_id(store, STUDENT["email"]),))[0][0] in (0, "0")
        r = server.client().sign_in(STUDENT["email"], STUDENT["password"])
        assert r.status == 401
        assert "deactivated" in r.error
        assert records(store, "sign_in_failed")[-1]["detail"] == {"reason": "deactivated"}
    finally:
        store.sql("UPDATE users SET active = 1 WHERE email = ?" if store.kind == "sqlite" else
                  "UPDATE users SET active = true WHERE email = ?", (STUDENT["email"],))
    assert sign_in(server, STUDENT).get("/api/session").status == 200


def refused(store, statement: str, params=()) -> str:
    """Runs a statement the store must refuse; gives its error's words."""
    with pytest.raises(Exception) as caught:
        store.sql(statement, params)
    return str(caught.value)


def test_no_record_can_be_changed_or_removed_in_the_store(server, store):
    sign_in(server, ADMIN)
    first = records(store)[0]
    assert "append-only" in refused(store, "UPDATE audit_log SET who = 'someone else'")
    assert "append-only" in refused(store, "DELETE FROM audit_log WHERE id = ?", (first["id"],))
    # Even a record a year old stays until the purge point passes it.
    store.sql("INSERT INTO audit_log(school_id, at, who, action, target) "
              "VALUES (1, ?, 'someone', 'sign_in', 'someone')", (int(time.time()) - 365 * DAY,))
    assert "append-only" in refused(store, "DELETE FROM audit_log WHERE who = 'someone'")
    if store.kind == "postgresql":
        assert "append-only" in refused(store, "TRUNCATE audit_log")
    # The purge point cannot come within 30 days of now, nor move back.
    assert "30 days" in refused(store, "INSERT INTO audit_purged(school_id, before) "
                                       "VALUES (1, ?)", (int(time.time()) - 29 * DAY,))
    store.sql("INSERT INTO audit_purged(school_id, before) VALUES (1, ?)",
              (int(time.time()) - 200 * DAY,))
    assert "30 days" in refused(store, "UPDATE audit_purged SET before = before - 1")
    # Past the purge point a record may go: the old one, and nothing newer.
    count = len(records(store))
    store.sql("DELETE FROM audit_log WHERE who = 'someone'")
    assert len(records(store)) == count - 1
    assert records(store)[0] == first


def test_an_older_store_gains_the_log_and_keeps_its_users_active(stores):
    old = basic_store(stores, users=(ADMIN,))
    store_util.schema_back_to(old.db, 13)
    srv = old.server(log_name="older").start()
    try:
        c = sign_in(srv, ADMIN)
        assert c.get("/api/session").status == 200
        assert [r["action"] for r in records(old)] == ["sign_in"]
    finally:
        assert srv.stop() == 0, srv.log()
