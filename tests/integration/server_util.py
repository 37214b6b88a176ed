"""Helpers for the HTTP tests of `hallpass serve` (tests/integration/test_server_*.py).

A test module builds a store with the command line (`hallpass init`, `hallpass import ...`
from CSV files it writes), starts one real server on 127.0.0.1:0 for the module, talks to it
over HTTP with `Client`, and stops it with SIGTERM at the end (the server must exit 0). The
store is a SQLite file or a PostgreSQL database from conftest's module_stores factory, whose
store_kind parameter runs each module once against each store.

Only the Python standard library is used here (and pytest, to fail with a clear message).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

import pytest

import store_util
from store_util import StoreFactory, is_uri, store_kind_of

CLI_TIMEOUT = 60
START_TIMEOUT = 20
STOP_TIMEOUT = 20
HTTP_TIMEOUT = 30
COOKIE = "hallpass_session"
BODY_MAX = 64 * 1024

ROOM_COLUMNS = ["name", "folder", "max_passes_from", "max_passes_to"]
USER_COLUMNS = ["name", "email", "role", "room", "password"]
PASS_COLUMNS = ["id", "student", "origin", "destination", "creator", "source", "type",
                "start", "end", "cancelled"]

_LISTENING = re.compile(r"hallpass serve: listening on https?://([0-9.]+):(\d+)")


# --------------------------------------------------------------------------------------------
# The binary and the store


def hallpass_bin() -> str:
    """The binary named by HALLPASS_BIN; fails the test (never skips) when it is missing."""
    path = os.environ.get("HALLPASS_BIN")
    if not path:
        pytest.fail("HALLPASS_BIN is not set: run the tests as "
                    "HALLPASS_BIN=$PWD/build/hallpass python3 -m pytest tests/integration",
                    pytrace=False)
    p = Path(path)
    if not p.is_file() or not os.access(p, os.X_OK):
        pytest.fail(f"HALLPASS_BIN={path!r} is not an executable file", pytrace=False)
    return str(p.resolve())


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "HALLPASS_DB"}
    env["LC_ALL"] = "C.UTF-8"
    return env


def cli(*args, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Runs `hallpass ARGS`; with check, fails the test with its output unless it exits 0."""
    argv = [hallpass_bin(), *map(str, args)]
    proc = subprocess.run(argv, input=input, capture_output=True, timeout=CLI_TIMEOUT,
                          env=_env())
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {proc.returncode}: "
                    f"{proc.stderr.decode(errors='replace')}")
    return proc


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\r\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def room(name, folder="", max_from=None, max_to=None) -> dict:
    return {"name": name, "folder": folder, "max_passes_from": max_from, "max_passes_to": max_to}


def user(name, email, role, password=None, room=None) -> dict:
    return {"name": name, "email": email, "role": role, "room": room, "password": password}


def students(prefix: str, count: int, domain: str = "lincoln.test") -> list[dict]:
    """Students without passwords (cheap: no Argon2id hash)."""
    return [user(f"{prefix.title()} Student {i:02d}", f"{prefix}{i:02d}@{domain}", "student")
            for i in range(count)]


class Store:
    """A store made with the command line: db is its address from conftest's store factory
    (store_util.StoreFactory), a SQLite path or a postgresql:// URI; dir holds the CSV files
    written for it and the servers' logs."""

    def __init__(self, directory: Path, db: Path | str):
        self.dir = Path(directory)
        self.db = db
        self._files = 0

    @classmethod
    def new(cls, stores: StoreFactory, name: str = "hallpass") -> "Store":
        """A fresh store from the factory (a new file, or a new database)."""
        return cls(stores.dir, stores.new(name))

    @property
    def kind(self) -> str:
        return store_kind_of(self.db)

    def init(self, school: str, timezone: str = "America/Chicago") -> "Store":
        cli("init", "--db", self.db, "--school", school, "--timezone", timezone)
        return self

    def _import(self, kind: str, columns, rows, school: str | None):
        self._files += 1
        f = write_csv(self.dir / f"{kind}-{id(self):x}-{self._files}.csv", columns, rows)
        args = ["import", kind, "--db", self.db]
        if school:
            args += ["--school", school]
        cli(*args, f)

    def rooms(self, rows, school: str | None = None) -> "Store":
        self._import("rooms", ROOM_COLUMNS, rows, school)
        return self

    def users(self, rows, school: str | None = None) -> "Store":
        self._import("users", USER_COLUMNS, rows, school)
        return self

    def passes(self, rows, school: str | None = None) -> "Store":
        self._import("passes", PASS_COLUMNS, rows, school)
        return self

    def report(self, kind: str, *args, school: str | None = None) -> bytes:
        extra = ["--school", school] if school else []
        return cli("report", kind, "--db", self.db, *extra, *args).stdout

    def sql(self, statement: str, params: Sequence = ()) -> list:
        """Runs SQL on the store directly (to stage what no API can, such as an old session):
        sqlite3 on a SQLite file, psql on a PostgreSQL database. Placeholders are ?."""
        return store_util.sql(self.db, statement, params)

    def server(self, *extra, log_name: str = "serve") -> "Server":
        """`hallpass serve` on this store (not started), logging to DIR/LOG_NAME-N.log."""
        self._files += 1
        return Server(self.db, *extra, log=self.dir / f"{log_name}-{id(self):x}-{self._files}.log")


def token_hash(token: str) -> bytes:
    """How the server keys a session: SHA-256 of the cookie's value."""
    return hashlib.sha256(token.encode()).digest()


# --------------------------------------------------------------------------------------------
# Times


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def ago(minutes: float) -> dt.datetime:
    return now_utc() - dt.timedelta(minutes=minutes)


def earlier_today(minutes: float, zone: str = "America/Chicago") -> dt.datetime:
    """`minutes` ago, but never before local midnight in `zone` (the school's)."""
    local = dt.datetime.now(ZoneInfo(zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(local - dt.timedelta(minutes=minutes), midnight + dt.timedelta(seconds=30))


def future(minutes: float = 60, offset_hours: int = -5) -> str:
    """An ISO 8601 date-time with an explicit UTC offset, `minutes` from now."""
    zone = dt.timezone(dt.timedelta(hours=offset_hours))
    return iso(dt.datetime.now(zone) + dt.timedelta(minutes=minutes))


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------------------------
# The server


class Server:
    """`hallpass serve --db DB --listen 127.0.0.1:0 [EXTRA]` as a child process."""

    def __init__(self, db: Path | str, *extra, log: Path | None = None):
        """db: a SQLite path or a postgresql:// URI; log: where its stderr goes (by default
        next to a SQLite file; needed for a URI)."""
        self.db = db
        self.extra = [str(a) for a in extra]
        if log is None:
            if is_uri(db):
                raise ValueError("Server(URI) needs log=PATH")
            log = Path(db).with_suffix(".serve.log")
        self.log_path = Path(log)
        self.proc: subprocess.Popen | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.returncode: int | None = None

    def start(self) -> "Server":
        self._log = open(self.log_path, "wb")
        argv = [hallpass_bin(), "serve", "--db", str(self.db), "--listen", "127.0.0.1:0",
                *self.extra]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log,
                                     env=_env())
        deadline = time.monotonic() + START_TIMEOUT
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                m = _LISTENING.search(line.decode(errors="replace"))
                if m:
                    self.host, self.port = m.group(1), int(m.group(2))
                    return self
                if not line:
                    break
            if self.proc.poll() is not None:
                break
        self.proc.kill()
        self.proc.wait()
        pytest.fail(f"hallpass serve did not start (stdout {line!r}): {self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> int:
        """SIGTERM, then waits; returns the exit status (0 expected)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = -9
                self._log.close()
                return self.returncode
        self.returncode = self.proc.returncode
        self.proc.stdout.close()
        self._log.close()
        return self.returncode

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        """Leaving `with server.start() as srv:` stops it; it must exit 0."""
        assert self.stop() == 0, self.log()

    def client(self, token: str | None = None) -> "Client":
        return Client(self.host, self.port, token)

    def sign_in(self, email: str, password: str) -> "Client":
        c = self.client()
        r = c.sign_in(email, password)
        assert r.status == 200, f"sign-in of {email} failed: {r}"
        return c


# --------------------------------------------------------------------------------------------
# HTTP


class Response:
    def __init__(self, status: int, reason: str, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def error(self) -> str:
        """The message of a JSON error answer; fails when the answer is not one."""
        ctype = self.header("Content-Type") or ""
        assert ctype.startswith("application/json"), f"error is not JSON: {self}"
        doc = self.json
        assert isinstance(doc, dict) and isinstance(doc.get("error"), str) and doc["error"], \
            f"not an {{\"error\": ...}} answer: {self}"
        return doc["error"]

    def cookie(self) -> tuple[str | None, dict]:
        """The session cookie this answer sets: (value, {attribute-lowercase: value})."""
        for name, value in self.headers.items():
            if name.lower() != "set-cookie":
                continue
            parts = [p.strip() for p in value.split(";")]
            key, _, val = parts[0].partition("=")
            if key != COOKIE:
                continue
            attrs = {}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                attrs[k.strip().lower()] = v.strip()
            return val, attrs
        return None, {}

    def __repr__(self):
        return f"<Response {self.status} {self.reason} {self.body[:600]!r}>"

    __str__ = __repr__


_MISSING = object()


class Client:
    """An HTTP client with the session cookie; one new connection per request, so that a
    client may sit idle past the server's connection timeout and be shared by threads."""

    def __init__(self, host: str, port: int, token: str | None = None):
        self.host = host
        self.port = port
        self.token = token

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT)

    def prepare(self, method: str, path: str, json_body: Any = _MISSING,
                body: bytes | str | None = None, content_type: str | None = _MISSING,
                headers: dict | None = None) -> tuple[bytes | None, dict]:
        """The body and headers of a request (see request())."""
        h = {}
        if json_body is not _MISSING:
            body = json.dumps(json_body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_type is _MISSING:
            content_type = "application/json" if method != "GET" else None
        if content_type is not None:
            h["Content-Type"] = content_type
        if self.token is not None:
            h["Cookie"] = f"{COOKIE}={self.token}"
        if method in ("POST", "PATCH", "DELETE", "PUT") and body is None:
            body = b""
        h.update(headers or {})
        return body, h

    def send(self, conn: http.client.HTTPConnection, method: str, path: str, body, headers
             ) -> Response:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.msg, data)

    def request(self, method: str, path: str, json_body: Any = _MISSING,
                body: bytes | str | None = None, content_type: str | None = _MISSING,
                headers: dict | None = None) -> Response:
        """A request; json_body is sent as JSON; the Content-Type is application/json for
        every method but GET unless content_type says otherwise (None: no header)."""
        body, h = self.prepare(method, path, json_body, body, content_type, headers)
        conn = self.connection()
        try:
            return self.send(conn, method, path, body, h)
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json_body: Any = _MISSING, **kw) -> Response:
        return self.request("POST", path, json_body, **kw)

    def patch(self, path: str, json_body: Any = _MISSING, **kw) -> Response:
        return self.request("PATCH", path, json_body, **kw)

    def delete(self, path: str, json_body: Any = _MISSING, **kw) -> Response:
        return self.request("DELETE", path, json_body, **kw)

    # The API, in the words of a client.

    def sign_in(self, email: str, password: str) -> Response:
        r = self.post("/api/session", {"email": email, "password": password})
        if r.status == 200:
            self.token = r.cookie()[0]
        return r

    def sign_out(self) -> Response:
        return self.delete("/api/session")

    def create_pass(self, **fields) -> Response:
        return self.post("/api/passes", fields)

    def end_pass(self, pass_id) -> Response:
        return self.post(f"/api/passes/{pass_id}/end")

    def cancel_pass(self, pass_id) -> Response:
        return self.post(f"/api/passes/{pass_id}/cancel")

    def active(self) -> list[dict]:
        r = self.get("/api/passes?active=true")
        assert r.status == 200, r
        return r.json["passes"]

    def upcoming(self) -> list[dict]:
        """Scheduled passes still to start."""
        r = self.get("/api/passes?scheduled=true")
        assert r.status == 200, r
        return r.json["passes"]

    def rooms(self) -> list[dict]:
        r = self.get("/api/rooms")
        assert r.status == 200, r
        return r.json["rooms"]

    def room_id(self, name: str) -> int:
        for rm in self.rooms():
            if rm["name"] == name:
                return rm["id"]
        raise AssertionError(f"no room {name!r}")


def early_in_a_second(latest: float = 0.1) -> None:
    """Sleeps, if need be, until the clock is within `latest` seconds after a whole second:
    the server counts sign-in failures in whole seconds."""
    frac = time.time() % 1
    if frac > latest:
        time.sleep(1.005 - frac)


def ok(r: Response, status: int = 200) -> Any:
    """The JSON of an answer that must have the given status."""
    assert r.status == status, f"expected {status}: {r}"
    return r.json


# --------------------------------------------------------------------------------------------
# Races


def raw_request(client: Client, method: str, path: str, doc: Any) -> bytes:
    """The bytes of an HTTP/1.1 request with `client`'s session and a JSON body."""
    body, headers = client.prepare(method, path, doc)
    body = body or b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {client.host}:{client.port}",
             f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def race(client: Client, requests: Sequence[tuple], timeout: float = 60,
         before_release=None) -> list[Response]:
    """Sends the requests at once. A request is (method, path, JSON body) sent with
    `client`'s session, or (other client, method, path, JSON body), so that the requests may
    go to several servers. Each has its own thread and TCP connection, and sends all of its
    request but the last byte; a barrier then releases the threads together to send their
    last bytes, so that the server gets the requests complete within a very short time
    (before_release, if given, runs first, once every thread is ready). Answers come back in
    request order."""
    n = len(requests)
    barrier = threading.Barrier(n, action=before_release)
    results: list[Any] = [None] * n

    def one(i: int):
        req = requests[i]
        who = req[0] if len(req) == 4 else client
        method, path, doc = req[-3:]
        data = raw_request(who, method, path, doc)
        sock = None
        try:
            sock = socket.create_connection((who.host, who.port), timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(data[:-1])
            barrier.wait(timeout=timeout)
            sock.sendall(data[-1:])
            r = http.client.HTTPResponse(sock, method=method)
            r.begin()
            results[i] = Response(r.status, r.reason, r.msg, r.read())
        except BaseException as e:  # noqa: BLE001 - reported by the caller
            barrier.abort()
            results[i] = e
        finally:
            if sock is not None:
                sock.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    errors = [r for r in results if not isinstance(r, Response)]
    assert not errors, f"requests in the race failed: {errors[:3]!r}"
    return results


# --------------------------------------------------------------------------------------------
# A school to start from


SCHOOL = "Lincoln High"
ZONE = "America/Chicago"
ADMIN = user("Ann Admin", "admin@lincoln.test", "admin", "admin-pass-1")
TEACHER = user("Tom Teacher", "teacher@lincoln.test", "teacher", "teacher-pass-1")
STUDENT = user("Sam Student", "sam@lincoln.test", "student", "student-pass-1")
KIOSK = user("Front Kiosk", "kiosk@lincoln.test", "kiosk", "kiosk-pass-1", room="Room 101")

BASE_ROOMS = [
    room("Room 101", "Science"),
    room("Room 102", "Science"),
    room("Library", ""),
    room("Restroom A", "Restrooms"),
]


def basic_store(stores: StoreFactory, users: Sequence[dict] = (ADMIN, TEACHER),
                rooms: Sequence[dict] = (), extra_students: Sequence[dict] = ()) -> Store:
    """Lincoln High (America/Chicago) in a fresh store from `stores` (conftest's
    module_stores), with BASE_ROOMS plus `rooms`, and `users` (each with a password costs an
    Argon2id hash) plus students without passwords."""
    store = Store.new(stores).init(SCHOOL, ZONE)
    store.rooms([*BASE_ROOMS, *rooms])
    store.users([*users, *extra_students])
    return store


def sign_in(server: Server, who: dict) -> Client:
    return server.sign_in(who["email"], who["password"])


def start_workers(server: Server, who: dict, worker, count: int, stop) -> list:
    """count threads worker(n, client, stop), each with its own client signed in as who,
    started."""
    workers = [worker(n, sign_in(server, who), stop) for n in range(count)]
    for w in workers:
        w.start()
    return workers


def signed_in_fixture(who: dict, name: str):
    """A module-scoped pytest fixture called `name`: `who` signed in to the module's `server`
    fixture, once for the module."""

    @pytest.fixture(scope="module", name=name)
    def fixture(server):
        return sign_in(server, who)

    return fixture
