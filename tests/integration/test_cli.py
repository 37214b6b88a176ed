"""The command line itself: help, version, init, user, usage errors.

Tests that look for SQLite files left behind are marked sqlite_only; each has a
postgresql_only counterpart that looks in the database instead."""

from __future__ import annotations

import re
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from hallpass_kit import Room, User
from server_util import ADMIN, STUDENT, TEACHER, basic_store, cli, sign_in
from store_util import pg_tables, school_names

COMMAND_HELPS = [
    ["--help"],
    ["init", "--help"],
    ["import", "--help"],
    ["import", "rooms", "--help"],
    ["import", "users", "--help"],
    ["import", "passes", "--help"],
    ["import", "schedule", "--help"],
    ["report", "--help"],
    ["report", "rooms", "--help"],
    ["report", "staff", "--help"],
    ["demo", "--help"],
    ["serve", "--help"],
    ["user", "--help"],
    ["copy", "--help"],
    ["check", "--help"],
    ["backup", "--help"],
    ["user", "add", "--help"],
    ["settings", "--help"],
]


@pytest.mark.parametrize("argv", COMMAND_HELPS, ids=" ".join)
def test_help_exits_zero_and_prints_usage(run, argv, tmp_path):
    code, out, err = run(*argv)
    assert code == 0, err
    assert "usage: hallpass" in out
    assert err == ""
    # --help changes nothing: no store appears in the working directory.
    assert not any(p.suffix == ".db" for p in tmp_path.iterdir())


def test_help_lists_every_command(run):
    out = run("--help").ok().stdout
    for command in ("init", "import", "report", "demo", "serve", "user", "copy", "settings",
                    "backup"):
        assert command in out


# Every option of every command, as its --help must name it.
COMMAND_OPTIONS = {
    "init": ["--db", "--school", "--timezone"],
    "import": ["--db", "--school", "--org", "--dry-run"],
    "report": ["--db", "--school", "--from", "--to", "--sort", "--order", "--compare",
               "--format", "--output"],
    "insights": ["--db", "--school", "--from", "--to", "--sort", "--order", "--compare",
                 "--destination", "--format", "--output"],
    "user": ["--db", "--school", "--name", "--email", "--role", "--room", "--student-id",
             "--password-stdin"],
    "serve": ["--db", "--listen", "--threads", "--session-idle", "--session-max", "--timeout",
              "--secure-cookies", "--no-clock", "--oidc-secret-file", "--tls-cert", "--tls-key",
              "--metrics-listen"],
    "copy": ["--from", "--to"],
    "check": ["--db", "--school"],
    "backup": ["--db", "--to", "--force"],
    "demo": ["--db", "--listen", "--no-serve"],
    "settings": ["--db", "--school"],
}


@pytest.mark.parametrize("command", sorted(COMMAND_OPTIONS))
def test_every_help_names_every_option_once_and_the_store_kinds(run, command):
    out = run(command, "--help").ok().stdout
    assert out.startswith(f"usage: hallpass {command}")
    listed = re.findall(r"^  (--[a-z-]+)", out, re.M)
    assert listed == COMMAND_OPTIONS[command] + ["--help"]
    # The store is a SQLite file or a PostgreSQL URI, and the help says so.
    if "--db" in listed:
        assert "postgresql://" in out and "SQLite" in out
    assert "(SQLite)" not in out


def test_main_help_names_both_kinds_of_store(run):
    out = run("--help").ok().stdout
    assert "postgresql://" in out and "SQLite" in out
    assert "--db FILE (SQLite)" not in out


def test_version_names_the_cmake_version_and_the_commit(run):
    code, out, err = run("--version")
    assert code == 0, err
    cmake = (Path(__file__).parents[2] / "CMakeLists.txt").read_text()
    version = re.search(r"project\(hallpass VERSION ([0-9.]+)", cmake).group(1)
    m = re.fullmatch(r"hallpass (\S+) \(commit (\S+)\)\n", out)
    assert m, out
    assert m.group(1) == version
    # A git describe of the checkout it was built from (a hash, maybe after a tag, maybe
    # -dirty), or unknown outside one.
    assert re.fullmatch(r"(unknown|([\w.-]+-g)?[0-9a-f]{7,40}(-dirty)?)", m.group(2)), out


def test_command_help_names_its_options(run):
    assert all(o in run("init", "--help").ok().stdout
               for o in ("--db", "--school", "--timezone"))
    report = run("report", "--help").ok().stdout
    for option in ("--db", "--school", "--from", "--to", "--sort", "--order", "--format",
                   "--output"):
        assert option in report
    for word in ("table", "csv", "xlsx", "json", "asc", "desc"):
        assert word in report


def test_import_help_names_every_column_the_importer_takes(run, stores, tmp_path):
    out = run("import", "--help").ok().stdout
    lines = {line.split(":")[0].strip(): line.split(":", 1)[1].strip()
             for line in out.splitlines() if re.match(r"  (rooms|users|passes|schedule): ", line)}
    assert lines == {
        "rooms": "name,folder,max_passes_from,max_passes_to,time_limit_minutes,"
                 "counts_toward_limit",
        "users": "name,email,role,room,password,student_id,max_passes_per_day",
        "passes": "id,student,origin,destination,creator,source,type,start,end,cancelled",
        "schedule": "day,period,start,end",
    }
    assert "home room" in out
    # The users line is a header the importer takes as it is, student_id and all.
    db = stores.new()
    run("init", "--db", db, "--school", "Lincoln High", "--timezone", "UTC").ok()
    (tmp_path / "rooms.csv").write_text("name\nRoom 1\n")
    run("import", "rooms", "--db", db, str(tmp_path / "rooms.csv")).ok()
    (tmp_path / "users.csv").write_text(
        lines["users"] + "\n"
        "Ann Lee,ann@example.org,student,,,S-1,2\n"
        "Tom Kay,tom@example.org,teacher,Room 1,,,\n")
    r = run("import", "users", "--db", db, str(tmp_path / "users.csv")).ok()
    assert "2 users added" in r.stdout


def test_user_help_says_room_is_also_a_staff_members_home_room(run):
    out = run("user", "--help").ok().stdout
    room = next(line for line in out.splitlines() if line.strip().startswith("--room"))
    assert "kiosk's room" in room and "staff member's home room" in room


def test_serve_help_shows_the_defaults_it_uses(run):
    out = run("serve", "--help").ok().stdout
    options = {line.split()[0]: line for line in out.splitlines() if line.startswith("  --")}
    # Eight hours, a week, and 15 seconds: the server's own defaults.
    assert "(default 480)" in options["--session-idle"]
    assert "(default 7)" in options["--session-max"]
    assert "(default 15)" in options["--timeout"]


@pytest.mark.parametrize("command", [["init", "--school", "X", "--timezone", "UTC"],
                                     ["serve"], ["report", "rooms"]], ids=lambda c: c[0])
def test_no_store_given_names_both_kinds_of_store(run, tmp_path, command):
    code, out, err = run(*command, cwd=tmp_path)
    assert code == 2
    assert ("no store given: use --db DB (a SQLite file or a postgresql:// URI) or set "
            "HALLPASS_DB") in err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# init


def test_init_creates_the_store_and_the_school(run, stores):
    db = stores.new("new")
    code, out, err = run("init", "--db", db, "--school", "Lincoln High",
                         "--timezone", "America/Chicago")
    assert code == 0, err
    if stores.sqlite:
        assert db.is_file()
    assert school_names(db) == ["Lincoln High"]
    # The store works: an empty school gives empty reports with its name.
    r = run("report", "rooms", "--db", db, "--format", "json").ok()
    assert '"school": "Lincoln High"' in r.stdout
    assert '"rows": []' in r.stdout


def test_init_from_the_environment(run, stores):
    db = stores.new("env")
    run("init", "--school", "Env High", "--timezone", "Asia/Kolkata",
        env={"HALLPASS_DB": str(db)}).ok()
    if stores.sqlite:
        assert db.is_file()
    assert school_names(db) == ["Env High"]
    r = run("report", "staff", "--format", "json", env={"HALLPASS_DB": str(db)}).ok()
    assert '"school": "Env High"' in r.stdout


def test_db_option_wins_over_the_environment(run, stores):
    a, b = stores.new("a"), stores.new("b")
    run("init", "--db", a, "--school", "School A", "--timezone", "UTC").ok()
    run("init", "--db", b, "--school", "School B", "--timezone", "UTC").ok()
    r = run("report", "rooms", "--db", b, "--format", "json", env={"HALLPASS_DB": str(a)}).ok()
    assert '"school": "School B"' in r.stdout


BAD_ZONES = ["Mars/Olympus_Mons", "America/Chicagoo", "america/chicago", "", "+05:30",
             "Chicago"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("zone", BAD_ZONES)
def test_init_refuses_a_bad_time_zone(run, stores, zone):
    db = stores.new("bad")
    code, out, err = run("init", "--db", db, "--school", "X", "--timezone", zone)
    assert code != 0
    assert err.strip()
    if zone:
        assert zone in err
    # An error changes nothing: not even an empty store is left behind.
    assert not db.exists()


@pytest.mark.postgresql_only
def test_init_refuses_a_bad_time_zone_and_leaves_the_database_empty(run, stores):
    db = stores.new()
    for zone in BAD_ZONES:
        code, out, err = run("init", "--db", db, "--school", "X", "--timezone", zone)
        assert code != 0
        assert err.strip()
        if zone:
            assert zone in err
        # An error changes nothing: no school, not even the schema, in the database.
        assert pg_tables(db) == []


# POSIX TZ strings: GLib reads "UTC+5" as five hours west of UTC.
@pytest.mark.parametrize("zone", ["UTC+5", "CST6"])
def test_init_refuses_posix_tz_strings(run, stores, zone):
    # Python's zoneinfo, which reads the same IANA database, knows no such zone.
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        zoneinfo.ZoneInfo(zone)
    db = stores.new("posix")
    code, out, err = run("init", "--db", db, "--school", "X", "--timezone", zone)
    assert code != 0, out
    assert zone in err
    assert school_names(db) == []


# The machine's own zone and path tricks name no zone of the tz database either.
ODD_ZONES = ["localtime", "America/../America/Chicago", "/etc/localtime"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("zone", ODD_ZONES)
def test_init_refuses_zones_that_are_not_tz_database_names(run, stores, zone):
    db = stores.new("odd")
    code, out, err = run("init", "--db", db, "--school", "X", "--timezone", zone)
    assert code != 0, out
    assert "is not an IANA time zone" in err
    assert not db.exists()


@pytest.mark.postgresql_only
def test_init_refuses_zones_that_are_not_tz_database_names_and_leaves_the_database_empty(
        run, stores):
    db = stores.new()
    for zone in ODD_ZONES:
        code, out, err = run("init", "--db", db, "--school", "X", "--timezone", zone)
        assert code != 0, out
        assert "is not an IANA time zone" in err
        assert pg_tables(db) == []


def test_init_refuses_a_duplicate_school(run, school):
    before = school.snapshot("--from", "2026-01-01", "--to", "2026-12-31")
    code, out, err = run("init", "--db", school.db, "--school", school.name,
                         "--timezone", "Asia/Kolkata")
    assert code != 0
    assert school.name in err
    # Still one school, with its time zone: --school is not needed.
    assert school.snapshot("--from", "2026-01-01", "--to", "2026-12-31") == before


def test_init_adds_a_second_school_to_a_store(run, school):
    run("init", "--db", school.db, "--school", "Roosevelt Middle",
        "--timezone", "America/Denver").ok()
    code, out, err = run("report", "rooms", "--db", school.db, "--school", "Roosevelt Middle",
                         "--format", "json")
    assert code == 0, err
    assert '"school": "Roosevelt Middle"' in out


def _init_without(missing):
    args = {"--school": "X", "--timezone": "UTC"}
    del args[missing]
    return [x for kv in args.items() for x in kv]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("missing", ["--school", "--timezone"])
def test_init_requires_school_and_timezone(run, stores, missing):
    db = stores.new("x")
    code, out, err = run("init", "--db", db, *_init_without(missing))
    assert code == 2
    assert missing in err
    assert not db.exists()


@pytest.mark.postgresql_only
def test_init_requires_school_and_timezone_and_leaves_the_database_empty(run, stores):
    db = stores.new()
    for missing in ("--school", "--timezone"):
        code, out, err = run("init", "--db", db, *_init_without(missing))
        assert code == 2
        assert missing in err
        assert pg_tables(db) == []


@pytest.mark.sqlite_only
def test_a_missing_store_is_an_error_and_is_not_created(run, stores):
    db = stores.new("nowhere")
    code, out, err = run("report", "rooms", "--db", db)
    assert code != 0
    assert "nowhere.db" in err
    assert not db.exists()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("command", [["report", "rooms"], ["report", "staff"],
                                     ["import", "rooms", "rooms.csv"], ["serve"]],
                         ids=" ".join)
def test_a_missing_database_is_an_error_and_is_not_created(run, stores, tmp_path, command):
    (tmp_path / "rooms.csv").write_text("name\nRoom 1\n")
    db, name = stores.missing("nowhere")
    args = command + ["--db", db] + (["--listen", "127.0.0.1:0"] if command == ["serve"] else [])
    code, out, err = run(*args)
    assert code != 0
    assert name in err
    assert not stores.pg.database_exists(name)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_a_database_without_a_school_is_an_error(run, stores, kind):
    db = stores.new()
    code, out, err = run("report", kind, "--db", db)
    assert code != 0
    assert "hallpass init" in err
    assert out == ""
    assert school_names(db) == []


def test_no_store_given_is_an_error(run):
    code, out, err = run("report", "rooms")
    assert code != 0
    assert "--db" in err or "HALLPASS_DB" in err


# --------------------------------------------------------------------------------------------
# Usage errors: exit 2 and a message naming the option or the value


def test_no_command_is_a_usage_error(run):
    code, out, err = run()
    assert code == 2
    assert "usage" in err


def test_an_unknown_command_is_a_usage_error(run):
    code, out, err = run("frobnicate")
    assert code == 2
    assert "frobnicate" in err
    assert out == ""


@pytest.mark.parametrize("argv,named", [
    (["init", "--bogus"], "--bogus"),
    (["import", "rooms", "--bogus", "x.csv"], "--bogus"),
    (["report", "rooms", "--bogus"], "--bogus"),
    (["report", "staff", "--colour=red"], "--colour"),
    (["demo", "--bogus"], "--bogus"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_an_unknown_option_is_a_usage_error(school, run, argv, named):
    code, out, err = run(*argv, "--db", school.db)
    assert code == 2, err
    assert named in err
    assert out == ""


@pytest.mark.parametrize("option", ["--db", "--school", "--from", "--to", "--sort", "--order",
                                    "--format", "--output"])
def test_a_missing_option_value_is_a_usage_error(school, run, option):
    argv = ["report", "rooms"] + (["--db", school.db] if option != "--db" else []) + [option]
    code, out, err = run(*argv)
    assert code == 2, err
    assert option in err
    assert out == ""


@pytest.mark.sqlite_only
@pytest.mark.parametrize("argv", [["init", "--db"], ["init", "--db", "x.db", "--timezone"],
                                  ["import", "rooms", "x.csv", "--db"], ["demo", "--db"]],
                         ids=" ".join)
def test_a_missing_option_value_on_other_commands(run, argv, tmp_path, store_kind):
    code, out, err = run(*argv)
    assert code == 2
    assert argv[-1] in err
    assert not (tmp_path / "x.db").exists()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("argv", [["init", "--db", "DB", "--timezone"],
                                  ["init", "--school", "X", "--db", "DB", "--timezone"],
                                  ["demo", "--db", "DB", "--listen"]],
                         ids=" ".join)
def test_a_missing_option_value_leaves_the_database_empty(run, stores, argv):
    db = stores.new()
    argv = [db if a == "DB" else a for a in argv]
    code, out, err = run(*argv)
    assert code == 2
    assert argv[-1] in err
    assert pg_tables(db) == []


@pytest.mark.parametrize("args,words", [
    (["--format", "pdf"], ["format", "pdf"]),
    (["--order", "up"], ["order", "up"]),
    (["--sort", "nope"], ["sort", "nope"]),
    (["--sort", "staff"], ["sort", "staff"]),  # A staff key on the rooms report.
    (["--from", "2026-02-30"], ["from", "2026-02-30"]),
    (["--from", "2026-02-29"], ["from", "2026-02-29"]),  # 2026 is not a leap year.
    (["--to", "2026-13-01"], ["to", "2026-13-01"]),
    (["--to", "2026-9-1"], ["to", "2026-9-1"]),
    (["--from", "yesterday"], ["from", "yesterday"]),
    (["--from", "2026-09-02", "--to", "2026-09-01"], ["2026-09-02", "2026-09-01"]),
], ids=lambda v: " ".join(v))
def test_a_bad_report_value_is_a_usage_error(school, args, words):
    school.load(rooms=[Room("Room 101")])
    code, out, err = school.report("rooms", *args, fmt=None)
    assert code == 2, err
    for w in words:
        assert w in err
    assert out == ""


def test_a_bad_staff_sort_names_the_keys(school):
    code, out, err = school.report("staff", "--sort", "room", fmt=None)
    assert code == 2
    assert "room" in err
    for key in ("staff", "email", "total", "now", "scheduled"):
        assert key in err


@pytest.mark.parametrize("argv,named", [
    (["report", "visits"], "visits"),
    (["report"], "rooms"),
    (["report", "rooms", "staff"], "rooms"),
    (["import", "teachers", "x.csv"], "teachers"),
    (["import", "rooms"], "rooms"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_a_bad_argument_is_a_usage_error(school, run, argv, named):
    code, out, err = run(*argv, "--db", school.db)
    assert code == 2
    assert named in err


@pytest.mark.sqlite_only
def test_init_with_an_extra_argument_is_a_usage_error(run, stores):
    db = stores.new("x")
    code, out, err = run("init", "--db", db, "--school", "X", "--timezone", "UTC", "extra")
    assert code == 2
    assert "extra" in err
    assert not db.exists()


@pytest.mark.postgresql_only
def test_init_with_an_extra_argument_leaves_the_database_empty(run, stores):
    db = stores.new()
    code, out, err = run("init", "--db", db, "--school", "X", "--timezone", "UTC", "extra")
    assert code == 2
    assert "extra" in err
    assert pg_tables(db) == []


@pytest.mark.parametrize("argv,named", [
    (["serve", "--threads", "0"], "--threads"),
    (["serve", "--threads", "many"], "many"),
    (["serve", "--timeout", "99999"], "--timeout"),
    (["serve", "--session-idle", ""], "--session-idle"),
    (["serve", "extra"], "extra"),
    (["check", "extra"], "extra"),
    (["copy", "--to", "x.db"], "--from"),
    (["copy", "--from", "x.db"], "--to"),
    (["user"], "add or passwd"),
    (["user", "remove", "--email", "a@x.org"], "add or passwd"),
    (["user", "add", "passwd", "--email", "a@x.org"], "add or passwd"),
    (["user", "add", "--email", "a@x.org"], "--name"),
    (["user", "add", "--name", "A"], "--email"),
    (["user", "passwd", "--email", "a@x.org"], "--password-stdin"),
    (["user", "passwd", "--email", "a@x.org", "--password-stdin=yes"], "--password-stdin"),
    (["user", "passwd", "--email", "a@x.org", "--password-stdin", "--student-id", "S-1"],
     "--student-id is for add"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_more_usage_errors(school, run, argv, named):
    before = school.snapshot("--from", "2026-09-01", "--to", "2026-09-30")
    store = [] if argv[0] == "copy" else ["--db", school.db]  # copy names its stores itself.
    code, out, err = run(*argv, *store)
    assert code == 2, err
    assert named in err
    assert f"see: hallpass {argv[0]} --help" in err
    assert out == ""
    assert school.snapshot("--from", "2026-09-01", "--to", "2026-09-30") == before


def test_usage_errors_change_nothing(school):
    school.load(rooms=[Room("Room 101")],
                users=[User("Ann Lee", "alee@x.org", "teacher")])
    before = school.snapshot("--from", "2026-09-01", "--to", "2026-09-30")
    for args in (["--format", "pdf"], ["--order", "up"], ["--bogus"]):
        assert school.report("rooms", *args, fmt=None).code == 2
    assert school.snapshot("--from", "2026-09-01", "--to", "2026-09-30") == before


# --------------------------------------------------------------------------------------------
# user add and user passwd, with a server serving the same store

NEW_PASSWORD = "a-new-password-2"


@pytest.fixture
def served(stores):
    """Lincoln High with an admin, a teacher and a student, served."""
    store = basic_store(stores, users=(ADMIN, TEACHER, STUDENT))
    srv = store.server().start()
    yield store, srv
    assert srv.stop() == 0, srv.log()


def passwd(store, email, password, check=True):
    return cli("user", "passwd", "--db", store.db, "--email", email, "--password-stdin",
               input=(password + "\n").encode(), check=check)


def test_passwd_ends_the_users_sessions_and_only_theirs(served):
    store, srv = served
    teacher, again = sign_in(srv, TEACHER), sign_in(srv, TEACHER)
    admin = sign_in(srv, ADMIN)
    for c in (teacher, again, admin):
        assert c.get("/api/session").status == 200

    r = passwd(store, TEACHER["email"], NEW_PASSWORD)
    assert r.stdout.decode() == f"set the password of {TEACHER['email']}\n"

    # Both of the teacher's sessions, signed in with the old password, are over.
    for c in (teacher, again):
        assert c.get("/api/session").status == 401
        assert c.get("/api/passes?active=true").status == 401
    # Someone else's session is not.
    assert admin.get("/api/session").status == 200
    # The old password no longer signs in; the new one does.
    assert srv.client().sign_in(TEACHER["email"], TEACHER["password"]).status == 401
    assert srv.client().sign_in(TEACHER["email"], NEW_PASSWORD).status == 200


def test_import_with_a_new_password_ends_the_users_sessions(served):
    store, srv = served
    teacher, admin = sign_in(srv, TEACHER), sign_in(srv, ADMIN)
    changed = {**TEACHER, "password": NEW_PASSWORD}
    store.users([changed])

    # Signed in with the old password: over, as after hallpass user passwd.
    assert teacher.get("/api/session").status == 401
    assert admin.get("/api/session").status == 200
    assert srv.client().sign_in(TEACHER["email"], TEACHER["password"]).status == 401

    # The same file again changes no password, so the new session stays signed in.
    again = sign_in(srv, changed)
    store.users([changed])
    assert again.get("/api/session").status == 200
    assert again.get("/api/passes?active=true").status == 200


def test_passwd_of_an_unknown_user_changes_nothing(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    r = passwd(store, "nobody@lincoln.test", NEW_PASSWORD, check=False)
    assert r.returncode == 1
    assert "nobody@lincoln.test" in r.stderr.decode()
    assert teacher.get("/api/session").status == 200


def test_passwd_refuses_an_empty_password_and_keeps_the_sessions(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    r = passwd(store, TEACHER["email"], "", check=False)
    assert r.returncode == 1
    assert "password: empty" in r.stderr.decode()
    assert teacher.get("/api/session").status == 200
    assert srv.client().sign_in(TEACHER["email"], TEACHER["password"]).status == 200


def user_add(store, who, password):
    return cli("user", "add", "--db", store.db, "--name", who["name"], "--email", who["email"],
               "--role", who["role"], "--password-stdin", input=(password + "\n").encode())


def test_user_add_with_a_new_password_ends_the_sessions(served):
    store, srv = served
    student = sign_in(srv, STUDENT)
    user_add(store, STUDENT, NEW_PASSWORD)
    assert student.get("/api/session").status == 401
    assert srv.client().sign_in(STUDENT["email"], NEW_PASSWORD).status == 200


def test_user_add_with_the_same_password_keeps_the_sessions(served):
    store, srv = served
    student = sign_in(srv, STUDENT)
    r = user_add(store, STUDENT, STUDENT["password"])
    assert r.stdout.decode() == f"saved user {STUDENT['email']}\n"
    assert student.get("/api/session").status == 200


def test_user_add_creates_a_user_who_signs_in(served):
    store, srv = served
    new = {"name": "Nia New", "email": "nia@lincoln.test", "role": "teacher"}
    user_add(store, new, NEW_PASSWORD)
    me = srv.client()
    assert me.sign_in(new["email"], NEW_PASSWORD).status == 200
    assert me.get("/api/session").json["user"]["name"] == "Nia New"


def student_add(store, email, *extra, name="Sam Student", role="student", check=True):
    return cli("user", "add", "--db", store.db, "--name", name, "--email", email, "--role", role,
               *extra, check=check)


def found_by(teacher, text):
    return [(s["email"], s["student_id"])
            for s in teacher.get(f"/api/students?q={text}").json["students"]]


def test_user_add_gives_a_student_the_id_they_are_found_by(served):
    store, srv = served
    teacher = sign_in(srv, TEACHER)
    r = student_add(store, STUDENT["email"], "--student-id", " S-4107 ")
    assert r.stdout.decode() == f"saved user {STUDENT['email']}\n"
    assert found_by(teacher, "s-41") == [(STUDENT["email"], "S-4107")]
    # Without the option the student keeps it; an empty one removes it.
    student_add(store, STUDENT["email"], name="Sam B. Student")
    assert found_by(teacher, "S-4107") == [(STUDENT["email"], "S-4107")]
    student_add(store, STUDENT["email"], "--student-id", "")
    assert found_by(teacher, "S-4107") == []
    # A new student with an ID of their own.
    student_add(store, "nia@lincoln.test", "--student-id", "n-1", name="Nia New")
    assert found_by(teacher, "N-1") == [("nia@lincoln.test", "n-1")]


@pytest.mark.parametrize("extra, role, message", [
    (["--student-id", "S-1"], "student",
     '--student-id: "S-1" is already the student ID of Nia New ("nia@lincoln.test"); each '
     "student's ID is their own"),
    (["--student-id", "s-1"], "student",
     '--student-id: "s-1" is already the student ID of Nia New'),
    (["--student-id", "S 1"], "student", '--student-id: "S 1" is not 1 to 32 ASCII letters'),
    (["--student-id", "T-1"], "teacher",
     '--student-id: "T-1": only a student has a student ID, not a teacher'),
], ids=["taken", "taken-other-case", "malformed", "not-a-student"])
def test_user_add_refuses_a_bad_student_id_naming_the_option(served, extra, role, message):
    store, srv = served
    student_add(store, "nia@lincoln.test", "--student-id", "S-1", name="Nia New")
    before = store.sql("SELECT email, coalesce(student_id, ''), role FROM users ORDER BY email")
    r = student_add(store, "zed@lincoln.test", *extra, name="Zed Zee", role=role, check=False)
    assert r.returncode == 1, r
    err = r.stderr.decode()
    assert err.startswith(f"hallpass user: {message}"), err
    assert "student_id" not in err, err  # The option, not the column.
    after = store.sql("SELECT email, coalesce(student_id, ''), role FROM users ORDER BY email")
    assert after == before  # Nothing changed.
