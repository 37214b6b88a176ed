"""The PostgreSQL backend and the HTTP server are shared modules beside the binary
(hallpass-postgres.so, hallpass-http.so), loaded only by what uses them: a command on a
SQLite store runs without either, and a missing module is named in a clear error.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from server_util import _env, hallpass_bin

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def lone_binary(tmp_path) -> Path:
    """A copy of the binary in a folder of its own, without the modules."""
    folder = tmp_path / "bin"
    folder.mkdir()
    return Path(shutil.copy(hallpass_bin(), folder / "hallpass"))


def run(binary, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, timeout=60,
                          env=_env(), cwd=binary.parent)


def test_the_binary_links_neither_libpq_nor_the_http_libraries():
    out = subprocess.run(["ldd", hallpass_bin()], capture_output=True, check=True).stdout
    for lib in (b"libpq", b"libmicrohttpd", b"libcurl", b"libgnutls", b"libcjose"):
        assert lib not in out, out.decode()
    for module in ("hallpass-postgres.so", "hallpass-http.so"):
        assert (Path(hallpass_bin()).parent / module).exists()


def test_a_sqlite_store_needs_no_module(lone_binary):
    db = lone_binary.parent / "school.db"
    r = run(lone_binary, "init", "--db", db, "--school", "Lincoln High",
            "--timezone", "America/Chicago")
    assert r.returncode == 0, r.stderr
    r = run(lone_binary, "report", "rooms", "--db", db, "--format", "csv")
    assert r.returncode == 0, r.stderr


def test_a_missing_module_is_named(lone_binary):
    folder = lone_binary.parent
    r = run(lone_binary, "report", "rooms", "--db", "postgresql://hallpass@127.0.0.1:1/none")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("hallpass report: a PostgreSQL store needs hallpass-postgres.so, "
                          f"which is not installed (looked in {folder} and "), err

    db = folder / "school.db"
    run(lone_binary, "init", "--db", db, "--school", "Lincoln High",
        "--timezone", "America/Chicago")
    r = run(lone_binary, "serve", "--db", db, "--listen", "127.0.0.1:0")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("hallpass serve: the HTTP server needs hallpass-http.so, which is "
                          f"not installed (looked in {folder} and "), err
