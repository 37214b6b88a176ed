"""The systemd unit, debian/hallpass.service: systemd-analyze verify accepts it (with the unit's
binary path pointed at the built binary and the man page on MANPATH, as in a container without
a running systemd), and systemd-analyze security rates its exposure OK or better (below 5.0)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from server_util import hallpass_bin

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "debian" / "hallpass.service"
# systemd-analyze's scale: 0.0 PERFECT, below 5.0 OK, then MEDIUM, EXPOSED, UNSAFE, DANGEROUS.
EXPOSURE_THRESHOLD = "49"  # Tenths: fail above 4.9.

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                reason="systemd-analyze is not installed")


def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    unit = tmp_path / "hallpass.service"
    unit.write_text(UNIT.read_text().replace("/usr/bin/hallpass", hallpass_bin()))
    man1 = tmp_path / "man" / "man1"
    man1.mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "hallpass.1", man1)
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True, env=os.environ | {"MANPATH": str(tmp_path / "man")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hallpass.service" not in done.stderr, done.stderr


def test_systemd_analyze_security_rates_the_unit_ok():
    done = subprocess.run(["systemd-analyze", "security", "--offline=true",
                           f"--threshold={EXPOSURE_THRESHOLD}", str(UNIT)],
                          capture_output=True, text=True)
    m = re.search(r"Overall exposure level for hallpass\.service: ([0-9.]+) (\w+)", done.stdout)
    assert m, done.stdout + done.stderr
    assert m.group(2) in ("OK", "PERFECT") and float(m.group(1)) < 5.0, m.group(0)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
