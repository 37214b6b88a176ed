"""What the server does on its own while it runs: sessions that have expired are removed from
the store within a minute (the sweep runs once a minute, beside the one at start), even when
no request ever uses them again; a live session stays."""

from __future__ import annotations

import time

from server_util import ADMIN, TEACHER, basic_store, ok, sign_in, token_hash

SWEEP = 60       # SESSION_SWEEP_SECONDS in src/http/server.c
IDLE = 8 * 3600  # The default --session-idle, in seconds.


def sessions_of(store, token: str) -> int:
    rows = store.sql("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", (token_hash(token),))
    return int(rows[0][0])


def test_expired_sessions_are_removed_while_serving(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER))
    with store.server().start() as srv:
        stale, live = sign_in(srv, TEACHER), sign_in(srv, ADMIN)
        rows = store.sql("UPDATE sessions SET last_seen = last_seen - ? WHERE token_hash = ? "
                         "RETURNING last_seen", (IDLE + 60, token_hash(stale.token)))
        assert len(rows) == 1, rows
        deadline = time.monotonic() + SWEEP + 15
        while sessions_of(store, stale.token) and time.monotonic() < deadline:
            time.sleep(1)
        assert sessions_of(store, stale.token) == 0, "the expired session is still stored"
        assert sessions_of(store, live.token) == 1
        ok(live.get("/api/session"))
