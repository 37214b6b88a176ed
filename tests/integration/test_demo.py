"""hallpass demo: a demo school with a semester of passes, then serve.

`hallpass demo --db X` builds the school, prints how to sign in and serves until SIGTERM,
then exits 0; `--no-serve` prints both reports instead of serving.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from hallpass_kit import Hallpass
from store_util import is_uri, school_names

LOGINS = ("principal@maplegrove.example", "teacher@maplegrove.example",
          "student@maplegrove.example", "library-kiosk@maplegrove.example")
START_TIMEOUT = 30


def serve_demo(hp: Hallpass, db, timeout=START_TIMEOUT):
    """Runs `hallpass demo --db DB` until it serves, stops it with SIGTERM, and gives
    (exit code, stdout, stderr, whether it was serving)."""
    proc = subprocess.Popen([hp.binary, "demo", "--db", str(db), "--listen", "127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=str(hp.cwd), env=hp.env())
    out, err = [], []
    serving = threading.Event()

    def pump(stream, sink, watch):
        for line in iter(stream.readline, b""):
            sink.append(line)
            if watch and b"http://127.0.0.1:" in line:
                serving.set()
        stream.close()

    threads = [threading.Thread(target=pump, args=(proc.stdout, out, True), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, err, True), daemon=True)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + timeout
        while not serving.is_set() and proc.poll() is None and time.monotonic() < deadline:
            serving.wait(0.05)
        was_serving = serving.is_set() and proc.poll() is None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for t in threads:
        t.join(5)
    return code, b"".join(out).decode(), b"".join(err).decode(), was_serving


DEMO_SCHOOL = "Maple Grove High School"


@pytest.fixture(scope="module")
def demo(hallpass_bin, module_stores):
    hp = Hallpass(hallpass_bin, module_stores.dir)
    db = module_stores.new("demo")
    first = serve_demo(hp, db)
    rooms = hp.run("report", "rooms", "--db", db, "--format", "json")
    staff = hp.run("report", "staff", "--db", db, "--format", "json")
    return hp, db, first, rooms, staff


def test_demo_creates_a_school_prints_the_sign_ins_and_exits_0(demo):
    hp, db, (code, out, err, serving), rooms, staff = demo
    assert serving, f"the demo never served: stdout={out!r} stderr={err!r}"
    assert code == 0, err
    if not is_uri(db):
        assert db.is_file()
    assert school_names(db) == [DEMO_SCHOOL]
    assert "Sign in" in out
    for email in LOGINS:
        assert email in out
    for role in ("admin", "teacher", "student", "kiosk"):
        assert role in out


def test_demo_rooms_have_folders_and_passes(demo):
    hp, db, first, rooms, staff = demo
    assert rooms.code == 0, rooms.stderr
    doc = json.loads(rooms.stdout)
    assert doc["report"] == "rooms"
    rows = doc["rows"]
    assert len(rows) >= 20
    folders = {r["folder"] for r in rows if r["folder"]}
    assert len(folders) >= 3
    assert sum(r["passes_from"] for r in rows) > 0
    assert sum(r["passes_from"] for r in rows) == sum(r["passes_to"] for r in rows)
    assert sum(1 for r in rows if r["passes_from"] or r["passes_to"]) >= 10


def test_demo_staff_have_passes(demo):
    hp, db, first, rooms, staff = demo
    assert staff.code == 0, staff.stderr
    rows = json.loads(staff.stdout)["rows"]
    assert len(rows) >= 10
    assert all(r["total"] == r["now"] + r["scheduled"] for r in rows)
    assert sum(r["now"] for r in rows) > 0
    assert sum(r["scheduled"] for r in rows) > 0
    emails = {r["email"] for r in rows}
    assert LOGINS[0] in emails and LOGINS[1] in emails
    assert LOGINS[2] not in emails and LOGINS[3] not in emails


def test_a_second_demo_reuses_the_school(demo):
    hp, db, first, rooms, staff = demo
    code, out, err, serving = serve_demo(hp, db)
    assert serving and code == 0, err
    assert "Sign in" in out
    assert hp.run("report", "rooms", "--db", db, "--format", "json").ok().stdout == rooms.stdout
    assert hp.run("report", "staff", "--db", db, "--format", "json").ok().stdout == staff.stdout
    # And without serving, once more; still one school, so no --school is needed.
    again = hp.run("demo", "--db", db, "--no-serve")
    assert again.code == 0, again.stderr
    assert hp.run("report", "rooms", "--db", db, "--format", "json").ok().stdout == rooms.stdout


def test_demo_without_serving_prints_the_reports(demo):
    hp, db, first, rooms, staff = demo
    r = hp.run("demo", "--db", db, "--no-serve")
    assert r.code == 0, r.stderr
    for email in LOGINS:
        assert email in r.stdout
    for kind in ("rooms", "staff"):
        table = hp.run("report", kind, "--db", db).ok().stdout
        assert table in r.stdout, kind


def test_demo_uses_hallpass_db(hallpass_bin, tmp_path, stores):
    hp = Hallpass(hallpass_bin, tmp_path)
    db = stores.new("env-demo")
    r = hp.run("demo", "--no-serve", env={"HALLPASS_DB": str(db)})
    assert r.code == 0, r.stderr
    if stores.sqlite:
        assert db.is_file()
    assert school_names(db) == [DEMO_SCHOOL]
    # Not the default store in the working directory.
    assert not (tmp_path / "hallpass-demo.db").exists()


def test_demo_goes_beside_another_school_and_finds_itself_again(hallpass_bin, tmp_path, stores):
    hp = Hallpass(hallpass_bin, tmp_path)
    db = stores.new("shared")
    hp.run("init", "--db", db, "--school", "Other High", "--timezone", "UTC").ok()
    first = hp.run("demo", "--db", db, "--no-serve")
    assert first.code == 0, first.stderr
    assert "Created " + DEMO_SCHOOL in first.stdout
    assert sorted(school_names(db)) == sorted(["Other High", DEMO_SCHOOL])
    # The demo school is found by its name among others, not created twice.
    second = hp.run("demo", "--db", db, "--no-serve")
    assert second.code == 0, second.stderr
    assert "Using the demo school already in" in second.stdout
    assert sorted(school_names(db)) == sorted(["Other High", DEMO_SCHOOL])
    # The other school is untouched: no rooms, no users.
    other = hp.run("report", "rooms", "--db", db, "--school", "other high", "--format", "json")
    assert json.loads(other.ok().stdout)["rows"] == []


def test_demo_teachers_start_from_their_classroom_and_students_have_ids(demo):
    """The demo's teacher signs in with a home room (the Passes page's default origin), and a
    student is found by the school's own ID, as a kiosk takes it."""
    hp, db, first, rooms, staff = demo
    from server_util import Server

    with Server(db, log=Path(hp.cwd) / "demo-serve.log").start() as server:
        teacher = server.sign_in(LOGINS[1], "hallpass-demo")
        me = teacher.get("/api/session").json["user"]
        assert me["role"] == "teacher"
        assert me["room"] == "Room 101"
        found = teacher.get("/api/students?q=S0001").json
        ids = [s["student_id"] for s in found["students"]]
        assert ids == ["S0001"]
