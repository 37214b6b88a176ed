"""The server under misuse by many connections (docs/security.md, "Many connections"): one
address that opens a thousand slow connections, each sending a header line every few seconds
so that it is never silent, neither takes the server from everyone else nor keeps its
connections past the request deadline, nor floods the log.

The server listens on 0.0.0.0 so that a client at another loopback address (127.0.0.2)
stands for another school's or another household's address. It runs with `--timeout 5`, so
the whole-request deadline (twice the timeout) is 10 s."""

from __future__ import annotations

import resource
import select
import socket
import time

import pytest

from server_util import ADMIN, basic_store, ok, sign_in

TIMEOUT = 5                      # serve --timeout
DEADLINE = 2 * TIMEOUT           # A request must arrive whole within this.
PER_ADDRESS = 512                # CONNECTIONS_PER_ADDRESS in src/http/server.c
SLOW = 1000                      # Slow connections from 127.0.0.1.
TRICKLE = 4                      # Seconds between their header lines.
OTHER = "127.0.0.2"


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=(ADMIN,))


@pytest.fixture(scope="module")
def server(store):
    with store.server("--timeout", str(TIMEOUT), "--listen", "0.0.0.0:0").start() as srv:
        srv.host = "127.0.0.1"
        yield srv


@pytest.fixture
def open_files():
    """Room for a thousand sockets in this process (the server raises its own limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = SLOW + 512
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.fail(f"the open-file limit ({hard}) is below {want}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def ask(server, source: str, path: str = "/api/session", timeout: float = 5) -> bytes:
    """One GET from the given source address; the answer's bytes (b"" when refused)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.bind((source, 0))
        s.connect((server.host, server.port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        out = b""
        while True:
            data = s.recv(65536)
            if not data:
                return out
            out += data
    except OSError:
        return b""
    finally:
        s.close()


def closed(sock: socket.socket) -> bool:
    """True when the server has closed the socket (readable with nothing to read)."""
    ready, _, _ = select.select([sock], [], [], 0)
    if not ready:
        return False
    try:
        return sock.recv(4096, socket.MSG_PEEK) == b""
    except OSError:
        return True


def trickle(socks: list, line: bytes):
    for s in socks:
        try:
            s.send(line)
        except OSError:
            pass


def test_slow_connections_from_one_address_shut_out_no_one(server, open_files):
    slow = []
    try:
        opened = time.monotonic()
        for i in range(SLOW):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((server.host, server.port))
            slow.append(s)
        for s in slow:  # Wait for each connect to finish, then start a request.
            select.select([], [s], [], 5)
            try:
                s.send(b"GET /api/session HTTP/1.1\r\nHost: x\r\n")
            except OSError:
                pass
        time.sleep(1)  # The server has refused those past its limit for this address.

        # Another address is answered at once, again and again.
        for _ in range(5):
            t0 = time.monotonic()
            answer = ask(server, OTHER)
            assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
            assert time.monotonic() - t0 < 1.0
        # This address has no more than its share open; a new connection from it is refused.
        held = [s for s in slow if not closed(s)]
        assert 0 < len(held) <= PER_ADDRESS, len(held)
        assert ask(server, "127.0.0.1") == b""

        # The slow ones keep talking, never silent for the timeout, and are cut off at the
        # deadline all the same.
        line = 0
        while time.monotonic() - opened < DEADLINE + 3 and any(not closed(s) for s in held):
            trickle(held, b"X-Slow-%d: x\r\n" % line)
            line += 1
            time.sleep(TRICKLE if time.monotonic() - opened < DEADLINE - TRICKLE else 0.5)
        still = [s for s in held if not closed(s)]
        assert not still, f"{len(still)} slow connections outlived the {DEADLINE} s deadline"
        assert time.monotonic() - opened >= DEADLINE - 1
    finally:
        for s in slow:
            s.close()
    # Once they are gone, the address is served again.
    time.sleep(0.5)
    ok(sign_in(server, ADMIN).get("/api/session"))
    # A thousand refused or cut-off connections make a few lines in the log, not thousands:
    # each kind of message is written once a minute.
    notes = [line for line in server.log_path.read_text(errors="replace").splitlines()
             if line.startswith("hallpass serve: ") and "listening" not in line]
    assert 0 < len(notes) <= 6, notes
