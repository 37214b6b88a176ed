"""Readiness for systemd: with NOTIFY_SOCKET set, `hallpass serve` sends READY=1 once its port
answers and STOPPING=1 when SIGTERM comes; without it, it serves as ever (every other test)."""
from __future__ import annotations

import re
import signal
import socket
import subprocess

from server_util import _env, cli, hallpass_bin

WAIT_SECONDS = 20  # Start-up on a loaded machine.


def test_serve_tells_systemd_it_is_ready_only_once_it_answers_and_when_it_stops(tmp_path):
    db = tmp_path / "hallpass.db"
    cli("init", "--db", str(db), "--school", "North", "--timezone", "America/Chicago")
    path = tmp_path / "notify"
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(path))
    notify.settimeout(WAIT_SECONDS)
    env = _env() | {"NOTIFY_SOCKET": str(path)}
    proc = subprocess.Popen([hallpass_bin(), "serve", "--db", str(db), "--listen", "127.0.0.1:0"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert notify.recv(4096) == b"READY=1"
        # Ready: the address is announced and a connection is taken at once.
        line = proc.stdout.readline()
        port = int(re.search(r":(\d+)$", line.strip()).group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT_SECONDS) as conn:
            conn.sendall(b"GET /api/session HTTP/1.0\r\n\r\n")
            assert conn.recv(64).startswith(b"HTTP/1.")
        proc.send_signal(signal.SIGTERM)
        assert notify.recv(4096) == b"STOPPING=1"
        assert proc.wait(WAIT_SECONDS) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        notify.close()
