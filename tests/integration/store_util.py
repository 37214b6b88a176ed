"""The two stores the integration tests run against: the embedded SQLite store (a file path
given to --db) and the PostgreSQL store (a postgresql:// URI given to --db).

- PgServer: one throw-away PostgreSQL server for the whole session, started and stopped with
  scripts/pg-test-server.sh (in /dev/shm when there is room: each database is several
  megabytes of files); it hands out fresh databases (CREATE DATABASE with a unique name),
  made a few ahead of need by a background thread, which also drops those handed back.
- StoreFactory: fresh store addresses of one kind; a SQLite store is a path (a pathlib.Path)
  in the factory's directory, a PostgreSQL store is a URI (a str) of a database of its own.
- sql(): runs SQL on either store directly, to stage what no command can (an old session) and
  to look at what a command left behind.

Only the Python standard library is used here (and pytest, to fail with a clear message).
"""

from __future__ import annotations

import glob
import itertools
import os
import queue
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import pytest

STORE_KINDS = ("sqlite", "postgresql")
DEFAULT_STORES = "sqlite,postgresql"
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PG_SCRIPT = REPO / "scripts" / "pg-test-server.sh"
PSQL_TIMEOUT = 60
PG_START_TIMEOUT = 120
AHEAD = 4  # Databases made ahead of need.


def selected_stores() -> list[str]:
    """The stores HALLPASS_TEST_STORES names (a comma list; default both), in its order."""
    raw = os.environ.get("HALLPASS_TEST_STORES", DEFAULT_STORES)
    kinds = []
    for word in raw.split(","):
        word = word.strip().lower()
        if word and word not in kinds:
            kinds.append(word)
    bad = [k for k in kinds if k not in STORE_KINDS]
    if bad or not kinds:
        raise pytest.UsageError(
            f"HALLPASS_TEST_STORES={raw!r}: give a comma list of {', '.join(STORE_KINDS)} "
            f"(default {DEFAULT_STORES!r})")
    # The very objects of STORE_KINDS: pytest keeps a module-scoped fixture's value for the
    # next test only when the next parameter *is* the same object.
    return [next(c for c in STORE_KINDS if c == k) for k in kinds]


def is_uri(db) -> bool:
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def store_kind_of(db) -> str:
    return "postgresql" if is_uri(db) else "sqlite"


# --------------------------------------------------------------------------------------------
# psql


def pg_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin, as scripts/pg-test-server.sh picks it."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: [int(x) if x.isdigit() else x
                                 for x in re.split(r"(\d+)", d)])
    return Path(dirs[-1]) if dirs else None


def psql_binary() -> str | None:
    d = pg_bin_dir()
    if d is not None and (d / "psql").is_file():
        return str(d / "psql")
    return shutil.which("psql")


_PSQL = None


def _psql() -> str:
    global _PSQL
    if _PSQL is None:
        _PSQL = psql_binary()
        if _PSQL is None:
            pytest.fail("psql is not installed (Debian: apt-get install postgresql-client); "
                        "it is needed to make the test databases", pytrace=False)
    return _PSQL


def pg_env() -> dict:
    # The URI says everything; libpq's variables from the caller's shell must not add to it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    env["LC_ALL"] = "C.UTF-8"
    return env


FIELD, RECORD = "\x1f", "\x1e"


def psql(uri: str, statement: str) -> list[tuple]:
    """Runs one statement with psql on the database at uri; gives the rows it returns
    (every value as text; NULL as the empty string)."""
    argv = [_psql(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", FIELD, "-R",
            RECORD, "-d", uri, "-c", statement]
    proc = subprocess.run(argv, capture_output=True, timeout=PSQL_TIMEOUT, env=pg_env())
    if proc.returncode != 0:
        raise AssertionError(f"psql {statement!r} on {uri} exited {proc.returncode}: "
                             f"{proc.stderr.decode(errors='replace')}")
    out = proc.stdout.decode("utf-8")
    if out.endswith("\n"):
        out = out[:-1]
    if not out:
        return []
    return [tuple(rec.split(FIELD)) for rec in out.split(RECORD) if rec != ""]


def sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "'\\x" + bytes(value).hex() + "'::bytea"
    return "'" + str(value).replace("'", "''") + "'"


def bind(statement: str, params: Sequence) -> str:
    """The statement with each ? replaced by the next parameter as a SQL literal (enough for
    the tests' own statements, which hold no ? of their own)."""
    parts = statement.split("?")
    if len(parts) - 1 != len(params):
        raise ValueError(f"{len(parts) - 1} placeholders, {len(params)} parameters")
    out = [parts[0]]
    for value, rest in zip(params, parts[1:]):
        out += [sql_literal(value), rest]
    return "".join(out)


def sql(db, statement: str, params: Sequence = ()) -> list[tuple]:
    """Runs one statement on either store (SQLite: sqlite3; PostgreSQL: psql) and gives its
    rows. Placeholders are ?. PostgreSQL gives every value as text."""
    if is_uri(db):
        return psql(db, bind(statement, params))
    con = sqlite3.connect(str(db), timeout=30)
    try:
        with con:
            return con.execute(statement, params).fetchall()
    finally:
        con.close()


# How to undo each schema step since the refusals were recorded, as a test winds a store back
# to an older hallpass: (SQLite version, PostgreSQL version) after the step, and what
# undoing it takes (a statement for one kind of store only is a (kind, statement) pair). The data an older store had stays (its passes, its reports' counters).
_STEPS_UNDONE = [
    ((8, 7), ["DROP TABLE refusals", "DROP TABLE refusals_unrecorded"]),
    ((9, 8), ["DROP TABLE counters_unbuilt",
              "DELETE FROM usage_counts WHERE kind BETWEEN 6 AND 17"]),
    ((10, 9), ["ALTER TABLE usage_counts DROP COLUMN c"]),
    ((11, 10), ["DROP TABLE line_entries"]),
    ((12, 11), ["DROP TABLE encounter_overridden"]),
    ((13, 12), ["ALTER TABLE passes DROP COLUMN limit_exempt"]),
    ((14, 13), ["ALTER TABLE users DROP COLUMN active"]),
    # The audit log's triggers go with their tables (and, in PostgreSQL, their functions).
    ((15, 14), ["DROP TABLE audit_log", "DROP TABLE audit_purged",
                ("postgresql", "DROP FUNCTION audit_log_kept"),
                ("postgresql", "DROP FUNCTION audit_purged_kept")]),
    ((16, 15), ["DROP TABLE purged", "DROP TABLE counts_removed"]),
    ((17, 16), ["DROP TABLE shares"]),
    ((18, 17), ["DROP INDEX users_by_source_id", "ALTER TABLE users DROP COLUMN source_id"]),
    ((19, 18), ["DELETE FROM usage_counts WHERE period = 2"]),
    ((20, 19), ["INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c)"
                " SELECT school_id, 13, period, bucket, id, c, d, 0 FROM usage_counts"
                " WHERE kind = 12 AND (c <> 0 OR d <> 0)",
                "UPDATE usage_counts SET c = 0, d = 0 WHERE kind = 12",
                "ALTER TABLE usage_counts DROP COLUMN d",
                "ALTER TABLE counts_removed DROP COLUMN d"]),
    ((21, 20), ["DELETE FROM usage_counts WHERE period = 3"]),
]


def schema_back_to(db, sqlite_version: int) -> None:
    """Winds a store's schema back to the SQLite version given (PostgreSQL: the same step,
    one lower), undoing every later step, so that opening it again migrates it as an older
    hallpass's store would be."""
    for (sqlite_v, _), statements in reversed(_STEPS_UNDONE):
        if sqlite_v > sqlite_version:
            for statement in statements:
                if isinstance(statement, tuple):
                    kind, statement = statement
                    if kind != store_kind_of(db):
                        continue
                sql(db, statement)
    if is_uri(db):
        sql(db, f"DELETE FROM schema_version WHERE version > {sqlite_version - 1}")
    else:
        sql(db, f"PRAGMA user_version = {sqlite_version}")


def pg_tables(uri: str) -> list[str]:
    return sorted(r[0] for r in psql(uri, "SELECT tablename FROM pg_tables "
                                          "WHERE schemaname = 'public'"))


def school_names(db) -> list[str]:
    """The schools in a store; [] when it holds none, or no schema at all, or (SQLite) there
    is no file."""
    if is_uri(db):
        if "schools" not in pg_tables(db):
            return []
    else:
        if not Path(db).exists():
            return []
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            found = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                "name = 'schools'").fetchall()
        finally:
            con.close()
        if not found:
            return []
    return sorted(r[0] for r in sql(db, "SELECT name FROM schools"))


# --------------------------------------------------------------------------------------------
# The throw-away PostgreSQL server


def _server_parent() -> str | None:
    """Where the server's directory goes: a RAM file system when there is a roomy one, since
    every test's database is several megabytes of files written and soon removed; else the
    system's temporary directory. Not under pytest's base temporary directory either way:
    that is private to this user, and the server runs as the postgres user under root."""
    try:
        st = os.statvfs("/dev/shm")
        if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) and \
                st.f_bavail * st.f_frsize >= SHM_NEEDED:
            return "/dev/shm"
    except OSError:
        pass
    return None


SHM_NEEDED = 2 << 30


class PgServer:
    """scripts/pg-test-server.sh start DIR ... stop DIR, with fresh databases on demand.

    A background thread keeps a few empty databases made ahead of need (new_database() takes
    one), and drops the databases handed back with drop_later() (so that a session's few
    hundred databases do not all sit on disk, or in memory, until the end)."""

    def __init__(self, script: Path = PG_SCRIPT):
        self.script = Path(script)
        self.dir: Path | None = None
        self.base_uri = ""        # postgresql://hallpass@127.0.0.1:PORT (no database)
        self.admin_uri = ""       # ... /postgres
        self._names = itertools.count(1)
        self._ready: queue.Queue = queue.Queue()
        self._drops: list[str] = []
        self._want = threading.Condition()
        self._stopping = False
        self._worker: threading.Thread | None = None
        self._strategy = ""
        self._force = ""
        self.made = 0
        self.dropped = 0
        self.drop_errors: list[str] = []

    # Starting and stopping.

    def start(self) -> "PgServer":
        bindir = pg_bin_dir()
        if bindir is None or not (bindir / "initdb").is_file():
            pytest.fail("HALLPASS_TEST_STORES asks for the PostgreSQL store, but PostgreSQL is "
                        "not installed (no /usr/lib/postgresql/*/bin/initdb). Install it "
                        "(Debian: apt-get install postgresql postgresql-client) or run only the "
                        "SQLite store with HALLPASS_TEST_STORES=sqlite", pytrace=False)
        _psql()
        self.dir = Path(tempfile.mkdtemp(prefix="hallpass-pg-", dir=_server_parent()))
        proc = subprocess.run(["bash", str(self.script), "start", str(self.dir)],
                              capture_output=True, timeout=PG_START_TIMEOUT)
        out = proc.stdout.decode(errors="replace").strip().splitlines()
        if proc.returncode != 0 or not out or not out[-1].startswith("postgresql://"):
            log = ""
            for name in ("initdb.log", "server.log"):
                try:
                    log += f"\n{name}: " + (self.dir / name).read_text(errors="replace")[-2000:]
                except OSError:
                    pass
            pytest.fail(f"scripts/pg-test-server.sh start {self.dir} failed "
                        f"(exit {proc.returncode}): {proc.stderr.decode(errors='replace')}"
                        f"{log}", pytrace=False)
        self.admin_uri = out[-1]
        self.base_uri = self.admin_uri.rsplit("/", 1)[0]
        version = int(psql(self.admin_uri, "SHOW server_version_num")[0][0])
        # FILE_COPY is several times faster than PostgreSQL 15's default for a small template.
        self._strategy = " STRATEGY = FILE_COPY" if version >= 150000 else ""
        self._force = " WITH (FORCE)" if version >= 130000 else ""
        self._worker = threading.Thread(target=self._work, name="pg-databases", daemon=True)
        self._worker.start()
        return self

    def stop(self) -> None:
        with self._want:
            self._stopping = True
            self._want.notify_all()
        if self._worker is not None:
            self._worker.join(PSQL_TIMEOUT)
            self._worker = None
        if self.dir is not None:
            subprocess.run(["bash", str(self.script), "stop", str(self.dir)],
                           capture_output=True, timeout=PG_START_TIMEOUT)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # Databases.

    def uri(self, database: str) -> str:
        return f"{self.base_uri}/{database}"

    def create_database(self, name: str) -> str:
        psql(self.admin_uri, f'CREATE DATABASE "{name}"{self._strategy}')
        self.made += 1
        return self.uri(name)

    def _work(self) -> None:
        while True:
            with self._want:
                while not self._stopping and self._ready.qsize() >= AHEAD and not self._drops:
                    self._want.wait()
                if self._stopping:
                    return
                drop = self._drops.pop(0) if self._ready.qsize() >= AHEAD else None
            if drop is not None:
                try:
                    psql(self.admin_uri, f'DROP DATABASE IF EXISTS "{drop}"{self._force}')
                    self.dropped += 1
                except AssertionError as e:  # left for the server's removal at the end
                    self.drop_errors.append(str(e))
                continue
            name = f"hallpass_test_{next(self._names):05d}"
            try:
                self._ready.put(self.create_database(name))
            except BaseException as e:  # noqa: BLE001 - handed to whoever asks next
                self._ready.put(e)
                return

    def new_database(self) -> str:
        """The URI of a fresh, empty database that nothing else uses."""
        try:
            item = self._ready.get(timeout=PSQL_TIMEOUT)
        except queue.Empty:
            pytest.fail("no fresh PostgreSQL database within a minute", pytrace=False)
        with self._want:
            self._want.notify_all()
        if isinstance(item, BaseException):
            self._ready.put(item)  # every later ask fails the same way
            raise AssertionError(f"could not create a PostgreSQL database: {item}")
        return item

    def drop_later(self, uri: str) -> None:
        """Drops the database soon, in the background (its users must be gone by then)."""
        assert uri.startswith(self.base_uri + "/"), uri
        with self._want:
            self._drops.append(uri[len(self.base_uri) + 1:])
            self._want.notify_all()

    def database_exists(self, name: str) -> bool:
        return bool(psql(self.admin_uri, "SELECT 1 FROM pg_database WHERE datname = "
                                         + sql_literal(name)))


# --------------------------------------------------------------------------------------------
# Store addresses


class StoreFactory:
    """Fresh stores of one kind: new(name) gives a path in `directory` that does not exist
    yet (SQLite) or the URI of a new, empty database (PostgreSQL)."""

    def __init__(self, kind: str, directory: Path, pg: PgServer | None = None):
        assert kind in STORE_KINDS, kind
        assert kind != "postgresql" or pg is not None
        self.kind = kind
        self.dir = Path(directory)
        self.pg = pg
        self._taken: set = set()

    @property
    def sqlite(self) -> bool:
        return self.kind == "sqlite"

    def new(self, name: str = "hallpass"):
        """A fresh store address; `name` names the SQLite file (name.db, or name-N.db when
        that is taken)."""
        if self.kind == "postgresql":
            uri = self.pg.new_database()
            self._taken.add(uri)
            return uri
        name = name[:-3] if name.endswith(".db") else name
        for n in itertools.count(1):
            path = self.dir / (f"{name}.db" if n == 1 else f"{name}-{n}.db")
            if path not in self._taken and not path.exists():
                self._taken.add(path)
                return path

    def missing(self, name: str = "nowhere"):
        """An address of a store that does not exist: a path with no file, or a URI naming a
        database the server does not have. Gives (address, the name an error should show)."""
        if self.kind == "postgresql":
            database = f"{name}_{next(_missing)}"
            return self.pg.uri(database), database
        path = self.new(name)
        return path, path.name


    def close(self) -> None:
        """The factory's stores are no longer used: drops its PostgreSQL databases (in the
        background); SQLite files stay in pytest's temporary directory."""
        if self.kind == "postgresql":
            for uri in sorted(self._taken):
                self.pg.drop_later(uri)
        self._taken.clear()


_missing = itertools.count(1)
