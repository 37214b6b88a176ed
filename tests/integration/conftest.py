"""Fixtures for the hallpass integration tests.

Run as:  HALLPASS_BIN=$PWD/build/hallpass /usr/bin/python3 -m pytest -q tests/integration

- hallpass_bin: the binary named by HALLPASS_BIN; every test fails with a clear message when
  it is missing (nothing is skipped).
- hp: a Hallpass runner whose working directory is the test's tmp_path;
  hp.run(*args) gives a Result that unpacks as (exit code, stdout, stderr).
- run: hp.run itself.
- school: a fresh store in tmp_path with one school, Lincoln High in America/Chicago.
- make_school: creates more schools (another store, or the same one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hallpass_kit import Hallpass, School


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
def make_school(hp, tmp_path):
    """make_school(name, timezone, db="hallpass.db", select=False) -> School, after a
    successful `hallpass init`."""

    def make(name="Lincoln High", timezone="America/Chicago", db="hallpass.db", select=False):
        path = tmp_path / db
        r = hp.run("init", "--db", path, "--school", name, "--timezone", timezone)
        assert r.code == 0, f"init failed: {r!r}"
        return School(hp, path, name, timezone, select=select)

    return make


@pytest.fixture
def school(make_school) -> School:
    return make_school()
