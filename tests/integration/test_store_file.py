"""A SQLite store file moved or deleted while the server runs. The server keeps the file open,
so without a check each write would go to a file that no one opens again: a pass answered
201 and lost at the next start. Each write transaction checks that the open file is still
the one at the store's path: while it is not, writes answer 503 and the log says why; once
the file is back in its place, writes work again."""

from __future__ import annotations

import os

import pytest

from server_util import STUDENT, TEACHER, basic_store, ok, sign_in

pytestmark = pytest.mark.sqlite_only

WHY = "the store file was moved or deleted while in use"


@pytest.fixture
def served(stores, store_kind):
    store = basic_store(stores, users=(TEACHER, STUDENT))
    # One worker, so that every request goes through the one connection to the store opened
    # before the file moves: the case where writes would be lost. (A worker that opens the
    # store after the move finds no file there and answers 503 too.)
    srv = store.server("--threads", "1").start()
    yield store, srv
    assert srv.stop() == 0, srv.log()


def _pass(client, n):
    return client.create_pass(student=STUDENT["email"], origin="Room 101",
                              destination="Library" if n % 2 else "Room 102")


def _end_all(client):
    for p in client.active():
        ok(client.end_pass(p["id"]))


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
