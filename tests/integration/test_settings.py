"""A school's pass-rule settings, end to end on both stores: `hallpass settings` printing and
changing them (all or nothing, with errors that name the key, the value and the range),
GET and PATCH /api/settings for admins only and only for their own school, the rule fields of
rooms over /api/rooms, the optional rule columns of rooms.csv and users.csv with their
errors, and `hallpass copy` keeping all of it."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from hallpass_kit import csv_text
from server_util import (ADMIN, KIOSK, STUDENT, TEACHER, Store, basic_store, cli, ok, room,
                         sign_in, user)
from store_util import sql

SCHOOL, OTHER_SCHOOL = "Lincoln High", "Roosevelt High"
OTHER_ADMIN = user("Otto Other", "admin@roosevelt.test", "admin", "otto-pass-1")

# Every setting, in the order it is printed, with what a school that never chose has.
DEFAULTS = {
    "auto_end_minutes": 120,
    "default_time_limit_minutes": None,
    "max_active_passes": None,
    "max_passes_per_day": None,
    "max_passes_per_week": None,
    "cooldown_minutes": None,
    "no_pass_first_minutes": None,
    "no_pass_last_minutes": None,
    "wait_in_line": True,
    "line_offer_seconds": 30,
    "retain_passes_days": None,
    "oidc_issuer": None,
    "oidc_client_id": None,
    "oidc_client_secret_file": None,
    "oidc_email_domains": None,
    "oidc_label": None,
}

# Each setting's whole numbers (lowest, highest), or None for a boolean.
RANGES = {
    "auto_end_minutes": (10, 720),
    "default_time_limit_minutes": (1, 240),
    "max_active_passes": (1, 10000),
    "max_passes_per_day": (1, 50),
    "max_passes_per_week": (1, 200),
    "cooldown_minutes": (1, 120),
    "no_pass_first_minutes": (1, 60),
    "no_pass_last_minutes": (1, 60),
    "wait_in_line": None,
    "line_offer_seconds": (10, 300),
    "retain_passes_days": (30, 3650),
}

SETTING_NAMES = ", ".join(DEFAULTS)


def as_text(value) -> str:
    """A setting's value as `hallpass settings` prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def lines(settings: dict) -> str:
    return "".join(f"{k}={as_text(v)}\n" for k, v in settings.items())


def printed(text: str) -> dict:
    """The KEY=VALUE lines of `hallpass settings` as a dict of text values."""
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        out[key] = value
    return out


# --------------------------------------------------------------------------------------------
# The command line


def settings_cmd(school, *args):
    return school.hp.run("settings", "--db", school.db, *school.school_args(), *args)


def test_prints_every_setting_with_its_default(school):
    r = settings_cmd(school).ok()
    assert r.stdout == lines(DEFAULTS)
    assert r.stderr == ""


def test_sets_them_all_at_once_and_prints_them(school):
    r = settings_cmd(school, "max_active_passes=40", "wait_in_line=FALSE",
                     "auto_end_minutes=90", "max_passes_per_day=4").ok()
    want = {**DEFAULTS, "max_active_passes": 40, "wait_in_line": False, "auto_end_minutes": 90,
            "max_passes_per_day": 4}
    assert r.stdout == lines(want)
    # Stored: a new command reads them back.
    assert settings_cmd(school).ok().stdout == lines(want)


def test_empty_turns_a_rule_off_or_restores_the_default(school):
    settings_cmd(school, "cooldown_minutes=5", "line_offer_seconds=60",
                 "wait_in_line=false").ok()
    r = settings_cmd(school, "cooldown_minutes=", "line_offer_seconds=", "wait_in_line=").ok()
    assert r.stdout == lines(DEFAULTS)


def test_a_key_given_twice_takes_its_last_value(school):
    r = settings_cmd(school, "cooldown_minutes=5", "cooldown_minutes=7").ok()
    assert printed(r.stdout)["cooldown_minutes"] == "7"


def test_every_end_of_every_range_is_taken(school):
    for key, span in RANGES.items():
        for value in (span or ("true", "false")):
            r = settings_cmd(school, f"{key}={value}").ok()
            assert printed(r.stdout)[key] == str(value)


BAD_ASSIGNMENTS = [
    ("max_active_passes=0", 'max_active_passes: "0" is not a whole number from 1 to 10000'),
    ("auto_end_minutes=9", 'auto_end_minutes: "9" is not a whole number from 10 to 720'),
    ("auto_end_minutes=721", 'auto_end_minutes: "721" is not a whole number from 10 to 720'),
    ("max_passes_per_day=51", 'max_passes_per_day: "51" is not a whole number from 1 to 50'),
    ("max_passes_per_week=-5", 'max_passes_per_week: "-5" is not a whole number from 1 to 200'),
    ("cooldown_minutes=4.5", 'cooldown_minutes: "4.5" is not a whole number from 1 to 120'),
    ("no_pass_first_minutes= 5",
     'no_pass_first_minutes: " 5" is not a whole number from 1 to 60'),
    ("line_offer_seconds=301",
     'line_offer_seconds: "301" is not a whole number from 10 to 300'),
    ("wait_in_line=yes", 'wait_in_line: "yes" is not true or false'),
    ("default_time_limit_minutes=99999999999",
     'default_time_limit_minutes: "99999999999" is not a whole number from 1 to 240'),
    ("hallway_cap=3", f'"hallway_cap" is not a setting ({SETTING_NAMES})'),
    ("max_active_passes", '"max_active_passes" is not KEY=VALUE, such as max_passes_per_day=4'),
    ("=4", '"=4" is not KEY=VALUE, such as max_passes_per_day=4'),
]


@pytest.mark.parametrize("bad,message", BAD_ASSIGNMENTS, ids=[b for b, _ in BAD_ASSIGNMENTS])
def test_a_bad_assignment_changes_nothing(school, bad, message):
    settings_cmd(school, "cooldown_minutes=5").ok()
    before = settings_cmd(school).ok().stdout
    # Good assignments around the bad one are not applied either.
    r = settings_cmd(school, "max_passes_per_day=3", bad, "cooldown_minutes=9")
    assert r.code == 1, r
    assert r.stdout == ""
    assert r.stderr == f"hallpass settings: {message}\nnothing was changed\n"
    assert settings_cmd(school).ok().stdout == before


def test_the_school_option_picks_the_school(make_school, stores):
    db = stores.new()
    lincoln = make_school(SCHOOL, db=db, select=True)
    roosevelt = make_school(OTHER_SCHOOL, "America/New_York", db=db, select=True)
    settings_cmd(lincoln, "max_active_passes=40").ok()
    assert printed(settings_cmd(lincoln).ok().stdout)["max_active_passes"] == "40"
    assert settings_cmd(roosevelt).ok().stdout == lines(DEFAULTS)
    # With two schools and no --school, the command refuses and changes nothing.
    r = lincoln.hp.run("settings", "--db", db, "max_active_passes=3")
    assert r.code != 0 and "school" in r.stderr, r
    assert printed(settings_cmd(lincoln).ok().stdout)["max_active_passes"] == "40"


def test_no_store_and_no_such_school(run, school):
    r = run("settings")
    assert r.code == 2 and "no store given" in r.stderr, r
    r = run("settings", "--db", school.db, "--school", "Nowhere High")
    assert r.code == 1 and "Nowhere High" in r.stderr, r


def test_help_names_every_setting_with_its_values(run):
    out = run("settings", "--help").ok().stdout
    assert "usage: hallpass settings --db DB [--school NAME] [KEY=VALUE ...]" in out
    for key, span in RANGES.items():
        line = next((l for l in out.splitlines() if l.strip().startswith(key + " ")), None)
        assert line is not None, f"{key} is not in --help"
        assert (f"{span[0]}-{span[1]}" if span else "true (default) or false") in line
    assert "settings" in run("--help").ok().stdout


# --------------------------------------------------------------------------------------------
# The API


@pytest.fixture(scope="module")
def store(module_stores):
    """Lincoln High with an admin, a teacher, a student and a kiosk, and Roosevelt High with
    an admin of its own, in one store (conftest's `server` serves it)."""
    store = basic_store(module_stores, users=(ADMIN, TEACHER, STUDENT, KIOSK))
    cli("init", "--db", store.db, "--school", OTHER_SCHOOL, "--timezone", "America/New_York")
    store.rooms([room("Main Office")], school=OTHER_SCHOOL)
    store.users([OTHER_ADMIN], school=OTHER_SCHOOL)
    return store


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


@pytest.fixture(scope="module")
def other_admin(server):
    return sign_in(server, OTHER_ADMIN)


def cli_settings(store, school=SCHOOL) -> dict:
    return printed(cli("settings", "--db", store.db, "--school", school).stdout.decode())


@pytest.fixture(autouse=True)
def reset_settings(request):
    """Each API test starts and ends with every setting of both schools at its default."""
    if "store" not in request.fixturenames:
        yield
        return
    store = request.getfixturevalue("store")
    empty = [f"{k}=" for k in DEFAULTS]
    for name in (SCHOOL, OTHER_SCHOOL):
        cli("settings", "--db", store.db, "--school", name, *empty)
    yield
    for name in (SCHOOL, OTHER_SCHOOL):
        cli("settings", "--db", store.db, "--school", name, *empty)


def test_get_gives_every_setting_with_null_for_off(store, admin):
    r = admin.get("/api/settings")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/json")
    assert list(r.json.items()) == list(DEFAULTS.items())


def test_patch_sets_the_keys_given_and_answers_them_all(store, admin):
    r = admin.patch("/api/settings", {"max_active_passes": 40, "wait_in_line": False,
                                      "max_passes_per_week": 10})
    want = {**DEFAULTS, "max_active_passes": 40, "wait_in_line": False,
            "max_passes_per_week": 10}
    assert ok(r) == want
    assert ok(admin.get("/api/settings")) == want
    # The command line reads what the API wrote.
    assert cli_settings(store) == {k: as_text(v) for k, v in want.items()}
    # An empty object changes nothing.
    assert ok(admin.patch("/api/settings", {})) == want


def test_null_turns_a_rule_off_or_restores_the_default(store, admin):
    ok(admin.patch("/api/settings", {"cooldown_minutes": 5, "auto_end_minutes": 60,
                                     "wait_in_line": False, "line_offer_seconds": 45}))
    r = admin.patch("/api/settings", {"cooldown_minutes": None, "auto_end_minutes": None,
                                      "wait_in_line": None, "line_offer_seconds": None})
    assert ok(r) == DEFAULTS


BAD_BODIES = [
    ({"hallway_cap": 3}, f'"hallway_cap" is not a setting ({SETTING_NAMES})'),
    ({"max_active_passes": 0}, "max_active_passes: 0 is not a whole number from 1 to 10000"),
    ({"auto_end_minutes": 721}, "auto_end_minutes: 721 is not a whole number from 10 to 720"),
    ({"max_passes_per_day": -1}, "max_passes_per_day: -1 is not a whole number from 1 to 50"),
    ({"max_passes_per_day": "4"},
     "max_passes_per_day: must be a whole number from 1 to 50, or null"),
    ({"cooldown_minutes": 4.5}, "cooldown_minutes: must be a whole number from 1 to 120, or null"),
    ({"cooldown_minutes": True}, "cooldown_minutes: true is not a whole number from 1 to 120"),
    ({"wait_in_line": 1}, "wait_in_line: 1 is not true or false"),
    ({"wait_in_line": "false"}, "wait_in_line: must be true or false, or null"),
    ({"line_offer_seconds": [30]},
     "line_offer_seconds: must be a whole number from 10 to 300, or null"),
    ({"max_active_passes": 2 ** 40},
     f"max_active_passes: {2 ** 40} is not a whole number from 1 to 10000"),
]


@pytest.mark.parametrize("body,message", BAD_BODIES, ids=[json.dumps(b) for b, _ in BAD_BODIES])
def test_a_bad_key_or_value_is_400_and_changes_nothing(store, admin, body, message):
    ok(admin.patch("/api/settings", {"cooldown_minutes": 5}))
    before = ok(admin.get("/api/settings"))
    # A good key before the bad one is not applied either.
    r = admin.patch("/api/settings", {"max_passes_per_day": 3, **body})
    assert r.status == 400, r
    assert r.json == {"error": message}
    assert ok(admin.get("/api/settings")) == before


@pytest.mark.parametrize("body", ["[]", '"x"', "{", "null"])
def test_a_body_that_is_not_an_object_is_400(store, admin, body):
    r = admin.patch("/api/settings", body=body)
    assert r.status == 400, r
    assert ok(admin.get("/api/settings")) == DEFAULTS


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_patch_needs_a_json_content_type(store, admin, ctype):
    r = admin.patch("/api/settings", {"max_active_passes": 40}, content_type=ctype)
    assert r.status == 415, r
    assert ok(admin.get("/api/settings")) == DEFAULTS


@pytest.mark.parametrize("who", ["teacher", "student", "kiosk", "kiosk mode"])
def test_only_admins_see_or_change_settings(store, server, who):
    people = {"teacher": TEACHER, "student": STUDENT, "kiosk": KIOSK, "kiosk mode": ADMIN}
    client = sign_in(server, people[who])
    if who == "kiosk mode":  # An admin's session launched as a kiosk is a kiosk.
        ok(client.post("/api/kiosk", {"room": "Library"}))
    for r in (client.get("/api/settings"),
              client.patch("/api/settings", {"max_active_passes": 1}),
              client.patch("/api/settings", {"no_such_key": 1})):
        assert r.status == 403, r
        assert set(r.json) == {"error"}
        assert "max_active_passes" not in r.json["error"]
    assert cli_settings(store) == {k: as_text(v) for k, v in DEFAULTS.items()}


def test_signed_out_is_401(store, server):
    anonymous = server.client()
    assert anonymous.get("/api/settings").status == 401
    assert anonymous.patch("/api/settings", {"max_active_passes": 1}).status == 401
    stale = server.client("not-a-session-token")
    assert stale.get("/api/settings").status == 401
    assert cli_settings(store)["max_active_passes"] == ""


def test_each_admin_sees_and_changes_only_their_own_school(store, admin, other_admin):
    ok(admin.patch("/api/settings", {"max_active_passes": 40}))
    assert ok(other_admin.get("/api/settings")) == DEFAULTS
    ok(other_admin.patch("/api/settings", {"cooldown_minutes": 3}))
    assert ok(admin.get("/api/settings")) == {**DEFAULTS, "max_active_passes": 40}
    assert ok(other_admin.get("/api/settings")) == {**DEFAULTS, "cooldown_minutes": 3}
    assert cli_settings(store, OTHER_SCHOOL)["max_active_passes"] == ""


# --------------------------------------------------------------------------------------------
# Rooms over the API


def room_named(client, name) -> dict:
    return next(r for r in ok(client.get("/api/rooms"))["rooms"] if r["name"] == name)


def test_rooms_carry_their_rule_fields(store, server, admin):
    teacher = sign_in(server, TEACHER)
    r = room_named(teacher, "Library")
    assert r["time_limit_minutes"] is None
    assert r["counts_toward_limit"] is True


def test_a_new_room_takes_the_rule_fields_or_their_defaults(store, admin):
    plain = ok(admin.post("/api/rooms", {"name": "Plain Room"}), 201)
    assert (plain["time_limit_minutes"], plain["counts_toward_limit"]) == (None, True)
    nurse = ok(admin.post("/api/rooms", {"name": "Nurse", "time_limit_minutes": 20,
                                         "counts_toward_limit": False}), 201)
    assert (nurse["time_limit_minutes"], nurse["counts_toward_limit"]) == (20, False)
    assert room_named(admin, "Nurse") == nurse


def test_patch_changes_a_rooms_rule_fields_and_keeps_them(store, admin):
    rid = ok(admin.post("/api/rooms", {"name": "Restroom C"}), 201)["id"]
    r = ok(admin.patch(f"/api/rooms/{rid}", {"time_limit_minutes": 240,
                                             "counts_toward_limit": False}))
    assert (r["time_limit_minutes"], r["counts_toward_limit"]) == (240, False)
    # Other fields change without touching them.
    r = ok(admin.patch(f"/api/rooms/{rid}", {"folder": "Restrooms", "max_passes_to": 2}))
    assert (r["time_limit_minutes"], r["counts_toward_limit"]) == (240, False)
    assert room_named(admin, "Restroom C") == r
    # null: no time limit of its own, and counted again (the default).
    r = ok(admin.patch(f"/api/rooms/{rid}", {"time_limit_minutes": None,
                                             "counts_toward_limit": None}))
    assert (r["time_limit_minutes"], r["counts_toward_limit"]) == (None, True)


BAD_ROOM_FIELDS = [
    ({"time_limit_minutes": 0}, "time_limit_minutes: 0 is not a whole number from 1 to 240"),
    ({"time_limit_minutes": 241}, "time_limit_minutes: 241 is not a whole number from 1 to 240"),
    ({"time_limit_minutes": "10"},
     "time_limit_minutes: must be a whole number from 1 to 240, or null"),
    ({"counts_toward_limit": 0}, "counts_toward_limit: 0 is not true or false"),
    ({"counts_toward_limit": "no"}, "counts_toward_limit: must be true or false, or null"),
]


@pytest.mark.parametrize("body,message", BAD_ROOM_FIELDS,
                         ids=[json.dumps(b) for b, _ in BAD_ROOM_FIELDS])
def test_a_bad_rule_field_of_a_room_is_400_and_changes_nothing(store, admin, body, message):
    before = room_named(admin, "Room 102")
    r = admin.patch(f"/api/rooms/{before['id']}", {"folder": "Changed", **body})
    assert r.status == 400, r
    assert r.json == {"error": message}
    assert room_named(admin, "Room 102") == before
    r = admin.post("/api/rooms", {"name": "Never Made", **body})
    assert r.status == 400, r
    assert r.json == {"error": message}
    assert all(x["name"] != "Never Made" for x in ok(admin.get("/api/rooms"))["rooms"])


# --------------------------------------------------------------------------------------------
# Imports


ROOM_HEAD = ["name", "folder", "time_limit_minutes", "counts_toward_limit"]
USER_HEAD = ["name", "email", "role", "max_passes_per_day"]


def rooms_of(db) -> dict:
    """name -> (time_limit_minutes, counts_toward_limit), as stored (None for none)."""
    rows = sql(db, "SELECT name, time_limit_minutes, counts_toward_limit FROM rooms")
    return {name: (None if t in (None, "") else int(t), c in (1, "t", True))
            for name, t, c in rows}


def limits_of(db) -> dict:
    """email -> max_passes_per_day as stored (None for none)."""
    rows = sql(db, "SELECT email, max_passes_per_day FROM users")
    return {email: (None if v in (None, "") else int(v)) for email, v in rows}


def test_rooms_import_the_rule_columns(school):
    text = csv_text(ROOM_HEAD, [("Room 101", "Science", "", ""),
                                ("Restroom B", "Restrooms", "10", "true"),
                                ("Nurse", "", "30", "FALSE")])
    school.import_text("rooms", text).ok()
    assert rooms_of(school.db) == {"Room 101": (None, True), "Restroom B": (10, True),
                                   "Nurse": (30, False)}
    # The same file again changes nothing.
    r = school.import_text("rooms", text).ok()
    assert "0 rooms added, 0 updated, 3 unchanged" in r.stdout
    # A change of a rule field alone is an update.
    r = school.import_text("rooms", csv_text(["name", "time_limit_minutes"],
                                             [("Room 101", "5")])).ok()
    assert "1 updated" in r.stdout
    assert rooms_of(school.db)["Room 101"] == (5, True)


def test_a_file_without_the_rule_columns_keeps_them(school):
    school.import_text("rooms", csv_text(ROOM_HEAD, [("Nurse", "", "30", "false")])).ok()
    school.import_text("rooms", csv_text(["name", "folder"], [("Nurse", "Health")])).ok()
    assert rooms_of(school.db)["Nurse"] == (30, False)
    # An empty cell empties the field: no time limit, counted (the default).
    school.import_text("rooms", csv_text(ROOM_HEAD, [("Nurse", "Health", "", "")])).ok()
    assert rooms_of(school.db)["Nurse"] == (None, True)


def test_users_import_a_students_own_daily_limit(school):
    school.import_text("users", csv_text(USER_HEAD, [
        ("Sam Lee", "sam@x.org", "student", "4"),
        ("Sue Park", "sue@x.org", "student", ""),
        ("Ann Lee", "ann@x.org", "teacher", ""),
    ])).ok()
    assert limits_of(school.db) == {"sam@x.org": 4, "sue@x.org": None, "ann@x.org": None}
    # Without the column the limit stays; an empty cell removes it.
    school.import_text("users", csv_text(["name", "email", "role"],
                                         [("Sam Lee", "sam@x.org", "student")])).ok()
    assert limits_of(school.db)["sam@x.org"] == 4
    school.import_text("users", csv_text(USER_HEAD, [("Sam Lee", "sam@x.org", "student", "")])).ok()
    assert limits_of(school.db)["sam@x.org"] is None
    # `hallpass user add` on a student leaves their limit alone.
    school.import_text("users", csv_text(USER_HEAD, [("Sue Park", "sue@x.org", "student", "50")])).ok()
    school.hp.run("user", "add", "--db", school.db, "--name", "Sue P. Park", "--email",
                  "sue@x.org", "--role", "student").ok()
    assert limits_of(school.db)["sue@x.org"] == 50
    # A student who becomes staff loses the limit only students have.
    school.import_text("users", csv_text(["name", "email", "role"],
                                         [("Sue Park", "sue@x.org", "teacher")])).ok()
    assert limits_of(school.db)["sue@x.org"] is None


BAD_ROOM_ROWS = [
    (("Room 9", "", "0", ""), 'time_limit_minutes: "0" is not a whole number from 1 to 240'),
    (("Room 9", "", "241", ""), 'time_limit_minutes: "241" is not a whole number from 1 to 240'),
    (("Room 9", "", "ten", ""), 'time_limit_minutes: "ten" is not a whole number from 1 to 240'),
    (("Room 9", "", "", "yes"), 'counts_toward_limit: "yes" is not true or false'),
]


BAD_USER_ROWS = [
    (("Sam Lee", "sam@x.org", "student", "0"),
     'max_passes_per_day: "0" is not a whole number from 1 to 50'),
    (("Sam Lee", "sam@x.org", "student", "51"),
     'max_passes_per_day: "51" is not a whole number from 1 to 50'),
    (("Sam Lee", "sam@x.org", "student", "4 "),
     'max_passes_per_day: "4 " is not a whole number from 1 to 50'),
    (("Ann Lee", "ann@x.org", "teacher", "4"),
     'max_passes_per_day: "4": only a student has a daily limit of their own, not a teacher'),
    (("Bob Stone", "bob@x.org", "admin", "4"),
     'max_passes_per_day: "4": only a student has a daily limit of their own, not an admin'),
]


# Each bad row follows a good one, which is not imported either.
BAD_ROWS = [
    *[("rooms", ROOM_HEAD, ("Room 1", "", "5", ""), row, m) for row, m in BAD_ROOM_ROWS],
    *[("users", USER_HEAD, ("Sue Park", "sue@x.org", "student", "3"), row, m)
      for row, m in BAD_USER_ROWS],
]


@pytest.mark.parametrize("kind,head,good,bad,message", BAD_ROWS,
                         ids=[f"{k}: {m}" for k, _, _, _, m in BAD_ROWS])
def test_a_bad_rule_cell_imports_nothing(school, kind, head, good, bad, message):
    school.import_text("rooms", csv_text(ROOM_HEAD, [("Nurse", "", "30", "false")])).ok()
    before = (rooms_of(school.db), limits_of(school.db))
    r = school.import_file(kind, school.write(csv_text(head, [good, bad]), f"{kind}.csv"))
    assert r.code == 1, r
    assert r.stderr == f"hallpass import: {kind}.csv:3: {message}\nnothing was imported\n"
    assert (rooms_of(school.db), limits_of(school.db)) == before


# --------------------------------------------------------------------------------------------
# Copies


def test_a_copy_keeps_the_settings_and_the_rule_fields(school, stores):
    settings_cmd(school, "max_active_passes=40", "wait_in_line=false").ok()
    school.import_text("rooms", csv_text(ROOM_HEAD, [("Nurse", "", "30", "false"),
                                                     ("Room 1", "", "", "")])).ok()
    school.import_text("users", csv_text(USER_HEAD, [("Sam Lee", "sam@x.org", "student", "4")])).ok()
    target = stores.new("copy")
    school.hp.run("copy", "--from", school.db, "--to", target).ok()
    assert school.hp.run("settings", "--db", target).ok().stdout == settings_cmd(school).ok().stdout
    assert rooms_of(target) == rooms_of(school.db)
    assert limits_of(target) == {"sam@x.org": 4}


# --------------------------------------------------------------------------------------------
# What the store holds


def test_a_stored_value_out_of_range_is_an_error_naming_it(school):
    sql(school.db, "INSERT INTO settings(school_id, key, value) VALUES (1, 'cooldown_minutes', '0')")
    r = settings_cmd(school)
    assert r.code == 1, r
    assert ('the stored settings: cooldown_minutes: "0" is not a whole number from 1 to 120'
            in r.stderr)


def test_a_stored_key_this_version_does_not_know_is_left_alone(school):
    sql(school.db, "INSERT INTO settings(school_id, key, value) VALUES (1, 'from_the_future', 'x')")
    assert settings_cmd(school).ok().stdout == lines(DEFAULTS)
    settings_cmd(school, "cooldown_minutes=4").ok()
    assert sql(school.db, "SELECT value FROM settings WHERE key = 'from_the_future'") == [("x",)]


def test_a_default_or_an_empty_setting_has_no_row(school):
    settings_cmd(school, "cooldown_minutes=4", "auto_end_minutes=120", "wait_in_line=true").ok()
    assert sql(school.db, "SELECT key, value FROM settings") == [("cooldown_minutes", "4")]


def test_changes_of_different_settings_at_once_all_stand(store, admin, server):
    """Each change writes only the settings it changes, so that two admins changing two
    settings at the same moment both see theirs kept."""
    other = sign_in(server, ADMIN)
    for n in range(1, 9):
        with ThreadPoolExecutor(2) as pool:
            a = pool.submit(admin.patch, "/api/settings", {"cooldown_minutes": n})
            b = pool.submit(other.patch, "/api/settings", {"max_active_passes": n})
            ok(a.result())
            ok(b.result())
        got = ok(admin.get("/api/settings"))
        assert (got["cooldown_minutes"], got["max_active_passes"]) == (n, n)


def test_only_admins_change_a_rooms_rule_fields(store, server, admin):
    before = room_named(admin, "Library")
    teacher = sign_in(server, TEACHER)
    for body in ({"time_limit_minutes": 5}, {"time_limit_minutes": "x"},
                 {"counts_toward_limit": False}):
        r = teacher.patch(f"/api/rooms/{before['id']}", body)
        assert r.status == 403, r
    assert room_named(admin, "Library") == before
