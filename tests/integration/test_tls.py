"""HTTPS in `hallpass serve --tls-cert FILE --tls-key FILE`, and the clean stop.

Certificates are made in the test with the openssl command (self-signed, for 127.0.0.1).
Over TLS every answer carries Strict-Transport-Security and the session cookie is Secure;
plain HTTP on that port gets no answer; a pair that cannot be used stops the start with a
message naming the file. SIGHUP re-reads the files: new connections get the new certificate,
open ones keep going, the process stays the same, and a bad new pair leaves the old one in
use. SIGTERM during a rush of clients loses no pass a client was told was created, and a
request in flight at the signal is answered before the server exits 0.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from server_util import (ADMIN, HTTP_TIMEOUT, STOP_TIMEOUT, TEACHER, Client, Response,
                         basic_store, cli, hallpass_bin, ok, raw_request, students)

RUSH_CLIENTS = 8
RUSH_PER_CLIENT = 60
RUSH = students("rush", RUSH_CLIENTS * RUSH_PER_CLIENT)
LATE = students("late", 1)
HSTS = "max-age=31536000"


def make_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A new self-signed certificate for 127.0.0.1 and its key: (cert.pem, key.pem)."""
    cert, key = directory / f"{name}.crt.pem", directory / f"{name}.key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", f"/CN={name}", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def fingerprint_of_file(cert: Path) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert.read_text())).hexdigest()


def context() -> ssl.SSLContext:
    """A client that takes any certificate: the tests compare fingerprints themselves."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class TlsClient(Client):
    """server_util's Client over HTTPS."""

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPSConnection(self.host, self.port, timeout=HTTP_TIMEOUT,
                                           context=context())


def tls_client(server, token=None) -> TlsClient:
    return TlsClient(server.host, server.port, token)


def tls_sign_in(server, who: dict) -> TlsClient:
    c = tls_client(server)
    r = c.sign_in(who["email"], who["password"])
    assert r.status == 200, r
    return c


def served_fingerprint(server) -> str:
    """The SHA-256 of the certificate a new connection is shown."""
    with socket.create_connection((server.host, server.port), timeout=HTTP_TIMEOUT) as raw:
        with context().wrap_socket(raw) as s:
            return hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()


def wait_for_log(server, text: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log_path.read_text(errors="replace")
        if text in log:
            return log
        time.sleep(0.05)
    pytest.fail(f"the log never said {text!r}: {server.log()}")


@pytest.fixture(scope="module")
def store(module_stores):
    return basic_store(module_stores, users=(ADMIN, TEACHER), extra_students=RUSH + LATE)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    return make_pair(tmp_path_factory.mktemp("certs"), "first")


@pytest.fixture(scope="module")
def server(store, pair):
    srv = store.server("--tls-cert", pair[0], "--tls-key", pair[1]).start()
    yield srv
    assert srv.stop() == 0, srv.log()


# --------------------------------------------------------------------------------------------
# HTTPS


def test_https_answers_carry_hsts(server):
    for path in ("/api/session", "/"):
        r = tls_client(server).get(path)
        assert r.status in (200, 302, 401), r  # A page may send a stranger to sign in.
        assert r.header("Strict-Transport-Security") == HSTS, (path, r.headers)


def test_the_sign_in_cookie_is_secure_over_https(server):
    r = tls_client(server).sign_in(TEACHER["email"], TEACHER["password"])
    assert r.status == 200, r
    token, attrs = r.cookie()
    assert token and "secure" in attrs, attrs
    assert r.header("Strict-Transport-Security") == HSTS


def test_plain_http_on_the_https_port_gets_no_answer(server):
    c = Client(server.host, server.port)
    with pytest.raises((OSError, http.client.HTTPException)):
        c.get("/api/session")
    # And the server goes on serving HTTPS.
    assert tls_client(server).get("/api/session").status == 401


def test_without_tls_neither_hsts_nor_a_secure_cookie(store):
    with store.server().start() as srv:
        r = srv.client().sign_in(TEACHER["email"], TEACHER["password"])
        assert r.status == 200, r
        assert r.header("Strict-Transport-Security") is None
        assert "secure" not in r.cookie()[1]
        # SIGHUP with nothing to re-read leaves a plain server serving.
        srv.proc.send_signal(signal.SIGHUP)
        wait_for_log(srv, "SIGHUP: no --tls-cert to re-read")
        assert srv.client().get("/api/session").status == 401


def test_behind_a_tls_proxy_the_cookie_is_secure_without_hsts(store):
    with store.server("--secure-cookies").start() as srv:
        r = srv.client().sign_in(TEACHER["email"], TEACHER["password"])
        assert r.status == 200, r
        assert "secure" in r.cookie()[1]
        assert r.header("Strict-Transport-Security") is None


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, pair):
    d = tmp_path_factory.mktemp("bad")
    other = make_pair(d, "other")
    junk = d / "junk.pem"
    junk.write_text("not a certificate\n")
    return {"other_key": other[1], "junk": junk, "missing": d / "missing.pem"}


@pytest.mark.parametrize("case", ["missing cert", "missing key", "junk cert", "junk key",
                                  "key of another cert", "cert alone", "key alone"])
def test_a_pair_that_cannot_be_used_stops_the_start(store, pair, bad_files, case):
    cert, key = pair
    args, names, reason = {
        "missing cert": (["--tls-cert", bad_files["missing"], "--tls-key", key],
                         bad_files["missing"], "No such file"),
        "missing key": (["--tls-cert", cert, "--tls-key", bad_files["missing"]],
                        bad_files["missing"], "No such file"),
        "junk cert": (["--tls-cert", bad_files["junk"], "--tls-key", key], bad_files["junk"],
                      "not a PEM certificate"),
        "junk key": (["--tls-cert", cert, "--tls-key", bad_files["junk"]], bad_files["junk"],
                     "not an unencrypted PEM private key"),
        "key of another cert": (["--tls-cert", cert, "--tls-key", bad_files["other_key"]],
                                bad_files["other_key"], "not the private key of the certificate"),
        "cert alone": (["--tls-cert", cert], "--tls-cert", "needs --tls-key"),
        "key alone": (["--tls-key", key], "--tls-key", "needs --tls-cert"),
    }[case]
    proc = cli("serve", "--db", store.db, "--listen", "127.0.0.1:0", *args, check=False)
    err = proc.stderr.decode()
    assert proc.returncode != 0, err
    assert b"listening" not in proc.stdout
    assert str(names) in err and reason in err, err


# --------------------------------------------------------------------------------------------
# Renewal by SIGHUP


@pytest.fixture
def renewable(store, tmp_path):
    """A server on copies of the first pair, which the test may replace."""
    first = make_pair(tmp_path, "first")
    cert, key = tmp_path / "live.crt.pem", tmp_path / "live.key.pem"
    shutil.copy(first[0], cert)
    shutil.copy(first[1], key)
    srv = store.server("--tls-cert", cert, "--tls-key", key).start()
    yield srv, first, cert, key, tmp_path
    assert srv.stop() == 0, srv.log()


def test_sighup_serves_a_renewed_certificate_to_new_connections(renewable):
    srv, first, cert, key, d = renewable
    assert served_fingerprint(srv) == fingerprint_of_file(first[0])
    pid = srv.proc.pid
    # A connection opened before the renewal, kept alive across it.
    kept = tls_client(srv).connection()
    kept.request("GET", "/api/session")
    r = kept.getresponse()
    r.read()
    assert r.status == 401

    second = make_pair(d, "second")
    shutil.copy(second[0], cert)
    shutil.copy(second[1], key)
    srv.proc.send_signal(signal.SIGHUP)
    wait_for_log(srv, "SIGHUP: now serving")

    assert served_fingerprint(srv) == fingerprint_of_file(second[0])
    assert srv.proc.poll() is None and srv.proc.pid == pid
    kept.request("GET", "/api/session")
    r = kept.getresponse()
    r.read()
    assert r.status == 401
    assert kept.sock.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(
        first[0].read_text())
    kept.close()
    # The new certificate serves whole requests, not only handshakes.
    assert tls_sign_in(srv, TEACHER).get("/api/session").status == 200


@pytest.mark.parametrize("damage", ["junk cert", "key of another cert", "key removed"])
def test_a_bad_pair_on_sighup_keeps_the_old_certificate(renewable, damage):
    srv, first, cert, key, d = renewable
    if damage == "junk cert":
        cert.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        named = cert
    elif damage == "key of another cert":
        shutil.copy(make_pair(d, "stranger")[1], key)
        named = key
    else:
        key.unlink()
        named = key
    srv.proc.send_signal(signal.SIGHUP)
    log = wait_for_log(srv, "SIGHUP: keeping the current certificate")
    assert str(named) in log, log
    assert srv.proc.poll() is None
    assert served_fingerprint(srv) == fingerprint_of_file(first[0])
    assert tls_client(srv).get("/api/session").status == 401


# --------------------------------------------------------------------------------------------
# SIGTERM


def stored_pass_ids(store) -> set[int]:
    return {int(row[0]) for row in store.sql("SELECT id FROM passes")}


def test_sigterm_during_a_rush_loses_no_acknowledged_pass(store, pair):
    srv = store.server("--tls-cert", pair[0], "--tls-key", pair[1], "--threads", "4").start()
    teacher = tls_sign_in(srv, TEACHER)
    acked: list[list[int]] = [[] for _ in range(RUSH_CLIENTS)]
    ended: list[BaseException | None] = [None] * RUSH_CLIENTS

    def rush(k: int):
        me = TlsClient(srv.host, srv.port, teacher.token)
        for j in range(RUSH_PER_CLIENT):
            kid = RUSH[k * RUSH_PER_CLIENT + j]["email"]
            try:
                r = me.create_pass(student=kid, origin="Room 101", destination="Library")
            except (OSError, http.client.HTTPException) as e:
                ended[k] = e  # Refused or cut once the server stops: the rush is over.
                return
            if r.status == 201:
                acked[k].append(int(r.json["id"]))
            else:
                assert r.status == 503, r

    threads = [threading.Thread(target=rush, args=(k,), daemon=True)
               for k in range(RUSH_CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while sum(map(len, acked)) < 3 * RUSH_CLIENTS and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sum(map(len, acked)) >= 3 * RUSH_CLIENTS, srv.log()
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(timeout=STOP_TIMEOUT) == 0, srv.log()
    for t in threads:
        t.join(HTTP_TIMEOUT)
    srv.stop()

    got = {i for ids in acked for i in ids}
    assert got, "no pass was acknowledged"
    missing = got - stored_pass_ids(store)
    assert not missing, f"acknowledged but not stored: {sorted(missing)}"
    # The stop came in the middle of the rush, not after it.
    assert any(e is not None for e in ended), "the rush ended before the stop"


def test_sigterm_answers_the_request_in_flight_then_exits_0(store, pair):
    srv = store.server("--tls-cert", pair[0], "--tls-key", pair[1]).start()
    teacher = tls_sign_in(srv, TEACHER)
    data = raw_request(teacher, "POST", "/api/passes",
                       {"student": LATE[0]["email"], "origin": "Room 102",
                        "destination": "Library"})
    raw = socket.create_connection((srv.host, srv.port), timeout=HTTP_TIMEOUT)
    sock = context().wrap_socket(raw)
    try:
        sock.sendall(data[:-5])  # Headers and most of the body: the request is in flight.
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        wait_for_log(srv, "finishing requests in flight")
        time.sleep(0.5)
        assert srv.proc.poll() is None, "the server stopped with a request in flight"
        # No new connections meanwhile.
        with pytest.raises(OSError):
            socket.create_connection((srv.host, srv.port), timeout=2).close()
        sock.sendall(data[-5:])
        r = http.client.HTTPResponse(sock, method="POST")
        r.begin()
        answer = Response(r.status, r.reason, r.msg, r.read())
    finally:
        sock.close()
    made = ok(answer, 201)
    assert srv.proc.wait(timeout=STOP_TIMEOUT) == 0, srv.log()
    srv.stop()
    assert int(made["id"]) in stored_pass_ids(store)


def test_serve_help_names_the_tls_options():
    out = subprocess.run([hallpass_bin(), "serve", "--help"], capture_output=True,
                         check=True).stdout.decode()
    for text in ("--tls-cert FILE", "--tls-key FILE", "SIGHUP", "Strict-Transport-Security"):
        assert text in out, out
