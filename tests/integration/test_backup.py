"""`hallpass backup`: a copy of a SQLite store taken while a server writes to it.

(a) While 8 clients create and end passes over HTTP as fast as they can against a served
    SQLite store (which holds a few thousand imported passes, so that the copy takes many
    steps), `hallpass backup` copies it. The backup opens, `hallpass check --db BACKUP` exits
    0, and it holds every pass answered 201 before the backup began; the server kept answering
    during the backup.
(b) Bad input is refused with a clear message and leaves things as they were: a missing
    store, a target in a folder that does not exist, an existing target (replaced only with
    --force), and a PostgreSQL store (backed up with pg_dump).

SQLite only: a PostgreSQL store is backed up with PostgreSQL's own tools.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from server_util import (ADMIN, PASS_COLUMNS, TEACHER, Store, _env, hallpass_bin, room,
                         start_workers, students, write_csv)

pytestmark = pytest.mark.sqlite_only

SCHOOL = "Lincoln High"
ZONE = "America/Chicago"
THREADS = 8
PER_THREAD = 4
ROOMS = [room(f"Backup Room {i}") for i in range(8)]
PUPILS = students("bk", THREADS * PER_THREAD)
IMPORTED = 6000  # Passes imported first: a store of several MB, copied in many steps.
WARM_SECONDS = 0.5  # The rush runs this long before the backup starts, and after it ends.


def hp(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([hallpass_bin(), *map(str, args)], capture_output=True,
                          timeout=timeout, env=_env())


def stored_ids(db) -> set[int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in con.execute("SELECT id FROM passes")}
    finally:
        con.close()


def write_old_passes(path: Path) -> Path:
    first = dt.datetime(2025, 9, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    rows = []
    for n in range(IMPORTED):
        start = first + dt.timedelta(minutes=n)
        rows.append({"id": f"old-{n}", "student": PUPILS[n % len(PUPILS)]["email"],
                     "origin": ROOMS[n % 8]["name"], "destination": ROOMS[(n + 1) % 8]["name"],
                     "creator": TEACHER["email"], "source": "teacher", "type": "now",
                     "start": start.isoformat(),
                     "end": (start + dt.timedelta(minutes=5)).isoformat(), "cancelled": ""})
    return write_csv(path, PASS_COLUMNS, rows)


class Worker(threading.Thread):
    """Creates a pass for one of its students and ends it, until told to stop; keeps the
    time each 201 arrived."""

    def __init__(self, n: int, client, stop: threading.Event):
        super().__init__(daemon=True)
        self.n = n
        self.client = client
        self.stop = stop
        self.acked: list[tuple[float, int]] = []  # (time of the 201, pass id)
        self.odd: list = []

    def run(self):
        pupils = [p["email"] for p in PUPILS[self.n * PER_THREAD:(self.n + 1) * PER_THREAD]]
        i = 0
        while not self.stop.is_set():
            r = self.client.create_pass(student=pupils[i % PER_THREAD],
                                        origin=ROOMS[(self.n + i) % 8]["name"],
                                        destination=ROOMS[(self.n + i + 3) % 8]["name"])
            i += 1
            if r.status != 201:
                self.odd.append(("create", r.status, r.body[:200]))
                continue
            self.acked.append((time.monotonic(), r.json["id"]))
            e = self.client.post(f"/api/passes/{r.json['id']}/end")
            if e.status != 200:
                self.odd.append(("end", e.status, e.body[:200]))


def test_a_backup_taken_during_a_rush_holds_every_pass_answered_before_it(stores, tmp_path):
    store = Store.new(stores, "busy").init(SCHOOL, ZONE)
    store.rooms(ROOMS)
    store.users([ADMIN, TEACHER, *PUPILS])
    r = hp("import", "passes", "--db", store.db, write_old_passes(tmp_path / "old.csv"))
    assert r.returncode == 0, r.stderr
    backup = tmp_path / "backup.db"
    srv = store.server("--threads", str(THREADS), log_name="busy").start()
    stop = threading.Event()
    workers = []
    try:
        workers = start_workers(srv, TEACHER, Worker, THREADS, stop)
        time.sleep(WARM_SECONDS)
        began = time.monotonic()
        r = hp("backup", "--db", store.db, "--to", backup)
        ended = time.monotonic()
        time.sleep(WARM_SECONDS)
    finally:
        stop.set()
        for w in workers:
            w.join(30)
        assert srv.stop() == 0, srv.log()
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"backed up {store.db} to {backup}\n"
    assert not Path(f"{backup}.tmp").exists()
    odd = [o for w in workers for o in w.odd]
    assert not odd, odd[:5]
    acked = [a for w in workers for a in w.acked]
    before = {pid for t, pid in acked if t < began}
    during = [pid for t, pid in acked if began <= t <= ended]
    assert before and during, (len(before), len(during), ended - began)

    # The backup opens and holds every pass answered before it began; its counters agree.
    in_backup = stored_ids(backup)
    missing = sorted(before - in_backup)
    assert not missing, f"{len(missing)} passes answered 201 before the backup are missing"
    assert len(in_backup) >= IMPORTED + len(before)
    c = hp("check", "--db", backup)
    assert c.returncode == 0, (c.stdout, c.stderr)
    assert c.stdout.decode().endswith("all agree\n"), c.stdout
    # The store itself went on: it holds the passes answered after the backup too.
    assert {pid for _, pid in acked} <= stored_ids(store.db)


@pytest.fixture
def small(stores) -> Store:
    store = Store.new(stores, "small").init(SCHOOL, ZONE)
    store.rooms(ROOMS)
    return store


def test_a_missing_store_is_refused_and_no_backup_is_written(tmp_path):
    target = tmp_path / "b.db"
    r = hp("backup", "--db", tmp_path / "nope.db", "--to", target)
    assert r.returncode == 1
    assert r.stderr.decode() == (f"hallpass backup: {tmp_path / 'nope.db'}: no such store; "
                                 "create it with hallpass init\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_target_that_cannot_be_written_is_refused_and_leaves_nothing(small, tmp_path):
    target = tmp_path / "no-such-folder" / "b.db"
    r = hp("backup", "--db", small.db, "--to", target)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith(f"hallpass backup: {target}.tmp: cannot write the backup: "), err
    assert not target.parent.exists()
    assert hp("check", "--db", small.db).returncode == 0


def test_an_existing_target_is_kept_unless_force(small, tmp_path):
    target = tmp_path / "b.db"
    target.write_bytes(b"yesterday's backup")
    r = hp("backup", "--db", small.db, "--to", target)
    assert r.returncode == 1
    assert r.stderr.decode() == (f"hallpass backup: {target}: exists already; choose another "
                                 "name, or --force to replace it\n")
    assert target.read_bytes() == b"yesterday's backup"
    assert not Path(f"{target}.tmp").exists()

    r = hp("backup", "--db", small.db, "--to", target, "--force")
    assert r.returncode == 0, r.stderr
    out = hp("report", "rooms", "--db", target, "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout == hp("report", "rooms", "--db", small.db, "--format", "csv").stdout


def test_a_folder_as_target_is_refused(small, tmp_path):
    r = hp("backup", "--db", small.db, "--to", tmp_path, "--force")
    assert r.returncode == 1
    assert r.stderr.decode() == f"hallpass backup: {tmp_path}: is a folder, not a file\n"


def test_a_postgresql_store_is_refused_naming_pg_dump(tmp_path):
    target = tmp_path / "b.db"
    r = hp("backup", "--db", "postgresql://hallpass@db.example/district", "--to", target)
    assert r.returncode == 1
    assert r.stderr.decode() == ("hallpass backup: a PostgreSQL store is backed up with "
                                 "PostgreSQL's own tools: pg_dump -Fc (and restored with "
                                 "pg_restore)\n")
    assert not target.exists()


def test_the_target_is_required():
    r = hp("backup", "--db", "x.db")
    assert r.returncode == 2
    assert "--to FILE is required" in r.stderr.decode()
