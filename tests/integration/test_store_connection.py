"""The server's connection to its store, when the store changes under it.

- A SQLite store file moved or deleted while the server runs. The server keeps the file open,
  so without a check each write would go to a file that no one opens again: a pass answered
  201 and lost at the next start. Each write (in a transaction or, like a sign-in's session,
  alone) checks that the open file is still the one at the store's path: while it is not,
  writes answer 503 and the log says why; once the file is back in its place, writes work
  again.
- A PostgreSQL connection lost while the server runs (a database restart, an administrator
  ending sessions): the store opens it again between transactions and prepares its
  statements anew. When they cannot be prepared, the request fails with 503 and the log says
  why, and the next request tries a fresh connection instead of using one without its
  statements.
- A store whose schema a later hallpass has migrated: refused, in the same words on either
  backend.
"""

from __future__ import annotations

import os

import pytest

import store_util
from server_util import STUDENT, TEACHER, basic_store, cli, ok, sign_in

WHY = "the store file was moved or deleted while in use"


@pytest.fixture
def served(stores, store_kind):
    store = basic_store(stores, users=(TEACHER, STUDENT))
    # One worker, so that every request goes through the one connection to the store that
    # the test then moves or ends. (A worker that opens a SQLite store after its file moved
    # finds no file there and answers 503 too.)
    srv = store.server("--threads", "1").start()
    yield store, srv
    assert srv.stop() == 0, srv.log()


def _pass(client, n):
    return client.create_pass(student=STUDENT["email"], origin="Room 101",
                              destination="Library" if n % 2 else "Room 102")


def _end_all(client):
    for p in client.active():
        ok(client.end_pass(p["id"]))


@pytest.mark.sqlite_only
def test_moved_store_refuses_writes_with_503(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    first = ok(_pass(teacher, 1), 201)
    ok(teacher.end_pass(first["id"]))

    path = str(store.db)
    os.rename(path, path + ".moved")
    r = _pass(teacher, 2)
    assert r.status == 503, r
    assert r.error == "the store is not answering; try again", r
    assert WHY in srv.log(), srv.log()
    assert path in srv.log(), srv.log()

    # Back in its place, the same file takes writes again, and the refused pass was never
    # made.
    os.rename(path + ".moved", path)
    third = ok(_pass(teacher, 3), 201)
    assert third["id"] == first["id"] + 1, third
    _end_all(teacher)


@pytest.mark.sqlite_only
def test_deleted_store_refuses_writes_with_503(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    ok(teacher.end_pass(ok(_pass(teacher, 1), 201)["id"]))
    os.remove(str(store.db))
    r = _pass(teacher, 2)
    assert r.status == 503, r
    assert srv.log().count(WHY) == 1, srv.log()
    # Each further write is refused too, none answered as done.
    assert _pass(teacher, 3).status == 503


@pytest.mark.sqlite_only
def test_moved_store_refuses_a_sign_in_with_503(served):
    # A sign-in writes its session in one statement, outside any transaction: it is refused
    # as a transaction is, and not answered 200 with a session the moved file keeps.
    store, srv = served
    ok(sign_in(srv, TEACHER).get("/api/session"))
    path = str(store.db)
    os.rename(path, path + ".moved")
    r = srv.client().sign_in(TEACHER["email"], TEACHER["password"])
    assert r.status == 503, r
    assert r.error == "the store is not answering; try again", r
    assert WHY in srv.log(), srv.log()
    assert path in srv.log(), srv.log()
    os.rename(path + ".moved", path)
    ok(sign_in(srv, TEACHER).get("/api/session"))


@pytest.mark.sqlite_only
def test_a_worker_that_opens_a_moved_store_logs_why(served):
    store, srv = served
    # The one worker has not opened the store yet: its first request finds no file.
    path = str(store.db)
    os.rename(path, path + ".moved")
    r = srv.client().sign_in(TEACHER["email"], TEACHER["password"])
    assert r.status == 503, r
    assert r.error == "the store is not answering; try again", r
    assert "no such store" in srv.log(), srv.log()
    assert path in srv.log(), srv.log()
    assert "no reason was recorded" not in srv.log(), srv.log()
    # Back in its place, the next request opens it.
    os.rename(path + ".moved", path)
    ok(_pass(sign_in(srv, TEACHER), 1), 201)


def test_a_store_newer_than_this_hallpass_is_refused(stores, store_kind):
    # A store that a later hallpass has migrated is refused in the same words on either
    # backend, naming the store, its version and the newest this build knows.
    store = basic_store(stores, users=(TEACHER,))
    if store_kind == "sqlite":
        store.sql("PRAGMA user_version = 99")
        where = str(store.db)
    else:
        store.sql("INSERT INTO schema_version VALUES (99)")
        where = "PostgreSQL"
    r = cli("check", "--db", store.db, check=False)
    assert r.returncode != 0, r
    err = r.stderr.decode()
    assert f"{where}: schema version 99 is newer than this hallpass knows (" in err, err


def _end_server_connections(uri):
    store_util.psql(uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.mark.postgresql_only
def test_a_lost_connection_is_opened_again(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    ok(teacher.end_pass(ok(teacher.create_pass(student=STUDENT["email"], origin="Room 101",
                                               destination="Library"), 201)["id"]))
    _end_server_connections(store.db)
    p = ok(teacher.create_pass(student=STUDENT["email"], origin="Room 101",
                               destination="Library"), 201)
    ok(teacher.end_pass(p["id"]))


@pytest.mark.postgresql_only
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
