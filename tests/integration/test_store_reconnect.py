"""A PostgreSQL connection lost while the server runs (a database restart, an administrator
ending sessions): the store opens it again between transactions and prepares its statements
anew. When they cannot be prepared, the request fails with 503 and the log says why, and the
next request tries a fresh connection instead of using one without its statements."""

from __future__ import annotations

import pytest

import store_util
from server_util import STUDENT, TEACHER, basic_store, ok, sign_in

pytestmark = pytest.mark.postgresql_only


def _end_server_connections(uri):
    store_util.psql(uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def served(stores, store_kind):
    store = basic_store(stores, users=(TEACHER, STUDENT))
    # One worker: one connection, the one the test ends.
    srv = store.server("--threads", "1").start()
    yield store, srv
    assert srv.stop() == 0, srv.log()


def test_a_lost_connection_is_opened_again(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    ok(teacher.end_pass(ok(teacher.create_pass(student=STUDENT["email"], origin="Room 101",
                                               destination="Library"), 201)["id"]))
    _end_server_connections(store.db)
    p = ok(teacher.create_pass(student=STUDENT["email"], origin="Room 101",
                               destination="Library"), 201)
    ok(teacher.end_pass(p["id"]))


def test_a_connection_that_cannot_be_prepared_again_is_not_used(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    assert teacher.active() == []
    # The connection ends while a table its statements name is away: preparing them fails.
    store_util.psql(store.db, "ALTER TABLE sessions RENAME TO sessions_away")
    try:
        _end_server_connections(store.db)
        r = teacher.get("/api/passes?active=true")
        assert r.status == 503, r
        assert "the connection was opened again but cannot be used" in srv.log(), srv.log()
        assert "sessions" in srv.log(), srv.log()
    finally:
        store_util.psql(store.db, "ALTER TABLE sessions_away RENAME TO sessions")
    # With the table back, the next request opens a fresh connection and is answered.
    assert teacher.active() == []
