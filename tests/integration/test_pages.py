"""/pages.json: what the pages read from the server instead of copying it. It answers 200
signed in or not (so that the sign-in page never meets a 401), with the pages each role may
open from the same table that decides access, and the report columns with the titles of the
CSV downloads; and a page refused to a signed-in user names itself in `?denied=`."""

from __future__ import annotations

import pytest

from server_util import ADMIN, KIOSK, STUDENT, TEACHER, basic_store, sign_in

PAGES = ["/analytics", "/rooms", "/rules", "/users", "/passes", "/audit", "/student", "/kiosk"]


@pytest.fixture(scope="module")
def server(module_stores):
    store = basic_store(module_stores, users=(ADMIN, TEACHER, STUDENT, KIOSK))
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


def test_a_visitor_not_signed_in_gets_200_and_no_pages(server):
    r = server.client().get("/pages.json")
    assert r.status == 200, r
    site = r.json
    assert site["signed_in"] is False
    assert site["home"] == "/signin"
    assert [p["path"] for p in site["pages"]] == PAGES
    assert not any(p["yours"] for p in site["pages"])


@pytest.mark.parametrize("who, home, yours", [
    (ADMIN, "/analytics", ["/analytics", "/rooms", "/rules", "/users", "/passes", "/audit"]),
    (TEACHER, "/passes", ["/passes"]),
    (STUDENT, "/student", ["/student"]),
    (KIOSK, "/kiosk", ["/kiosk"]),
])
def test_each_role_sees_the_pages_it_may_open(server, who, home, yours):
    client = sign_in(server, who)
    site = client.get("/pages.json").json
    assert site["signed_in"] is True
    assert site["home"] == home
    assert [p["path"] for p in site["pages"] if p["yours"]] == yours
    # The list says the truth: each page marked yours opens, each other one redirects.
    for page in site["pages"]:
        r = client.get(page["path"])
        assert (r.status == 200) == page["yours"], (page, r)
        if not page["yours"]:
            assert r.header("Location") == f"{home}?denied={page['path'][1:]}"
    labels = {p["path"]: (p["label"], p["audience"]) for p in site["pages"]}
    assert labels["/analytics"] == ("Analytics", "admins")
    assert labels["/audit"] == ("Audit log", "admins")


def test_the_report_columns_are_the_downloads_columns(server):
    admin = sign_in(server, ADMIN)
    reports = admin.get("/pages.json").json["reports"]
    for kind, title in (("rooms", "Room Usage"), ("staff", "Staff Usage")):
        assert reports[kind]["title"] == title
        columns = reports[kind]["columns"]
        csv = admin.get(f"/api/reports/{kind}?format=csv").body.decode("utf-8-sig")
        assert ",".join(c["title"] for c in columns) == csv.splitlines()[0]
        rows = admin.get(f"/api/reports/{kind}").json["rows"]
        assert rows, kind
        assert {c["field"] for c in columns} <= set(rows[0]), (kind, rows[0])
        default = admin.get(f"/api/reports/{kind}").json["sort"]
        assert columns[0]["key"] == default
        for c in columns:
            assert admin.get(f"/api/reports/{kind}?sort={c['key']}").status == 200
        assert [c["numeric"] for c in columns] == [isinstance(rows[0][c["field"]], int)
                                                   for c in columns]
