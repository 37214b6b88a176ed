"""The OneRoster import end to end, on both stores: `hallpass import oneroster` of 1.1 exports
(users.csv holding the roles) and 1.2 exports (roles.csv), as a folder and as a .zip, all written
here; every role, enabledUser false and status tobedeleted, users of another org, parents left
out, a class location that creates a room, a teacher's home room (the primary class first),
matching by sourcedId after an email change, the same export twice changing nothing, a bad file
named by file, line, column and value with the store unchanged, the dry run, the audit record,
and `POST /api/users/import` for an admin and refused to a teacher and a stranger."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from server_util import ADMIN, TEACHER, Store, basic_store, ok, sign_in
from store_util import sql

SCHOOL_ORG = "12"
OTHER_ORG = "13"

ORGS = [
    {"sourcedId": "d1", "status": "active", "name": "Lincoln District", "type": "district"},
    {"sourcedId": SCHOOL_ORG, "status": "active", "name": "Lincoln High", "type": "school"},
    {"sourcedId": OTHER_ORG, "status": "active", "name": "Other High", "type": "school"},
]


def person(sid, role, given, family, email, org=SCHOOL_ORG, identifier="", enabled="true",
           status="active"):
    return {"sourcedId": sid, "role": role, "givenName": given, "familyName": family,
            "email": email, "org": org, "identifier": identifier, "enabledUser": enabled,
            "status": status}


# One of each kind the import meets; the line each has in users.csv is its index + 2.
PEOPLE = [
    person("u-admin", "administrator", "Ada", "Admin", "ada@lincoln.test"),
    person("u-teach", "teacher", "Tina", "Teach", "tina@lincoln.test"),
    person("u-aide", "aide", "Al", "Aide", "al@lincoln.test"),
    person("u-stu", "student", "Sue", "Stu", "sue@lincoln.test", identifier="S-100"),
    person("u-parent", "parent", "Pat", "Stu", "pat@home.test"),
    person("u-guard", "guardian", "Gil", "Stu", "gil@home.test"),
    person("u-rel", "relative", "Rae", "Stu", "rae@home.test"),
    person("u-proc", "proctor", "Pro", "Ctor", "proc@lincoln.test"),
    person("u-other", "student", "Oz", "Other", "oz@other.test", org=OTHER_ORG),
    person("u-nomail", "student", "No", "Mail", ""),
    person("u-off", "student", "Off", "Line", "off@lincoln.test", enabled="false"),
    person("u-gone", "student", "Gone", "Away", "gone@lincoln.test", status="tobedeleted"),
]
LEFT_OUT = [
    ("users.csv", 6, "role parent is not taken"),
    ("users.csv", 7, "role guardian is not taken"),
    ("users.csv", 8, "role relative is not taken"),
    ("users.csv", 9, "role proctor is not taken"),
    ("users.csv", 10, f"org {OTHER_ORG} is another school"),
    ("users.csv", 11, "no email"),
]

# Tina teaches Art in Room 101 first in the file, but Math in Room 201 is her primary class;
# Other High's class is in a room this school must not get.
CLASSES = [
    {"sourcedId": "c-art", "status": "active", "title": "Art", "location": "Room 101",
     "schoolSourcedId": SCHOOL_ORG},
    {"sourcedId": "c-math", "status": "active", "title": "Math", "location": "Room 201",
     "schoolSourcedId": SCHOOL_ORG},
    {"sourcedId": "c-far", "status": "active", "title": "Far", "location": "Room 999",
     "schoolSourcedId": OTHER_ORG},
]
ENROLLMENTS = [
    {"sourcedId": "e1", "classSourcedId": "c-art", "schoolSourcedId": SCHOOL_ORG,
     "userSourcedId": "u-teach", "role": "teacher", "primary": "false", "status": "active"},
    {"sourcedId": "e2", "classSourcedId": "c-math", "schoolSourcedId": SCHOOL_ORG,
     "userSourcedId": "u-teach", "role": "teacher", "primary": "true", "status": "active"},
    {"sourcedId": "e3", "classSourcedId": "c-math", "schoolSourcedId": SCHOOL_ORG,
     "userSourcedId": "u-stu", "role": "student", "primary": "false", "status": "active"},
    {"sourcedId": "e4", "classSourcedId": "c-art", "schoolSourcedId": SCHOOL_ORG,
     "userSourcedId": "u-aide", "role": "aide", "primary": "false", "status": "active"},
]

# The users hallpass has before the roster comes: two who will be deactivated.
BEFORE = ("name,email,role,room,password,student_id\n"
          "Off Line,off@lincoln.test,student,,,\n"
          "Gone Away,gone@lincoln.test,student,,,\n")
ROOMS_BEFORE = "name,folder,max_passes_from,max_passes_to\nRoom 101,Art Wing,,\n"


def csv_bytes(columns, rows) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode("utf-8")


def export_files(version: str, people=PEOPLE, classes=CLASSES, enrollments=ENROLLMENTS,
                 orgs=ORGS) -> dict[str, bytes]:
    """The files of a bulk export as OneRoster 1.1 (roles in users.csv) or 1.2 (roles.csv)
    writes them, with a vendor's extension column the import must ignore."""
    files = {"manifest.csv": csv_bytes(["propertyName", "value"], [
        {"propertyName": "oneroster.version", "value": version}])}
    files["orgs.csv"] = csv_bytes(["sourcedId", "status", "dateLastModified", "name", "type",
                                   "identifier", "parentSourcedId"], orgs)
    common = ["sourcedId", "status", "dateLastModified", "enabledUser"]
    names = ["username", "userIds", "givenName", "familyName", "middleName", "identifier",
             "email", "sms", "phone", "agentSourcedIds", "grades", "password",
             "metadata.vendor.house"]
    if version == "1.1":
        rows = [{**p, "orgSourcedIds": p["org"], "metadata.vendor.house": "Blue"} for p in people]
        files["users.csv"] = csv_bytes(common + ["orgSourcedIds", "role"] + names, rows)
    else:
        files["users.csv"] = csv_bytes(common + names + ["primaryOrgSourcedId"],
                                       [{**p, "primaryOrgSourcedId": p["org"]} for p in people])
        roles = [{"sourcedId": f"r-{p['sourcedId']}", "status": "active",
                  "userSourcedId": p["sourcedId"], "roleType": "primary", "role": p["role"],
                  "orgSourcedId": p["org"]} for p in people]
        files["roles.csv"] = csv_bytes(["sourcedId", "status", "dateLastModified",
                                        "userSourcedId", "roleType", "role", "orgSourcedId",
                                        "userProfileSourcedId", "beginDate", "endDate"], roles)
    files["classes.csv"] = csv_bytes(["sourcedId", "status", "dateLastModified", "title",
                                      "grades", "courseSourcedId", "classCode", "classType",
                                      "location", "schoolSourcedId", "termSourcedIds",
                                      "subjects", "subjectCodes", "periods"], classes)
    files["enrollments.csv"] = csv_bytes(["sourcedId", "status", "dateLastModified",
                                          "classSourcedId", "schoolSourcedId", "userSourcedId",
                                          "role", "primary", "beginDate", "endDate"],
                                         enrollments)
    return files


def as_zip(files: dict[str, bytes], folder: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(folder + name, data)
    return out.getvalue()


def write_export(directory: Path, files: dict[str, bytes], as_zip_file: bool) -> Path:
    if as_zip_file:
        path = directory.with_suffix(".zip")
        path.write_bytes(as_zip(files, "export/"))
        return path
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def users_of(db) -> dict[str, tuple]:
    rows = sql(db, "SELECT u.email, u.name, u.role, coalesce(r.name, ''),"
                   " coalesce(u.student_id, ''), u.active, coalesce(u.source_id, '')"
                   " FROM users u LEFT JOIN rooms r ON r.id = u.room_id")
    return {r[0]: tuple(str(v) for v in r[1:]) for r in rows}


def rooms_of(db) -> dict[str, str]:
    return {r[0]: r[1] for r in sql(db, "SELECT name, folder FROM rooms")}


def audit_of(db) -> list[tuple]:
    """The roster imports' records (the CSV imports that built the school have their own)."""
    return [(r[0], r[1], json.loads(r[2]), r[3])
            for r in sql(db, "SELECT action, target, detail, who FROM audit_log"
                             " WHERE action = 'import' AND target = 'oneroster' ORDER BY id")]


@pytest.fixture
def roster_school(school):
    school.import_text("rooms", ROOMS_BEFORE).ok()
    school.import_text("users", BEFORE).ok()
    return school


def run_import(school, path, *extra):
    return school.hp.run("import", "oneroster", "--db", school.db, *extra, path)


def store_true(db) -> str:
    return "t" if isinstance(db, str) and db.startswith("postgresql") else "1"


def store_false(db) -> str:
    return "f" if isinstance(db, str) and db.startswith("postgresql") else "0"


@pytest.mark.parametrize("version,zipped", [("1.1", False), ("1.2", True), ("1.1", True),
                                            ("1.2", False)])
def test_every_role_and_status(roster_school, tmp_path, version, zipped):
    db = roster_school.db
    path = write_export(tmp_path / f"export-{version}", export_files(version), zipped)
    r = run_import(roster_school, path).ok()
    yes, no = store_true(db), store_false(db)

    assert users_of(db) == {
        "ada@lincoln.test": ("Ada Admin", "admin", "", "", yes, "u-admin"),
        "tina@lincoln.test": ("Tina Teach", "teacher", "Room 201", "", yes, "u-teach"),
        "al@lincoln.test": ("Al Aide", "teacher", "", "", yes, "u-aide"),
        "sue@lincoln.test": ("Sue Stu", "student", "", "S-100", yes, "u-stu"),
        "off@lincoln.test": ("Off Line", "student", "", "", no, ""),
        "gone@lincoln.test": ("Gone Away", "student", "", "", no, ""),
    }
    # The primary class's room, created with no folder; the room that was there keeps its
    # folder; another school's class makes no room here.
    assert rooms_of(db) == {"Room 101": "Art Wing", "Room 201": ""}
    lines = r.stdout.splitlines()
    for file, line, reason in LEFT_OUT:
        assert f"left out: {file} line {line}: {reason}" in lines
    assert "added: teacher Tina Teach <tina@lincoln.test>" in lines
    assert "added: teacher Al Aide <al@lincoln.test>" in lines
    assert "deactivated: student Off Line <off@lincoln.test>" in lines
    assert "deactivated: student Gone Away <gone@lincoln.test>" in lines
    assert "room added: Room 201" in lines
    assert lines[-1] == f"{path}: 4 added, 0 updated, 2 deactivated, 6 left out, 1 rooms added"

    # The second time, nothing changes: not a user, not a room.
    before = (users_of(db), rooms_of(db))
    again = run_import(roster_school, path).ok()
    assert again.stdout.splitlines()[-1] == \
        f"{path}: 0 added, 0 updated, 0 deactivated, 6 left out, 0 rooms added"
    assert (users_of(db), rooms_of(db)) == before

    # Each import is audited with its counts.
    records = audit_of(db)
    assert [(a, t, d["added"], d["updated"], d["deactivated"], d["left_out"], w)
            for a, t, d, w in records] == [
        ("import", "oneroster", 4, 0, 2, 6, "command line"),
        ("import", "oneroster", 0, 0, 0, 6, "command line"),
    ]


def test_a_deactivated_user_cannot_sign_in(school, tmp_path):
    school.import_text("users", "name,email,role,room,password\n"
                                "Gone Away,gone@lincoln.test,student,,a-long-password-1\n").ok()
    store = Store(tmp_path, school.db)
    with store.server().start() as server:
        before = server.client()
        assert before.sign_in("gone@lincoln.test", "a-long-password-1").status == 200
        gone = [person("u-gone", "student", "Gone", "Away", "gone@lincoln.test",
                       status="tobedeleted")]
        path = write_export(tmp_path / "ex", export_files("1.2", people=gone), False)
        run_import(school, path).ok()
        # The session ends, and signing in again is refused.
        assert before.get("/api/session").status == 401
        assert server.client().sign_in("gone@lincoln.test", "a-long-password-1").status == 401


def test_matched_by_sourced_id_after_an_email_change(roster_school, tmp_path):
    db = roster_school.db
    run_import(roster_school, write_export(tmp_path / "a", export_files("1.1"), False)).ok()
    user_id = sql(db, "SELECT id FROM users WHERE email = 'sue@lincoln.test'")[0][0]
    changed = [dict(p) for p in PEOPLE]
    changed[3].update(email="sue.stu@lincoln.test", familyName="Stuart", identifier="S-101")
    r = run_import(roster_school,
                   write_export(tmp_path / "b", export_files("1.1", people=changed), False)).ok()
    assert ("updated: student Sue Stuart <sue.stu@lincoln.test> (name, email, student_id)"
            in r.stdout.splitlines())
    rows = sql(db, "SELECT id, name, student_id FROM users WHERE email = 'sue.stu@lincoln.test'")
    assert [tuple(str(v) for v in row) for row in rows] == [(str(user_id), "Sue Stuart", "S-101")]
    assert "sue@lincoln.test" not in users_of(db)


def test_existing_users_are_found_by_email_and_linked(roster_school, tmp_path):
    db = roster_school.db
    roster_school.import_text("users", "name,email,role,room,password\n"
                                       "Tina T.,TINA@lincoln.test,teacher,Room 101,\n").ok()
    r = run_import(roster_school, write_export(tmp_path / "a", export_files("1.2"), False)).ok()
    assert ("updated: teacher Tina Teach <tina@lincoln.test> (name, email, room, source_id)"
            in r.stdout.splitlines())
    assert users_of(db)["tina@lincoln.test"][:3] == ("Tina Teach", "teacher", "Room 201")


def test_another_org_by_sourced_id(roster_school, tmp_path):
    db = roster_school.db
    path = write_export(tmp_path / "a", export_files("1.1"), True)
    r = run_import(roster_school, path, "--org", OTHER_ORG).ok()
    assert "added: student Oz Other <oz@other.test>" in r.stdout.splitlines()
    assert "left out: users.csv line 2: org 12 is another school" in r.stdout.splitlines()
    # Other High's class is the school's now; Lincoln's are not.
    assert set(rooms_of(db)) == {"Room 101", "Room 999"}
    bad = run_import(roster_school, path, "--org", "99")
    assert bad.code == 1
    assert 'orgs.csv, column sourcedId: no org has the sourcedId "99"' in bad.stderr


def test_the_school_org_is_found_by_name(school, tmp_path):
    orgs = [dict(o) for o in ORGS]
    orgs[1]["name"] = "Lincoln Senior High"
    r = run_import(school, write_export(tmp_path / "a", export_files("1.1", orgs=orgs), False))
    assert r.code == 1
    assert ('orgs.csv, column name: no org of type school is named "Lincoln High"; name the '
            "school's org by its sourcedId") in r.stderr


def test_the_dry_run_changes_nothing(roster_school, tmp_path):
    db = roster_school.db
    before = (users_of(db), rooms_of(db))
    r = run_import(roster_school, write_export(tmp_path / "a", export_files("1.2"), True),
                   "--dry-run").ok()
    lines = r.stdout.splitlines()
    assert "added: student Sue Stu <sue@lincoln.test>" in lines
    assert "deactivated: student Gone Away <gone@lincoln.test>" in lines
    assert lines[-1].endswith(": 4 added, 0 updated, 2 deactivated, 6 left out, 1 rooms added "
                              "(a dry run: nothing was changed)")
    assert (users_of(db), rooms_of(db)) == before
    assert audit_of(db) == []


@pytest.mark.parametrize("file,edit,message", [
    ("users.csv", lambda f: f.replace(b"sue@lincoln.test", b"x"),
     'users.csv line 5, column email: "x" is not an email address'),
    ("users.csv", lambda f: f.replace(b"S-100", b"S 100"),
     'users.csv line 5, column identifier: "S 100" is not 1 to 32 ASCII letters, digits and -'),
    ("users.csv", lambda f: f.replace(b"u-aide", b"u-teach"),
     'users.csv line 4, column sourcedId: "u-teach" is the sourcedId of line 3 too'),
    ("enrollments.csv", lambda f: f.replace(b",true,", b",yes,"),
     'enrollments.csv line 3, column primary: "yes" is not true or false'),
    ("users.csv", lambda f: f.replace(b"givenName", b"given"),
     "users.csv line 1, column givenName: the header has no such column"),
    ("users.csv", lambda f: f + b'"unclosed,\r\n',
     "users.csv line 14: malformed CSV: a quoted value is not closed"),
])
def test_a_bad_file_changes_nothing(roster_school, tmp_path, file, edit, message):
    db = roster_school.db
    files = export_files("1.1")
    files[file] = edit(files[file])
    before = (users_of(db), rooms_of(db))
    r = run_import(roster_school, write_export(tmp_path / "a", files, True))
    assert r.code == 1, r
    assert f"hallpass import: {message}" in r.stderr, r
    assert "nothing was imported" in r.stderr
    assert (users_of(db), rooms_of(db)) == before
    assert audit_of(db) == []


def test_an_email_taken_by_another_user(roster_school, tmp_path):
    db = roster_school.db
    roster_school.import_text("users", "name,email,role,room,password\n"
                                       "Someone,sue.stu@lincoln.test,teacher,,\n").ok()
    run_import(roster_school, write_export(tmp_path / "a", export_files("1.1"), False)).ok()
    changed = [dict(p) for p in PEOPLE]
    changed[3]["email"] = "sue.stu@lincoln.test"
    before = (users_of(db), rooms_of(db))
    r = run_import(roster_school,
                   write_export(tmp_path / "b", export_files("1.1", people=changed), False))
    assert r.code == 1
    assert ('users.csv line 5, column email: "sue.stu@lincoln.test" is already the email of '
            "Someone, another user") in r.stderr
    assert (users_of(db), rooms_of(db)) == before


def test_not_an_export(school, tmp_path):
    (tmp_path / "plain.zip").write_bytes(b"not a zip")
    r = run_import(school, tmp_path / "plain.zip")
    assert r.code == 1 and "not a folder or a .zip file" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_import(school, empty)
    assert r.code == 1 and "orgs.csv: the export has no such file" in r.stderr


def test_options_only_for_oneroster(school, tmp_path):
    r = school.hp.run("import", "rooms", "--db", school.db, "--dry-run", "x.csv")
    assert r.code == 2 and "--org and --dry-run are for import oneroster only" in r.stderr


# --------------------------------------------------------------------------------------------
# The API


@pytest.fixture(scope="module")
def store(module_stores):
    s = basic_store(module_stores)
    return s


def upload(client, data: bytes, dry_run: str | None = "true", content_type="application/zip"):
    path = "/api/users/import" + (f"?dry_run={dry_run}" if dry_run is not None else "")
    return client.request("POST", path, body=data, content_type=content_type)


def test_api_admin_plans_then_applies(server, store):
    admin = sign_in(server, ADMIN)
    data = as_zip(export_files("1.2"))
    before = users_of(store.db)
    plan = ok(upload(admin, data))
    assert plan["applied"] is False
    assert {"email": "tina@lincoln.test", "name": "Tina Teach", "role": "teacher"} in \
        plan["added"]
    assert plan["updated"] == [] and plan["deactivated"] == []
    assert {"file": "users.csv", "line": 6, "reason": "role parent is not taken"} in \
        plan["left_out"]
    assert set(plan) == {"applied", "added", "updated", "deactivated", "left_out"}
    assert users_of(store.db) == before

    done = ok(upload(admin, data, dry_run="false"))
    assert done["applied"] is True
    assert sorted(a["email"] for a in done["added"]) == sorted(a["email"] for a in plan["added"])
    assert users_of(store.db)["sue@lincoln.test"][:4] == ("Sue Stu", "student", "", "S-100")
    assert audit_of(store.db)[-1][3] == ADMIN["email"]

    changed = [dict(p) for p in PEOPLE]
    changed[1]["givenName"] = "Christina"
    changed[3]["status"] = "tobedeleted"
    again = ok(upload(admin, as_zip(export_files("1.2", people=changed)), dry_run="false"))
    assert again["added"] == []
    assert again["updated"] == [{"email": "tina@lincoln.test", "name": "Christina Teach",
                                 "role": "teacher", "changes": ["name"]}]
    assert again["deactivated"] == [{"email": "sue@lincoln.test", "name": "Sue Stu"}]


def test_api_bad_file(server, store):
    admin = sign_in(server, ADMIN)
    files = export_files("1.1")
    files["users.csv"] = files["users.csv"].replace(b"sue@lincoln.test", b"x")
    before = users_of(store.db)
    r = upload(admin, as_zip(files), dry_run="false")
    assert r.status == 400
    assert r.json == {"error": 'users.csv line 5, column email: "x" is not an email address',
                      "file": "users.csv", "line": 5, "column": "email", "value": "x"}
    assert users_of(store.db) == before
    r = upload(admin, b"not a zip")
    assert r.status == 400 and r.json["file"] is None
    r = upload(admin, as_zip(files), dry_run="maybe")
    assert r.status == 400 and "dry_run" in r.json["error"]


def test_api_refused(server, store):
    data = as_zip(export_files("1.2"))
    teacher = sign_in(server, TEACHER)
    assert upload(teacher, data).status == 403
    assert upload(server.client(), data).status == 401
    admin = sign_in(server, ADMIN)
    assert upload(admin, data, content_type="application/json").status == 415
