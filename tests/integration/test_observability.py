"""Watching a running server: GET /healthz, the Prometheus metrics on --metrics-listen, and the
access log (docs/operations.md, "Health and metrics" and "Logs").

- /healthz answers 200 {"status": "ok"} without a sign-in while the store answers, 503 with a
  JSON error while it does not (a SQLite file moved away; a PostgreSQL database that takes no
  connections), and 200 again once it is back.
- The metrics text parses under a strict reader of the exposition format written here (HELP
  and TYPE lines, names, labels, histogram buckets cumulative and ending in +Inf equal to the
  count), and its counters moved by exactly what the test did.
- The log has exactly one line per request, with every field, and none of the secrets the
  test used: a password, the session cookie, a share link's token, a sign-on's code and state.
"""

from __future__ import annotations

import math
import os
import re
import time

import pytest

import store_util
from server_util import ADMIN, TEACHER, basic_store, ok, sign_in, students

KIDS = students("obs", 4)
ROOMS = {"origin": "Room 101", "destination": "Library"}
METRICS_LINE = re.compile(r"hallpass serve: metrics on http://([0-9.]+):(\d+)/metrics")
LOG_LINE = re.compile(r"time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z id=(?P<id>[0-9a-f]{16}) "
                      r"method=(?P<method>[A-Z]+) route=(?P<route>\S+) status=(?P<status>\d{3}) "
                      r"ms=\d+\.\d school=(?P<school>\d+|-) client=\S+( closed=early)?")


def _server(stores, *extra):
    store = basic_store(stores, users=(ADMIN, TEACHER), extra_students=KIDS)
    return store, store.server("--threads", "1", *extra).start()


# --------------------------------------------------------------------------------------------
# A strict reader of Prometheus's text exposition format (version 0.0.4)

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\n]|\\[\\\"n])*)\""
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)?\}})? (\S+)$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def _value(text: str) -> float:
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    assert re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text), f"bad value {text!r}"
    return float(text)


def _family_of(name: str, types: dict) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return name


def parse_metrics(text: str) -> dict:
    """{(sample name, frozenset of (label, value)): value}, after checking the format."""
    assert text.endswith("\n"), "the exposition must end with a newline"
    types, helps, samples, order = {}, {}, {}, []
    for line in text.splitlines():
        assert line, "no empty lines"
        if line.startswith("#"):
            m = re.fullmatch(rf"# (HELP|TYPE) ({NAME}) (.+)", line)
            assert m, f"bad comment line {line!r}"
            kind, name, rest = m.groups()
            table = helps if kind == "HELP" else types
            assert name not in table, f"second {kind} for {name}"
            if kind == "TYPE":
                assert rest in TYPES, line
                assert not any(_family_of(n, {name: rest}) == name for n, _ in samples), \
                    f"TYPE of {name} after its samples"
            table[name] = rest
            continue
        m = SAMPLE.match(line)
        assert m, f"bad sample line {line!r}"
        name = m.group(1)
        labels = re.findall(LABEL, line[len(name):line.rfind(" ")])
        key = (name, frozenset(labels))
        assert len(dict(labels)) == len(labels), f"a label twice: {line!r}"
        assert key not in samples, f"sample twice: {line!r}"
        family = _family_of(name, types)
        assert family in types, f"{name} has no TYPE line before it"
        assert not order or order[-1] == family or family not in order, \
            f"samples of {family} are not together"
        if not order or order[-1] != family:
            order.append(family)
        if types[family] == "counter":
            assert family.endswith("_total"), family
        samples[key] = _value(m.group(m.lastindex))
    for family, kind in types.items():
        assert family in helps, f"{family} has no HELP"
        if kind == "histogram":
            _check_histogram(family, samples)
    return samples


def _check_histogram(family: str, samples: dict) -> None:
    series = {}
    for (name, labels), value in samples.items():
        if name == f"{family}_bucket":
            d = dict(labels)
            le = d.pop("le")
            series.setdefault(frozenset(d.items()), []).append((_value(le), value))
    for labels, buckets in series.items():
        values = [v for _, v in buckets]  # In the order written.
        bounds = [b for b, _ in buckets]
        assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), bounds
        assert bounds[-1] == math.inf, f"{family}{dict(labels)} does not end with +Inf"
        assert values == sorted(values), f"{family}{dict(labels)} buckets not cumulative"
        assert samples[(f"{family}_count", labels)] == values[-1]
        assert (f"{family}_sum", labels) in samples


def scrape(host: str, port: int) -> dict:
    import http.client
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        r = conn.getresponse()
        body = r.read().decode()
        assert r.status == 200, body
        assert r.getheader("Content-Type").startswith("text/plain; version=0.0.4"), r.getheader(
            "Content-Type")
        return parse_metrics(body)
    finally:
        conn.close()


def metrics_address(srv) -> tuple[str, int]:
    m = METRICS_LINE.search(srv.log_path.read_text(errors="replace"))
    assert m, srv.log()
    return m.group(1), int(m.group(2))


def _get(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --------------------------------------------------------------------------------------------
# Health


def _store_gone(store, pg_server):
    if store.kind == "sqlite":
        os.rename(store.db, f"{store.db}.away")
        return
    name = store.db.rsplit("/", 1)[1].split("?", 1)[0]
    store_util.psql(pg_server.admin_uri, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    store_util.psql(pg_server.admin_uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                         f" WHERE datname = '{name}'")


def _store_back(store, pg_server):
    if store.kind == "sqlite":
        os.rename(f"{store.db}.away", store.db)
        return
    name = store.db.rsplit("/", 1)[1].split("?", 1)[0]
    store_util.psql(pg_server.admin_uri, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_healthz_follows_the_store(request, stores, store_kind):
    pg_server = request.getfixturevalue("pg_server") if store_kind == "postgresql" else None
    store, srv = _server(stores, "--metrics-listen", "127.0.0.1:0")
    try:
        host, port = metrics_address(srv)
        anyone = srv.client()
        r = anyone.get("/healthz")
        assert r.status == 200, r
        assert r.json == {"status": "ok"}
        assert r.header("Cache-Control") == "no-store"
        assert re.fullmatch(r"[0-9a-f]{16}", r.header("X-Request-Id") or ""), r.headers
        errors = _get(scrape(host, port), "hallpass_store_errors_total")
        _store_gone(store, pg_server)
        try:
            r = anyone.get("/healthz")
            assert r.status == 503, r
            assert r.error == "the store is not answering; try again"
            # The failure is counted, and its reason logged.
            assert _get(scrape(host, port), "hallpass_store_errors_total") > errors
            assert "GET /healthz failed: " in srv.log(), srv.log()
        finally:
            _store_back(store, pg_server)
        r = anyone.get("/healthz")
        assert r.status == 200, r
        # Only GET; another method is told which is allowed.
        r = anyone.post("/healthz", {})
        assert r.status == 405 and r.header("Allow") == "GET", r
    finally:
        assert srv.stop() == 0, srv.log()


# --------------------------------------------------------------------------------------------
# Metrics


def test_metrics_parse_and_count_what_was_done(stores):
    store, srv = _server(stores, "--metrics-listen", "127.0.0.1:0")
    try:
        host, port = metrics_address(srv)
        admin, teacher = sign_in(srv, ADMIN), sign_in(srv, TEACHER)
        library = next(r for r in admin.rooms() if r["name"] == ROOMS["destination"])
        before = scrape(host, port)
        for _ in range(3):
            ok(admin.get("/api/rooms"))
        for _ in range(2):
            assert teacher.post("/api/passes/987654/end").status == 404
        for kid in KIDS[:2]:
            ok(teacher.create_pass(student=kid["email"], **ROOMS), 201)
        ok(admin.patch(f"/api/rooms/{library['id']}", {"max_passes_to": 2}))
        r = teacher.create_pass(student=KIDS[2]["email"], **ROOMS)
        assert r.status == 409 and r.json["rule"] == "max_to", r
        r = teacher.create_pass(student=KIDS[2]["email"], override=True, **ROOMS)
        assert ok(r, 201)["overrides"] == ["max_to"], r
        after = scrape(host, port)
    finally:
        assert srv.stop() == 0, srv.log()

    def moved(name, **labels):
        return _get(after, name, **labels) - _get(before, name, **labels)

    req = "hallpass_http_requests_total"
    assert moved(req, route="/api/rooms", method="GET", status="200") == 3
    assert moved(req, route="/api/passes/:id/end", method="POST", status="404") == 2
    assert moved(req, route="/api/passes", method="POST", status="201") == 3
    assert moved(req, route="/api/passes", method="POST", status="409") == 1
    assert moved("hallpass_http_request_duration_seconds_count", route="/api/rooms") == 3
    # Routes are patterns: no id a client sent becomes a label.
    routes = {dict(labels).get("route") for (_, labels) in after} - {None}
    assert not any(re.search(r"\d", r) for r in routes), routes
    assert moved("hallpass_passes_created_total") == 3
    assert moved("hallpass_passes_refused_total", rule="max_to") == 1
    assert moved("hallpass_passes_refused_total", rule="hallway_cap") == 0
    assert moved("hallpass_passes_overridden_total") == 1
    assert _get(after, "hallpass_passes_active", school="1") == 3
    assert _get(after, "hallpass_line_length", school="1") == 0
    assert moved("hallpass_store_errors_total") == 0


def test_no_metrics_address_without_the_option(stores):
    _, srv = _server(stores)
    try:
        assert not METRICS_LINE.search(srv.log_path.read_text(errors="replace"))
    finally:
        assert srv.stop() == 0, srv.log()


def test_a_bad_metrics_address_is_refused(stores, run):
    store = basic_store(stores, users=())
    r = run("serve", "--db", store.db, "--metrics-listen", "nowhere")
    assert r.code != 0
    assert '--metrics-listen: "nowhere" is not ADDR:PORT' in r.stderr, r


# --------------------------------------------------------------------------------------------
# The log


def test_one_log_line_per_request_and_no_secret(stores):
    store, srv = _server(stores)
    made = []  # (request id, method, route, status, school)

    def note(r, method, route, school="-"):
        made.append((r.header("X-Request-Id"), method, route, str(r.status), school))
        return r

    try:
        anyone = srv.client()
        wrong = "not-the-password-77"
        note(anyone.sign_in(ADMIN["email"], wrong), "POST", "/api/session")
        admin = srv.client()
        # A sign-in that succeeds names the school it signed in to.
        note(admin.sign_in(ADMIN["email"], ADMIN["password"]), "POST", "/api/session", "1")
        cookie = admin.token
        assert cookie
        note(admin.get("/api/session"), "GET", "/api/session", "1")
        r = note(admin.post("/api/shares", {"report": "rooms", "from": "2026-11-02",
                                            "to": "2026-11-06", "expires_in_days": 7}),
                 "POST", "/api/shares", "1")
        token = r.json["link"].rsplit("/", 1)[1]
        note(anyone.get(f"/shared/{token}"), "GET", "/shared/:token")
        note(anyone.get(f"/api/shared/{token}?format=csv"), "GET", "/api/shared/:token")
        note(anyone.get("/auth/oidc/callback?code=SECRETCODE42&state=SECRETSTATE42"), "GET",
             "/auth/oidc/:step")
        note(anyone.get(f"/api/passes/123?token={token}"), "GET", "(unmatched)")
        note(anyone.get("/healthz"), "GET", "/healthz")
    finally:
        assert srv.stop() == 0, srv.log()
    log = srv.log_path.read_text(errors="replace")
    for secret in (ADMIN["password"], wrong, cookie, token, "SECRETCODE42", "SECRETSTATE42"):
        assert secret not in log, secret
    lines = [m for m in map(LOG_LINE.fullmatch, log.splitlines()) if m]
    assert len(lines) == len(made), log[-3000:]
    by_id = {}
    for m in lines:
        by_id.setdefault(m["id"], []).append(m)
    for rid, method, route, status, school in made:
        assert len(by_id.get(rid, [])) == 1, (rid, route, log[-3000:])
        m = by_id[rid][0]
        assert (m["method"], m["route"], m["status"], m["school"]) == \
            (method, route, status, school), m.group(0)
