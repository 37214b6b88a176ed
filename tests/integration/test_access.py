"""Access control, endpoint by endpoint (docs/security.md, "Who may see and do what"): one table gives, for every endpoint of the API and every page, the status
each kind of client gets: not signed in, a student, a kiosk login, a teacher, a teacher in
kiosk mode, an admin of the school, and an admin of another school in the same store (to
whom this school's pass and room ids are 404, as if they did not exist).

Each cell of the table is one test. It checks the status (and a page's redirect target),
that an error is JSON {"error": ...}, and that a refused request, or any GET, changed nothing:
both schools' reports, active and scheduled lists and rooms are compared before and after.

Then the sessions: a new token at every sign-in (no fixation, even with a valid token of
someone else planted in the client), the old token dead everywhere after sign-out, an idle
session refused everywhere (and deleted) at the idle limit, and sign-in throttling measured:
how many failures are let through, the 429 with Retry-After, and the wait doubling.
"""

from __future__ import annotations

import io
import itertools
import json
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

import pytest

from server_util import (ADMIN, KIOSK, STUDENT, TEACHER, Client, Response, Store,
                         early_in_a_second, future, ok, room, sign_in, students, token_hash,
                         user)
from store_util import REPO

SCHOOL, OTHER_SCHOOL = "Lincoln High", "Roosevelt High"
MODE_TEACHER = user("Mo Mode", "mode@lincoln.test", "teacher", "mode-pass-1")
SIGNER = user("Sig Signer", "signer@lincoln.test", "teacher", "signer-pass-1")
THROTTLED = user("Thea Throttle", "thea@lincoln.test", "teacher", "thea-pass-1")
FIXED = user("Fay Fixation", "fay@lincoln.test", "student", "fay-pass-1")
OTHER_ADMIN = user("Otto Other", "admin@roosevelt.test", "admin", "otto-pass-1")
PUPILS = students("acc", 12)
OTHER_PUPILS = students("ros", 3, "roosevelt.test")

KIOSK_ROOM = KIOSK["room"]  # "Room 101": the kiosk login's room, and the kiosk mode's.
ROOMS = [room("Room 101", "Science"), room("Room 102", "Science"), room("Library"),
         room("Restroom A", "Restrooms"), room("Patch Room", "Patched", max_from=50)]
OTHER_ROOMS = [room("Cafeteria"), room("Roosevelt Gym", "Sports")]

ROLES = ("anonymous", "student", "kiosk", "teacher", "kiosk_mode", "admin", "other_admin")
WHO = {"student": STUDENT, "kiosk": KIOSK, "teacher": TEACHER, "kiosk_mode": MODE_TEACHER,
       "admin": ADMIN, "other_admin": OTHER_ADMIN}
UNKNOWN_ID = 987654321


# --------------------------------------------------------------------------------------------
# The server and one session per role


@pytest.fixture(scope="module")
def store(module_stores):
    s = Store.new(module_stores)
    s.init(SCHOOL, "America/Chicago")
    s.init(OTHER_SCHOOL, "America/New_York")
    s.rooms(ROOMS, school=SCHOOL)
    s.users([ADMIN, TEACHER, STUDENT, KIOSK, MODE_TEACHER, SIGNER, THROTTLED, FIXED, *PUPILS],
            school=SCHOOL)
    s.rooms(OTHER_ROOMS, school=OTHER_SCHOOL)
    s.users([OTHER_ADMIN, *OTHER_PUPILS], school=OTHER_SCHOOL)
    return s


@pytest.fixture(scope="module")
def server(store):
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


def login(server, role: str) -> Client:
    """A new session for the role (none for anonymous); kiosk_mode is MODE_TEACHER who has
    launched kiosk mode in the kiosk's room."""
    if role == "anonymous":
        return server.client()
    c = sign_in(server, WHO[role])
    if role == "kiosk_mode":
        doc = ok(c.post("/api/kiosk", {"room": KIOSK_ROOM}))
        assert doc["kiosk"]["kiosk_mode"] is True
    return c


@pytest.fixture(scope="module")
def clients(server) -> dict:
    return {role: login(server, role) for role in ROLES}


@pytest.fixture(scope="module")
def admin(clients) -> Client:
    return clients["admin"]


@pytest.fixture(scope="module")
def other(clients) -> Client:
    return clients["other_admin"]


def state(admin: Client, other: Client) -> dict:
    """What a refused request must leave as it was: both schools' reports, pass lists and
    rooms."""
    snap = {}
    for who, c in (("this", admin), ("other", other)):
        for kind in ("rooms", "staff"):
            r = c.get(f"/api/reports/{kind}")
            assert r.status == 200, r
            snap[(who, kind)] = r.json
        snap[(who, "active")] = c.active()
        snap[(who, "scheduled")] = c.upcoming()
        snap[(who, "rooms")] = c.rooms()
    return snap


def clean_up(admin: Client) -> None:
    """Ends every pass out and cancels every scheduled pass of the school."""
    for p in admin.active():
        ok(admin.end_pass(p["id"]))
    for p in admin.upcoming():
        ok(admin.cancel_pass(p["id"]))


# --------------------------------------------------------------------------------------------
# The table


@dataclass
class Ctx:
    """What a row's setup, body and check see."""
    server: Any
    clients: dict
    pupil: str
    ids: dict = field(default_factory=dict)  # Set up: name -> pass id.
    room_id: int = 0
    this_rooms: list = field(default_factory=list)


def _teacher_pass(ctx: Ctx, **extra) -> int:
    body = {"student": ctx.pupil, "origin": KIOSK_ROOM, "destination": "Library", **extra}
    return ok(ctx.clients["teacher"].create_pass(**body), 201)["id"]


def _own_pass(ctx: Ctx) -> int:
    return ok(ctx.clients["student"].create_pass(origin="Room 102", destination="Library"),
              201)["id"]


def setup_active(ctx: Ctx):
    """Two passes out: a pupil's from the kiosk's room, and the student's own elsewhere."""
    ctx.ids = {"kiosk_room": _teacher_pass(ctx), "own": _own_pass(ctx)}


def setup_scheduled(ctx: Ctx):
    t = ctx.clients["teacher"]
    ctx.ids = {
        "kiosk_room": _teacher_pass(ctx, type="scheduled", start=future(120)),
        "own": ok(t.create_pass(student=STUDENT["email"], origin="Room 102",
                                destination="Library", type="scheduled", start=future(120)),
                  201)["id"],
    }


def setup_kiosk_room_pass(ctx: Ctx):
    ctx.ids = {"pass": _teacher_pass(ctx)}


def setup_pass_to_kiosk_room(ctx: Ctx):
    body = {"student": ctx.pupil, "origin": "Room 102", "destination": KIOSK_ROOM}
    ctx.ids = {"pass": ok(ctx.clients["teacher"].create_pass(**body), 201)["id"]}


def setup_own_pass(ctx: Ctx):
    ctx.ids = {"pass": _own_pass(ctx)}


def setup_scheduled_pass(ctx: Ctx):
    ctx.ids = {"pass": _teacher_pass(ctx, type="scheduled", start=future(120))}


# Which of the set-up passes each role sees in a list.
SEES = {"anonymous": set(), "student": {"own"}, "kiosk": {"kiosk_room"},
        "teacher": {"kiosk_room", "own"}, "kiosk_mode": {"kiosk_room"},
        "admin": {"kiosk_room", "own"}, "other_admin": set()}


def check_list(ctx: Ctx, role: str, r: Response):
    listed = {p["id"] for p in r.json["passes"]}
    mine = {name for name, pid in ctx.ids.items() if pid in listed}
    assert mine == SEES[role], (role, r.json)
    if role == "other_admin":
        assert r.json["passes"] == [], r  # The other school has no passes at all.


SOURCE = {"student": "student", "kiosk": "kiosk_login", "teacher": "teacher",
          "kiosk_mode": "kiosk_mode", "admin": "teacher"}


def check_created(ctx: Ctx, role: str, r: Response):
    p = r.json
    assert p["source"] == SOURCE[role], (role, p)
    assert p["creator"] == WHO[role]["email"]
    if role in ("kiosk", "kiosk_mode"):
        assert p["origin"] == KIOSK_ROOM


def check_ended(ctx: Ctx, role: str, r: Response):
    assert r.json["id"] == ctx.ids["pass"] and r.json["end"] is not None
    assert r.json["active"] is False


def check_cancelled(ctx: Ctx, role: str, r: Response):
    assert r.json["id"] == ctx.ids["pass"] and r.json["cancelled"] is True


def check_rooms(ctx: Ctx, role: str, r: Response):
    names = {rm["name"] for rm in r.json["rooms"]}
    ids = {rm["id"] for rm in r.json["rooms"]}
    this = {rm["name"] for rm in ctx.this_rooms}
    if role == "other_admin":
        assert not names & this, names
        assert not ids & {rm["id"] for rm in ctx.this_rooms}
        assert {rm["name"] for rm in OTHER_ROOMS} <= names
    else:
        assert names == this


def check_students(ctx: Ctx, role: str, r: Response):
    found = [s["email"] for s in r.json["students"]]
    if role == "other_admin":
        assert found == [], found
    else:
        assert found and all(e.startswith("acc") for e in found), found


LINCOLN_WORDS = ("Room 101", "Patch Room", "Science", "admin@lincoln.test", "Tom Teacher")


def check_report(ctx: Ctx, role: str, r: Response):
    ctype = r.header("Content-Type") or ""
    if "spreadsheetml" in ctype:
        with zipfile.ZipFile(io.BytesIO(r.body)) as z:
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        assert r.header("Content-Disposition").startswith("attachment; filename=")
    elif ctype.startswith("text/csv"):
        text = r.body.decode("utf-8-sig")
        assert r.header("Content-Disposition").startswith("attachment; filename=")
    else:
        doc = r.json
        assert doc["school"] == (OTHER_SCHOOL if role == "other_admin" else SCHOOL)
        text = json.dumps(doc["rows"])
    present = [w for w in LINCOLN_WORDS if w in text]
    if role == "other_admin":
        assert present == [], present
    else:
        assert present, text[:300]


def check_audit(ctx: Ctx, role: str, r: Response):
    """The audit log holds the reader's school's records only."""
    text = r.body.decode("utf-8-sig") if (r.header("Content-Type") or "").startswith(
        "text/csv") else json.dumps(r.json["records"])
    present = [w for w in LINCOLN_WORDS if w in text]
    if role == "other_admin":
        assert present == [], present
    else:
        assert present, text[:300]


def check_signed_in(ctx: Ctx, role: str, r: Response):
    token = r.cookie()[0]
    assert token and token != ctx.clients[role].token
    assert ok(ctx.server.client(token).get("/api/session"))["user"]["email"] == SIGNER["email"]
    if role != "anonymous":  # Signing in anew leaves the session it was sent with alone.
        me = ok(ctx.clients[role].get("/api/session"))
        assert me["user"]["email"] == WHO[role]["email"]


def check_signed_out(ctx: Ctx, role: str, r: Response, client: Client):
    value, attrs = r.cookie()
    assert value == "" and attrs.get("max-age") == "0", r.headers
    assert client.get("/api/session").status == 401


def check_kiosk_started(ctx: Ctx, role: str, r: Response, client: Client):
    assert ok(client.get("/api/session"))["kiosk"] == {**r.json["kiosk"], "kiosk_mode": True}
    assert client.get("/api/students?q=a").status == 403  # Staff pages are gone.


def check_kiosk_stopped(ctx: Ctx, role: str, r: Response, client: Client):
    assert r.json == {"kiosk": None}
    assert ok(client.get("/api/session"))["kiosk"] is None


@dataclass
class Row:
    name: str
    method: str
    path: str
    expect: tuple                        # One per role, in ROLES order: a status, or
                                         # (302, Location) for a redirect.
    body: Any = None                     # A dict, or a function of the Ctx; None: no body.
    setup: Callable | None = None
    fresh: bool = False                  # Needs a session of its own (it ends or changes it).
    check: Callable | None = None        # check(ctx, role, response[, client]) on success.
    changes: bool = False                # A success changes data.
    xfail: dict = field(default_factory=dict)  # role -> reason (BUG: ...).


_names = itertools.count(1)

# Shorthands for the columns: anonymous, student, kiosk, teacher, kiosk mode, admin, other
# school's admin.
ALL_SIGNED_IN = (401, 200, 200, 200, 200, 200, 200)
ADMINS_ONLY = (401, 403, 403, 403, 403, 200, 200)


def to(target: str) -> tuple:
    """A redirect to target."""
    return (302, target)


def denied(home: str, page: str) -> tuple:
    """A signed-in user sent from a page that is not theirs to their home page, which is told
    which page it was, so that it can say why."""
    return (302, f"{home}?denied={page}")


def to_signin(page: str) -> tuple:
    """The redirect of a visitor not signed in: to the sign-in page, then back."""
    return (302, "/signin?next=" + quote(page, safe=""))


def good_pass(ctx: Ctx) -> dict:
    return {"student": ctx.pupil, "origin": KIOSK_ROOM, "destination": "Library"}


TABLE = [
    # Sessions.
    Row("session-sign-in", "POST", "/api/session",
        (200, 200, 200, 200, 200, 200, 200),
        body={"email": SIGNER["email"], "password": SIGNER["password"]},
        check=check_signed_in),
    Row("session-sign-in-incomplete", "POST", "/api/session",
        (400, 400, 400, 400, 400, 400, 400), body={"email": SIGNER["email"]}),
    Row("session-get", "GET", "/api/session", ALL_SIGNED_IN),
    # A kiosk (a kiosk login or kiosk mode) signs out only with a staff member's email and
    # password: a student at the kiosk cannot end it.
    Row("session-sign-out", "DELETE", "/api/session", (401, 200, 403, 200, 403, 200, 200),
        body={}, fresh=True, check=check_signed_out),
    Row("session-sign-out-with-staff-credentials", "DELETE", "/api/session", ALL_SIGNED_IN,
        body={"email": TEACHER["email"], "password": TEACHER["password"]}, fresh=True,
        check=check_signed_out),
    # Passes: the lists.
    Row("passes-active", "GET", "/api/passes?active=true", ALL_SIGNED_IN,
        setup=setup_active, check=check_list),
    Row("passes-scheduled", "GET", "/api/passes?scheduled=true", ALL_SIGNED_IN,
        setup=setup_scheduled, check=check_list),
    Row("passes-list-without-a-filter", "GET", "/api/passes",
        (401, 400, 400, 400, 400, 400, 400)),
    # Passes: creating.
    Row("pass-create-for-a-pupil", "POST", "/api/passes",
        (401, 403, 201, 201, 201, 201, 400), body=good_pass, check=check_created,
        changes=True),
    Row("pass-create-own", "POST", "/api/passes",
        (401, 201, 400, 400, 400, 400, 400),
        body={"origin": "Room 102", "destination": "Library"}, check=check_created,
        changes=True),
    Row("pass-create-scheduled", "POST", "/api/passes",
        (401, 403, 403, 201, 403, 201, 400),
        body=lambda ctx: {**good_pass(ctx), "type": "scheduled", "start": future(90)},
        check=check_created, changes=True),
    Row("pass-create-override", "POST", "/api/passes",
        (401, 403, 403, 201, 403, 201, 400),
        body=lambda ctx: {**good_pass(ctx), "override": True}, check=check_created,
        changes=True),
    # Passes: ending and cancelling.
    Row("pass-end-from-kiosk-room", "POST", "/api/passes/{pass}/end",
        (401, 404, 200, 200, 200, 200, 404), body={}, setup=setup_kiosk_room_pass,
        check=check_ended, changes=True),
    Row("pass-end-to-kiosk-room", "POST", "/api/passes/{pass}/end",
        (401, 404, 200, 200, 200, 200, 404), body={}, setup=setup_pass_to_kiosk_room,
        check=check_ended, changes=True),
    Row("pass-end-students-own", "POST", "/api/passes/{pass}/end",
        (401, 200, 404, 200, 404, 200, 404), body={}, setup=setup_own_pass,
        check=check_ended, changes=True),
    Row("pass-end-unknown", "POST", f"/api/passes/{UNKNOWN_ID}/end",
        (401, 404, 404, 404, 404, 404, 404), body={}),
    Row("pass-cancel-scheduled", "POST", "/api/passes/{pass}/cancel",
        (401, 403, 403, 200, 403, 200, 404), body={}, setup=setup_scheduled_pass,
        check=check_cancelled, changes=True),
    Row("pass-cancel-now", "POST", "/api/passes/{pass}/cancel",
        (401, 403, 403, 409, 403, 409, 404), body={}, setup=setup_kiosk_room_pass),
    Row("pass-cancel-unknown", "POST", f"/api/passes/{UNKNOWN_ID}/cancel",
        (401, 403, 403, 404, 403, 404, 404), body={}),
    # Kiosk mode.
    Row("kiosk-start", "POST", "/api/kiosk", (401, 403, 403, 200, 403, 200, 400),
        body={"room": KIOSK_ROOM}, fresh=True, check=check_kiosk_started),
    Row("kiosk-stop", "DELETE", "/api/kiosk", (401, 409, 409, 409, 200, 409, 409),
        body={"password": MODE_TEACHER["password"]}, fresh=True, check=check_kiosk_stopped),
    # Rooms.
    Row("rooms-list", "GET", "/api/rooms", ALL_SIGNED_IN, check=check_rooms),
    Row("rooms-create", "POST", "/api/rooms", (401, 403, 403, 403, 403, 201, 201),
        body=lambda ctx: {"name": f"Access Room {next(_names)}", "max_passes_to": 3},
        changes=True),
    Row("rooms-patch", "PATCH", "/api/rooms/{room}", (401, 403, 403, 403, 403, 200, 404),
        body={"max_passes_from": 50, "folder": "Patched"}),  # What it holds already.
    Row("rooms-patch-unknown", "PATCH", f"/api/rooms/{UNKNOWN_ID}",
        (401, 403, 403, 403, 403, 404, 404), body={"max_passes_from": 50}),
    # Students.
    Row("students", "GET", "/api/students?q=ACC", (401, 403, 403, 200, 403, 200, 200),
        check=check_students),
    # Reports.
    *[Row(f"report-{kind}-{fmt}", "GET", f"/api/reports/{kind}?format={fmt}", ADMINS_ONLY,
          check=check_report)
      for kind in ("rooms", "staff") for fmt in ("json", "csv", "xlsx")],
    # The audit log.
    *[Row(f"audit-{fmt}", "GET", f"/api/audit?format={fmt}", ADMINS_ONLY, check=check_audit)
      for fmt in ("json", "csv")],
    # The pass-rule settings (the PATCH sets what the school holds already).
    Row("settings-get", "GET", "/api/settings", ADMINS_ONLY),
    Row("settings-patch", "PATCH", "/api/settings", ADMINS_ONLY, body={"wait_in_line": True}),
    # Pages: anonymous, student, kiosk, teacher, kiosk mode, admin, other school's admin.
    Row("page-analytics", "GET", "/analytics",
        (to_signin("/analytics"), denied("/student", "analytics"), denied("/kiosk", "analytics"),
         denied("/passes", "analytics"), denied("/kiosk", "analytics"), 200, 200)),
    Row("page-analytics-with-range", "GET", "/analytics?from=2026-01-05&to=2026-01-09",
        (to_signin("/analytics?from=2026-01-05&to=2026-01-09"), denied("/student", "analytics"),
         denied("/kiosk", "analytics"), denied("/passes", "analytics"),
         denied("/kiosk", "analytics"), 200, 200)),
    Row("page-rooms", "GET", "/rooms",
        (to_signin("/rooms"), denied("/student", "rooms"), denied("/kiosk", "rooms"),
         denied("/passes", "rooms"), denied("/kiosk", "rooms"), 200, 200)),
    Row("page-audit", "GET", "/audit",
        (to_signin("/audit"), denied("/student", "audit"), denied("/kiosk", "audit"),
         denied("/passes", "audit"), denied("/kiosk", "audit"), 200, 200)),
    Row("page-passes", "GET", "/passes",
        (to_signin("/passes"), denied("/student", "passes"), denied("/kiosk", "passes"), 200,
         denied("/kiosk", "passes"), 200, 200)),
    Row("page-kiosk", "GET", "/kiosk",
        (to_signin("/kiosk"), denied("/student", "kiosk"), 200, denied("/passes", "kiosk"), 200,
         denied("/analytics", "kiosk"), denied("/analytics", "kiosk"))),
    Row("page-student", "GET", "/student",
        (to_signin("/student"), 200, denied("/kiosk", "student"), denied("/passes", "student"),
         denied("/kiosk", "student"), denied("/analytics", "student"),
         denied("/analytics", "student"))),
    Row("page-signin", "GET", "/signin", (200, 200, 200, 200, 200, 200, 200)),
    Row("page-root", "GET", "/",
        (to("/signin"), to("/student"), to("/kiosk"), to("/passes"), to("/kiosk"),
         to("/analytics"), to("/analytics"))),
    Row("asset-css", "GET", "/css/app.css", (200, 200, 200, 200, 200, 200, 200)),
    Row("asset-js", "GET", "/js/api.js", (200, 200, 200, 200, 200, 200, 200)),
]

PAGE_FILES = {"/analytics": "analytics.html", "/audit": "audit.html", "/rooms": "rooms.html",
              "/passes": "passes.html", "/kiosk": "kiosk.html", "/student": "student.html",
              "/signin": "signin.html",
              "/css/app.css": "css/app.css", "/js/api.js": "js/api.js"}


def _cases():
    for row in TABLE:
        assert len(row.expect) == len(ROLES), row.name
        for role, expect in zip(ROLES, row.expect):
            marks = ()
            if role in row.xfail:
                marks = (pytest.mark.xfail(strict=True, reason=row.xfail[role]),)
            yield pytest.param(row, role, expect, id=f"{row.name}-{role}", marks=marks)


def _fill(text: str, ctx: Ctx) -> str:
    return text.replace("{pass}", str(ctx.ids.get("pass", ""))).replace("{room}",
                                                                         str(ctx.room_id))


_pupils = itertools.cycle(p["email"] for p in PUPILS)


@pytest.fixture(scope="module")
def this_rooms(admin):
    return admin.rooms()


@pytest.mark.parametrize("row,role,expect", list(_cases()))
def test_access(server, clients, admin, other, this_rooms, row, role, expect):
    ctx = Ctx(server, clients, next(_pupils), this_rooms=this_rooms,
              room_id=next(rm["id"] for rm in this_rooms if rm["name"] == "Patch Room"))
    try:
        if row.setup:
            row.setup(ctx)
        client = login(server, role) if row.fresh else clients[role]
        before = state(admin, other)

        path = _fill(row.path, ctx)
        body = row.body(ctx) if callable(row.body) else row.body
        if row.method == "GET":
            r = client.get(path)
        else:
            r = client.request(row.method, path, json_body=body if body is not None else {})

        status, location = (expect if isinstance(expect, tuple) else (expect, None))
        assert r.status == status, (row.method, path, role, r)
        if status >= 400:
            assert r.error  # {"error": "..."} as JSON
            assert set(r.json) == {"error"}, r
            assert r.cookie()[0] is None and r.header("Content-Disposition") is None, r.headers
        elif status == 302:
            assert r.header("Location") == location, (path, role, r.headers)
            assert r.cookie()[0] is None
        elif path.startswith("/api/"):
            if row.check:
                args = (ctx, role, r, client) if row.fresh else (ctx, role, r)
                row.check(*args)
        else:
            name = PAGE_FILES[path.split("?")[0]]
            assert r.body == (REPO / "web" / name).read_bytes(), (path, role)
            assert r.header("Content-Security-Policy").startswith("default-src 'self'")

        if status >= 300 or row.method == "GET" or not row.changes:
            assert state(admin, other) == before, (row.name, role, "changed data")
    finally:
        clean_up(admin)


# --------------------------------------------------------------------------------------------
# Sessions


def _sessions_of(store, token: str) -> int:
    rows = store.sql("SELECT count(*) FROM sessions WHERE token_hash = ?", (token_hash(token),))
    return int(rows[0][0])


def _api_rows():
    """Every API row of the table whose path needs no set-up, but signing in."""
    return [row for row in TABLE if row.path.startswith("/api/") and "{" not in row.path
            and not (row.method == "POST" and row.path == "/api/session")]


def _dead_everywhere(server, token: str):
    """A token that must sign no one in: every endpoint answers 401, every page as to a
    visitor who is not signed in."""
    c = server.client(token)
    for row in _api_rows():
        body = {} if row.method != "GET" else None
        r = c.get(row.path) if row.method == "GET" else c.request(row.method, row.path,
                                                                   json_body=body)
        assert r.status == 401, (row.method, row.path, r)
        r.error
    for row in TABLE:
        if row.path.startswith("/api/"):
            continue
        anon = row.expect[0]
        r = c.get(row.path)
        if isinstance(anon, tuple):
            assert (r.status, r.header("Location")) == anon, (row.path, r)
        else:
            assert r.status == anon, (row.path, r)


def test_every_sign_in_gets_a_new_token(server):
    c = server.client()
    tokens = []
    for _ in range(4):
        r = c.post("/api/session", {"email": FIXED["email"], "password": FIXED["password"]})
        assert r.status == 200, r
        token, attrs = r.cookie()
        # 32 random bytes, base64 without padding: 43 characters at least.
        assert token and len(token) >= 43, token
        assert "httponly" in attrs and attrs.get("samesite", "").lower() == "strict"
        tokens.append(token)
        c.token = token  # The next sign-in is sent with the current cookie.
    assert len(set(tokens)) == len(tokens), tokens
    for t in tokens:  # Each is a session of its own.
        assert ok(server.client(t).get("/api/session"))["user"]["email"] == FIXED["email"]


def test_a_planted_valid_token_is_never_adopted(server, store):
    """Session fixation: an attacker signs in, plants their own valid cookie in a victim's
    browser, and the victim signs in. The victim gets a new token; the attacker's token stays
    the attacker's, and never becomes the victim's session."""
    attacker = sign_in(server, FIXED)
    planted = attacker.token
    victim = server.client(planted)
    r = victim.post("/api/session", {"email": TEACHER["email"], "password": TEACHER["password"]})
    assert r.status == 200, r
    new = r.cookie()[0]
    assert new and new != planted
    who = ok(server.client(planted).get("/api/session"))["user"]
    assert who["email"] == FIXED["email"] and who["role"] == "student"
    assert server.client(planted).get("/api/students?q=a").status == 403
    assert ok(server.client(new).get("/api/session"))["user"]["email"] == TEACHER["email"]
    assert _sessions_of(store, planted) == 1 and _sessions_of(store, new) == 1


def test_the_old_token_is_dead_everywhere_after_sign_out(server, store):
    c = sign_in(server, FIXED)
    old = c.token
    keep = sign_in(server, FIXED)
    assert _sessions_of(store, old) == 1
    ok(c.sign_out())
    assert _sessions_of(store, old) == 0  # Deleted in the store, not just in the browser.
    _dead_everywhere(server, old)
    # Signing out again with it is 401, and the user's other session lives on.
    assert server.client(old).sign_out().status == 401
    assert ok(keep.get("/api/session"))["user"]["email"] == FIXED["email"]


IDLE = 8 * 3600  # The default idle time: 480 minutes.


def _age(store, token: str, seconds: int):
    rows = store.sql("UPDATE sessions SET last_seen = last_seen - ? WHERE token_hash = ? "
                     "RETURNING last_seen", (seconds, token_hash(token)))
    assert len(rows) == 1, rows


def test_a_session_idle_for_eight_hours_is_refused_everywhere_and_deleted(server, store):
    c = sign_in(server, TEACHER)
    # Used 8 hours ago less half a minute: still good (and using it renews it).
    _age(store, c.token, IDLE - 30)
    assert ok(c.get("/api/session"))["user"]["email"] == TEACHER["email"]
    # Unused for 8 hours and a little more: refused and deleted.
    _age(store, c.token, IDLE + 5)
    r = c.get("/api/session")
    assert r.status == 401, r
    r.error
    assert _sessions_of(store, c.token) == 0
    _dead_everywhere(server, c.token)


def test_an_expired_session_is_refused_on_every_endpoint(server, store):
    """Each endpoint on its own checks the age (not only GET /api/session): a fresh session
    per endpoint, aged past the idle time, then used once there."""
    for row in _api_rows():
        c = sign_in(server, FIXED)
        _age(store, c.token, IDLE + 60)
        body = {} if row.method != "GET" else None
        r = c.get(row.path) if row.method == "GET" else c.request(row.method, row.path,
                                                                   json_body=body)
        assert r.status == 401, (row.method, row.path, r)
        r.error
        assert _sessions_of(store, c.token) == 0, (row.method, row.path)


# --------------------------------------------------------------------------------------------
# Sign-in throttling, measured


def _wrong(server, email: str) -> Response:
    return server.client().post("/api/session", {"email": email, "password": "wrong-guess"})


def _retry_after(r: Response) -> int:
    value = r.header("Retry-After")
    assert value is not None and value.isdigit(), r.headers
    return int(value)


def _burst(server, email: str, limit: int = 10) -> tuple[list, bool]:
    """Wrong passwords one after the other until a 429 (at most `limit`); gives the answers
    and whether they all fell in one second of the clock, as the server counts."""
    early_in_a_second(0.02)
    started = time.time()
    answers = []
    for _ in range(limit):
        answers.append(_wrong(server, email))
        if answers[-1].status == 429:
            break
    return answers, int(started) == int(time.time())


def test_sign_in_throttle_lets_five_failures_through_then_doubles_the_wait(server):
    email = THROTTLED["email"]
    # How many failures in a row are let through before a 429: counted in a burst within one
    # second (in a later second the wait of one second would be over). When a slow machine
    # spreads the burst over two seconds, a success clears the count and it is done again.
    for _ in range(3):
        answers, one_second = _burst(server, email)
        if one_second:
            break
        r = answers[-1]
        time.sleep(_retry_after(r) if r.status == 429 else 0)
        early_in_a_second(0.05)
        assert server.client().sign_in(email, THROTTLED["password"]).status == 200
    else:
        pytest.fail("could not send six sign-ins within one second")
    assert [a.status for a in answers] == [401] * 5 + [429], answers
    r = answers[-1]
    waits = [_retry_after(r)]
    assert waits[0] == 1, r.headers
    r.error
    assert r.cookie()[0] is None

    # The right password is refused while the wait lasts.
    right = server.client().post("/api/session", {"email": email,
                                                  "password": THROTTLED["password"]})
    assert right.status == 429 and _retry_after(right) >= 1, right

    # After the wait one more failure is let through, and the next wait is twice as long.
    time.sleep(waits[-1])
    early_in_a_second(0.05)
    let_through = _wrong(server, email)
    assert let_through.status == 401, let_through
    again = _wrong(server, email)
    assert again.status == 429, again
    waits.append(_retry_after(again))
    assert waits == [1, 2], waits

    # Slowed down, not locked out: after the wait the right password works, and a success
    # clears the count (else the next failure would wait 4 seconds).
    time.sleep(waits[-1])
    early_in_a_second(0.05)
    assert server.client().sign_in(email, THROTTLED["password"]).status == 200
    assert _wrong(server, email).status == 401


def test_a_client_address_is_throttled_after_fifty_failures(store):
    """Unknown emails from one address: 50 failures are let through, then 429 with
    Retry-After for every email, known or not, and the wait doubles. A server of its own:
    this throttles the loopback address for the whole server."""
    srv = store.server(log_name="address-throttle").start()
    try:
        for i in range(49):
            r = _wrong(srv, f"nobody{i}@lincoln.test")
            assert r.status == 401, (i, r)
        # The 50th failure and the next try within one second (the server counts in whole
        # seconds).
        early_in_a_second(0.05)
        assert _wrong(srv, "nobody49@lincoln.test").status == 401
        r = _wrong(srv, "nobody50@lincoln.test")
        assert r.status == 429, r
        assert _retry_after(r) == 1, r.headers
        r.error
        # Every account is held up from this address now, even with the right password.
        right = srv.client().post("/api/session", {"email": SIGNER["email"],
                                                   "password": SIGNER["password"]})
        assert right.status == 429, right
        # After the wait one more failure is let through; then the wait has doubled.
        time.sleep(1)
        early_in_a_second(0.05)
        assert _wrong(srv, "nobody51@lincoln.test").status == 401
        again = _wrong(srv, "nobody52@lincoln.test")
        assert again.status == 429, again
        assert _retry_after(again) == 2, again.headers
    finally:
        assert srv.stop() == 0, srv.log()
