"""Share links end to end, on both stores: an admin makes a read-only link to Room Usage or
Staff Usage over one range (POST /api/shares), which anyone opens without signing in (the
page /shared/TOKEN and GET /api/shared/TOKEN), with the numbers, CSV bytes and XLSX parts of
the admin's own report; the token is shown once, kept only as its SHA-256, and never logged;
a link ends by time or by revocation (410, said plainly), a wrong one is 404; only an admin
of the school makes, lists and revokes links; bad ranges and days are 400 and change nothing;
and each making, reading and revocation is in the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from zoneinfo import ZoneInfo

import pytest

from hallpass_kit import xlsx_parts
from server_util import (ADMIN, TEACHER, basic_store, cli, room, sign_in, signed_in_fixture,
                         students, user)

ZONE = ZoneInfo("America/Chicago")
OTHER_SCHOOL = "Roosevelt High"
OTHER_ADMIN = user("Otto Other", "admin@roosevelt.test", "admin", "otto-pass-1")
SECOND_ADMIN = user("Bea Admin", "bea@lincoln.test", "admin", "bea-pass-1")
PUPILS = students("share", 6)
FROM, TO = "2026-11-02", "2026-11-06"
LINK = re.compile(r"^/shared/([A-Za-z0-9_-]{43})$")


def passes() -> list[dict]:
    """A week of passes from and to several rooms, written by two staff members."""
    rows = []
    rooms = ["Room 101", "Room 102", "Library", "Restroom A"]
    for day in range(5):
        for i, pupil in enumerate(PUPILS):
            start = dt.datetime(2026, 11, 2 + day, 9 + i % 6, 5 * i, tzinfo=ZONE)
            creator = (ADMIN if (day + i) % 3 == 0 else TEACHER)["email"]
            rows.append({"id": f"w{day}-{i}", "student": pupil["email"],
                         "origin": rooms[i % 4], "destination": rooms[(i + 1 + day % 3) % 4],
                         "creator": creator, "source": "teacher",
                         "type": "scheduled" if (day * i) % 4 == 1 else "now",
                         "start": start.isoformat(),
                         "end": (start + dt.timedelta(minutes=7)).isoformat(),
                         "cancelled": ""})
    return rows


@pytest.fixture(scope="module")
def store(module_stores):
    st = basic_store(module_stores, users=(ADMIN, SECOND_ADMIN, TEACHER),
                     rooms=[room("Room 2", "Science"), room("room 10", "Science")],
                     extra_students=PUPILS)
    st.passes(passes())
    cli("init", "--db", st.db, "--school", OTHER_SCHOOL, "--timezone", "America/New_York")
    st.rooms([room("Main Office")], school=OTHER_SCHOOL)
    st.users([OTHER_ADMIN], school=OTHER_SCHOOL)
    return st


admin = signed_in_fixture(ADMIN, "admin")
teacher = signed_in_fixture(TEACHER, "teacher")
other_admin = signed_in_fixture(OTHER_ADMIN, "other_admin")


def make(client, report="rooms", days=7, **fields):
    body = {"report": report, "from": FROM, "to": TO, "expires_in_days": days, **fields}
    return client.post("/api/shares", body)


def made(client, report="rooms", **fields) -> tuple[dict, str]:
    r = make(client, report, **fields)
    assert r.status == 201, r
    share = r.json
    m = LINK.match(share["link"])
    assert m, share
    return share, m.group(1)


def share_count(store) -> int:
    return int(store.sql("SELECT count(*) FROM shares")[0][0])


def audit(store, action: str) -> list[dict]:
    rows = store.sql("SELECT who, user_id, address, target, detail FROM audit_log "
                     "WHERE action = ? ORDER BY id", (action,))
    return [{"who": r[0], "user_id": r[1], "address": r[2], "target": r[3],
             "detail": json.loads(r[4]) if r[4] else None} for r in rows]


# --------------------------------------------------------------------------------------------
# Opening a link


@pytest.mark.parametrize("kind,sort", [("rooms", "to"), ("staff", "total")])
def test_a_link_opens_without_signing_in_and_shows_the_admins_report(server, admin, kind, sort):
    share, token = made(admin, kind)
    anyone = server.client()
    for order in ("asc", "desc"):
        mine = admin.get(f"/api/reports/{kind}?from={FROM}&to={TO}&sort={sort}&order={order}")
        theirs = anyone.get(f"/api/shared/{token}?sort={sort}&order={order}")
        assert theirs.status == 200, theirs
        got = theirs.json
        assert got["rows"] == mine.json["rows"]
        assert (got["report"], got["from"], got["to"], got["sort"], got["order"]) == \
            (kind, FROM, TO, sort, order)
        assert got["school"] == "Lincoln High"
        assert got["expires_at"] == share["expires_at"]
    # The numbers are the school's: passes were counted.
    total = sum(r["passes_from"] if kind == "rooms" else r["total"] for r in got["rows"])
    assert total == 30

    csv_mine = admin.get(f"/api/reports/{kind}?from={FROM}&to={TO}&sort={sort}&format=csv")
    csv_theirs = anyone.get(f"/api/shared/{token}?sort={sort}&format=csv")
    assert csv_theirs.status == 200
    assert csv_theirs.body == csv_mine.body
    assert csv_theirs.header("Content-Disposition") == csv_mine.header("Content-Disposition")
    stem = "room-usage" if kind == "rooms" else "staff-usage"
    assert f'filename="{stem}_{FROM}_{TO}.csv"' in csv_theirs.header("Content-Disposition")

    xlsx_mine = admin.get(f"/api/reports/{kind}?from={FROM}&to={TO}&sort={sort}&format=xlsx")
    xlsx_theirs = anyone.get(f"/api/shared/{token}?sort={sort}&format=xlsx")
    assert xlsx_theirs.status == 200
    assert xlsx_parts(xlsx_theirs.body) == xlsx_parts(xlsx_mine.body)
    assert xlsx_theirs.header("Content-Disposition") == xlsx_mine.header("Content-Disposition")


def test_the_page_opens_for_anyone_and_the_answers_stay_out_of_shared_caches(server, admin):
    _, token = made(admin)
    anyone = server.client()
    page = anyone.get(f"/shared/{token}")
    assert page.status == 200
    assert page.header("Content-Type").startswith("text/html")
    assert b"/js/shared.js" in page.body
    for path in (f"/shared/{token}", f"/api/shared/{token}", f"/api/shared/{token}?format=csv"):
        r = anyone.get(path)
        assert r.header("Cache-Control") == "no-store", path
    assert b'name="referrer" content="no-referrer"' in page.body


def test_a_wrong_token_is_404(server, admin):
    _, token = made(admin)
    anyone = server.client()
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (f"/shared/{wrong}", f"/api/shared/{wrong}", "/api/shared/x", "/shared/x"):
        r = anyone.get(path)
        assert r.status == 404, path
    assert "no such share link" in anyone.get(f"/api/shared/{wrong}").error


def test_a_link_fixes_its_range_and_takes_only_sort_order_and_format(server, admin):
    _, token = made(admin)
    anyone = server.client()
    for param in ("from=2026-01-01", "to=2026-12-31", "compare=previous"):
        r = anyone.get(f"/api/shared/{token}?{param}")
        assert r.status == 400
        assert r.error.startswith(param.split("=")[0] + ": a share link shows the one range")
    assert anyone.get(f"/api/shared/{token}?sort=nope").status == 400
    assert anyone.get(f"/api/shared/{token}?format=table").status == 400


# --------------------------------------------------------------------------------------------
# Making, listing, the token


def test_the_token_is_shown_once_and_kept_only_as_its_hash(store, admin):
    share, token = made(admin, "staff", days=30)
    assert share["report"] == "staff" and share["title"] == "Staff Usage"
    assert (share["from"], share["to"]) == (FROM, TO)
    assert share["created_by"] == ADMIN["name"]
    made_at = dt.datetime.fromisoformat(share["created_at"])
    expires = dt.datetime.fromisoformat(share["expires_at"])
    assert expires - made_at == dt.timedelta(days=30)

    listed = admin.get("/api/shares").json["shares"]
    mine = [s for s in listed if s["id"] == share["id"]]
    assert mine == [{k: v for k, v in share.items() if k != "link"}]
    assert token not in json.dumps(listed)
    assert all("link" not in s for s in listed)

    digest = hashlib.sha256(token.encode()).digest()
    rows = store.sql("SELECT token_hash FROM shares WHERE id = ?", (share["id"],))
    stored = rows[0][0]
    stored = bytes.fromhex(stored[2:]) if isinstance(stored, str) else bytes(stored)
    assert stored == digest
    everything = json.dumps([list(map(str, r)) for r in store.sql("SELECT * FROM shares")])
    assert token not in everything


def test_without_a_range_a_link_takes_the_30_days_ending_today(admin):
    r = admin.post("/api/shares", {"report": "rooms", "expires_in_days": 1})
    assert r.status == 201, r
    today = dt.datetime.now(ZONE).date()
    assert r.json["to"] == today.isoformat()
    assert r.json["from"] == (today - dt.timedelta(days=29)).isoformat()


def test_the_list_is_newest_first_and_holds_another_admins_links(server, admin):
    bea = sign_in(server, SECOND_ADMIN)
    first, _ = made(admin)
    second, _ = made(bea, "staff")
    listed = admin.get("/api/shares").json["shares"]
    ids = [s["id"] for s in listed]
    assert ids.index(second["id"]) < ids.index(first["id"])
    assert next(s for s in listed if s["id"] == second["id"])["created_by"] == SECOND_ADMIN["name"]


@pytest.mark.parametrize("body,message", [
    ({"report": "insights", "expires_in_days": 7}, 'report: "insights" is not a report'),
    ({"expires_in_days": 7}, "report: missing"),
    ({"report": "rooms", "from": "2026-02-30", "to": TO, "expires_in_days": 7},
     'from: "2026-02-30" is not a date'),
    ({"report": "rooms", "from": TO, "to": FROM, "expires_in_days": 7},
     f"from: {TO} is after to {FROM}"),
    ({"report": "rooms", "from": FROM, "to": "soon", "expires_in_days": 7}, 'to: "soon"'),
    ({"report": "rooms", "from": FROM, "to": TO, "expires_in_days": 0},
     "expires_in_days: 0 is not a whole number of days from 1 to 90"),
    ({"report": "rooms", "from": FROM, "to": TO, "expires_in_days": 91},
     "expires_in_days: 91 is not a whole number of days from 1 to 90"),
    ({"report": "rooms", "from": FROM, "to": TO, "expires_in_days": "7"},
     "expires_in_days: must be a whole number"),
    ({"report": "rooms", "from": FROM, "to": TO, "expires_in_days": 2.5},
     "expires_in_days: must be a whole number"),
    ({"report": "rooms", "from": FROM, "to": TO}, "expires_in_days: missing"),
    ({"report": "rooms", "expires_in_days": 7, "sort": "to"},
     '"sort" is not a field of a share link'),
    ({"report": 7, "expires_in_days": 7}, "report: must be a string"),
])
def test_bad_ranges_and_days_are_400_and_make_nothing(store, admin, body, message):
    before = share_count(store)
    r = admin.post("/api/shares", body)
    assert r.status == 400, r
    assert message in r.error, r.error
    assert share_count(store) == before


# --------------------------------------------------------------------------------------------
# How a link ends


def assert_gone(anyone, admin, share, token, message):
    """A link that ended: its report in every format and its page are 410, with the words
    that say why, and the admin's list no longer holds it."""
    r = anyone.get(f"/api/shared/{token}")
    assert r.status == 410
    assert r.error == message
    for fmt in ("csv", "xlsx"):
        assert anyone.get(f"/api/shared/{token}?format={fmt}").status == 410
    assert anyone.get(f"/shared/{token}").status == 410
    assert share["id"] not in [s["id"] for s in admin.get("/api/shares").json["shares"]]


def test_a_link_ends_by_time(store, server, admin):
    share, token = made(admin, days=1)
    anyone = server.client()
    assert anyone.get(f"/api/shared/{token}").status == 200
    # A day later, as the store sees it: the expiry a second ago.
    store.sql("UPDATE shares SET expires_at = ?, created_at = ? WHERE id = ?",
              (int(time.time()) - 1, int(time.time()) - 86401, share["id"]))
    assert_gone(anyone, admin, share, token,
                "this share link has expired; ask the school for a new one")


def test_a_revoked_link_no_longer_opens(store, server, admin):
    share, token = made(admin)
    anyone = server.client()
    assert anyone.get(f"/shared/{token}").status == 200
    r = admin.delete(f"/api/shares/{share['id']}")
    assert r.status == 200 and r.json == {"revoked": share["id"]}
    assert_gone(anyone, admin, share, token,
                "this share link was revoked by the school; ask them for a new one")
    again = admin.delete(f"/api/shares/{share['id']}")
    assert again.status == 404
    assert f"no share link with id {share['id']}" in again.error


# --------------------------------------------------------------------------------------------
# Who may


def test_another_schools_admin_neither_sees_nor_revokes_a_link(server, admin, other_admin):
    share, token = made(admin)
    assert share["id"] not in [s["id"] for s in other_admin.get("/api/shares").json["shares"]]
    r = other_admin.delete(f"/api/shares/{share['id']}")
    assert r.status == 404
    assert server.client().get(f"/api/shared/{token}").status == 200
    assert admin.delete("/api/shares/999999").status == 404


def test_teachers_may_not_share_and_the_signed_out_must_sign_in(server, store, admin, teacher):
    share, _ = made(admin)
    before = share_count(store)
    assert make(teacher).status == 403
    assert make(teacher).error == "only admins share reports"
    # A bad body tells a teacher nothing more than a good one.
    assert teacher.post("/api/shares", {"report": "nope"}).status == 403
    assert teacher.get("/api/shares").status == 403
    assert teacher.delete(f"/api/shares/{share['id']}").status == 403
    anyone = server.client()
    assert make(anyone).status == 401
    assert anyone.get("/api/shares").status == 401
    assert anyone.delete(f"/api/shares/{share['id']}").status == 401
    assert share_count(store) == before
    assert share["id"] in [s["id"] for s in admin.get("/api/shares").json["shares"]]


# --------------------------------------------------------------------------------------------
# The audit log and the server's log


def test_making_reading_and_revoking_are_in_the_audit_log(store, server, admin):
    share, token = made(admin, "staff")
    created = audit(store, "share_create")[-1]
    target = f"share {share['id']}"
    detail = {"report": "staff", "from": FROM, "to": TO, "expires": share["expires_at"]}
    assert created["who"] == ADMIN["email"] and created["target"] == target
    assert created["detail"] == detail
    assert created["address"] == "127.0.0.1"

    anyone = server.client()
    before = len(audit(store, "share_open"))
    assert anyone.get(f"/api/shared/{token}").status == 200
    assert anyone.get(f"/api/shared/{token}?format=csv").status == 200
    opens = audit(store, "share_open")[before:]
    assert [o["detail"]["format"] for o in opens] == ["json", "csv"]
    for o in opens:
        assert o["who"] == f"share link {share['id']}"
        assert o["user_id"] in (None, "", 0)
        assert o["address"] == "127.0.0.1"
        assert o["target"] == target
        assert {k: v for k, v in o["detail"].items() if k != "format"} == detail
    # The page holds no data: opening it writes no record; a refused reading neither.
    assert anyone.get(f"/shared/{token}").status == 200
    assert len(audit(store, "share_open")) == before + 2

    assert admin.delete(f"/api/shares/{share['id']}").status == 200
    revoked = audit(store, "share_revoke")[-1]
    assert revoked["who"] == ADMIN["email"] and revoked["target"] == target
    assert revoked["detail"] == detail
    assert anyone.get(f"/api/shared/{token}").status == 410
    assert len(audit(store, "share_open")) == before + 2


def test_no_token_is_ever_in_the_servers_log(server, admin):
    _, token = made(admin)
    anyone = server.client()
    anyone.get(f"/shared/{token}")
    anyone.get(f"/api/shared/{token}?format=xlsx")
    anyone.get(f"/api/shared/{token}x")
    anyone.get(f"/shared/{token}/more")
    time.sleep(0.3)  # The access-log line is written when the request completes.
    log = server.log_path.read_text(errors="replace")
    assert token not in log
    assert "method=GET route=/shared/:token status=200 " in log
    assert "method=GET route=/api/shared/:token status=200 " in log
