"""Fixtures for the hallpass integration tests.

Run as:  HALLPASS_BIN=$PWD/build/hallpass /usr/bin/python3 -m pytest -q tests/integration

Every test that makes a store runs against both stores, as test_x[sqlite] and
test_x[postgresql]: the embedded SQLite store (a file path given to --db) and the PostgreSQL
store (a postgresql:// URI given to --db). HALLPASS_TEST_STORES (a comma list, default
"sqlite,postgresql") chooses which run. For PostgreSQL one throw-away server is started for
the session (scripts/pg-test-server.sh) and each store is a database of its own; when
PostgreSQL is wanted but not installed, the tests that need it fail saying so.

- hallpass_bin: the binary named by HALLPASS_BIN; every test fails with a clear message when
  it is missing (nothing is skipped).
- store_kind: "sqlite" or "postgresql" (module-scoped, parametrized by pytest_generate_tests
  below for every test that uses it, directly or through another fixture).
- stores: a StoreFactory for the test; stores.new() is a fresh store address (a path in
  tmp_path, or the URI of a new database). module_stores: the same for a module's fixtures.
- pg_server: the session's PostgreSQL server (store_util.PgServer).
- server: `hallpass serve` on the module's own `store` fixture, for the module (modules that
  need options define their own).
- hp: a Hallpass runner whose working directory is the test's tmp_path;
  hp.run(*args) gives a Result that unpacks as (exit code, stdout, stderr).
- run: hp.run itself.
- school: a fresh store with one school, Lincoln High in America/Chicago.
- make_school: creates more schools (in a fresh store, or in a given one).

Markers: sqlite_only and postgresql_only run a test on one store only (tests about SQLite
files, and their PostgreSQL counterparts); both_stores marks tests that use both stores at
once (they run only when HALLPASS_TEST_STORES names both).
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path

import pytest

from hallpass_kit import Hallpass, School
from store_util import STORE_KINDS, PgServer, StoreFactory, selected_stores


def _binary() -> str:
    path = os.environ.get("HALLPASS_BIN")
    if not path:
        pytest.fail("HALLPASS_BIN is not set: run the tests as "
                    "HALLPASS_BIN=$PWD/build/hallpass python3 -m pytest tests/integration",
                    pytrace=False)
    p = Path(path)
    if not p.is_file() or not os.access(p, os.X_OK):
        pytest.fail(f"HALLPASS_BIN={path!r} is not an executable file; build it with "
                    "cmake -S . -B build && cmake --build build", pytrace=False)
    return str(p.resolve())


# --------------------------------------------------------------------------------------------
# Choosing the stores


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: runs on the SQLite store only (a test "
                                       "about SQLite files)")
    config.addinivalue_line("markers", "postgresql_only: runs on the PostgreSQL store only")
    config.addinivalue_line("markers", "both_stores: uses both stores at once; runs only when "
                                       "HALLPASS_TEST_STORES names both")
    selected_stores()  # A bad HALLPASS_TEST_STORES is a usage error before anything runs.


def pytest_generate_tests(metafunc):
    if "store_kind" not in metafunc.fixturenames:
        return
    wanted = selected_stores()
    only = [k for k in STORE_KINDS if metafunc.definition.get_closest_marker(f"{k}_only")]
    kinds = [k for k in wanted if not only or k in only]
    if kinds:
        params = [pytest.param(k, id=k) for k in kinds]
    else:
        reason = (f"{only[0]} only, and HALLPASS_TEST_STORES="
                  f"{os.environ.get('HALLPASS_TEST_STORES')!r} leaves it out")
        params = [pytest.param(only[0], id=only[0], marks=pytest.mark.skip(reason=reason))]
    metafunc.parametrize("store_kind", params, indirect=True, scope="module")


def pytest_collection_modifyitems(config, items):
    wanted = set(selected_stores())
    if wanted == set(STORE_KINDS):
        return
    skip = pytest.mark.skip(reason="needs both stores, and HALLPASS_TEST_STORES="
                                   f"{os.environ.get('HALLPASS_TEST_STORES')!r} names one")
    for item in items:
        if item.get_closest_marker("both_stores"):
            item.add_marker(skip)


# --------------------------------------------------------------------------------------------
# Stores


@pytest.fixture(scope="session")
def pg_server():
    """The session's throw-away PostgreSQL server, started when a test first needs it and
    stopped (its directory removed) at the end of the session, whatever happened."""
    server = PgServer()
    atexit.register(server.stop)  # Also when the session is cut short.
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def store_kind(request) -> str:
    return request.param


def _factory(request, kind: str, directory: Path) -> StoreFactory:
    pg = request.getfixturevalue("pg_server") if kind == "postgresql" else None
    return StoreFactory(kind, directory, pg)


@pytest.fixture
def stores(request, store_kind, tmp_path) -> StoreFactory:
    """Fresh stores for one test: stores.new(name) is a path in tmp_path (SQLite) or the URI
    of a new database (PostgreSQL; dropped after the test)."""
    factory = _factory(request, store_kind, tmp_path)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def module_stores(request, store_kind, tmp_path_factory) -> StoreFactory:
    """Fresh stores for a module's fixtures, with a directory of their own (PostgreSQL
    databases are dropped after the module)."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    factory = _factory(request, store_kind, tmp_path_factory.mktemp(f"{name}-{store_kind}"))
    yield factory
    factory.close()


# --------------------------------------------------------------------------------------------
# Running the binary


@pytest.fixture(scope="module")
def server(store):
    """`hallpass serve` on the module's `store` fixture (a server_util.Store), for the whole
    module; it must exit 0 at the end. A module that needs other options defines its own."""
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="session")
def hallpass_bin() -> str:
    return _binary()


@pytest.fixture
def hp(hallpass_bin, tmp_path) -> Hallpass:
    return Hallpass(hallpass_bin, tmp_path)


@pytest.fixture
def run(hp):
    """run(*args, input=None, env=None, cwd=None) -> Result, unpacking as (code, stdout, stderr)."""
    return hp.run


@pytest.fixture
def make_school(hp, stores):
    """make_school(name, timezone, db=None, select=False) -> School, after a successful
    `hallpass init`; in a fresh store from `stores` unless db names one."""

    def make(name="Lincoln High", timezone="America/Chicago", db=None, select=False):
        if db is None:
            db = stores.new()
        r = hp.run("init", "--db", db, "--school", name, "--timezone", timezone)
        assert r.code == 0, f"init failed: {r!r}"
        return School(hp, db, name, timezone, select=select)

    return make


@pytest.fixture
def school(make_school) -> School:
    return make_school()
