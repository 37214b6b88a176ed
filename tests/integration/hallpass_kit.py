"""Helpers for the hallpass integration tests: running the binary, writing import files,
reading its exports, and an independent model of the counting rules to compare reports against.

Only the Python standard library is used here.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
import subprocess
import zipfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from store_util import is_uri

RUN_TIMEOUT = 60

ROOM_COLUMNS = ["name", "folder", "max_passes_from", "max_passes_to"]
USER_COLUMNS = ["name", "email", "role", "room", "password"]
PASS_COLUMNS = ["id", "student", "origin", "destination", "creator", "source", "type",
                "start", "end", "cancelled"]

ROOM_TITLES = ["Room", "Folder", "Passes From This Room", "Passes To This Room"]
STAFF_TITLES = ["Staff", "Email", "Total Passes", "Now Passes", "Scheduled Passes"]
ROOM_KEYS = ["room", "folder", "passes_from", "passes_to"]
STAFF_KEYS = ["staff", "email", "total", "now", "scheduled"]
# Sort key (command line) -> JSON field, and whether it is numeric.
ROOM_SORTS = {"room": ("room", False), "folder": ("folder", False),
              "from": ("passes_from", True), "to": ("passes_to", True)}
STAFF_SORTS = {"staff": ("staff", False), "email": ("email", False), "total": ("total", True),
               "now": ("now", True), "scheduled": ("scheduled", True)}
# With compare, the counts over the compare range sort too.
ROOM_PREV_SORTS = {"prev_from": ("prev_passes_from", True), "prev_to": ("prev_passes_to", True)}
STAFF_PREV_SORTS = {"prev_total": ("prev_total", True), "prev_now": ("prev_now", True),
                    "prev_scheduled": ("prev_scheduled", True)}
FORMATS = ["table", "csv", "json", "xlsx"]


# --------------------------------------------------------------------------------------------
# Running the binary


class Result:
    """What a run of the binary gave: unpacks as (code, stdout, stderr)."""

    def __init__(self, args: Sequence[str], code: int, out: bytes, err: bytes):
        self.args = list(args)
        self.code = code
        self.stdout_bytes = out
        self.stderr_bytes = err
        self.stdout = out.decode("utf-8", errors="replace")
        self.stderr = err.decode("utf-8", errors="replace")

    def __iter__(self):
        return iter((self.code, self.stdout, self.stderr))

    def __repr__(self):
        return (f"Result(args={self.args!r}, code={self.code}, stdout={self.stdout[:2000]!r}, "
                f"stderr={self.stderr[:2000]!r})")

    def ok(self) -> "Result":
        assert self.code == 0, f"expected success: {self!r}"
        return self


class Hallpass:
    """Runs the binary with a clean environment (no HALLPASS_DB unless asked for)."""

    def __init__(self, binary: str, cwd: Path):
        self.binary = binary
        self.cwd = Path(cwd)

    def env(self, extra: dict | None = None) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "HALLPASS_DB"}
        env["LC_ALL"] = "C.UTF-8"
        if extra:
            for k, v in extra.items():
                if v is None:
                    env.pop(k, None)
                else:
                    env[k] = v
        return env

    def run(self, *args, input: bytes | str | None = None, env: dict | None = None,
            cwd: Path | None = None, stdout=subprocess.PIPE) -> Result:
        if isinstance(input, str):
            input = input.encode("utf-8")
        argv = [self.binary, *[str(a) for a in args]]
        proc = subprocess.run(argv, input=input if input is not None else b"",
                              stdout=stdout, stderr=subprocess.PIPE,
                              cwd=str(cwd or self.cwd), env=self.env(env),
                              timeout=RUN_TIMEOUT)
        return Result(argv[1:], proc.returncode, proc.stdout or b"", proc.stderr or b"")


# --------------------------------------------------------------------------------------------
# Import files


def csv_field(value: object) -> str:
    """One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF."""
    text = "" if value is None else str(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, crlf=False,
             bom=False, final_newline=True) -> str:
    end = "\r\n" if crlf else "\n"
    lines = [",".join(csv_field(v) for v in row) for row in [list(header), *rows]]
    text = end.join(lines) + (end if final_newline else "")
    return ("\ufeff" if bom else "") + text


@dataclass
class Room:
    name: str
    folder: str = ""
    max_from: str = ""
    max_to: str = ""

    def row(self):
        return [self.name, self.folder, self.max_from, self.max_to]


@dataclass
class User:
    name: str
    email: str
    role: str
    room: str = ""
    password: str = ""
    student_id: str | None = None  # None: the file has no student_id column

    def row(self):
        return [self.name, self.email, self.role, self.room, self.password]


@dataclass
class Pass:
    id: str
    student: str
    origin: str
    destination: str
    creator: str
    source: str
    type: str
    start: str
    end: str = ""
    cancelled: str = ""

    def row(self):
        return [self.id, self.student, self.origin, self.destination, self.creator, self.source,
                self.type, self.start, self.end, self.cancelled]


def rooms_csv(rooms: Iterable[Room], **kw) -> str:
    return csv_text(ROOM_COLUMNS, [r.row() for r in rooms], **kw)


def users_csv(users: Iterable[User], **kw) -> str:
    """users.csv; with a student_id column when any user has one set (even "")."""
    users = list(users)
    if any(u.student_id is not None for u in users):
        return csv_text(USER_COLUMNS + ["student_id"],
                        [u.row() + [u.student_id or ""] for u in users], **kw)
    return csv_text(USER_COLUMNS, [u.row() for u in users], **kw)


def passes_csv(passes: Iterable[Pass], **kw) -> str:
    return csv_text(PASS_COLUMNS, [p.row() for p in passes], **kw)


class School:
    """A school in a store, with shortcuts to import and report. db is the store's address as
    conftest's store factory gave it: a path (SQLite) or a postgresql:// URI (a str, never a
    Path, which would fold its "//")."""

    def __init__(self, hp: Hallpass, db: Path | str, name: str, timezone: str,
                 select: bool = False):
        self.hp = hp
        self.db = db if is_uri(db) else Path(db)
        self.name = name
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.select = select  # Pass --school on every command.
        self._files = 0

    @property
    def dir(self) -> Path:
        return self.hp.cwd

    def school_args(self):
        return ["--school", self.name] if self.select else []

    def write(self, text: str | bytes, name: str | None = None) -> str:
        """Writes a file in the working directory; returns its name relative to it."""
        if name is None:
            self._files += 1
            name = f"import-{self._files}.csv"
        path = self.dir / name
        if isinstance(text, str):
            text = text.encode("utf-8")
        path.write_bytes(text)
        return name

    def import_file(self, kind: str, name: str) -> Result:
        return self.hp.run("import", kind, "--db", self.db, *self.school_args(), name)

    def import_text(self, kind: str, text: str | bytes, name: str | None = None) -> Result:
        return self.import_file(kind, self.write(text, name))

    def load(self, rooms=(), users=(), passes=()):
        """Imports rooms, users and passes; each import must succeed."""
        if rooms:
            self.import_text("rooms", rooms_csv(rooms)).ok()
        if users:
            self.import_text("users", users_csv(users)).ok()
        if passes:
            self.import_text("passes", passes_csv(passes)).ok()

    def report(self, kind: str, *args, fmt: str | None = "json", env=None) -> Result:
        argv = ["report", kind, "--db", self.db, *self.school_args()]
        if fmt is not None:
            argv += ["--format", fmt]
        return self.hp.run(*argv, *args, env=env)

    def report_json(self, kind: str, *args) -> dict:
        r = self.report(kind, *args, fmt="json").ok()
        return json.loads(r.stdout, object_pairs_hook=ordered_object)

    def rows(self, kind: str, *args) -> list[dict]:
        return plain(self.report_json(kind, *args))["rows"]

    def column_rows(self, kind: str, *args) -> list[dict]:
        """The JSON rows cut to the report's own columns, those CSV and the table show."""
        keys = ROOM_KEYS if kind == "rooms" else STAFF_KEYS
        return [{k: r[k] for k in keys} for r in self.rows(kind, *args)]

    def state(self, *range_args) -> tuple:
        """Both reports as JSON bytes: a cheaper snapshot."""
        runs = _at_once({kind: functools.partial(self.report, kind, *range_args)
                         for kind in ("rooms", "staff")})
        return tuple(runs[kind].ok().stdout_bytes for kind in ("rooms", "staff"))

    def snapshot(self, *range_args) -> dict:
        """Every report in every format, for all-or-nothing checks. XLSX holds a creation
        time, so it is compared by its parts except docProps/core.xml. (The reports only read,
        so they run a few at a time.)"""
        runs = _at_once({(kind, fmt): functools.partial(self.report, kind, *range_args, fmt=fmt)
                         for kind in ("rooms", "staff") for fmt in FORMATS})
        snap = {}
        for (kind, fmt), r in runs.items():
            r.ok()
            snap[(kind, fmt)] = xlsx_parts(r.stdout_bytes) if fmt == "xlsx" else r.stdout_bytes
        return snap


def _at_once(calls: dict) -> dict:
    """Runs each call (key -> function of no arguments) in a thread of a small pool; gives
    key -> what it returned."""
    with ThreadPoolExecutor(4) as pool:
        futures = {key: pool.submit(call) for key, call in calls.items()}
    return {key: f.result() for key, f in futures.items()}


# --------------------------------------------------------------------------------------------
# JSON


class OrderedObject(list):
    """A JSON object kept as its (key, value) pairs, so that key order can be checked."""

    def keys(self):
        return [k for k, _ in self]

    def __getitem__(self, key):
        if isinstance(key, str):
            for k, v in self:
                if k == key:
                    return v
            raise KeyError(key)
        return list.__getitem__(self, key)


def ordered_object(pairs):
    return OrderedObject(pairs)


def plain(obj):
    """An OrderedObject tree as plain dicts and lists."""
    if isinstance(obj, OrderedObject):
        return {k: plain(v) for k, v in obj}
    if isinstance(obj, list):
        return [plain(x) for x in obj]
    return obj


# --------------------------------------------------------------------------------------------
# XLSX

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "{%s}" % NS_MAIN


def xlsx_parts(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in sorted(z.namelist()) if n != "docProps/core.xml"}


def ooxml_unescape(text: str) -> str:
    """Undoes the _xHHHH_ escapes OOXML uses for control characters."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def col_row(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    assert m, f"bad cell reference {ref!r}"
    col = 0
    for ch in m.group(1):
        col = col * 26 + (ord(ch) - 64)
    return col - 1, int(m.group(2)) - 1


@dataclass
class Cell:
    ref: str
    type: str | None     # The t attribute.
    raw: str | None      # Text of <v>.
    style: int           # The s attribute (0 when absent).
    formula: str | None  # Text of <f>, when there is one.
    value: object = None


@dataclass
class Workbook:
    sheet_names: list
    cells: dict            # (col, row) -> Cell, first sheet.
    sheet_xml: ET.Element
    bold_styles: set       # cellXfs indexes whose font is bold.
    shared: list

    def cell(self, ref: str) -> Cell | None:
        return self.cells.get(col_row(ref))

    def table(self) -> list[list]:
        if not self.cells:
            return []
        ncols = max(c for c, _ in self.cells) + 1
        nrows = max(r for _, r in self.cells) + 1
        out = [[None] * ncols for _ in range(nrows)]
        for (c, r), cell in self.cells.items():
            out[r][c] = cell.value
        return out


def read_xlsx(data: bytes) -> Workbook:
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = wb.find(M + "sheets")
    names = [s.get("name") for s in sheets]
    rid = sheets[0].get("{%s}id" % NS_REL)
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = None
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target")
    assert target, "the first sheet has no relationship"
    target = target.lstrip("/")
    sheet_path = target if target.startswith("xl/") else "xl/" + target

    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        for si in sst.findall(M + "si"):
            shared.append(ooxml_unescape("".join(t.text or "" for t in si.iter(M + "t"))))

    styles = ET.fromstring(z.read("xl/styles.xml"))
    fonts = styles.find(M + "fonts")
    bold_fonts = {i for i, f in enumerate(fonts) if f.find(M + "b") is not None and
                  f.find(M + "b").get("val", "1") not in ("0", "false")}
    xfs = styles.find(M + "cellXfs")
    bold_styles = {i for i, xf in enumerate(xfs) if int(xf.get("fontId", "0")) in bold_fonts}

    sheet = ET.fromstring(z.read(sheet_path))
    cells = {}
    for c in sheet.iter(M + "c"):
        v = c.find(M + "v")
        f = c.find(M + "f")
        cell = Cell(ref=c.get("r"), type=c.get("t"), raw=v.text if v is not None else None,
                    style=int(c.get("s", "0")), formula=f.text if f is not None else None)
        if cell.type == "s":
            cell.value = shared[int(cell.raw)]
        elif cell.type == "inlineStr":
            cell.value = ooxml_unescape("".join(t.text or "" for t in c.iter(M + "t")))
        elif cell.type in (None, "n") and cell.raw is not None:
            num = float(cell.raw)
            cell.value = int(num) if num.is_integer() else num
        else:
            cell.value = cell.raw
        cells[col_row(cell.ref)] = cell
    return Workbook(names, cells, sheet, bold_styles, shared)


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# --------------------------------------------------------------------------------------------
# CSV export, as the reports define it


def csv_cell(text: str) -> str:
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    if any(ch in text for ch in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def expected_csv(kind: str, rows: list[dict]) -> bytes:
    titles = ROOM_TITLES if kind == "rooms" else STAFF_TITLES
    keys = ROOM_KEYS if kind == "rooms" else STAFF_KEYS
    lines = [",".join(titles)]
    for row in rows:
        cells = []
        for k in keys:
            v = row[k]
            cells.append(str(v) if isinstance(v, int) else csv_cell(v))
        lines.append(",".join(cells))
    return b"\xef\xbb\xbf" + "".join(line + "\r\n" for line in lines).encode("utf-8")


# --------------------------------------------------------------------------------------------
# The reports, modelled independently of the code


def _is_digit(b: int) -> bool:
    return 48 <= b <= 57


def _runs(s: bytes):
    runs, i = [], 0
    while i < len(s):
        d = _is_digit(s[i])
        j = i
        while j < len(s) and _is_digit(s[j]) == d:
            j += 1
        runs.append((d, s[i:j]))
        i = j
    return runs


def _fold(s: bytes) -> bytes:
    return bytes(b + 32 if 65 <= b <= 90 else b for b in s)


def natcmp(a: str, b: str) -> int:
    """Natural order, as the reports sort text."""
    ab, bb = a.encode("utf-8"), b.encode("utf-8")
    ra, rb = _runs(ab), _runs(bb)
    for (da, xa), (db, xb) in zip(ra, rb):
        if da != db:
            return -1 if da else 1
        if da:
            va, vb = int(xa), int(xb)
            if va != vb:
                return -1 if va < vb else 1
        else:
            fa, fb = _fold(xa), _fold(xb)
            if fa != fb:
                return -1 if fa < fb else 1
    if len(ra) != len(rb):
        return -1 if len(ra) < len(rb) else 1
    return (ab > bb) - (ab < bb)


def natsorted(items: Iterable[str]) -> list[str]:
    return sorted(items, key=functools.cmp_to_key(natcmp))


def sort_rows(kind: str, rows: list[dict], sort: str | None = None,
              order: str | None = None) -> list[dict]:
    """rows carry "_created" (creation order). Returns them in report order."""
    sorts = ({**ROOM_SORTS, **ROOM_PREV_SORTS} if kind == "rooms"
             else {**STAFF_SORTS, **STAFF_PREV_SORTS})
    name_key = "room" if kind == "rooms" else "staff"
    field_, numeric = sorts[sort or ("room" if kind == "rooms" else "staff")]
    desc = order == "desc"

    def cmp(a, b):
        if numeric:
            c = (a[field_] > b[field_]) - (a[field_] < b[field_])
        else:
            c = natcmp(a[field_], b[field_])
        if c:
            return -c if desc else c
        c = natcmp(a[name_key], b[name_key])
        if c:
            return c
        return a["_created"] - b["_created"]

    return sorted(rows, key=functools.cmp_to_key(cmp))


def parse_instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))


def local_date(text: str, zone: ZoneInfo) -> dt.date:
    return parse_instant(text).astimezone(zone).date()


class Model:
    """The school's rooms, users and passes as the tests imported them, and the reports they must
    give."""

    def __init__(self, timezone: str):
        self.zone = ZoneInfo(timezone)
        self.rooms: list[Room] = []
        self.users: list[User] = []
        self.passes: list[Pass] = []

    def add(self, rooms=(), users=(), passes=()):
        self.rooms += list(rooms)
        self.users += list(users)
        self.passes += list(passes)

    def _counted(self, date_from: dt.date, date_to: dt.date):
        seen = set()
        for p in self.passes:
            if p.id in seen:
                continue
            seen.add(p.id)
            if afold(p.cancelled) == "true":
                continue
            if date_from <= local_date(p.start, self.zone) <= date_to:
                yield p

    def _room_counts(self, date_from, date_to):
        counts = {afold(r.name): [0, 0] for r in self.rooms}
        for p in self._counted(date_from, date_to):
            counts[afold(p.origin)][0] += 1
            counts[afold(p.destination)][1] += 1
        return counts

    def rooms_rows(self, date_from, date_to, sort=None, order=None, strip=True, compare=None):
        """Room Usage's JSON rows; compare (first, last day) adds the prev_ counts."""
        counts = self._room_counts(date_from, date_to)
        rows = {afold(r.name): {"room": r.name, "folder": r.folder,
                                 "passes_from": counts[afold(r.name)][0],
                                 "passes_to": counts[afold(r.name)][1], "_created": i}
                for i, r in enumerate(self.rooms)}
        if compare:
            prev = self._room_counts(*compare)
            for key, row in rows.items():
                row["prev_passes_from"], row["prev_passes_to"] = prev[key]
        by_folder: dict[str, list[dict]] = {}
        for row in rows.values():
            by_folder.setdefault(row["folder"], []).append(row)
        for folder, members in by_folder.items():
            m_from = folder_median([r["passes_from"] for r in members]) if folder else None
            m_to = folder_median([r["passes_to"] for r in members]) if folder else None
            for r in members:
                r["folder_median_from"], r["folder_median_to"] = m_from, m_to
                r["from_flag"] = folder_flag(r["passes_from"], m_from)
        out = sort_rows("rooms", list(rows.values()), sort, order)
        return [_strip(r) for r in out] if strip else out

    def _staff_counts(self, date_from, date_to):
        """email (folded) -> [now, scheduled, now_login, now_kiosk]."""
        counts = {afold(u.email): [0, 0, 0, 0] for u in self.users
                  if u.role in ("admin", "teacher")}
        for p in self._counted(date_from, date_to):
            c = counts.get(afold(p.creator))
            if c is None:
                continue
            if p.type == "now" and p.source in ("teacher", "kiosk_mode"):
                c[0] += 1
                c[2 if p.source == "teacher" else 3] += 1
            elif p.type == "scheduled" and p.source == "teacher":
                c[1] += 1
        return counts

    def staff_rows(self, date_from, date_to, sort=None, order=None, strip=True, compare=None):
        """Staff Usage's JSON rows; compare (first, last day) adds the prev_ counts."""
        counts = self._staff_counts(date_from, date_to)
        prev = self._staff_counts(*compare) if compare else None
        rows = {}
        for i, u in enumerate(self.users):
            if u.role not in ("admin", "teacher"):
                continue
            now, scheduled, login, kiosk = counts[afold(u.email)]
            row = {"staff": u.name, "email": u.email, "total": now + scheduled, "now": now,
                   "scheduled": scheduled, "now_login": login, "now_kiosk": kiosk,
                   "_created": i}
            if prev is not None:
                now, scheduled, login, kiosk = prev[afold(u.email)]
                row.update(prev_total=now + scheduled, prev_now=now, prev_scheduled=scheduled,
                           prev_now_login=login, prev_now_kiosk=kiosk)
            rows[afold(u.email)] = row
        out = sort_rows("staff", list(rows.values()), sort, order)
        return [_strip(r) for r in out] if strip else out

    def rows(self, kind, date_from, date_to, sort=None, order=None, compare=None):
        f = self.rooms_rows if kind == "rooms" else self.staff_rows
        return f(date_from, date_to, sort, order, compare=compare)


def folder_median(values: list[int]):
    """A folder's median count: None under three rooms, the mean of the middle two for an even
    number."""
    if len(values) < 3:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def folder_flag(passes_from: int, median):
    if median is None or median < 5:
        return None
    if passes_from > 2 * median:
        return "high"
    if passes_from < median / 2:
        return "low"
    return None


def afold(s: str) -> str:
    """Folds ASCII A-Z only, as the product compares names and emails."""
    return s.translate(_ASCII_FOLD)


_ASCII_FOLD = {c: c + 32 for c in range(65, 91)}


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def iso(d: dt.date) -> str:
    return d.isoformat()


def local_instant(zone: str | ZoneInfo, y, m, d, hh=12, mm=0, ss=0, fold=0) -> str:
    z = ZoneInfo(zone) if isinstance(zone, str) else zone
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=z, fold=fold).isoformat()


def today_in(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()
