"""A store that fails while serving (a full disk): each failed request is answered 503 with
plain words, and the log says which operation failed and why, once per kind of failure per
minute however many requests fail, never "unknown error" (docs/security.md, "When the store
fails").

The failure is staged with a trigger that refuses every new pass as a full disk would (on
both stores), and on SQLite also for real: a file-size limit (`ulimit -f`, set on the running
server with prlimit) below the size its write-ahead log needs."""

from __future__ import annotations

import os
import re
import resource

import pytest

from server_util import ADMIN, TEACHER, basic_store, ok, sign_in, students

KIDS = students("full", 3)
FAILURES = 201
REASON = "could not extend file: No space left on device (staged)"


def fail_new_passes(store):
    if store.kind == "sqlite":
        store.sql("CREATE TRIGGER staged_full BEFORE INSERT ON passes "
                  f"BEGIN SELECT RAISE(ABORT, '{REASON}'); END")
    else:
        store.sql("CREATE FUNCTION staged_full() RETURNS trigger LANGUAGE plpgsql AS "
                  f"$$ BEGIN RAISE EXCEPTION '{REASON}' USING ERRCODE = '53100'; END $$")
        store.sql("CREATE TRIGGER staged_full BEFORE INSERT ON passes FOR EACH ROW "
                  "EXECUTE FUNCTION staged_full()")


def failure_lines(log: str, operation: str) -> list[str]:
    return [line for line in log.splitlines()
            if line.startswith(f"hallpass serve: {operation} failed")]


def test_many_failures_of_one_kind_are_logged_once_with_the_reason(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER), extra_students=KIDS)
    srv = store.server().start()
    try:
        teacher = sign_in(srv, TEACHER)
        fail_new_passes(store)
        for i in range(FAILURES):
            r = teacher.create_pass(student=KIDS[i % len(KIDS)]["email"], origin="Room 101",
                                    destination="Library")
            assert r.status == 503, r
            assert r.error == "the store is not answering; try again", r
        ok(teacher.get("/api/passes?active=true"))  # Reads still work.
    finally:
        assert srv.stop() == 0, srv.log()
    log = srv.log_path.read_text(errors="replace")
    assert "unknown error" not in log, log[-2000:]
    lines = failure_lines(log, "POST /api/passes")
    assert len(lines) == 1, lines
    assert REASON in lines[0], lines  # Why it failed, in the store's words.
    assert len(re.findall(r" method=POST route=/api/passes status=503 ", log)) == FAILURES


# A file-size limit on the server reaches only a SQLite store's files.
@pytest.mark.sqlite_only
def test_a_file_size_limit_fails_writes_without_killing_the_server(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER), extra_students=KIDS)
    srv = store.server().start()
    try:
        teacher = sign_in(srv, TEACHER)
        ok(teacher.get("/api/session"))
        files = [f"{store.db}-wal", str(store.db)]
        limit = max(8192, min(os.path.getsize(f) for f in files if os.path.exists(f)))
        assert os.path.getsize(srv.log_path) < limit // 2
        # The server's writes past `limit` bytes in any file now fail (EFBIG, a full disk to
        # SQLite) instead of the signal that would otherwise kill it.
        resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE, (limit, limit))
        statuses = []
        for i in range(30):
            r = teacher.create_pass(student=KIDS[i % len(KIDS)]["email"], origin="Room 101",
                                    destination="Library")
            statuses.append(r.status)
            if r.status == 201:
                teacher.end_pass(r.json["id"])
        assert 503 in statuses and 500 not in statuses, statuses
        assert srv.proc.poll() is None, srv.log()
        ok(teacher.get("/api/rooms"))
    finally:
        assert srv.stop() == 0, srv.log()
    log = srv.log_path.read_text(errors="replace")
    assert "unknown error" not in log, log[-2000:]
    lines = failure_lines(log, "POST /api/passes")
    assert len(lines) == 1, log[-2000:]
    assert re.search(r"failed: .+: .+", lines[0]), lines
