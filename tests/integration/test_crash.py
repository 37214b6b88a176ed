"""Crash safety (docs/security.md, "Crashes": every change is one transaction; a pass answered
201 is committed; counters are written in the same transaction as their pass, and `hallpass
check` recounts them).

(a) `hallpass import passes` of a large file (300,000 passes, written by the test) is killed
    with SIGKILL partway: after a fraction of the time a full import of the same file takes,
    measured once on a store of its own (three kills on SQLite, one on PostgreSQL, whose
    import is slower). Afterwards the store opens, every report and counter is as before the
    import, `hallpass check` exits 0, and importing the file again succeeds in full, with the
    reports of the store that imported it without a crash.
(b) `hallpass serve` is killed with SIGKILL while 16 threads create and end passes as fast as
    they can. After a restart every pass answered 201 is in the store, every pass whose end
    was answered 200 has its end, the reports equal a recount, and `hallpass check` exits 0.

Both run on both stores. Every process started here is stopped by its PID at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from server_util import (ADMIN, TEACHER, Store, _env, future, hallpass_bin, ok, room,
                         sign_in, start_workers, students, user)

SCHOOL = "Lincoln High"
ZONE = "America/Chicago"
IMPORT_TIMEOUT = 600  # Seconds: a bound on any one import, whatever the store.


def hp(*args, timeout: float = 120, ok_codes=(0,)) -> subprocess.CompletedProcess:
    argv = [hallpass_bin(), *map(str, args)]
    proc = subprocess.run(argv, capture_output=True, timeout=timeout, env=_env())
    assert proc.returncode in ok_codes, (argv, proc.returncode,
                                         proc.stderr.decode(errors="replace")[-3000:])
    return proc


def check(db) -> subprocess.CompletedProcess:
    """`hallpass check`, which must exit 0: every counter equals a recount."""
    proc = hp("check", "--db", db, ok_codes=(0, 1))
    assert proc.returncode == 0, ("hallpass check found counters that differ",
                                  proc.stdout.decode(errors="replace")[-3000:],
                                  proc.stderr.decode(errors="replace")[-3000:])
    return proc


def reports(db, *ranges) -> dict:
    """Both reports as JSON, for each range (a tuple of --from/--to arguments)."""
    out = {}
    for rng in ranges:
        for kind in ("rooms", "staff"):
            out[(kind, rng)] = json.loads(hp("report", kind, "--db", db, "--format", "json",
                                             *rng).stdout)
    return out


def counters(store: Store) -> list:
    return sorted(tuple(map(str, r)) for r in store.sql(
        "SELECT school_id, kind, period, bucket, id, a, b FROM usage_counts"))


def pass_count(store: Store) -> int:
    return int(store.sql("SELECT count(*) FROM passes")[0][0])


# --------------------------------------------------------------------------------------------
# (a) SIGKILL during a large import


BIG = 300_000
BASE = 3_000
IMPORT_ROOMS = [room(f"Crash Room {i:02d}", f"Wing {i % 4}") for i in range(40)]
IMPORT_STAFF = [user(f"Crash Teacher {i}", f"ct{i}@lincoln.test", "teacher") for i in range(8)]
IMPORT_PUPILS = students("crash", 200)
FIRST = dt.datetime(2025, 9, 2, 13, 0, tzinfo=dt.timezone.utc)
STEP = dt.timedelta(seconds=29)  # 300,000 passes over about 100 days.


def write_passes(path: Path, count: int, prefix: str, offset: int = 0) -> Path:
    """count passes of every source and type, ids PREFIX-N; some cancelled, some out."""
    rooms = [r["name"] for r in IMPORT_ROOMS]
    staff = [u["email"] for u in IMPORT_STAFF]
    pupils = [u["email"] for u in IMPORT_PUPILS]
    lines = ["id,student,origin,destination,creator,source,type,start,end,cancelled"]
    five = dt.timedelta(minutes=5)
    for i in range(count):
        n = i + offset
        start = FIRST + n * STEP
        origin, destination = rooms[n % 40], rooms[(n * 7 + 1) % 40]
        if origin == destination:
            destination = rooms[(n + 1) % 40]
        pupil = pupils[n % 200]
        kind = n % 5
        if kind == 0:
            creator, source, typ = staff[n % 8], "teacher", "now"
        elif kind == 1:
            creator, source, typ = staff[n % 8], "teacher", "scheduled"
        elif kind == 2:
            creator, source, typ = pupil, "student", "now"
        else:
            creator, source, typ = staff[(n // 5) % 8], "kiosk_mode", "now"
        cancelled = "true" if kind == 1 and n % 7 == 0 else ""
        end = "" if n % 1000 == 999 else (start + five).isoformat()
        lines.append(f"{prefix}-{n},{pupil},{origin},{destination},{creator},{source},{typ},"
                     f"{start.isoformat()},{end},{cancelled}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def import_store(stores, name: str, base: Path) -> Store:
    s = Store.new(stores, name).init(SCHOOL, ZONE)
    s.rooms(IMPORT_ROOMS)
    s.users([*IMPORT_STAFF, *IMPORT_PUPILS])
    hp("import", "passes", "--db", s.db, base)
    return s


RANGES = [(), ("--from", "2025-09-01", "--to", "2026-01-31"),
          ("--from", "2025-09-02", "--to", "2025-09-02"),
          ("--from", "2025-10-13", "--to", "2025-11-20")]
# When to kill, as fractions of the measured time: three times on SQLite, where an import
# takes seconds; once on PostgreSQL, where it takes half a minute or more.
FRACTIONS = {"sqlite": (0.2, 0.5, 0.75), "postgresql": (0.5,)}
ENDED_BEFORE_THE_KILL = "ended before the kill"
KILL_TRIES = 4  # Each try after an import that ended first kills at half the time.


def run_import(db, path: Path, kill_after: float | None = None) -> tuple[float, object]:
    """Runs `hallpass import passes`; with kill_after, sends SIGKILL after that many seconds
    (the import must still be running then). Gives (seconds, (stdout, stderr)), or
    (seconds, None) for a killed import, or (seconds, ENDED_BEFORE_THE_KILL) when the import
    was over before the kill came."""
    argv = [hallpass_bin(), "import", "passes", "--db", str(db), str(path)]
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    try:
        if kill_after is None:
            out, err = proc.communicate(timeout=IMPORT_TIMEOUT)
            took = time.monotonic() - started
            assert proc.returncode == 0, (proc.returncode, err.decode(errors="replace"))
            return took, (out, err)
        time.sleep(kill_after)
        still = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        took = time.monotonic() - started
        if not still:
            # It finished first (a busy machine made it faster than the measured run):
            # nothing was killed, and the caller tries again on a fresh store, earlier.
            assert proc.returncode == 0, (proc.returncode, err.decode(errors="replace"))
            return took, ENDED_BEFORE_THE_KILL
        assert proc.returncode == -signal.SIGKILL, proc.returncode
        return took, None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigkill_during_a_large_import_leaves_the_store_as_it_was(stores, tmp_path):
    base = write_passes(tmp_path / "base.csv", BASE, "base", offset=BIG)
    big = write_passes(tmp_path / "big.csv", BIG, "big")

    # The time a whole import takes, measured once on a store of its own.
    reference = import_store(stores, "reference", base)
    full, (out, _) = run_import(reference.db, big)
    assert f"{BIG} passes added".encode() in out, out
    expected_after = reports(reference.db, *RANGES)

    store = import_store(stores, "crashed", base)
    before = reports(store.db, *RANGES)
    before_counters = counters(store)
    assert pass_count(store) == BASE
    for fraction in FRACTIONS[store.kind]:
        for attempt in range(KILL_TRIES):
            _, outcome = run_import(store.db, big, kill_after=full * fraction)
            if outcome is None:
                break
            # The whole file went in before the kill: start again from the base passes.
            store = import_store(stores, f"crashed-{fraction}-{attempt}", base)
            fraction /= 2
        else:
            pytest.fail(f"every import ended before its kill, the last after {full * fraction} s")
        # The store opens; nothing of the killed import is visible.
        assert reports(store.db, *RANGES) == before, f"reports changed (kill at {fraction})"
        assert counters(store) == before_counters, f"counters changed (kill at {fraction})"
        assert pass_count(store) == BASE
        check(store.db)

    # The same file again: imported in full, as if nothing had happened.
    _, (out, err) = run_import(store.db, big)
    assert f"{BIG} passes added, 0 already imported".encode() in out, (out, err)
    assert pass_count(store) == BASE + BIG
    check(store.db)
    assert reports(store.db, *RANGES) == expected_after
    assert expected_after != before


# --------------------------------------------------------------------------------------------
# (b) SIGKILL during a rush of passes


THREADS = 16
PER_THREAD = 6
RUSH_ROOMS = [room(f"Rush Room {i}") for i in range(8)]
RUSH_PUPILS = students("rush", THREADS * PER_THREAD)
RUSH_SECONDS = 1.5


class Worker(threading.Thread):
    """Creates a now pass for one of its students and ends it, and every fourth time also a
    scheduled pass that it cancels, until the server stops answering; keeps what was
    answered."""

    def __init__(self, n: int, client, stop: threading.Event):
        super().__init__(daemon=True)
        self.n = n
        self.client = client
        self.stop = stop
        self.created: set[int] = set()      # answered 201
        self.ended: set[int] = set()        # answered 200 on /end
        self.cancelled: set[int] = set()    # answered 200 on /cancel
        self.odd: list = []                 # answers neither expected nor a lost connection
        self.error: BaseException | None = None

    def _create(self, **fields):
        r = self.client.create_pass(**fields)
        if r.status != 201:
            self.odd.append(("create", r.status, r.body[:200]))
            return None
        pid = r.json["id"]
        self.created.add(pid)
        return pid

    def _change(self, pid: int, action: str, into: set):
        r = self.client.post(f"/api/passes/{pid}/{action}")
        if r.status == 200:
            into.add(pid)
        else:
            self.odd.append((action, pid, r.status, r.body[:200]))

    def run(self):
        mine = RUSH_PUPILS[self.n * PER_THREAD:(self.n + 1) * PER_THREAD]
        pupils = [p["email"] for p in mine]
        i = 0
        try:
            while not self.stop.is_set() and i < 100_000:
                pupil = pupils[i % PER_THREAD]
                rooms = dict(origin=RUSH_ROOMS[(self.n + i) % 8]["name"],
                             destination=RUSH_ROOMS[(self.n + i + 3) % 8]["name"])
                i += 1
                pid = self._create(student=pupil, **rooms)
                if pid is not None:
                    self._change(pid, "end", self.ended)
                if i % 4 == 0:
                    pid = self._create(student=pupil, type="scheduled", start=future(60),
                                       **rooms)
                    if pid is not None:
                        self._change(pid, "cancel", self.cancelled)
        except Exception as e:  # noqa: BLE001 - the connection lost at the kill
            self.error = e


def test_sigkill_during_a_rush_of_passes_loses_no_answered_pass(stores):
    store = Store.new(stores, "rush").init(SCHOOL, ZONE)
    store.rooms(RUSH_ROOMS)
    store.users([ADMIN, TEACHER, *RUSH_PUPILS])
    srv = store.server("--threads", str(THREADS), log_name="rush").start()
    pid = srv.proc.pid
    stop = threading.Event()
    workers = []
    try:
        workers = start_workers(srv, TEACHER, Worker, THREADS, stop)
        time.sleep(RUSH_SECONDS)
        assert srv.proc.poll() is None, srv.log()
        srv.proc.send_signal(signal.SIGKILL)  # In the middle of the rush.
        srv.proc.wait(timeout=30)
        assert srv.proc.returncode == -signal.SIGKILL
    finally:
        stop.set()
        for w in workers:
            w.join(30)
        if srv.proc.poll() is None:
            srv.proc.kill()
        srv.stop()
    assert srv.proc.pid == pid and srv.proc.returncode == -signal.SIGKILL

    created = set().union(*(w.created for w in workers))
    ended = set().union(*(w.ended for w in workers))
    cancelled = set().union(*(w.cancelled for w in workers))
    odd = [o for w in workers for o in w.odd]
    assert not odd, odd[:5]
    assert all(not w.is_alive() for w in workers)
    assert len(created) >= THREADS and cancelled, (len(created), len(cancelled))

    # The store opens, and holds every pass answered 201, ended if its end was answered 200,
    # cancelled if its cancel was.
    stored = {}
    for pid_, end_at, is_cancelled, typ in store.sql(
            "SELECT id, end_at, cancelled, type FROM passes"):
        stored[int(pid_)] = {"ended": end_at not in (None, ""),
                             "cancelled": str(is_cancelled) in ("1", "t", "true", "True"),
                             "type": typ}
    missing = sorted(created - set(stored))
    assert not missing, f"{len(missing)} passes answered 201 are not in the store: {missing[:10]}"
    not_ended = sorted(p for p in ended if not stored[p]["ended"])
    assert not not_ended, f"passes answered 200 on /end have no end: {not_ended[:10]}"
    not_cancelled = sorted(p for p in cancelled if not stored[p]["cancelled"])
    assert not not_cancelled, f"passes answered 200 on /cancel are not: {not_cancelled[:10]}"
    # At most one pass per thread was between its 201 and the answer to its end or cancel, or
    # in flight.
    out_now = {p for p, v in stored.items() if v["type"] == "now" and not v["ended"]}
    upcoming = {p for p, v in stored.items() if v["type"] == "scheduled" and not v["cancelled"]}
    assert len(out_now) + len(upcoming) <= THREADS, (out_now, upcoming)
    assert len(stored) <= len(created) + THREADS  # Only requests in flight may add to it.
    check(store.db)

    # A restarted server serves the same store, and its reports are a recount.
    again = store.server(log_name="rush-again").start()
    try:
        admin = sign_in(again, ADMIN)
        assert {p["id"] for p in admin.active()} == out_now
        assert {p["id"] for p in admin.upcoming()} == upcoming
        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=-6))).date()
        rng = f"from={today - dt.timedelta(days=2)}&to={today + dt.timedelta(days=2)}"
        names = {r["name"]: r["id"] for r in admin.rooms()}
        counted = [r for r in store.sql("SELECT origin_id, destination_id, cancelled "
                                        "FROM passes")
                   if str(r[2]) not in ("1", "t", "true", "True")]
        for row in ok(admin.get(f"/api/reports/rooms?{rng}"))["rows"]:
            rid = str(names[row["room"]])
            assert row["passes_from"] == sum(str(r[0]) == rid for r in counted), row
            assert row["passes_to"] == sum(str(r[1]) == rid for r in counted), row
        staff = {r["email"]: r for r in ok(admin.get(f"/api/reports/staff?{rng}"))["rows"]}
        now = sum(v["type"] == "now" for v in stored.values())
        assert staff[TEACHER["email"]]["now"] == now, (staff, now)
        assert staff[TEACHER["email"]]["scheduled"] == len(upcoming), (staff, upcoming)
        assert staff[ADMIN["email"]]["total"] == 0
        # The passes left over can be ended or cancelled now, once.
        t = sign_in(again, TEACHER)
        for p in out_now:
            ok(t.end_pass(p))
            assert t.end_pass(p).status == 409
        for p in upcoming:
            ok(t.cancel_pass(p))
            assert t.cancel_pass(p).status == 409
        assert admin.active() == [] and admin.upcoming() == []
    finally:
        assert again.stop() == 0, again.log()
    check(store.db)
