"""Imports of rooms, users and passes: columns by name, all or nothing, the same file twice
changing nothing, and every bad row refused naming file, line, column, value and reason."""

from __future__ import annotations

import re

import pytest

import store_util
from hallpass_kit import (PASS_COLUMNS, ROOM_COLUMNS, USER_COLUMNS, Hallpass, Pass, Room,
                          School, User, csv_text, passes_csv, rooms_csv, users_csv)

SEPT = ("--from", "2026-09-01", "--to", "2026-09-30")

ROOMS = [Room("Room 101", "Science"), Room("Restroom B", "Restrooms", "", "3"),
         Room("Library", "", "", "25")]
USERS = [User("Ann Lee", "alee@x.org", "teacher"), User("Bob Stone", "bob@x.org", "admin"),
         User("Sam Diaz", "sam@x.org", "student"), User("Sue Park", "sue@x.org", "student"),
         User("Library Kiosk", "kiosk@x.org", "kiosk", "Library")]


def now_pass(i, **kw) -> Pass:
    """A valid teacher pass on 2026-09-14 (America/Chicago)."""
    minute = i % 60 if isinstance(i, int) else 0
    fields = dict(id=str(i), student="sam@x.org", origin="Room 101", destination="Restroom B",
                  creator="alee@x.org", source="teacher", type="now",
                  start=f"2026-09-14T10:{minute:02d}:00-05:00", end="", cancelled="")
    fields.update(kw)
    return Pass(**fields)


@pytest.fixture
def loaded(school):
    """Lincoln High with the rooms and users above and two passes."""
    school.load(rooms=ROOMS, users=USERS, passes=[now_pass(1), now_pass(2, source="kiosk_mode")])
    return school


@pytest.fixture(scope="module")
def refused(hallpass_bin, module_stores):
    """Lincoln High as `loaded` has it, made once per module and store, for the tests whose
    imports are refused (or add nothing), so that they may share one store: most check that
    their own import changed nothing, and at the end of the module the store must be as it
    was made."""
    hp = Hallpass(hallpass_bin, module_stores.dir)
    db = module_stores.new("refused")
    hp.run("init", "--db", db, "--school", "Lincoln High", "--timezone", "America/Chicago").ok()
    school = School(hp, db, "Lincoln High", "America/Chicago")
    school.load(rooms=ROOMS, users=USERS, passes=[now_pass(1), now_pass(2, source="kiosk_mode")])
    made = school.snapshot(*SEPT)
    yield school
    assert school.snapshot(*SEPT) == made, "a refused import changed the shared store"


def counts(school, *args):
    rooms = {r["room"]: (r["passes_from"], r["passes_to"])
             for r in school.rows("rooms", *(args or SEPT))}
    staff = {r["email"]: (r["total"], r["now"], r["scheduled"])
             for r in school.rows("staff", *(args or SEPT))}
    return rooms, staff


def stat(out: str, word: str) -> int:
    m = re.search(r"(\d+) (?:\w+ )?" + word, out)
    assert m, f"no {word!r} count in {out!r}"
    return int(m.group(1))


# --------------------------------------------------------------------------------------------
# Columns


def test_columns_in_any_order(school):
    school.import_text("rooms", csv_text(["max_passes_to", "folder", "name", "max_passes_from"],
                                         [["3", "Restrooms", "Restroom B", ""],
                                          ["", "Science", "Room 101", "2"]])).ok()
    school.import_text("users", csv_text(["role", "password", "room", "email", "name"],
                                         [["teacher", "", "", "alee@x.org", "Ann Lee"],
                                          ["student", "", "", "sam@x.org", "Sam Diaz"]])).ok()
    school.import_text("passes", csv_text(
        ["start", "cancelled", "type", "source", "creator", "destination", "origin", "end",
         "student", "id"],
        [["2026-09-14T10:03:00-05:00", "false", "now", "teacher", "alee@x.org", "Restroom B",
          "Room 101", "2026-09-14T10:09:00-05:00", "sam@x.org", "p1"]])).ok()
    assert school.column_rows("rooms", *SEPT) == [
        {"room": "Restroom B", "folder": "Restrooms", "passes_from": 0, "passes_to": 1},
        {"room": "Room 101", "folder": "Science", "passes_from": 1, "passes_to": 0}]
    assert school.column_rows("staff", *SEPT) == [
        {"staff": "Ann Lee", "email": "alee@x.org", "total": 1, "now": 1, "scheduled": 0}]


def test_optional_columns_may_be_left_out(school):
    school.import_text("rooms", csv_text(["name"], [["Room 101"], ["Gym"]])).ok()
    school.import_text("users", csv_text(["email", "name", "role"],
                                         [["alee@x.org", "Ann Lee", "teacher"],
                                          ["sam@x.org", "Sam Diaz", "student"]])).ok()
    school.import_text("passes", csv_text(
        ["id", "student", "origin", "destination", "creator", "source", "type", "start"],
        [["1", "sam@x.org", "Room 101", "Gym", "alee@x.org", "teacher", "now",
          "2026-09-14T15:03:00Z"]])).ok()
    assert school.column_rows("rooms", *SEPT) == [
        {"room": "Gym", "folder": "", "passes_from": 0, "passes_to": 1},
        {"room": "Room 101", "folder": "", "passes_from": 1, "passes_to": 0}]


@pytest.mark.parametrize("kind,header,row", [
    ("rooms", ROOM_COLUMNS + ["colour"], ["Room 9", "", "", "", "red"]),
    ("users", USER_COLUMNS + ["grade"], ["Zed", "zed@x.org", "student", "", "", "9"]),
    ("passes", PASS_COLUMNS + ["colour"],
     ["9", "sam@x.org", "Room 101", "Library", "alee@x.org", "teacher", "now",
      "2026-09-14T10:00:00-05:00", "", "", "red"]),
])
def test_an_unknown_column_is_an_error(refused, kind, header, row):
    before = refused.snapshot(*SEPT)
    name = f"{kind}.csv"
    code, out, err = refused.import_text(kind, csv_text(header, [row]), name)
    assert code != 0
    assert f"{name}:1" in err
    assert header[-1] in err
    assert refused.snapshot(*SEPT) == before


@pytest.mark.parametrize("kind,header,missing", [
    ("rooms", ["folder"], "name"),
    ("users", ["name", "role"], "email"),
    ("users", ["name", "email"], "role"),
    ("passes", [c for c in PASS_COLUMNS if c != "origin"], "origin"),
    ("passes", [c for c in PASS_COLUMNS if c != "start"], "start"),
])
def test_a_missing_required_column_is_an_error(refused, kind, header, missing):
    before = refused.snapshot(*SEPT)
    code, out, err = refused.import_text(kind, csv_text(header, []), f"{kind}.csv")
    assert code != 0
    assert f"{kind}.csv:1" in err
    assert missing in err
    assert refused.snapshot(*SEPT) == before


def test_a_repeated_column_is_an_error(refused):
    before = refused.state(*SEPT)
    code, out, err = refused.import_text("rooms", "name,folder,name\nRoom 9,x,Room 10\n",
                                        "rooms.csv")
    assert code != 0
    assert "rooms.csv:1" in err and "name" in err
    assert refused.state(*SEPT) == before


def test_an_empty_file_is_an_error(refused):
    code, out, err = refused.import_text("rooms", "", "empty.csv")
    assert code != 0
    assert "empty.csv" in err


def test_a_header_alone_imports_nothing(refused):
    before = refused.snapshot(*SEPT)
    r = refused.import_text("passes", csv_text(PASS_COLUMNS, [])).ok()
    assert stat(r.stdout, "added") == 0
    assert refused.snapshot(*SEPT) == before


def test_a_missing_file_is_an_error(refused):
    code, out, err = refused.import_file("rooms", "no-such-file.csv")
    assert code != 0
    assert "no-such-file.csv" in err


# --------------------------------------------------------------------------------------------
# All or nothing


def _bad_file(kind, position, final_newline=True):
    """A file of new, valid rows with one bad row at position; gives (text, bad line)."""
    if kind == "rooms":
        good = [Room(f"Room {200 + i}", "Math", "2", "").row() for i in range(6)]
        # The good rows also update an existing room, which must not happen either.
        good[2] = Room("room 101", "Moved", "", "").row()
        bad = Room("Room 299", "Math", "0", "").row()
        header = ROOM_COLUMNS
    elif kind == "users":
        good = [User(f"Teacher {i}", f"t{i}@x.org", "teacher").row() for i in range(6)]
        good[2] = User("Ann Renamed", "ALEE@x.org", "admin").row()
        bad = User("Pat Doe", "pat@x.org", "principal").row()
        header = USER_COLUMNS
    else:
        good = [now_pass(100 + i, start=f"2026-09-{10 + i}T10:00:00-05:00").row()
                for i in range(6)]
        bad = now_pass(199, origin="Rm 9").row()
        header = PASS_COLUMNS
    index = {"first": 0, "middle": 3, "last": len(good)}[position]
    rows = good[:index] + [bad] + good[index:]
    return csv_text(header, rows, final_newline=final_newline), index + 2


@pytest.mark.parametrize("kind", ["rooms", "users", "passes"])
@pytest.mark.parametrize("position,final_newline", [("first", True), ("middle", True),
                                                    ("last", True), ("last", False)],
                         ids=["first", "middle", "last", "last-no-newline"])
def test_one_bad_row_imports_nothing(refused, kind, position, final_newline):
    before = refused.snapshot(*SEPT)
    text, line = _bad_file(kind, position, final_newline)
    name = f"{kind}.csv"
    code, out, err = refused.import_text(kind, text, name)
    assert code != 0, out
    assert out == ""
    assert f"{name}:{line}:" in err
    assert refused.snapshot(*SEPT) == before


def test_after_a_failed_import_the_fixed_file_imports_everything(loaded):
    rooms_before, staff_before = counts(loaded)
    text, _ = _bad_file("passes", "last")
    assert loaded.import_text("passes", text, "passes.csv").code != 0
    fixed = text.replace("Rm 9", "Library")
    r = loaded.import_text("passes", fixed, "passes.csv").ok()
    assert stat(r.stdout, "added") == 7
    rooms, staff = counts(loaded)
    assert rooms["Room 101"] == (rooms_before["Room 101"][0] + 6, 0)
    assert rooms["Library"] == (1, 0)
    assert staff["alee@x.org"][0] == staff_before["alee@x.org"][0] + 7


def test_a_malformed_last_record_imports_nothing(refused):
    before = refused.snapshot(*SEPT)
    text = rooms_csv([Room("Room 300", "Math")]) + 'Room 301,"Math\n'
    code, out, err = refused.import_text("rooms", text, "rooms.csv")
    assert code != 0
    assert "rooms.csv:3" in err
    assert refused.snapshot(*SEPT) == before


def test_a_short_last_row_imports_nothing(refused):
    before = refused.snapshot(*SEPT)
    text = rooms_csv([Room("Room 300", "Math")]) + "Room 301,Math"
    code, out, err = refused.import_text("rooms", text, "rooms.csv")
    assert code != 0
    assert "rooms.csv:3" in err
    assert refused.snapshot(*SEPT) == before


def test_a_bad_row_at_the_end_of_a_large_file(loaded):
    passes = [now_pass(1000 + i, start=f"2026-09-{1 + i % 28:02d}T1{i % 10}:{i % 60:02d}:00Z",
                       student=("sam@x.org", "sue@x.org")[i % 2])
              for i in range(3000)]
    passes.append(now_pass(9999, destination="Rm 9"))
    text = passes_csv(passes)
    assert len(text) > 3 * 65536
    before = loaded.snapshot(*SEPT)
    code, out, err = loaded.import_text("passes", text, "big.csv")
    assert code != 0
    assert 'big.csv:3002: destination: no room named "Rm 9"' in err
    assert loaded.snapshot(*SEPT) == before
    # Without the bad row, all 3,000 count.
    r = loaded.import_text("passes", passes_csv(passes[:-1]), "big.csv").ok()
    assert stat(r.stdout, "added") == 3000
    rooms, _ = counts(loaded)
    assert rooms["Room 101"][0] == 3002


# --------------------------------------------------------------------------------------------
# Error messages: file, line, column, value, why

@pytest.mark.parametrize("override,column,value", [
    ({"origin": "Rm 9"}, "origin", "Rm 9"),
    ({"destination": "Gym"}, "destination", "Gym"),
    ({"student": "nobody@x.org"}, "student", "nobody@x.org"),
    ({"creator": "ghost@x.org"}, "creator", "ghost@x.org"),
    ({"source": "phone"}, "source", "phone"),
    ({"type": "later"}, "type", "later"),
    ({"start": "2026-09-14 10:03"}, "start", "2026-09-14 10:03"),
    ({"start": "2026-09-14T10:03:00"}, "start", "2026-09-14T10:03:00"),
    ({"start": "2026-02-30T10:03:00Z"}, "start", "2026-02-30T10:03:00Z"),
    ({"end": "soon"}, "end", "soon"),
    ({"cancelled": "yes"}, "cancelled", "yes"),
    ({"student": ""}, "student", ""),
    ({"id": ""}, "id", ""),
    ({"end": "2026-09-14T09:00:00-05:00"}, "end", "2026-09-14T09:00:00-05:00"),
    ({"destination": "Room 101"}, "destination", "Room 101"),
    ({"student": "alee@x.org"}, "student", "alee@x.org"),
    ({"creator": "sue@x.org"}, "creator", "sue@x.org"),
    ({"creator": "kiosk@x.org", "source": "kiosk_mode"}, "creator", "kiosk@x.org"),
    ({"creator": "alee@x.org", "source": "kiosk_login"}, "creator", "alee@x.org"),
    ({"creator": "sue@x.org", "source": "student"}, "creator", "sue@x.org"),
    ({"creator": "sam@x.org", "source": "student", "type": "scheduled"}, "type",
        "scheduled"),
    ({"source": "kiosk_mode", "type": "scheduled"}, "type", "scheduled"),
    ({"type": "now", "cancelled": "true"}, "cancelled", "true"),
], ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None)
def test_a_bad_pass_names_file_line_column_value(refused, override, column, value):
    rows = [now_pass(10 + i) for i in range(15)]
    rows.append(now_pass(99, **override))
    before = refused.state(*SEPT)
    code, out, err = refused.import_text("passes", passes_csv(rows), "passes.csv")
    assert code != 0
    message = err.splitlines()[0]
    assert f"passes.csv:17: {column}: " in message
    if value:
        assert value in message.split(f"passes.csv:17: {column}: ", 1)[1]
    assert refused.state(*SEPT) == before


def test_the_spec_example_message(refused):
    rows = [now_pass(10 + i) for i in range(15)] + [now_pass(99, origin="Rm 9")]
    code, out, err = refused.import_text("passes", passes_csv(rows), "passes.csv")
    assert code != 0
    assert 'passes.csv:17: origin: no room named "Rm 9"' in err


@pytest.mark.parametrize("kind,row,column,value", [
    ("rooms", Room("Room 9", "", "0", ""), "max_passes_from", "0"),
    ("rooms", Room("Room 9", "", "", "-2"), "max_passes_to", "-2"),
    ("rooms", Room("Room 9", "", "lots", ""), "max_passes_from", "lots"),
    ("rooms", Room("Room 9", "", "", "2.5"), "max_passes_to", "2.5"),
    ("rooms", Room("", "Science"), "name", ""),
    ("users", User("Pat Doe", "pat@x.org", "principal"), "role", "principal"),
    ("users", User("Pat Doe", "pat.x.org", "teacher"), "email", "pat.x.org"),
    ("users", User("Pat Doe", "", "teacher"), "email", ""),
    ("users", User("", "pat@x.org", "teacher"), "name", ""),
    ("users", User("Kiosk 2", "k2@x.org", "kiosk", "Nowhere"), "room", "Nowhere"),
    ("users", User("Kiosk 2", "k2@x.org", "kiosk", ""), "room", ""),
    # A teacher may have a home room; a student has no room.
    ("users", User("Pat Doe", "pat@x.org", "student", "Library"), "room", "Library"),
    ("users", User("Pat Doe", "pat@x.org", "teacher", "Nowhere"), "room", "Nowhere"),
    ("users", User("Pat Doe", "pat@x.org", "teacher", student_id="T-1"), "student_id", "T-1"),
    ("users", User("Pat Doe", "pat@x.org", "student", student_id="P 1"), "student_id", "P 1"),
    ("users", User("Pat Doe", "pat@x.org", "student", student_id="P" * 33), "student_id",
     "P" * 33),
    ("users", User("Pat\u200bDoe", "pat@x.org", "student"), "name", "U+200B"),
    ("users", User("\ufeffPat Doe", "pat@x.org", "student"), "name", "U+FEFF"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_bad_room_or_user_names_file_line_column_value(refused, kind, row, column, value):
    good = ([Room(f"Room {300 + i}") for i in range(3)] if kind == "rooms"
            else [User(f"Teacher {i}", f"t{i}@x.org", "teacher") for i in range(3)])
    text = (rooms_csv if kind == "rooms" else users_csv)(good + [row])
    before = refused.state(*SEPT)
    code, out, err = refused.import_text(kind, text, f"{kind}.csv")
    assert code != 0
    message = err.splitlines()[0]
    assert f"{kind}.csv:5: {column}: " in message
    if value:
        assert value in message.split(f"{kind}.csv:5: {column}: ", 1)[1]
    assert refused.state(*SEPT) == before


def test_error_lines_count_physical_lines(refused):
    # A quoted value may span lines, and blank lines are lines too.
    text = passes_csv([now_pass("multi\nline\nid"), now_pass(21)]) + "\n"
    text += passes_csv([now_pass(22, origin="Rm 9")]).split("\n", 1)[1]
    assert text.split("\n")[6].startswith("22,")  # line 7
    code, out, err = refused.import_text("passes", text, "passes.csv")
    assert code != 0
    assert 'passes.csv:7: origin: no room named "Rm 9"' in err


def test_cr_line_ends_are_read(loaded):
    # Old Mac spreadsheets end lines with CR alone; such a file imports.
    r = loaded.import_text("rooms", "name,folder\rRoom 301,Math\rRoom 302,Art\r").ok()
    assert stat(r.stdout, "added") == 2
    folders = {x["room"]: x["folder"] for x in loaded.rows("rooms", *SEPT)}
    assert (folders["Room 301"], folders["Room 302"]) == ("Math", "Art")


def test_an_error_in_a_cr_file_names_its_line(refused):
    text = "name,max_passes_from\rRoom 301,\rRoom 302,\rRoom 303,x\r"
    code, out, err = refused.import_text("rooms", text, "rooms.csv")
    assert code != 0
    assert 'rooms.csv:4: max_passes_from: "x"' in err


def test_an_error_in_a_record_over_lines_names_its_first_line(refused):
    text = "name,folder\nRoom 301,Math\nRoom 302,\"Two\nLines\"\n"
    code, out, err = refused.import_text("rooms", text, "rooms.csv")
    assert code != 0
    assert "rooms.csv:3: folder:" in err


def test_an_error_from_stdin_names_a_line(refused):
    rows = [now_pass(10), now_pass(11, origin="Rm 9")]
    code, out, err = refused.hp.run("import", "passes", "--db", refused.db, "-",
                                   input=passes_csv(rows))
    assert code != 0
    assert ':3: origin: no room named "Rm 9"' in err


# --------------------------------------------------------------------------------------------
# Importing again


@pytest.mark.parametrize("kind", ["rooms", "users", "passes"])
def test_a_second_import_changes_nothing(school, kind):
    school.load(rooms=ROOMS if kind != "rooms" else (),
                users=USERS if kind == "passes" else ())
    if kind == "rooms":
        text = rooms_csv(ROOMS)
    elif kind == "users":
        text = users_csv(USERS)
    else:
        text = passes_csv([now_pass(i, source=("teacher", "kiosk_mode")[i % 2])
                           for i in range(1, 8)])
    first = school.import_text(kind, text, f"{kind}.csv").ok()
    assert stat(first.stdout, "added") > 0
    after_first = school.snapshot(*SEPT)
    second = school.import_text(kind, text, f"{kind}.csv").ok()
    assert stat(second.stdout, "added") == 0, second.stdout
    if kind != "passes":
        assert stat(second.stdout, "updated") == 0, second.stdout
    assert school.snapshot(*SEPT) == after_first


def test_a_second_import_of_users_with_passwords_changes_nothing(school):
    school.load(rooms=ROOMS)
    text = users_csv([User("Ann Lee", "alee@x.org", "teacher", "", "correct horse"),
                      User("Sam Diaz", "sam@x.org", "student")])
    school.import_text("users", text).ok()
    before = school.snapshot(*SEPT)
    second = school.import_text("users", text).ok()
    assert stat(second.stdout, "added") == 0
    assert stat(second.stdout, "updated") == 0, second.stdout
    assert school.snapshot(*SEPT) == before


def test_a_pass_id_already_imported_is_skipped(loaded):
    rooms_before, staff_before = counts(loaded)
    # Id 1 was imported from Room 101 to Restroom B; this one claims other rooms.
    r = loaded.import_text("passes", passes_csv([
        now_pass(1, origin="Library", destination="Room 101", creator="bob@x.org"),
        now_pass(3, origin="Library", destination="Restroom B"),
    ])).ok()
    assert stat(r.stdout, "added") == 1
    assert stat(r.stdout, "already imported") == 1
    rooms, staff = counts(loaded)
    assert rooms["Library"] == (1, 0)
    assert rooms["Room 101"] == rooms_before["Room 101"]
    assert rooms["Restroom B"] == (0, rooms_before["Restroom B"][1] + 1)
    assert staff["bob@x.org"] == (0, 0, 0)


def test_a_repeated_id_in_one_file_counts_once(loaded):
    r = loaded.import_text("passes", passes_csv([
        now_pass("x7", origin="Library"), now_pass("x7", origin="Library")])).ok()
    assert stat(r.stdout, "added") == 1
    rooms, _ = counts(loaded)
    assert rooms["Library"] == (1, 0)


# --------------------------------------------------------------------------------------------
# Updates by name and email, without regard to ASCII case


def test_a_room_row_with_an_existing_name_updates_it(loaded):
    r = loaded.import_text("rooms", rooms_csv([Room("ROOM 101", "Math Wing")])).ok()
    assert stat(r.stdout, "added") == 0
    assert stat(r.stdout, "updated") == 1
    rows = loaded.rows("rooms", *SEPT)
    assert len(rows) == 3
    [room] = [x for x in rows if x["room"].lower() == "room 101"]
    assert room["folder"] == "Math Wing"
    # Its passes stay with it.
    assert (room["passes_from"], room["passes_to"]) == (2, 0)


def test_one_file_naming_a_room_or_user_twice_updates_it(school):
    r = school.import_text("rooms", rooms_csv([Room("Room 1", "A"), Room("ROOM 1", "B")])).ok()
    assert (stat(r.stdout, "added"), stat(r.stdout, "updated")) == (1, 1)
    rows = school.rows("rooms", *SEPT)
    assert len(rows) == 1 and rows[0]["folder"] == "B"
    r = school.import_text("users", users_csv([User("Ann Lee", "alee@x.org", "teacher"),
                                               User("Ann Li", "ALEE@x.org", "admin")])).ok()
    assert (stat(r.stdout, "added"), stat(r.stdout, "updated")) == (1, 1)
    assert [s["staff"] for s in school.rows("staff", *SEPT)] == ["Ann Li"]


def test_room_names_fold_only_ascii_case(school):
    school.load(rooms=[Room("Café", "A"), Room("CAFÉ", "B")])
    assert sorted(r["room"] for r in school.rows("rooms", *SEPT)) == ["CAFÉ", "Café"]
    r = school.import_text("rooms", rooms_csv([Room("café", "C")])).ok()
    assert stat(r.stdout, "updated") == 1
    folders = sorted((r["room"], r["folder"]) for r in school.rows("rooms", *SEPT))
    assert len(folders) == 2
    assert folders[0] == ("CAFÉ", "B")
    assert folders[1][0] in ("Café", "café") and folders[1][1] == "C"


def test_a_user_row_with_an_existing_email_updates_it(loaded):
    r = loaded.import_text("users", users_csv([User("Ann Lee-Smith", "ALee@X.org",
                                                    "teacher")])).ok()
    assert stat(r.stdout, "added") == 0
    assert stat(r.stdout, "updated") == 1
    staff = loaded.rows("staff", *SEPT)
    assert [s["staff"] for s in staff] == ["Ann Lee-Smith", "Bob Stone"]
    assert staff[0]["email"].lower() == "alee@x.org"
    assert (staff[0]["total"], staff[0]["now"]) == (2, 2)


def test_a_role_change_moves_users_in_and_out_of_staff_usage(loaded):
    loaded.import_text("users", users_csv([User("Ann Lee", "alee@x.org", "student"),
                                           User("Sue Park", "SUE@x.org", "admin")])).ok()
    staff = loaded.rows("staff", *SEPT)
    assert [(s["staff"], s["total"]) for s in staff] == [("Bob Stone", 0), ("Sue Park", 0)]


def test_emails_fold_only_ascii_case(school):
    school.load(users=[User("Zoë One", "zoë@x.org", "teacher"),
                       User("Zoë Two", "ZOË@x.org", "teacher")])
    assert len(school.rows("staff", *SEPT)) == 2


def test_passes_name_rooms_and_users_without_regard_to_ascii_case(loaded):
    loaded.import_text("passes", passes_csv([
        now_pass(50, origin="LIBRARY", destination="restroom b", student="SAM@x.org",
                 creator="Bob@X.Org")])).ok()
    rooms, staff = counts(loaded)
    assert rooms["Library"] == (1, 0)
    assert staff["bob@x.org"] == (1, 1, 0)


# --------------------------------------------------------------------------------------------
# Encodings and standard input


def test_bom_and_crlf_are_accepted(school):
    r = school.import_text("rooms", rooms_csv([Room("Room 101", "Science"),
                                               Room("Restroom B", "Restrooms", "", "3")],
                                              bom=True, crlf=True))
    r.ok()
    school.import_text("users", csv_text(["email", "name", "role"],
                                         [["alee@x.org", "Ann Lee", "teacher"],
                                          ["sam@x.org", "Sam Diaz", "student"]],
                                         bom=True, crlf=True)).ok()
    school.import_text("passes", csv_text(
        ["id", "student", "origin", "destination", "creator", "source", "type", "start",
         "cancelled"],
        [["1", "sam@x.org", "Room 101", "Restroom B", "alee@x.org", "teacher", "scheduled",
          "2026-09-14T10:00:00-05:00", "false"]], bom=True, crlf=True)).ok()
    assert school.column_rows("rooms", *SEPT) == [
        {"room": "Restroom B", "folder": "Restrooms", "passes_from": 0, "passes_to": 1},
        {"room": "Room 101", "folder": "Science", "passes_from": 1, "passes_to": 0}]
    assert school.column_rows("staff", *SEPT) == [
        {"staff": "Ann Lee", "email": "alee@x.org", "total": 1, "now": 0, "scheduled": 1}]


def test_quoted_values_are_read_as_rfc_4180(school):
    # A CR inside quotes is part of the value; whitespace around a name is trimmed.
    school.load(rooms=[Room('Room "A", East', "Wing, North"), Room("CR\rRoom", " spaced ")])
    rows = school.rows("rooms", *SEPT)
    assert [(r["room"], r["folder"]) for r in rows] == [("CR\rRoom", "spaced"),
                                                       ('Room "A", East', "Wing, North")]


@pytest.mark.parametrize("kind", ["rooms", "users", "passes"])
def test_a_dash_reads_standard_input(school, kind):
    if kind != "rooms":
        school.load(rooms=ROOMS)
    if kind == "passes":
        school.load(users=USERS)
    text = {"rooms": rooms_csv(ROOMS), "users": users_csv(USERS),
            "passes": passes_csv([now_pass(1), now_pass(2)])}[kind]
    r = school.hp.run("import", kind, "--db", school.db, "-", input=text).ok()
    assert stat(r.stdout, "added") == {"rooms": 3, "users": 5, "passes": 2}[kind]
    if kind == "rooms":
        assert len(school.rows("rooms", *SEPT)) == 3
    elif kind == "users":
        assert len(school.rows("staff", *SEPT)) == 2
    else:
        assert counts(school)[0]["Room 101"] == (2, 0)


# --------------------------------------------------------------------------------------------
# Schools


def test_import_needs_school_when_the_store_has_two(loaded, run):
    run("init", "--db", loaded.db, "--school", "Roosevelt Middle",
        "--timezone", "America/Denver").ok()
    loaded.select = True
    before = loaded.snapshot(*SEPT)
    name = loaded.write(rooms_csv([Room("Room 999")]))
    code, out, err = run("import", "rooms", "--db", loaded.db, name)
    assert code != 0
    assert "--school" in err
    assert loaded.snapshot(*SEPT) == before
    r = run("report", "rooms", "--db", loaded.db, "--school", "Roosevelt Middle",
            "--format", "json").ok()
    assert '"rows": []' in r.stdout


# --------------------------------------------------------------------------------------------
# Students' IDs and staff home rooms


def _users_by_email(school):
    rows = store_util.sql(school.db, "SELECT u.email, u.student_id, r.name FROM users u"
                                     " LEFT JOIN rooms r ON r.id = u.room_id ORDER BY u.email")
    return {email: (sid or None, room or None) for email, sid, room in rows}


def test_student_ids_and_home_rooms_are_stored(school):
    school.load(rooms=ROOMS)
    users = [User("Ann Lee", "alee@x.org", "teacher", " room 101 "),
             User("Bob Stone", "bob@x.org", "admin", student_id=""),
             User("Sam Diaz", "sam@x.org", "student", student_id="S-1001"),
             User("Sue Park", "sue@x.org", "student", student_id=" 42 "),
             User("Kim Ode", "kim@x.org", "student"),
             User("Library Kiosk", "kiosk@x.org", "kiosk", "Library")]
    school.import_text("users", users_csv(users)).ok()
    assert _users_by_email(school) == {
        "alee@x.org": (None, "Room 101"), "bob@x.org": (None, None),
        "sam@x.org": ("S-1001", None), "sue@x.org": ("42", None), "kim@x.org": (None, None),
        "kiosk@x.org": (None, "Library")}
    # The same file again changes nothing; a file without the column keeps the IDs.
    r = school.import_text("users", users_csv(users)).ok()
    assert stat(r.stdout, "unchanged") == 6
    school.import_text("users", users_csv([User("Sam Diaz", "sam@x.org", "student")])).ok()
    assert _users_by_email(school)["sam@x.org"] == ("S-1001", None)


@pytest.mark.parametrize("second,line", [
    # Taken in the school (ASCII case ignored) ...
    ([User("Sue Park", "sue@x.org", "student", student_id="s-1001")], 2),
    # ... or twice in one file.
    ([User("Sue Park", "sue@x.org", "student", student_id="A-7"),
      User("Kim Ode", "kim@x.org", "student", student_id="a-7")], 3),
])
def test_a_duplicate_student_id_is_refused(school, second, line):
    school.load(users=[User("Sam Diaz", "sam@x.org", "student", student_id="S-1001")])
    before = _users_by_email(school)
    code, out, err = school.import_text("users", users_csv(second), "users.csv")
    assert code != 0
    message = err.splitlines()[0]
    duplicate = second[-1].student_id
    owner = "sam@x.org" if line == 2 else "sue@x.org"
    assert f'users.csv:{line}: student_id: "{duplicate}" is already the student ID of' \
        in message, message
    assert owner in message, message
    assert _users_by_email(school) == before
