"""Malformed and unwelcome requests (docs/api.md, the statuses): 415 without a JSON content type, 400 for
bodies that are not a JSON object of the right types, 413 past 64 KiB (by Content-Length and
by a chunked body that grows), 404 for unknown paths and 405 for wrong methods, all answered
with JSON errors, and none of them changing anything."""

from __future__ import annotations

import json
import select
import socket
import time

import pytest

from server_util import (ADMIN, BODY_MAX, TEACHER, basic_store, ok, sign_in,
                         students)

KIDS = students("req", 6)


@pytest.fixture(scope="module")
def server(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER),
                        extra_students=KIDS)
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="module")
def teacher(server):
    return sign_in(server, TEACHER)


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


@pytest.fixture(autouse=True)
def nothing_changes(teacher, admin):
    """Every request in this module is refused: no pass and no room appears."""
    rooms = admin.rooms()
    yield
    assert teacher.active() == []
    assert admin.rooms() == rooms


GOOD_PASS = {"student": KIDS[0]["email"], "origin": "Room 101", "destination": "Library"}


# --------------------------------------------------------------------------------------------
# 415


CHANGES = [
    ("POST", "/api/passes", GOOD_PASS),
    ("POST", "/api/passes/1/end", {}),
    ("POST", "/api/passes/1/cancel", {}),
    ("POST", "/api/rooms", {"name": "Form Room"}),
    ("PATCH", "/api/rooms/1", {"max_passes_to": 1}),
    ("POST", "/api/kiosk", {"room": "Room 101"}),
    ("DELETE", "/api/kiosk", {"password": "x"}),
    ("DELETE", "/api/session", {}),
]


@pytest.mark.parametrize("method,path,doc", CHANGES)
@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/jsonp",
                                   "text/json"])
def test_a_change_needs_a_json_content_type(teacher, admin, method, path, doc, ctype):
    c = admin if path.startswith("/api/rooms") else teacher
    r = c.request(method, path, json_body=doc, content_type=ctype)
    assert r.status == 415, r
    r.error
    # The session survived (DELETE /api/session was refused too).
    assert c.get("/api/session").status == 200


def test_a_form_post_cannot_sign_in(server):
    r = server.client().request("POST", "/api/session",
                                body=f"email={ADMIN['email']}&password={ADMIN['password']}",
                                content_type="application/x-www-form-urlencoded")
    assert r.status == 415, r
    r.error
    assert r.cookie()[0] is None


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_content_type_with_parameters_is_fine(server, ctype):
    r = server.client().request("POST", "/api/session",
                                json_body={"email": ADMIN["email"],
                                           "password": ADMIN["password"]},
                                content_type=ctype)
    assert r.status == 200, r


# --------------------------------------------------------------------------------------------
# 400


@pytest.mark.parametrize("body", [
    b"", b"{", b'{"student": ', b"{'student': 'x'}", b"not json", b'{"a": 1} trailing',
    b'{"student": "a", "student": "b"}', b"\xff\xfe{}", b'{"student": "\xc3"}',
])
def test_malformed_json_is_400(teacher, body):
    r = teacher.request("POST", "/api/passes", body=body)
    assert r.status == 400, r
    r.error


@pytest.mark.parametrize("body", [b"[]", b'["student"]', b'"student"', b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_400(teacher, admin, body):
    for c, path in ((teacher, "/api/passes"), (admin, "/api/rooms"),
                    (teacher, "/api/kiosk")):
        r = c.request("POST", path, body=body)
        assert r.status == 400, (path, r)
        if body.startswith(b"["):
            assert "object" in r.error
        else:
            r.error  # jansson itself refuses a scalar at the top level
    r = admin.request("PATCH", "/api/rooms/1", body=body)
    assert r.status == 400, r


@pytest.mark.parametrize("field,value", [
    ("student", 42), ("student", ["a"]), ("student", {"email": KIDS[0]["email"]}),
    ("origin", 101), ("destination", True), ("type", 1), ("start", 1767225600),
    ("override", "true"), ("override", "yes"), ("override", 1), ("override", 0),
    ("override", []),
])
def test_wrong_types_are_400_naming_the_field(teacher, field, value):
    r = teacher.create_pass(**{**GOOD_PASS, field: value})
    assert r.status == 400, r
    assert r.error.startswith(field), r.error


def test_a_nul_in_a_string_is_400(teacher):
    r = teacher.create_pass(**{**GOOD_PASS, "origin": "Room 101\u0000Library"})
    assert r.status == 400, r
    r.error


@pytest.mark.parametrize("doc", [{"room": 5}, {"room": None}])
def test_kiosk_room_must_be_a_name(teacher, doc):
    r = teacher.post("/api/kiosk", doc)
    assert r.status == 400, r
    assert r.error.startswith("room")
    assert ok(teacher.get("/api/session"))["kiosk"] is None


def test_active_list_needs_active_true(teacher):
    for q in ("", "?active=false", "?active=1"):
        r = teacher.get("/api/passes" + q)
        assert r.status == 400, r
        r.error


# --------------------------------------------------------------------------------------------
# 413


def _huge_pass(size: int) -> bytes:
    doc = {**GOOD_PASS, "padding": ""}
    base = len(json.dumps(doc).encode())
    doc["padding"] = "x" * (size - base)
    body = json.dumps(doc).encode()
    assert len(body) == size
    return body


def test_content_length_over_the_cap_is_413(teacher):
    # Only the header: the server answers without reading a body that large.
    conn = teacher.connection()
    try:
        conn.putrequest("POST", "/api/passes")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Cookie", f"hallpass_session={teacher.token}")
        conn.putheader("Content-Length", str(10 * 1024 * 1024))
        conn.endheaders()
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    assert r.status == 413, body
    assert json.loads(body)["error"]


def test_a_body_one_byte_over_the_cap_is_413(teacher):
    r = teacher.request("POST", "/api/passes", body=_huge_pass(BODY_MAX + 1))
    assert r.status == 413, r
    r.error


def test_a_body_at_the_cap_is_read(teacher):
    # Exactly 64 KiB is allowed: the server reads it and judges its content (a stray field:
    # accepted and ignored, or refused as 400; never 413).
    r = teacher.request("POST", "/api/passes", body=_huge_pass(BODY_MAX))
    assert r.status in (201, 400), r
    if r.status == 201:
        ok(teacher.end_pass(r.json["id"]))


def _chunked(port: int, token: str, chunks, pause: float = 0.0, timeout: float = 10.0):
    """Sends POST /api/passes with a chunked body, chunk by chunk, stopping as soon as the
    server answers; gives (status or None, raw answer)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    answer = b""
    try:
        s.sendall(b"POST /api/passes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                  b"Cookie: hallpass_session=" + token.encode() + b"\r\n"
                  b"Connection: close\r\n\r\n")
        try:
            for chunk in chunks:
                if select.select([s], [], [], 0)[0]:
                    break  # the server has answered (or closed)
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                if pause:
                    time.sleep(pause)
            else:
                s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close while we send; its answer may still be readable
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not data:
                break
            answer += data
    finally:
        s.close()
    status = None
    if answer.startswith(b"HTTP/1."):
        status = int(answer.split(b" ", 2)[1])
    return status, answer


def test_a_small_chunked_body_is_read(server, teacher):
    body = json.dumps({**GOOD_PASS, "student": KIDS[1]["email"]}).encode()
    status, answer = _chunked(server.port, teacher.token, [body[:10], body[10:30], body[30:]])
    assert status == 201, answer
    pid = json.loads(answer.split(b"\r\n\r\n", 1)[1])["id"]
    ok(teacher.end_pass(pid))


def test_a_chunked_body_growing_past_the_cap_is_413(server, teacher):
    body = _huge_pass(4 * BODY_MAX)
    chunks = [body[i:i + 8192] for i in range(0, len(body), 8192)]
    status, answer = _chunked(server.port, teacher.token, chunks, pause=0.002)
    assert status == 413, answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]


def test_the_server_still_serves_after_oversized_bodies(server, teacher):
    body = _huge_pass(2 * BODY_MAX)
    _chunked(server.port, teacher.token, [body[i:i + 4096] for i in range(0, len(body), 4096)])
    teacher.request("POST", "/api/passes", body=body)
    assert teacher.get("/api/session").status == 200
    r = teacher.create_pass(**{**GOOD_PASS, "student": KIDS[2]["email"]})
    ok(teacher.end_pass(ok(r, 201)["id"]))


# --------------------------------------------------------------------------------------------
# 404 and 405


@pytest.mark.parametrize("path", ["/api/nope", "/api", "/api/passes/", "/api/passes/abc/end",
                                  "/api/passes/1/explode", "/api/passes/1/end/more",
                                  "/api/rooms/abc", "/api/rooms/1/2", "/api/reports/teachers",
                                  "/api/passes/1234567890123456789/end", "/api/Passes",
                                  "/api/passes/-1/end", "/favicon.ico"])
@pytest.mark.parametrize("signed_in", [True, False])
def test_unknown_paths_are_404_json(server, teacher, path, signed_in):
    c = teacher if signed_in else server.client()
    for method in ("GET", "POST"):
        r = c.request(method, path, json_body={}) if method == "POST" else c.get(path)
        assert r.status == 404, (method, r)
        r.error


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/passes/1/end"), ("PUT", "/api/passes"), ("DELETE", "/api/passes"),
    ("PATCH", "/api/passes/1/cancel"), ("GET", "/api/kiosk"), ("PATCH", "/api/rooms"),
    ("DELETE", "/api/rooms/1"), ("POST", "/api/reports/rooms"), ("PUT", "/api/session"),
    ("POST", "/api/students"), ("PATCH", "/api/session"),
])
@pytest.mark.parametrize("signed_in", [True, False])
def test_wrong_methods_are_405_json(server, teacher, method, path, signed_in):
    c = teacher if signed_in else server.client()
    r = c.request(method, path, json_body={}) if method != "GET" else c.get(path)
    assert r.status == 405, r
    r.error


def test_405_names_the_allowed_methods(teacher):
    r = teacher.request("PUT", "/api/passes", json_body={})
    assert r.status == 405
    allow = r.header("Allow")
    assert allow is not None
    assert {m.strip() for m in allow.split(",")} >= {"GET", "POST"}


def test_errors_are_json_with_the_right_headers(server, teacher):
    for r in (server.client().get("/api/rooms"), teacher.get("/api/nope"),
              teacher.request("PUT", "/api/rooms", json_body={}),
              teacher.create_pass(student=42)):
        assert r.header("Content-Type").startswith("application/json"), r.headers
        assert set(r.json) == {"error"}, r
        assert r.header("Cache-Control") == "no-store"
