"""The store's own operations on both stores: the unit tests of tests/unit/test_store.c
(students' IDs, the student search, the joined list of passes, the waiting line's entries,
ending a user's sessions, the store's messages), run against a fresh SQLite file and a fresh PostgreSQL database. The unit
suite runs them on an in-memory SQLite store; this is what puts PostgreSQL under them too."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def _unit_binary(hallpass_bin: str) -> Path:
    # The unit tests are built beside the binary (build/hallpass, build/test_store).
    return Path(hallpass_bin).parent / "test_store"


def test_store_operations(hallpass_bin, stores):
    binary = _unit_binary(hallpass_bin)
    assert binary.is_file(), f"{binary} is missing: build it with make all"
    env = dict(os.environ, HALLPASS_TEST_DB=str(stores.new("ops")))
    done = subprocess.run([str(binary)], env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr  # cmocka writes its summary to stderr
    assert done.returncode == 0, output
    # Every test but the one about moving a SQLite file, which needs a file of its own.
    assert output.count("[       OK ]") == 12, output
    assert "FAILED" not in output, output
