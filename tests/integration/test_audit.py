"""The audit log's records and its readers, on both stores: every read of a report or an
insight over the server (the students insight above all) and every change to rooms, settings,
encounter groups, the bell schedule and blackouts leaves its record, with who, from where,
what and (for a change) what it was before and after; a refused read or change leaves none;
the command line's changes and imports are recorded as its own. GET /api/audit reads them
for a school's admins only (filters, paging, CSV with the formula guard), never another
school's, and `hallpass audit` prints the same records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest

from server_util import (ADMIN, SCHOOL, TEACHER, ZONE, basic_store, cli, ok, room, sign_in,
                         signed_in_fixture, students, user, write_csv)

PUPILS = students("aud", 4)
OTHER_SCHOOL = "Other High"
OTHER_ADMIN = user("Olga Other", "olga@other.test", "admin", "other-pass-1")


@pytest.fixture(scope="module")
def store(module_stores):
    s = basic_store(module_stores, users=(ADMIN, TEACHER), extra_students=PUPILS)
    cli("init", "--db", s.db, "--school", OTHER_SCHOOL, "--timezone", "Europe/Berlin")
    s.users([OTHER_ADMIN], school=OTHER_SCHOOL)
    return s


admin = signed_in_fixture(ADMIN, "admin")
teacher = signed_in_fixture(TEACHER, "teacher")
other = signed_in_fixture(OTHER_ADMIN, "other")


def records(store, action: str | None = None) -> list[dict]:
    """The store's records of Lincoln High (school 1), oldest first."""
    rows = store.sql("SELECT id, user_id, who, address, action, target, detail FROM audit_log "
                     "WHERE school_id = 1 ORDER BY id")
    keys = ("id", "user_id", "who", "address", "action", "target", "detail")
    out = [dict(zip(keys, r)) for r in rows]
    for r in out:
        r["id"] = int(r["id"])
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
        r["user_id"] = int(r["user_id"]) if r["user_id"] not in (None, "") else None
        r["address"] = r["address"] or None
    return [r for r in out if action is None or r["action"] == action]


def last_id(store) -> int:
    rows = records(store)
    return rows[-1]["id"] if rows else 0


def since(store, mark: int) -> list[dict]:
    return [r for r in records(store) if r["id"] > mark]


def admin_id(store) -> int:
    return int(store.sql("SELECT id FROM users WHERE email = ?", (ADMIN["email"],))[0][0])


def local_today() -> str:
    return dt.datetime.now(ZoneInfo(ZONE)).date().isoformat()


# ---- Reads of reports and insights


def test_the_students_insight_viewed_and_downloaded_is_recorded(store, admin):
    mark = last_id(store)
    ok(admin.get("/api/insights/students?from=2026-11-02&to=2026-11-06"))
    r = admin.get("/api/insights/students?from=2026-11-02&to=2026-11-06&format=csv"
                  "&compare=previous")
    assert r.status == 200
    view, download = since(store, mark)
    assert view["action"] == "insight_view" and view["target"] == "students"
    assert view["who"] == ADMIN["email"] and view["user_id"] == admin_id(store)
    assert view["address"] == "127.0.0.1"
    assert view["detail"] == {"from": "2026-11-02", "to": "2026-11-06", "format": "json",
                              "compare": None}
    assert download["action"] == "insight_download" and download["target"] == "students"
    assert download["detail"] == {"from": "2026-11-02", "to": "2026-11-06", "format": "csv",
                                  "compare": "2026-10-28..2026-11-01"}


def test_a_report_read_records_its_resolved_range_and_format(store, admin):
    mark = last_id(store)
    ok(admin.get("/api/reports/staff?to=2026-11-30"))
    assert admin.get("/api/reports/rooms?from=2026-11-01&to=2026-11-30&format=xlsx").status == 200
    staff, rooms = since(store, mark)
    assert (staff["action"], staff["target"]) == ("report_view", "staff")
    # The range as the report took it: the default 30 days ending on `to`.
    assert staff["detail"] == {"from": "2026-11-01", "to": "2026-11-30", "format": "json",
                               "compare": None}
    assert (rooms["action"], rooms["target"]) == ("report_download", "rooms")
    assert rooms["detail"]["format"] == "xlsx"


def test_a_refused_read_leaves_no_record(store, admin, teacher):
    mark = last_id(store)
    assert admin.get("/api/insights/students?from=2026-02-30").status == 400
    assert teacher.get("/api/insights/students").status == 403
    assert teacher.get("/api/reports/rooms").status == 403
    assert since(store, mark) == []


# ---- Changes


def test_rooms_created_and_changed_are_recorded_before_and_after(store, admin):
    mark = last_id(store)
    made = ok(admin.post("/api/rooms", {"name": "Audit Lab", "folder": "Science",
                                        "max_passes_from": 3}), 201)
    ok(admin.patch(f"/api/rooms/{made['id']}", {"max_passes_from": 5, "time_limit_minutes": 10}))
    ok(admin.patch(f"/api/rooms/{made['id']}", {"max_passes_from": 5}))  # Changes nothing.
    created, updated = since(store, mark)
    assert (created["action"], created["target"]) == ("room_create", "Audit Lab")
    assert "before" not in created["detail"]
    assert created["detail"]["after"] == {
        "name": "Audit Lab", "folder": "Science", "max_passes_from": 3, "max_passes_to": None,
        "time_limit_minutes": None, "counts_toward_limit": True}
    assert (updated["action"], updated["target"]) == ("room_update", "Audit Lab")
    assert updated["detail"] == {"before": {"max_passes_from": 3, "time_limit_minutes": None},
                                 "after": {"max_passes_from": 5, "time_limit_minutes": 10}}


def test_a_refused_change_leaves_no_record(store, admin, teacher):
    mark = last_id(store)
    lab = admin.room_id("Library")
    assert admin.patch(f"/api/rooms/{lab}", {"max_passes_from": 0.5}).status == 400
    assert admin.patch(f"/api/rooms/{lab}", {"name": "Room 101"}).status in (400, 409)
    assert teacher.patch(f"/api/rooms/{lab}", {"max_passes_from": 2}).status == 403
    assert admin.request("PATCH", "/api/settings", {"max_passes_per_day": 999}).status == 400
    assert teacher.request("PATCH", "/api/settings", {"max_passes_per_day": 2}).status == 403
    assert admin.post("/api/encounter-groups", {"name": "Solo",
                                                "students": [PUPILS[0]["email"]]}).status == 400
    assert since(store, mark) == []


def test_settings_changed_over_the_api_and_the_command_line(store, admin):
    mark = last_id(store)
    ok(admin.request("PATCH", "/api/settings", {"max_passes_per_day": 4, "cooldown_minutes": None}))
    cli("settings", "--db", store.db, "--school", SCHOOL, "max_passes_per_day=6",
        "wait_in_line=false")
    cli("settings", "--db", store.db, "--school", SCHOOL)  # Reading is not a change.
    assert cli("settings", "--db", store.db, "--school", SCHOOL, "cooldown_minutes=500",
               check=False).returncode == 1
    api, command = since(store, mark)
    assert (api["action"], api["target"], api["who"]) == ("settings_update", "settings",
                                                         ADMIN["email"])
    # Only what changed: cooldown_minutes was off already.
    assert api["detail"] == {"before": {"max_passes_per_day": None},
                             "after": {"max_passes_per_day": 4}}
    assert command["who"] == "command line"
    assert command["user_id"] is None and command["address"] is None
    assert command["detail"] == {"before": {"max_passes_per_day": 4, "wait_in_line": True},
                                 "after": {"max_passes_per_day": 6, "wait_in_line": False}}
    cli("settings", "--db", store.db, "--school", SCHOOL, "max_passes_per_day=",
        "wait_in_line=true")


def test_encounter_groups_made_changed_and_deleted(store, admin):
    mark = last_id(store)
    a, b, c = (p["email"] for p in PUPILS[:3])
    made = ok(admin.post("/api/encounter-groups", {"name": "Audit pair", "students": [a, b]}),
              201)
    ok(admin.patch(f"/api/encounter-groups/{made['id']}", {"students": [a, c], "active": False}))
    ok(admin.delete(f"/api/encounter-groups/{made['id']}"))
    created, updated, deleted = since(store, mark)
    assert (created["action"], created["target"]) == ("group_create", "Audit pair")
    assert set(created["detail"]) == {"after"}
    assert created["detail"]["after"]["name"] == "Audit pair"
    assert created["detail"]["after"]["active"] is True
    assert set(created["detail"]["after"]["students"]) == {a, b}
    assert updated["action"] == "group_update"
    assert updated["detail"]["before"]["active"] is True
    assert updated["detail"]["after"]["active"] is False
    assert set(updated["detail"]["after"]["students"]) == {a, c}
    assert "name" not in updated["detail"]["after"]
    assert (deleted["action"], deleted["target"]) == ("group_delete", "Audit pair")
    assert "after" not in deleted["detail"]
    assert set(deleted["detail"]["before"]["students"]) == {a, c}


def test_the_schedule_and_blackouts(store, admin):
    mark = last_id(store)
    first = [{"day": "mon", "period": "Period 1", "start": "08:00", "end": "08:50"},
             {"day": "mon", "period": "Period 2", "start": "09:00", "end": "09:50"}]
    ok(admin.request("PUT", "/api/schedule", {"schedule": first}))
    second = [first[0], {"day": "mon", "period": "Period 2", "start": "09:05", "end": "09:50"}]
    ok(admin.request("PUT", "/api/schedule", {"schedule": second}))
    ok(admin.request("PUT", "/api/schedule", {"schedule": second}))  # The same: no change.
    made = ok(admin.post("/api/blackouts", {"start": "2031-03-04T10:00:00-06:00",
                                            "end": "2031-03-04T11:00:00-06:00",
                                            "reason": "Fire drill"}), 201)
    ok(admin.delete(f"/api/blackouts/{made['id']}"))
    assert admin.delete("/api/blackouts/999999").status == 404
    put1, put2, bc, bd = since(store, mark)
    assert (put1["action"], put1["target"]) == ("schedule_update", "schedule")
    assert put1["detail"] == {"before": {"periods": []}, "after": {
        "periods": ["mon Period 1 08:00-08:50", "mon Period 2 09:00-09:50"]}}
    assert put2["detail"] == {"before": {"periods": ["mon Period 2 09:00-09:50"]},
                              "after": {"periods": ["mon Period 2 09:05-09:50"]}}
    words = "2031-03-04T10:00:00-06:00 to 2031-03-04T11:00:00-06:00"
    assert (bc["action"], bc["target"]) == ("blackout_create", words)
    assert bc["detail"] == {"after": {"start": "2031-03-04T10:00:00-06:00",
                                      "end": "2031-03-04T11:00:00-06:00",
                                      "reason": "Fire drill"}}
    assert (bd["action"], bd["target"]) == ("blackout_delete", words)
    assert bd["detail"]["before"]["reason"] == "Fire drill"
    ok(admin.request("PUT", "/api/schedule", {"schedule": []}))


def test_imports_from_the_command_line_are_recorded_with_their_counts(store, tmp_path):
    mark = last_id(store)
    rooms = write_csv(tmp_path / "rooms.csv", ["name", "folder"],
                      [{"name": "Gym", "folder": ""}, {"name": "Library", "folder": ""}])
    cli("import", "rooms", "--db", store.db, "--school", SCHOOL, rooms)
    groups = write_csv(tmp_path / "groups.csv", ["group", "student"],
                       [{"group": "Imported pair", "student": PUPILS[0]["email"]},
                        {"group": "Imported pair", "student": PUPILS[1]["email"]}])
    cli("import", "groups", "--db", store.db, "--school", SCHOOL, groups)
    bad = write_csv(tmp_path / "bad.csv", ["name", "max_passes_from"],
                    [{"name": "Attic", "max_passes_from": "lots"}])
    assert cli("import", "rooms", "--db", store.db, "--school", SCHOOL, bad,
               check=False).returncode == 1
    imported_rooms, imported_groups = since(store, mark)
    assert (imported_rooms["action"], imported_rooms["target"]) == ("import", "rooms")
    assert imported_rooms["who"] == "command line" and imported_rooms["address"] is None
    assert imported_rooms["detail"] == {"file": str(rooms), "rows": 2, "added": 1, "updated": 0,
                                        "unchanged": 1}
    assert (imported_groups["action"], imported_groups["target"]) == ("import", "groups")
    assert imported_groups["detail"]["added"] == 1


# ---- Reading the log


def listing(client, query: str = "") -> dict:
    return ok(client.get(f"/api/audit{'?' + query if query else ''}"))


def test_the_log_reads_newest_first_with_filters_and_pages(store, admin, teacher):
    ok(admin.get("/api/insights/daily"))
    everything = listing(admin, "limit=10000")["records"]
    ids = [r["id"] for r in everything]
    assert ids == sorted(ids, reverse=True)
    newest = everything[0]
    assert (newest["action"], newest["target"], newest["who"]) == ("insight_view", "daily",
                                                                  ADMIN["email"])
    assert newest["address"] == "127.0.0.1"
    assert newest["at"].startswith(local_today())
    assert newest["detail"]["format"] == "json"

    mine = listing(admin, "user=TEACHER@lincoln")["records"]
    assert mine and all(r["who"] == TEACHER["email"] for r in mine)
    command = listing(admin, "user=command%20line")["records"]
    assert command and all(r["who"] == "command line" for r in command)
    views = listing(admin, "action=insight_view")["records"]
    assert views and all(r["action"] == "insight_view" for r in views)
    today = local_today()
    assert listing(admin, f"from={today}&to={today}")["records"] == everything
    assert listing(admin, "from=2020-01-01&to=2020-01-31")["records"] == []

    page = listing(admin, "limit=2")
    assert [r["id"] for r in page["records"]] == ids[:2] and page["older"] == ids[1]
    page = listing(admin, f"limit=2&before={page['older']}")
    assert [r["id"] for r in page["records"]] == ids[2:4]
    assert listing(admin, f"limit=10000&before={ids[-1]}") == {"records": [], "older": None}


def test_bad_filters_name_the_field(admin):
    for query, field in [("from=2026-13-01", "from"), ("to=yesterday", "to"),
                         ("from=2026-11-02&to=2026-11-01", "to"), ("action=peek", "action"),
                         ("limit=0", "limit"), ("limit=10001", "limit"), ("before=x", "before"),
                         ("format=xlsx", "format")]:
        r = admin.get(f"/api/audit?{query}")
        assert r.status == 400, (query, r)
        assert r.error.startswith(f"{field}:"), (query, r.error)


def test_only_the_schools_admins_read_its_log(store, admin, teacher, other):
    assert teacher.get("/api/audit").status == 403
    assert teacher.get("/api/audit?format=csv").status == 403
    ok(other.get("/api/reports/rooms"))
    theirs = listing(other)["records"]
    assert {r["action"] for r in theirs if r["who"] == OTHER_ADMIN["email"]} == {"sign_in",
                                                                              "report_view"}
    assert {r["who"] for r in theirs} == {OTHER_ADMIN["email"], "command line"}
    ours = listing(admin, "limit=10000")["records"]
    assert not any(r["who"] == OTHER_ADMIN["email"] for r in ours)
    assert listing(admin, f"user={OTHER_ADMIN['email']}")["records"] == []


def test_the_csv_file_guards_formulas(store, admin):
    made = ok(admin.post("/api/rooms", {"name": "=HYPERLINK(1)"}), 201)
    r = admin.get(f"/api/audit?action=room_create&from={local_today()}&format=csv")
    assert r.status == 200
    assert r.header("Content-Type").startswith("text/csv")
    assert r.header("Content-Disposition") == \
        f'attachment; filename="audit_{local_today()}_all.csv"'
    text = r.body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["time", "who", "address", "action", "target", "detail"]
    targets = [row[4] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in targets and "=HYPERLINK(1)" not in targets
    assert all(row[3] == "room_create" for row in rows[1:])
    assert made["name"] == "=HYPERLINK(1)"


def test_the_command_prints_the_same_records(store, admin):
    ok(admin.get("/api/insights/heatmap"))
    out = cli("audit", "--db", store.db, "--school", SCHOOL, "--format", "json", "--limit", "3")
    printed = json.loads(out.stdout)["records"]
    served = listing(admin, "limit=3")["records"]
    assert printed == served
    csv_out = cli("audit", "--db", store.db, "--school", SCHOOL, "--format", "csv",
                  "--action", "insight_view", "--from", local_today()).stdout
    served_csv = admin.get(f"/api/audit?format=csv&action=insight_view&from={local_today()}").body
    assert csv_out == served_csv
    table = cli("audit", "--db", store.db, "--school", SCHOOL, "--user", "teacher@").stdout
    lines = table.decode().splitlines()
    assert lines[0].split() == ["time", "who", "address", "action", "target", "detail"]
    assert lines[1:] and all(TEACHER["email"] in line for line in lines[1:])
    # Reading the log with the command writes nothing to it.
    assert json.loads(cli("audit", "--db", store.db, "--school", SCHOOL, "--format", "json",
                          "--limit", "1").stdout)["records"][0]["id"] == served[0]["id"]
    bad = cli("audit", "--db", store.db, "--school", SCHOOL, "--action", "peek", check=False)
    assert bad.returncode == 1 and b"action:" in bad.stderr
    assert cli("audit", "--db", store.db, "--format", "xlsx", check=False).returncode == 2


def refuse_records(store, actions: tuple[str, ...]) -> None:
    """Stages a store that refuses to write records of these actions."""
    listed = ", ".join(f"'{a}'" for a in actions)
    if store.kind == "sqlite":
        store.sql(f"CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log "
                  f"WHEN NEW.action IN ({listed}) BEGIN SELECT RAISE(ABORT, 'staged refusal'); END")
    else:
        store.sql("CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS $$ "
                  "BEGIN RAISE EXCEPTION 'staged refusal'; END $$")
        store.sql(f"CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log FOR EACH ROW "
                  f"WHEN (NEW.action IN ({listed})) EXECUTE FUNCTION audit_refused()")


def allow_records(store) -> None:
    if store.kind == "sqlite":
        store.sql("DROP TRIGGER audit_refused")
    else:
        store.sql("DROP TRIGGER audit_refused ON audit_log")
        store.sql("DROP FUNCTION audit_refused()")


def test_a_change_or_a_read_that_cannot_be_recorded_does_not_happen(store, admin):
    lab = admin.room_id("Library")
    before = next(r for r in admin.rooms() if r["id"] == lab)
    refuse_records(store, ("room_update", "insight_view"))
    try:
        r = admin.patch(f"/api/rooms/{lab}", {"max_passes_to": 9})
        assert r.status >= 500, r
        r = admin.get("/api/insights/students")
        assert r.status >= 500, r
        assert "student" not in r.body.decode()
    finally:
        allow_records(store)
    # The change was rolled back with its record.
    assert next(r for r in admin.rooms() if r["id"] == lab) == before
    ok(admin.patch(f"/api/rooms/{lab}", {"max_passes_to": 9}))
    assert records(store)[-1]["detail"]["after"] == {"max_passes_to": 9}
