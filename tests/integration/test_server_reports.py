"""The reports over HTTP: the same JSON and CSV bytes as
`hallpass report` for the same query, XLSX downloads, the file name in Content-Disposition,
400 for bad parameters, and counts that follow passes created and cancelled over HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from zoneinfo import ZoneInfo

import pytest

from server_util import (ADMIN, KIOSK, STUDENT, TEACHER, ZONE, basic_store, future,
                         ok, parse_iso, room, sign_in, students, user)

FROM, TO = "2025-09-01", "2025-09-30"
ZED = user("Zed Teacher", "zed@lincoln.test", "teacher")  # staff without a password
KIDS = students("rep", 10)
ROOMS = [room("Room 2", "Science Wing"), room("room 10", "Science Wing"), room("Room 10A", ""),
         room("Restroom B", "Restrooms", max_to=3), room("=Office", "+Admin")]

ROOM_SORTS = ["room", "folder", "from", "to"]
STAFF_SORTS = ["staff", "email", "total", "now", "scheduled"]


def _pass(i, student, origin, dest, creator, source, typ, start, end="", cancelled=""):
    return {"id": f"H{i}", "student": student, "origin": origin, "destination": dest,
            "creator": creator, "source": source, "type": typ, "start": start, "end": end,
            "cancelled": cancelled}


HISTORY = [
    _pass(1, KIDS[0]["email"], "Room 2", "Restroom B", TEACHER["email"], "teacher", "now",
          "2025-09-02T09:00:00-05:00", "2025-09-02T09:05:00-05:00"),
    _pass(2, KIDS[1]["email"], "Room 2", "Restroom B", TEACHER["email"], "teacher", "scheduled",
          "2025-09-03T10:00:00-05:00", "2025-09-03T10:10:00-05:00"),
    _pass(3, KIDS[2]["email"], "room 10", "Library", ADMIN["email"], "kiosk_mode", "now",
          "2025-09-10T11:00:00-05:00", "2025-09-10T11:04:00-05:00"),
    _pass(4, KIDS[3]["email"], "Room 101", "Restroom B", KIOSK["email"], "kiosk_login", "now",
          "2025-09-15T12:00:00-05:00", "2025-09-15T12:03:00-05:00"),
    _pass(5, KIDS[4]["email"], "Room 10A", "=Office", KIDS[4]["email"], "student", "now",
          "2025-09-20T13:00:00-05:00", "2025-09-20T13:20:00-05:00"),
    _pass(6, KIDS[5]["email"], "Room 2", "=Office", ZED["email"], "teacher", "scheduled",
          "2025-09-22T08:00:00-05:00", "", "true"),  # cancelled: never counts
    _pass(7, KIDS[6]["email"], "room 10", "Room 2", ZED["email"], "teacher", "now",
          "2025-09-30T23:30:00-05:00", "2025-09-30T23:40:00-05:00"),  # local 09-30
    _pass(8, KIDS[7]["email"], "Room 2", "room 10", TEACHER["email"], "teacher", "now",
          "2025-10-01T04:30:00Z", "2025-10-01T04:40:00Z"),  # local 09-30 23:30
    _pass(9, KIDS[8]["email"], "Library", "Room 10A", ADMIN["email"], "teacher", "now",
          "2025-08-31T23:59:00-05:00", "2025-09-01T00:10:00-05:00"),  # before the range
    _pass(10, KIDS[9]["email"], "Library", "Room 10A", ADMIN["email"], "teacher", "now",
          "2025-10-01T00:00:00-05:00", "2025-10-01T00:10:00-05:00"),  # after the range
]


@pytest.fixture(scope="module")
def store(module_stores):
    s = basic_store(module_stores,
                    users=(ADMIN, TEACHER, STUDENT, KIOSK, ZED), rooms=ROOMS,
                    extra_students=KIDS)
    s.passes(HISTORY)
    return s


@pytest.fixture(scope="module")
def server(store):
    srv = store.server().start()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="module")
def admin(server):
    return sign_in(server, ADMIN)


def url(kind, **params):
    q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return f"/api/reports/{kind}" + (f"?{q}" if q else "")


def cli_args(from_=None, to=None, sort=None, order=None, fmt=None):
    args = []
    for opt, v in (("--from", from_), ("--to", to), ("--sort", sort), ("--order", order),
                   ("--format", fmt)):
        if v is not None:
            args += [opt, v]
    return args


def read_xlsx(data: bytes):
    """(first sheet's name, its rows as lists of str or float)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    first = wb.find("m:sheets/m:sheet", ns)
    rid = first.get(f"{{{ns['r']}}}id")
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
    sheet = ET.fromstring(z.read(path))
    rows = []
    for row in sheet.findall("m:sheetData/m:row", ns):
        cells = {}
        for c in row.findall("m:c", ns):
            col = 0
            for ch in re.match(r"[A-Z]+", c.get("r")).group(0):
                col = col * 26 + ord(ch) - ord("A") + 1
            t = c.get("t")
            if t == "s":
                cells[col] = shared[int(c.find("m:v", ns).text)]
            elif t == "inlineStr":
                cells[col] = "".join(x.text or "" for x in c.iter(f"{{{ns['m']}}}t"))
            elif t == "str":
                cells[col] = c.find("m:v", ns).text or ""
            else:
                cells[col] = float(c.find("m:v", ns).text)
        width = max(cells, default=0)
        rows.append([cells.get(i, "") for i in range(1, width + 1)])
    return first.get("name"), rows, sheet


# --------------------------------------------------------------------------------------------
# Same bytes as the command line


@pytest.mark.parametrize("kind,sort", [("rooms", s) for s in ROOM_SORTS] +
                         [("staff", s) for s in STAFF_SORTS])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_json_and_csv_are_the_cli_bytes(store, admin, kind, sort, order):
    for fmt in ("json", "csv"):
        r = admin.get(url(kind, **{"from": FROM, "to": TO, "sort": sort, "order": order,
                                   "format": fmt}))
        assert r.status == 200, r
        expect = store.report(kind, *cli_args(FROM, TO, sort, order, fmt))
        assert r.body == expect, (fmt, r.body, expect)
    doc = ok(admin.get(url(kind, **{"from": FROM, "to": TO, "sort": sort, "order": order})))
    assert (doc["report"], doc["from"], doc["to"], doc["sort"], doc["order"]) == \
        (kind, FROM, TO, sort, order)


def test_the_history_is_counted_as_the_spec_says(admin):
    rooms = {row["room"]: row for row in
             ok(admin.get(url("rooms", **{"from": FROM, "to": TO})))["rows"]}
    assert (rooms["Room 2"]["passes_from"], rooms["Room 2"]["passes_to"]) == (3, 1)
    assert (rooms["Restroom B"]["passes_from"], rooms["Restroom B"]["passes_to"]) == (0, 3)
    assert (rooms["=Office"]["passes_from"], rooms["=Office"]["passes_to"]) == (0, 1)
    assert (rooms["room 10"]["passes_from"], rooms["room 10"]["passes_to"]) == (2, 1)
    assert (rooms["Room 10A"]["passes_from"], rooms["Room 10A"]["passes_to"]) == (1, 0)
    assert (rooms["Room 102"]["passes_from"], rooms["Room 102"]["passes_to"]) == (0, 0)
    staff = {row["email"]: row for row in
             ok(admin.get(url("staff", **{"from": FROM, "to": TO})))["rows"]}
    assert set(staff) == {ADMIN["email"], TEACHER["email"], ZED["email"]}
    assert [staff[TEACHER["email"]][k] for k in ("total", "now", "scheduled")] == [3, 2, 1]
    assert [staff[ADMIN["email"]][k] for k in ("total", "now", "scheduled")] == [1, 1, 0]
    assert [staff[ZED["email"]][k] for k in ("total", "now", "scheduled")] == [1, 1, 0]


@pytest.mark.parametrize("kind", ["rooms", "staff"])
@pytest.mark.parametrize("params", [{}, {"to": TO}, {"from": "2025-09-15"},
                                    {"from": "2025-09-30", "to": "2025-09-30"},
                                    {"sort": None, "order": "desc"}])
def test_defaults_match_the_cli(store, admin, kind, params):
    r = admin.get(url(kind, **params))
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/json")
    assert r.body == store.report(kind, *cli_args(params.get("from"), params.get("to"),
                                                  params.get("sort"), params.get("order"),
                                                  "json"))


# --------------------------------------------------------------------------------------------
# Downloads


@pytest.mark.parametrize("kind,stem", [("rooms", "room-usage"), ("staff", "staff-usage")])
def test_csv_download(store, admin, kind, stem):
    r = admin.get(url(kind, **{"from": FROM, "to": TO, "format": "csv"}))
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/csv")
    disp = r.header("Content-Disposition")
    assert disp is not None and disp.startswith("attachment"), r.headers
    assert re.search(rf'filename="?{stem}_{FROM}_{TO}\.csv"?', disp), disp
    assert r.body.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.body
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
    titles = (["Room", "Folder", "Passes From This Room", "Passes To This Room"]
              if kind == "rooms" else
              ["Staff", "Email", "Total Passes", "Now Passes", "Scheduled Passes"])
    assert rows[0] == titles
    if kind == "rooms":
        # Formula-looking text is neutralised.
        assert ["'=Office", "'+Admin", "0", "1"] in rows


@pytest.mark.parametrize("kind,title,stem", [("rooms", "Room Usage", "room-usage"),
                                             ("staff", "Staff Usage", "staff-usage")])
def test_xlsx_download(admin, kind, title, stem):
    r = admin.get(url(kind, **{"from": FROM, "to": TO, "format": "xlsx", "sort": "from"
                               if kind == "rooms" else "total", "order": "desc"}))
    assert r.status == 200, r
    assert r.header("Content-Type") == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disp = r.header("Content-Disposition")
    assert disp is not None and disp.startswith("attachment"), r.headers
    assert re.search(rf'filename="?{stem}_{FROM}_{TO}\.xlsx"?', disp), disp
    name, rows, sheet = read_xlsx(r.body)
    assert name == title
    # The same rows, in the same order, as the CSV of the same query; counts are numbers.
    c = admin.get(url(kind, **{"from": FROM, "to": TO, "format": "csv", "sort": "from"
                               if kind == "rooms" else "total", "order": "desc"}))
    expect = list(csv.reader(io.StringIO(c.body.decode("utf-8-sig"), newline="")))
    assert rows[0] == expect[0]
    got = [[v if isinstance(v, str) else str(int(v)) for v in row] for row in rows[1:]]
    want = [[v[1:] if v.startswith("'") else v for v in row] for row in expect[1:]]
    assert got == want
    assert all(isinstance(v, float) for row in rows[1:] for v in row[2:])
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert sheet.find(f"{ns}autoFilter") is not None


def test_json_answer_has_no_download_name(admin):
    r = admin.get(url("rooms", format="json"))
    assert r.status == 200
    assert r.header("Content-Disposition") is None


# --------------------------------------------------------------------------------------------
# A range never leaves the dates the API accepts


@pytest.mark.parametrize("kind,stem", [("rooms", "room-usage"), ("staff", "staff-usage")])
@pytest.mark.parametrize("to,from_", [("0001-01-01", "0001-01-01"),
                                      ("0001-01-10", "0001-01-01"),
                                      ("0001-01-30", "0001-01-01"),
                                      ("0001-01-31", "0001-01-02")])
def test_default_range_starts_no_earlier_than_year_1(store, admin, kind, stem, to, from_):
    # The 30 days ending on `to`, cut at 0001-01-01: the first date a query may name.
    doc = ok(admin.get(url(kind, to=to)))
    assert (doc["from"], doc["to"]) == (from_, to)
    assert all(v == 0 for row in doc["rows"] for k, v in row.items() if isinstance(v, int))
    # The command line answers the same, and the range it names is one the API takes back.
    assert admin.get(url(kind, to=to)).body == store.report(kind, *cli_args(to=to, fmt="json"))
    again = admin.get(url(kind, **{"from": doc["from"], "to": doc["to"]}))
    assert again.status == 200, again
    assert again.body == admin.get(url(kind, to=to)).body
    r = admin.get(url(kind, to=to, format="csv"))
    assert re.search(rf'filename="?{stem}_{from_}_{to}\.csv"?', r.header("Content-Disposition"))


# --------------------------------------------------------------------------------------------
# Bad parameters


@pytest.mark.parametrize("kind", ["rooms", "staff"])
@pytest.mark.parametrize("params,word", [
    ({"from": "2025-02-30"}, "from"),
    ({"from": "09/01/2025"}, "from"),
    ({"from": ""}, "from"),
    ({"to": "2025-9-1"}, "to"),
    ({"to": "tomorrow"}, "to"),
    ({"from": "2025-09-30", "to": "2025-09-01"}, "from"),
    ({"sort": "bogus"}, "sort"),
    ({"sort": "ROOM"}, "sort"),
    ({"order": "up"}, "order"),
    ({"order": "DESC"}, "order"),
    ({"format": "pdf"}, "format"),
    ({"format": "table"}, "format"),
    ({"format": ""}, "format"),
])
def test_bad_parameters_are_400_naming_the_parameter(admin, kind, params, word):
    r = admin.get(url(kind, **params))
    assert r.status == 400, r
    assert r.error.startswith(word), r.error
    assert r.header("Content-Disposition") is None


@pytest.mark.parametrize("kind,key", [("rooms", "staff"), ("rooms", "total"),
                                      ("staff", "room"), ("staff", "to")])
def test_sort_keys_belong_to_their_report(admin, kind, key):
    r = admin.get(url(kind, sort=key))
    assert r.status == 400, r
    assert r.error.startswith("sort"), r.error


# --------------------------------------------------------------------------------------------
# Counts follow passes made over HTTP


def _rows(admin, kind, day0, day1, key):
    doc = ok(admin.get(url(kind, **{"from": day0, "to": day1})))
    return {row[key]: row for row in doc["rows"]}


def test_counts_follow_passes_created_and_cancelled(server, store, admin):
    zone = ZoneInfo(ZONE)
    today = dt.datetime.now(zone).date()
    day0, day1 = today.isoformat(), (today + dt.timedelta(days=1)).isoformat()
    rooms0 = _rows(admin, "rooms", day0, day1, "room")
    staff0 = _rows(admin, "staff", day0, day1, "email")

    teacher = sign_in(server, TEACHER)
    student = sign_in(server, STUDENT)
    kiosk = sign_in(server, KIOSK)
    admin_kiosk = sign_in(server, ADMIN)
    ok(admin_kiosk.post("/api/kiosk", {"room": "Room 10A"}))

    made = [
        ok(teacher.create_pass(student=KIDS[0]["email"], origin="Room 2",
                               destination="room 10"), 201),
        ok(teacher.create_pass(student=KIDS[1]["email"], origin="Room 2",
                               destination="Library", type="scheduled", start=future(5)), 201),
        ok(student.create_pass(origin="Library", destination="Restroom B"), 201),
        ok(kiosk.create_pass(student=KIDS[2]["email"], destination="Restroom B"), 201),
        ok(admin_kiosk.create_pass(student=KIDS[3]["email"], destination="Room 2"), 201),
    ]
    for p in made:
        assert parse_iso(p["start"]).astimezone(zone).date() in (today, today + dt.timedelta(1))
    assert [p["source"] for p in made] == ["teacher", "teacher", "student", "kiosk_login",
                                           "kiosk_mode"]

    def delta(before, after, key, fields):
        return {name: tuple(after[name][f] - before[name][f] for f in fields)
                for name in after if any(after[name][f] != before[name][f] for f in fields)}

    rooms1 = _rows(admin, "rooms", day0, day1, "room")
    assert delta(rooms0, rooms1, "room", ("passes_from", "passes_to")) == {
        "Room 2": (2, 1), "room 10": (0, 1), "Library": (1, 1), "Restroom B": (0, 2),
        "Room 101": (1, 0), "Room 10A": (1, 0)}
    staff1 = _rows(admin, "staff", day0, day1, "email")
    assert delta(staff0, staff1, "email", ("total", "now", "scheduled")) == {
        TEACHER["email"]: (2, 1, 1), ADMIN["email"]: (1, 1, 0)}

    # The server and the command line read the same counts.
    for kind in ("rooms", "staff"):
        for fmt in ("json", "csv"):
            r = admin.get(url(kind, **{"from": day0, "to": day1, "format": fmt}))
            assert r.body == store.report(kind, *cli_args(day0, day1, None, None, fmt))

    # A cancelled scheduled pass stops counting; an ended pass still counts.
    ok(teacher.cancel_pass(made[1]["id"]))
    ok(teacher.end_pass(made[0]["id"]))
    rooms2 = _rows(admin, "rooms", day0, day1, "room")
    assert delta(rooms0, rooms2, "room", ("passes_from", "passes_to")) == {
        "Room 2": (1, 1), "room 10": (0, 1), "Library": (1, 0), "Restroom B": (0, 2),
        "Room 101": (1, 0), "Room 10A": (1, 0)}
    staff2 = _rows(admin, "staff", day0, day1, "email")
    assert delta(staff0, staff2, "email", ("total", "now", "scheduled")) == {
        TEACHER["email"]: (1, 1, 0), ADMIN["email"]: (1, 1, 0)}
    # The history is untouched.
    assert _rows(admin, "staff", FROM, TO, "email")[TEACHER["email"]]["total"] == 3
