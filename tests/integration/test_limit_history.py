"""Room limits hold over time, not only at one instant: while creates and ends of passes
interleave from many clients, no moment ever had more passes out than a limit allows.

It was written for a bug the benchmark found: a pass stamped with the time its request came
in, before it waited for the lock, so that a pass ended while it waited was still out at that
earlier time and one more got in. That bug showed in some runs only (it needs an end to commit
in the second after a waiting create arrived); this test caught it in about one run of three.
The sweep reads every pass's start and end from the store and counts, at each instant, the
passes out to (and from) the limited rooms."""

from __future__ import annotations

import threading
import time

import pytest

from server_util import Store, room, students, user

LIMIT_TO = 2
LIMIT_FROM = 3
TEACHER = {"name": "Tia Teacher", "email": "tia@lincoln.test", "password": "tia-secret-pw"}
KIDS = students("sweep", 40)
THREADS = 16
SECONDS = 5.0


@pytest.fixture(scope="module")
def store(module_stores):
    s = Store.new(module_stores, "sweep").init("Lincoln High")
    s.rooms([room("Class A", max_from=LIMIT_FROM), room("Class B"),
             room("Restroom", "Restrooms", max_to=LIMIT_TO)])
    s.users([user(TEACHER["name"], TEACHER["email"], "teacher", TEACHER["password"])] + KIDS)
    return s


def _max_out(intervals: list[tuple[int, int]]) -> int:
    """The most intervals [start, end) that hold at one instant; an end at t comes before a
    start at t, since a pass is out while start <= t < end."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    out = most = 0
    for _, step in events:
        out += step
        most = max(most, out)
    return most


def test_no_instant_ever_has_more_passes_out_than_the_limits(store):
    server = store.server("--threads", "8").start()
    try:
        teacher = server.sign_in(TEACHER["email"], TEACHER["password"])
        stop = time.monotonic() + SECONDS
        refused = []

        def work(first: int):
            me = server.client(teacher.token)
            i = first
            while time.monotonic() < stop:
                kid = KIDS[i % len(KIDS)]["email"]
                origin = "Class A" if i % 2 else "Class B"
                r = me.create_pass(student=kid, origin=origin, destination="Restroom")
                if r.status == 201:
                    me.end_pass(r.json["id"])
                elif r.status == 409:
                    refused.append(r.json["error"])
                else:
                    raise AssertionError(r)
                i += THREADS

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()

    rows = store.sql("SELECT p.start_at, p.end_at, o.name, d.name FROM passes p"
                     " JOIN rooms o ON o.id = p.origin_id JOIN rooms d ON d.id = p.destination_id"
                     " WHERE p.cancelled = ?", [0] if store.kind == "sqlite" else ["false"])
    assert len(rows) > 50, "too few passes to say anything"
    assert all(r[1] is not None and r[1] != "" for r in rows), "a pass was left out"
    to_restroom = [(int(r[0]), int(r[1])) for r in rows if r[3] == "Restroom"]
    from_a = [(int(r[0]), int(r[1])) for r in rows if r[2] == "Class A"]
    assert _max_out(to_restroom) <= LIMIT_TO
    assert _max_out(from_a) <= LIMIT_FROM
    # The limits were reached, so the sweep tested something.
    assert any("passes to this room are active" in m for m in refused), refused[:3]
