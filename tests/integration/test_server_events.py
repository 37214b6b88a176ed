"""Server-sent events on GET /api/events: a signed-in page hears `event: change` within a
second of a change to its school's data made in any session, never another school's; an
address holds a capped number of streams (429 past it); streams never hold a worker thread
(many open streams, and the server still answers at once), and the server still stops at
once on SIGTERM with streams open.

Streams are read over raw sockets: the answer is chunked, and each event arrives in one
chunk, so the tests look for the event's text in the bytes."""

from __future__ import annotations

import select
import socket
import time

import pytest

from server_util import Store, future, ok, room, students, user

A, B = "Lincoln High", "Roosevelt High"
A_TEACHER = user("Tom Teacher", "teacher@lincoln.test", "teacher", "a-teacher-pass")
A_ADMIN = user("Ann Admin", "admin@lincoln.test", "admin", "a-admin-pass")
B_TEACHER = user("Bob Teacher", "teacher@roosevelt.test", "teacher", "b-teacher-pass")
A_KIDS = students("alpha", 6, "lincoln.test")
B_KIDS = students("beta", 3, "roosevelt.test")
ROOMS = [room("Room 101"), room("Library")]
STREAMS_PER_ADDRESS = 256  # HP_EVENTS_STREAMS_PER_ADDRESS
GREETING = b": hallpass events"
HANGUP_NOTICED = 1.5  # Seconds within which the server notices a client closed its stream.


@pytest.fixture(scope="module")
def store(module_stores):
    s = Store.new(module_stores).init(A, "America/Chicago").init(B, "America/New_York")
    for school, people in ((A, [A_TEACHER, A_ADMIN, *A_KIDS]), (B, [B_TEACHER, *B_KIDS])):
        s.rooms(ROOMS, school=school).users(people, school=school)
    return s


@pytest.fixture(scope="module")
def server(store):
    with store.server().start() as srv:
        yield srv


def login(server, who):
    return server.sign_in(who["email"], who["password"])


class Stream:
    """GET /api/events over a raw socket, read as it comes."""

    def __init__(self, server, token: str | None):
        self.sock = socket.create_connection((server.host, server.port), timeout=10)
        cookie = f"Cookie: hallpass_session={token}\r\n" if token else ""
        self.sock.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.data = b""
        self.closed = False

    def read_until(self, marker: bytes, timeout: float) -> bool:
        """Reads until marker has arrived (True) or timeout seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while marker not in self.data and not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                return False
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
            self.data += chunk
        return marker in self.data

    def open(self) -> "Stream":
        assert self.read_until(GREETING, 5), self.data
        head = self.data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
        assert head.startswith("http/1.1 200"), head
        assert "content-type: text/event-stream" in head, head
        return self

    def close(self):
        self.sock.close()


def new_pass(client, kid):
    return ok(client.create_pass(student=kid["email"], origin="Room 101",
                                 destination="Library"), 201)


def test_a_stream_hears_a_change_made_in_another_session(server):
    teacher, admin = login(server, A_TEACHER), login(server, A_ADMIN)
    stream = Stream(server, teacher.token).open()
    try:
        t0 = time.monotonic()
        new_pass(admin, A_KIDS[0])
        assert stream.read_until(b"event: change\ndata: ", 1.0), stream.data
        assert time.monotonic() - t0 < 1.0
        # Each change is told again, and a read is no change.
        stream.data = b""
        ok(admin.get("/api/passes?active=true"))
        assert not stream.read_until(b"event: change", 0.5), stream.data
        p = new_pass(teacher, A_KIDS[1])
        assert stream.read_until(b"event: change", 1.0), stream.data
        stream.data = b""
        ok(admin.end_pass(p["id"]))
        assert stream.read_until(b"event: change", 1.0), stream.data
    finally:
        stream.close()


def test_another_schools_change_is_not_heard(server):
    a_teacher, b_teacher = login(server, A_TEACHER), login(server, B_TEACHER)
    a_stream = Stream(server, a_teacher.token).open()
    b_stream = Stream(server, b_teacher.token).open()
    try:
        new_pass(a_teacher, A_KIDS[2])
        assert a_stream.read_until(b"event: change", 1.0), a_stream.data
        assert not b_stream.read_until(b"event: change", 1.5), b_stream.data
        new_pass(b_teacher, B_KIDS[0])
        assert b_stream.read_until(b"event: change", 1.0), b_stream.data
    finally:
        a_stream.close()
        b_stream.close()


def test_a_stream_needs_a_session(server):
    s = Stream(server, None)
    try:
        assert s.read_until(b"\r\n\r\n", 5), s.data
        assert s.data.startswith(b"HTTP/1.1 401"), s.data
    finally:
        s.close()
    s = Stream(server, "not-a-session-token")
    try:
        assert s.read_until(b"\r\n\r\n", 5), s.data
        assert s.data.startswith(b"HTTP/1.1 401"), s.data
    finally:
        s.close()


def test_streams_past_the_cap_of_an_address_get_429_and_others_are_served(server):
    """One address holds at most the cap of streams; they hold no worker thread, so the
    server answers at once while they are open."""
    teacher = login(server, A_TEACHER)
    time.sleep(HANGUP_NOTICED)  # The streams the tests before closed are gone.
    streams = []
    try:
        for _ in range(STREAMS_PER_ADDRESS):
            streams.append(Stream(server, teacher.token))
        for s in streams:
            s.open()
        extra = Stream(server, teacher.token)
        streams.append(extra)
        assert extra.read_until(b"}", 5), extra.data
        assert extra.data.startswith(b"HTTP/1.1 429"), extra.data
        assert b"Retry-After: " in extra.data and b'"error": ' in extra.data, extra.data
        t0 = time.monotonic()
        ok(teacher.get("/api/passes?active=true"))
        assert time.monotonic() - t0 < 1.0
        # And every open stream still hears a change.
        new_pass(login(server, A_ADMIN), A_KIDS[3])
        for s in streams[:-1]:
            assert s.read_until(b"event: change", 2.0), s.data[-200:]
    finally:
        for s in streams:
            s.close()


def test_a_closed_stream_gives_its_place_back(server):
    teacher = login(server, A_TEACHER)
    time.sleep(HANGUP_NOTICED)
    for _ in range(2):
        streams = [Stream(server, teacher.token) for _ in range(STREAMS_PER_ADDRESS)]
        try:
            for s in streams:
                s.open()
        finally:
            for s in streams:
                s.close()
        time.sleep(HANGUP_NOTICED)


def test_the_server_stops_at_once_with_streams_open(store):
    srv = store.server().start()
    try:
        teacher = login(srv, A_TEACHER)
        streams = [Stream(srv, teacher.token).open() for _ in range(8)]
        t0 = time.monotonic()
        assert srv.stop() == 0, srv.log()
        assert time.monotonic() - t0 < 5.0, srv.log()
        for s in streams:
            s.read_until(b"never", 2.0)
            assert s.closed, s.data[-200:]
            s.close()
    finally:
        srv.stop()
