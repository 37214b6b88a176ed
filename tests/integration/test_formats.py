"""The report formats: JSON, CSV and XLSX, the
table, and --output."""

from __future__ import annotations

import json
import os
import pty
import select
import stat
import unicodedata

import pytest

import store_util
from hallpass_kit import (M, ROOM_KEYS, ROOM_TITLES, STAFF_KEYS, STAFF_TITLES, Pass, Room,
                          User, col_letter, expected_csv, plain, read_xlsx)

SEPT = ("--from", "2026-09-01", "--to", "2026-09-30")

FANCY_ROOMS = [
    Room("=SUM(A1)", "+Wing"),
    Room("-Minus, Room", "@Folder"),
    Room("\tTab Room", ""),
    Room("\rCR Room", "Plain-Dash"),
    Room('Quote "Q"', "x"),
    Room("Café Ünï", "Ωmega"),
    Room("Lab, North", "Science"),
    Room("Room 101", "Science"),
]
FANCY_STAFF = [
    User('=HYPERLINK("http://evil.example")', "+plus@x.org", "teacher"),
    User("Ann Lee", "alee@x.org", "teacher"),
    User("-Dash Teacher", "-dash@x.org", "admin"),
    User("Zoë, the Admin", "zoe@x.org", "admin"),
]
STUDENT = User("Sam Diaz", "sam@x.org", "student")


def fancy_passes():
    def mk(i, origin, dest, creator, source="teacher", type_="now", cancelled=""):
        return Pass(str(i), "sam@x.org", origin, dest, creator, source, type_,
                    f"2026-09-{10 + i:02d}T15:00:00Z", "", cancelled)
    return [mk(1, "Room 101", "=SUM(A1)", "alee@x.org"),
            mk(2, "Room 101", "=SUM(A1)", "alee@x.org", type_="scheduled"),
            mk(3, "Café Ünï", "-Minus, Room", "+plus@x.org", source="kiosk_mode"),
            mk(4, "Lab, North", "Room 101", "-dash@x.org"),
            mk(5, "Room 101", "Lab, North", "sam@x.org", source="student"),
            mk(6, "Room 101", '\rCR Room', "alee@x.org", type_="scheduled", cancelled="true")]


# Names that begin with a tab or a carriage return: an import trims them now, but a store
# written before names were trimmed holds them, and the exports must still guard them.
UNTRIMMED = {"Tab Room": "\t", "CR Room": "\r"}


@pytest.fixture
def fancy(school):
    school.load(rooms=FANCY_ROOMS, users=FANCY_STAFF + [STUDENT], passes=fancy_passes())
    for name, lead in UNTRIMMED.items():
        store_util.sql(school.db, "UPDATE rooms SET name = ? WHERE name = ?", (lead + name, name))
    return school


ROOM_ROWS = [
    {"room": "\tTab Room", "folder": "", "passes_from": 0, "passes_to": 0},
    {"room": "\rCR Room", "folder": "Plain-Dash", "passes_from": 0, "passes_to": 0},
    {"room": "-Minus, Room", "folder": "@Folder", "passes_from": 0, "passes_to": 1},
    {"room": "=SUM(A1)", "folder": "+Wing", "passes_from": 0, "passes_to": 2},
    {"room": "Café Ünï", "folder": "Ωmega", "passes_from": 1, "passes_to": 0},
    {"room": "Lab, North", "folder": "Science", "passes_from": 1, "passes_to": 1},
    {"room": 'Quote "Q"', "folder": "x", "passes_from": 0, "passes_to": 0},
    {"room": "Room 101", "folder": "Science", "passes_from": 3, "passes_to": 1},
]
# JSON rows also have the folder benchmarks: no folder here has three rooms.
ROOM_JSON_ROWS = [{**r, "folder_median_from": None, "folder_median_to": None, "from_flag": None}
                  for r in ROOM_ROWS]
ROOM_JSON_KEYS = ROOM_KEYS + ["folder_median_from", "folder_median_to", "from_flag"]
STAFF_ROWS = [
    {"staff": "-Dash Teacher", "email": "-dash@x.org", "total": 1, "now": 1, "scheduled": 0},
    {"staff": '=HYPERLINK("http://evil.example")', "email": "+plus@x.org", "total": 1,
     "now": 1, "scheduled": 0},
    {"staff": "Ann Lee", "email": "alee@x.org", "total": 2, "now": 1, "scheduled": 1},
    {"staff": "Zoë, the Admin", "email": "zoe@x.org", "total": 0, "now": 0, "scheduled": 0},
]
# JSON rows also split the now passes: own login (teacher) and kiosk (kiosk_mode).
STAFF_SPLIT = {"-dash@x.org": (1, 0), "+plus@x.org": (0, 1), "alee@x.org": (1, 0),
               "zoe@x.org": (0, 0)}
STAFF_JSON_ROWS = [{**r, "now_login": STAFF_SPLIT[r["email"]][0],
                    "now_kiosk": STAFF_SPLIT[r["email"]][1]} for r in STAFF_ROWS]
STAFF_JSON_KEYS = STAFF_KEYS + ["now_login", "now_kiosk"]


# --------------------------------------------------------------------------------------------
# JSON


def test_json_rooms_exactly_as_the_spec_shows(fancy):
    r = fancy.report("rooms", *SEPT, "--sort", "from", "--order", "desc").ok()
    assert r.stdout.endswith("\n")
    doc = json.loads(r.stdout, object_pairs_hook=lambda pairs: pairs)
    assert [k for k, _ in doc] == ["report", "school", "from", "to", "sort", "order", "rows"]
    top = dict(doc)
    assert top["report"] == "rooms"
    assert top["school"] == "Lincoln High"
    assert (top["from"], top["to"]) == ("2026-09-01", "2026-09-30")
    assert (top["sort"], top["order"]) == ("from", "desc")
    for row in top["rows"]:
        assert [k for k, _ in row] == ROOM_JSON_KEYS
        for k, v in row:
            if k.startswith("folder_median") or k == "from_flag":
                assert v is None, (k, v)
            else:
                assert type(v) is (int if k.startswith("passes") else str), (k, v)
    rows = [dict(r) for r in top["rows"]]
    assert [r["room"] for r in rows] == ["Room 101", "Café Ünï", "Lab, North", "\tTab Room",
                                         "\rCR Room", "-Minus, Room", "=SUM(A1)", 'Quote "Q"']
    assert sorted(rows, key=lambda r: r["room"]) == sorted(ROOM_JSON_ROWS,
                                                           key=lambda r: r["room"])


def test_json_staff_exactly_as_the_spec_shows(fancy):
    r = fancy.report("staff", *SEPT).ok()
    doc = json.loads(r.stdout, object_pairs_hook=lambda pairs: pairs)
    assert [k for k, _ in doc] == ["report", "school", "from", "to", "sort", "order", "rows"]
    top = dict(doc)
    assert (top["report"], top["school"], top["from"], top["to"], top["sort"],
            top["order"]) == ("staff", "Lincoln High", "2026-09-01", "2026-09-30", "staff", "asc")
    for row in top["rows"]:
        assert [k for k, _ in row] == STAFF_JSON_KEYS
        for k, v in row:
            assert type(v) is (str if k in ("staff", "email") else int), (k, v)
    assert [dict(r) for r in top["rows"]] == STAFF_JSON_ROWS


def test_json_rooms_default_sort_and_order(fancy):
    doc = fancy.report_json("rooms", *SEPT)
    assert (doc["sort"], doc["order"]) == ("room", "asc")
    assert plain(doc)["rows"] == ROOM_JSON_ROWS


def test_json_school_name_is_escaped(make_school):
    school = make_school('Lincoln "High", Est. 1901\\', "America/Chicago")
    doc = school.report_json("rooms", *SEPT)
    assert doc["school"] == 'Lincoln "High", Est. 1901\\'


# --------------------------------------------------------------------------------------------
# CSV


def test_csv_rooms_bytes(fancy):
    out = fancy.report("rooms", *SEPT, fmt="csv").ok().stdout_bytes
    expected = (
        "\ufeffRoom,Folder,Passes From This Room,Passes To This Room\r\n"
        "'\tTab Room,,0,0\r\n"
        "\"'\rCR Room\",Plain-Dash,0,0\r\n"
        "\"'-Minus, Room\",'@Folder,0,1\r\n"
        "'=SUM(A1),'+Wing,0,2\r\n"
        "Café Ünï,Ωmega,1,0\r\n"
        "\"Lab, North\",Science,1,1\r\n"
        "\"Quote \"\"Q\"\"\",x,0,0\r\n"
        "Room 101,Science,3,1\r\n").encode("utf-8")
    assert out == expected
    assert out == expected_csv("rooms", ROOM_ROWS)


def test_csv_staff_bytes(fancy):
    out = fancy.report("staff", *SEPT, fmt="csv").ok().stdout_bytes
    expected = (
        "\ufeffStaff,Email,Total Passes,Now Passes,Scheduled Passes\r\n"
        "'-Dash Teacher,'-dash@x.org,1,1,0\r\n"
        "\"'=HYPERLINK(\"\"http://evil.example\"\")\",'+plus@x.org,1,1,0\r\n"
        "Ann Lee,alee@x.org,2,1,1\r\n"
        "\"Zoë, the Admin\",zoe@x.org,0,0,0\r\n").encode("utf-8")
    assert out == expected
    assert out == expected_csv("staff", STAFF_ROWS)


def test_csv_of_an_empty_report_is_the_title_line(school):
    out = school.report("staff", *SEPT, fmt="csv").ok().stdout_bytes
    assert out == b"\xef\xbb\xbfStaff,Email,Total Passes,Now Passes,Scheduled Passes\r\n"


def test_csv_follows_the_sort(fancy):
    args = (*SEPT, "--sort", "total", "--order", "desc")
    rows = fancy.rows("staff", *args)
    assert [r["email"] for r in rows] == ["alee@x.org", "-dash@x.org", "+plus@x.org",
                                          "zoe@x.org"]
    assert fancy.report("staff", *args, fmt="csv").ok().stdout_bytes == expected_csv("staff",
                                                                                    rows)


# --------------------------------------------------------------------------------------------
# Table


def _shown(text: str) -> str:
    """A cell as a terminal shows it, one list item per screen column: control characters as
    spaces, and a wide (East Asian) character followed by a placeholder for its second
    column."""
    out = []
    for ch in text:
        if ord(ch) < 0x20:
            out.append(" ")
        else:
            out.append(ch)
            if unicodedata.east_asian_width(ch) in ("W", "F"):
                out.append("\0")
    return "".join(out)


def check_table(out: str, titles: list[str], keys: list[str], rows: list[dict]):
    """Checks that the table lines up on a terminal: every cell of a column starts (text) or
    ends (numbers) in the same screen column."""
    lines = [_shown(line) for line in out.split("\n")]
    assert lines[-1] == ""
    dash_index = next(i for i, line in enumerate(lines) if line and set(line) <= {"-", " "})
    header, dashes = lines[dash_index - 1], lines[dash_index]
    # Column spans from the rule under the titles.
    spans, i = [], 0
    while i < len(dashes):
        if dashes[i] == "-":
            j = i
            while j < len(dashes) and dashes[j] == "-":
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    assert len(spans) == len(titles), dashes
    for (a, b), (c, d) in zip(spans, spans[1:]):
        assert c - b == 2, "columns are two spaces apart"
    numeric = [isinstance(rows[0][k], int) if rows else k not in ("room", "folder", "staff",
                                                                   "email") for k in keys]
    for (a, b), title, num in zip(spans, titles, numeric):
        cell = header[a:b]
        assert (cell.lstrip() if num else cell.rstrip()) == title
    body = lines[dash_index + 1:-1]
    assert len(body) == len(rows)
    for line, row in zip(body, rows):
        for n, ((a, b), key, num) in enumerate(zip(spans, keys, numeric)):
            if n:
                assert line[a - 2:a] == "  ", (line, key)
            value = row[key]
            if num:
                assert line[a:b] == str(value).rjust(b - a), (line, key)
            else:
                shown = _shown(value)
                assert len(shown) <= b - a
                assert line[a:a + len(shown)] == shown, (line, key)
                assert line[a + len(shown):b].strip() == "", (line, key)
    # The widest cell sets each column's width.
    for (a, b), key, title in zip(spans, keys, titles):
        widths = [len(_shown(str(r[key]))) for r in rows] + [len(title)]
        assert b - a == max(widths), key


@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_the_table_is_aligned(fancy, kind):
    out = fancy.report(kind, *SEPT, fmt="table").ok().stdout
    rows = fancy.rows(kind, *SEPT)
    titles, keys = (ROOM_TITLES, ROOM_KEYS) if kind == "rooms" else (STAFF_TITLES, STAFF_KEYS)
    check_table(out, titles, keys, rows)
    assert out == fancy.report(kind, *SEPT, fmt=None).ok().stdout  # table is the default


def test_the_table_is_aligned_with_wide_numbers(school):
    school.load(rooms=[Room("A"), Room("Busy Room", "F")],
                users=[User("Ann Lee", "alee@x.org", "teacher"), STUDENT],
                passes=[Pass(str(i), "sam@x.org", "Busy Room", "A", "alee@x.org", "teacher",
                             "now", "2026-09-14T15:00:00Z") for i in range(1234)])
    out = school.report("rooms", *SEPT, fmt="table").ok().stdout
    check_table(out, ROOM_TITLES, ROOM_KEYS, school.rows("rooms", *SEPT))
    assert "1234" in out


def test_the_table_is_aligned_with_wide_characters(make_school):
    school = make_school("Tokyo International", "Asia/Tokyo")
    school.load(rooms=[Room("図書館", "本館"), Room("Room 1", "Main"), Room("保健室", "")])
    out = school.report("rooms", *SEPT, fmt="table").ok().stdout
    check_table(out, ROOM_TITLES, ROOM_KEYS, school.rows("rooms", *SEPT))


# --------------------------------------------------------------------------------------------
# XLSX


def check_xlsx(data: bytes, kind: str, rows: list[dict]):
    book = read_xlsx(data)
    titles, keys = (ROOM_TITLES, ROOM_KEYS) if kind == "rooms" else (STAFF_TITLES, STAFF_KEYS)
    assert book.sheet_names[0] == ("Room Usage" if kind == "rooms" else "Staff Usage")
    # Titles from A1, in bold.
    for c, title in enumerate(titles):
        cell = book.cells.get((c, 0))
        assert cell is not None, f"no title in {col_letter(c)}1"
        assert cell.type == "s" and cell.value == title
        assert cell.style in book.bold_styles, f"{cell.ref} is not bold"
    # The title row frozen.
    panes = list(book.sheet_xml.iter(M + "pane"))
    assert len(panes) == 1
    pane = panes[0]
    assert pane.get("state") == "frozen"
    assert pane.get("ySplit") == "1"
    assert pane.get("xSplit") in (None, "0")
    assert pane.get("topLeftCell") == "A2"
    # An auto-filter over the whole table.
    filters = list(book.sheet_xml.iter(M + "autoFilter"))
    assert len(filters) == 1
    assert filters[0].get("ref") == f"A1:{col_letter(len(titles) - 1)}{len(rows) + 1}"
    # No formula anywhere; names are shared strings, counts are numbers.
    assert not list(book.sheet_xml.iter(M + "f"))
    assert max(r for _, r in book.cells) == len(rows)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(keys):
            cell = book.cells.get((c, r))
            value = row[key]
            if isinstance(value, int):
                assert cell is not None and cell.type in (None, "n"), (key, cell)
                assert cell.formula is None
                assert cell.value == value and isinstance(cell.value, int)
            elif value == "":
                assert cell is None or cell.value in ("", None)
            else:
                assert cell is not None and cell.type == "s", (key, cell)
                assert cell.formula is None
                assert cell.value == value
    return book


@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_xlsx_to_a_pipe(fancy, kind):
    data = fancy.report(kind, *SEPT, fmt="xlsx").ok().stdout_bytes
    assert data[:2] == b"PK"
    check_xlsx(data, kind, fancy.rows(kind, *SEPT))


@pytest.mark.parametrize("kind", ["rooms", "staff"])
def test_xlsx_with_output(fancy, kind, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"{kind}.xlsx"
    r = fancy.report(kind, *SEPT, "--sort", "to" if kind == "rooms" else "now", "--order",
                     "desc", "--output", target, fmt="xlsx").ok()
    assert r.stdout == ""
    assert [p.name for p in out_dir.iterdir()] == [target.name]
    rows = fancy.rows(kind, *SEPT, "--sort", "to" if kind == "rooms" else "now",
                      "--order", "desc")
    check_xlsx(target.read_bytes(), kind, rows)


def test_xlsx_of_an_empty_report(school):
    data = school.report("rooms", *SEPT, fmt="xlsx").ok().stdout_bytes
    check_xlsx(data, "rooms", [])


def test_xlsx_to_a_pipe_leaves_no_temporary_file(fancy, tmp_path):
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    r = fancy.report("rooms", *SEPT, fmt="xlsx", env={"TMPDIR": str(tmp)}).ok()
    check_xlsx(r.stdout_bytes, "rooms", fancy.rows("rooms", *SEPT))
    assert list(tmp.iterdir()) == []


def _run_on_terminal(school, *args):
    master, slave = pty.openpty()
    try:
        r = school.hp.run("report", "rooms", "--db", school.db, *args, stdout=slave)
    finally:
        os.close(slave)
    shown = b""
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return r, shown


def test_xlsx_to_a_terminal_is_refused(fancy, tmp_path):
    r, shown = _run_on_terminal(fancy, "--format", "xlsx", *SEPT)
    assert r.code != 0
    assert "--output" in r.stderr
    assert b"PK" not in shown
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".xlsx"]


def test_xlsx_on_a_terminal_with_output(fancy, tmp_path):
    target = tmp_path / "rooms.xlsx"
    r, shown = _run_on_terminal(fancy, "--format", "xlsx", *SEPT, "--output", str(target))
    assert r.code == 0, r.stderr
    assert b"PK" not in shown
    check_xlsx(target.read_bytes(), "rooms", fancy.rows("rooms", *SEPT))


def test_a_table_on_a_terminal(fancy):
    r, shown = _run_on_terminal(fancy, *SEPT)
    assert r.code == 0
    assert b"Room 101" in shown


# --------------------------------------------------------------------------------------------
# --output


@pytest.mark.parametrize("kind", ["rooms", "staff"])
@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_output_equals_stdout(fancy, tmp_path, kind, fmt):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"report.{fmt}"
    args = (*SEPT, "--sort", "folder" if kind == "rooms" else "email", "--order", "desc")
    r = fancy.report(kind, *args, "--output", target, fmt=fmt).ok()
    assert r.stdout == ""
    assert [p.name for p in out_dir.iterdir()] == [target.name]
    assert target.read_bytes() == fancy.report(kind, *args, fmt=fmt).ok().stdout_bytes


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_output_file_mode_follows_the_umask(fancy, tmp_path, fmt):
    target = tmp_path / f"rooms.{fmt}"
    old = os.umask(0o022)
    try:
        fancy.report("rooms", *SEPT, "--output", target, fmt=fmt).ok()
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_output_replaces_an_existing_file(fancy, tmp_path):
    target = tmp_path / "rooms.csv"
    target.write_text("old contents that are longer than the report will be " * 100)
    fancy.report("rooms", *SEPT, "--output", target, fmt="csv").ok()
    assert target.read_bytes() == expected_csv("rooms", ROOM_ROWS)


def test_a_failed_report_writes_no_file(fancy, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for args in (["--sort", "nope"], ["--from", "2026-02-30"], ["--school", "Nowhere"]):
        for fmt in ("csv", "xlsx"):
            r = fancy.report("rooms", *args, "--output", out_dir / f"r.{fmt}", fmt=fmt)
            assert r.code != 0
    assert list(out_dir.iterdir()) == []


def test_output_into_a_missing_directory_is_an_error(fancy, tmp_path):
    target = tmp_path / "no-such-dir" / "rooms.csv"
    code, out, err = fancy.report("rooms", *SEPT, "--output", target, fmt="csv")
    assert code != 0
    assert "no-such-dir" in err
    assert not target.parent.exists()
