"""The PostgreSQL backend, the HTTP server, the XLSX writer and the .zip reader are shared
modules beside the binary (hallpass-postgres.so, hallpass-http.so, hallpass-xlsx.so,
hallpass-zip.so), loaded only by what uses them: a command on a SQLite store runs without any
of them, an XLSX report and a .zip roster import work through theirs, and a missing module is
named in a clear error.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from server_util import _LISTENING, Client, _env, hallpass_bin

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def lone_binary(tmp_path) -> Path:
    """A copy of the binary in a folder of its own, without the modules."""
    folder = tmp_path / "bin"
    folder.mkdir()
    return Path(shutil.copy(hallpass_bin(), folder / "hallpass"))


def run(binary, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, timeout=60,
                          env=_env(), cwd=binary.parent)


MODULES = ("hallpass-postgres.so", "hallpass-http.so", "hallpass-xlsx.so", "hallpass-zip.so")

ADMIN_EMAIL = "admin@lincoln.test"
ADMIN_PASSWORD = "admin-pass-1"

ROOMS = "name,folder,max_passes_from,max_passes_to\nRoom 101,Art Wing,,\n"


def one_teacher_roster() -> bytes:
    """A OneRoster 1.1 export of one school and one teacher, as a .zip."""
    files = {
        "orgs.csv": "sourcedId,status,name,type\r\n12,active,Lincoln High,school\r\n",
        "users.csv": ("sourcedId,status,enabledUser,orgSourcedIds,role,givenName,familyName,"
                      "identifier,email\r\n"
                      "u1,active,true,12,teacher,Tina,Teach,,tina@lincoln.test\r\n"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr("export/" + name, text)
    return out.getvalue()


def school_in(binary, folder: Path) -> Path:
    """A SQLite store in folder with one room, made by binary."""
    db = folder / "school.db"
    r = run(binary, "init", "--db", db, "--school", "Lincoln High",
            "--timezone", "America/Chicago")
    assert r.returncode == 0, r.stderr
    (folder / "rooms.csv").write_text(ROOMS)
    r = run(binary, "import", "rooms", "--db", db, folder / "rooms.csv")
    assert r.returncode == 0, r.stderr
    return db


def test_the_binary_links_neither_libpq_nor_the_http_xlsx_and_zip_libraries():
    out = subprocess.run(["ldd", hallpass_bin()], capture_output=True, check=True).stdout
    for lib in (b"libpq", b"libmicrohttpd", b"libcurl", b"libgnutls", b"libcjose",
                b"libxlsxwriter", b"libminizip", b"libzip", b"libcrypto"):
        assert lib not in out, out.decode()
    for module in MODULES:
        assert (Path(hallpass_bin()).parent / module).exists()


def test_an_xlsx_report_and_a_zip_roster_work_through_their_modules(tmp_path):
    binary = Path(hallpass_bin())
    db = school_in(binary, tmp_path)
    r = run(binary, "report", "rooms", "--db", db, "--format", "xlsx",
            "--output", tmp_path / "rooms.xlsx")
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(tmp_path / "rooms.xlsx") as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        assert "<t>Room 101</t>" in strings and "<t>Art Wing</t>" in strings, strings
        assert 'name="Room Usage"' in book.read("xl/workbook.xml").decode()

    (tmp_path / "roster.zip").write_bytes(one_teacher_roster())
    r = run(binary, "import", "oneroster", "--db", db, tmp_path / "roster.zip")
    assert r.returncode == 0, r.stderr
    assert "added: teacher Tina Teach <tina@lincoln.test>" in r.stdout.decode()
    assert "roster.zip: 1 added, 0 updated" in r.stdout.decode()


def test_a_sqlite_store_needs_no_module(lone_binary):
    db = school_in(lone_binary, lone_binary.parent)
    r = run(lone_binary, "report", "rooms", "--db", db, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "Room 101,Art Wing" in r.stdout.decode()
    # A roster in a folder needs no .zip reader.
    export = lone_binary.parent / "export"
    export.mkdir()
    with zipfile.ZipFile(io.BytesIO(one_teacher_roster())) as z:
        for name in ("orgs.csv", "users.csv"):
            (export / name).write_bytes(z.read("export/" + name))
    r = run(lone_binary, "import", "oneroster", "--db", db, export)
    assert r.returncode == 0, r.stderr
    assert "1 added" in r.stdout.decode()


def test_a_missing_module_is_named(lone_binary):
    folder = lone_binary.parent
    r = run(lone_binary, "report", "rooms", "--db", "postgresql://hallpass@127.0.0.1:1/none")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("hallpass report: a PostgreSQL store needs hallpass-postgres.so, "
                          f"which is not installed (looked in {folder} and "), err

    db = folder / "school.db"
    run(lone_binary, "init", "--db", db, "--school", "Lincoln High",
        "--timezone", "America/Chicago")
    r = run(lone_binary, "serve", "--db", db, "--listen", "127.0.0.1:0")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("hallpass serve: the HTTP server needs hallpass-http.so, which is "
                          f"not installed (looked in {folder} and "), err

    r = run(lone_binary, "report", "rooms", "--db", db, "--format", "xlsx",
            "--output", folder / "rooms.xlsx")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("hallpass report: an XLSX workbook needs hallpass-xlsx.so, which is "
                          f"not installed (looked in {folder} and "), err
    assert not (folder / "rooms.xlsx").exists()

    (folder / "roster.zip").write_bytes(one_teacher_roster())
    r = run(lone_binary, "import", "oneroster", "--db", db, folder / "roster.zip")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("hallpass import: a .zip roster needs hallpass-zip.so, which is "
                          f"not installed (looked in {folder} and "), err
    assert "nothing was imported" in err


def test_the_server_finds_the_xlsx_and_zip_modules_beside_the_binary(lone_binary):
    """The HTTP module reaches the XLSX writer and the .zip reader through the binary's own
    lookups: with them missing a workbook and an upload fail (the log names the module), and
    once they are beside the binary the same server, not restarted, answers both."""
    folder = lone_binary.parent
    build = Path(hallpass_bin()).parent
    shutil.copy(build / "hallpass-http.so", folder)
    db = school_in(lone_binary, folder)
    (folder / "users.csv").write_text("name,email,role,room,password,student_id\n"
                                      f"Ann Admin,{ADMIN_EMAIL},admin,,{ADMIN_PASSWORD},\n")
    r = run(lone_binary, "import", "users", "--db", db, folder / "users.csv")
    assert r.returncode == 0, r.stderr
    log_path = folder / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(lone_binary), "serve", "--db", str(db),
                                 "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                stderr=log, env=_env(), cwd=folder)
    try:
        m = _LISTENING.search(proc.stdout.readline().decode())
        assert m, log_path.read_text()
        admin = Client(m.group(1), int(m.group(2)))
        assert admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).status == 200

        def workbook():
            return admin.get("/api/reports/rooms?format=xlsx")

        def roster():
            return admin.request("POST", "/api/users/import?dry_run=true",
                                 body=one_teacher_roster(), content_type="application/zip")

        r = workbook()
        assert r.status == 500 and r.error == "the server failed; try again", r
        r = roster()
        assert r.status == 500 and r.error == "the server failed; try again", r
        log = log_path.read_text()
        assert "an XLSX workbook needs hallpass-xlsx.so, which is not installed" in log, log
        assert "a .zip roster needs hallpass-zip.so, which is not installed" in log, log

        shutil.copy(build / "hallpass-xlsx.so", folder)
        shutil.copy(build / "hallpass-zip.so", folder)
        r = workbook()
        assert r.status == 200, r
        with zipfile.ZipFile(io.BytesIO(r.body)) as book:
            assert "<t>Room 101</t>" in book.read("xl/sharedStrings.xml").decode()
        r = roster()
        assert r.status == 200, r
        assert r.json["added"] == [{"email": "tina@lincoln.test", "name": "Tina Teach",
                                    "role": "teacher"}]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
