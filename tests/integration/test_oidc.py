"""Single sign-on with OpenID Connect, end to end on both stores, against real providers on
loopback (oidc_util.Providers): the npm package oidc-provider for Lincoln High, and a small
provider of the test script's own for Roosevelt High, which serves the flawed tokens
oidc-provider never makes.

Covered: the sign-on settings (checks, the test-only http allowance, the secret file being the
command line's alone), the sign-in page's list of schools, a sign-in that works (the same
session cookie as a password sign-in), and each refusal: a forged signature, another
audience, an expired token, a replayed state, a state from another browser, a state older
than ten minutes, a wrong nonce, an unverified email, a disallowed domain, an unknown and a
deactivated user, and a key rotation at the provider; and the audit record of each.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from oidc_util import LOOPBACK_ENV, Browser, Providers
from server_util import (ADMIN, COOKIE, TEACHER, Client, basic_store, cli, hallpass_bin,
                         sign_in, user)

SCHOOL, OTHER_SCHOOL = "Lincoln High", "Roosevelt High"
RITA = user("Rita Roosevelt", "rita@roosevelt.test", "teacher", "rita-pass-1")
REAL_CLIENT = "hallpass-lincoln"
FAKE_CLIENT = "hallpass-roosevelt"
SECRET = "a-client-secret-of-the-tests-0123456789"
# The provider's accounts: login -> the claims it gives.
ACCOUNTS = {
    "teacher": {"email": TEACHER["email"], "email_verified": True},
    "admin": {"email": ADMIN["email"].upper(), "email_verified": True},  # Case is ignored.
    "unverified": {"email": TEACHER["email"], "email_verified": False},
    "outsider": {"email": "someone@elsewhere.test", "email_verified": True},
    "unknown": {"email": "nobody@lincoln.test", "email_verified": True},
}
# How long hallpass waits before it fetches a key set again for an unknown key ID.
JWKS_REFETCH_MIN = 5


@pytest.fixture(scope="module", autouse=True)
def loopback_issuers():
    """hallpass takes the providers' http://127.0.0.1 issuers only with this set."""
    mp = pytest.MonkeyPatch()
    mp.setenv(LOOPBACK_ENV, "1")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def store(module_stores, loopback_issuers):
    store = basic_store(module_stores, users=(ADMIN, TEACHER))
    cli("init", "--db", store.db, "--school", OTHER_SCHOOL, "--timezone", "America/New_York")
    store.users([RITA], school=OTHER_SCHOOL)
    return store


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("oidc-secret") / "client-secret"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def server(store, secret_file):
    srv = store.server("--oidc-secret-file", secret_file).start()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="module")
def providers(server, store, tmp_path_factory):
    callback = f"http://{server.host}:{server.port}/auth/oidc/callback"
    setup = {
        "clients": [{"client_id": REAL_CLIENT, "client_secret": SECRET,
                     "redirect_uris": [callback], "grant_types": ["authorization_code"],
                     "response_types": ["code"]}],
        "accounts": ACCOUNTS,
        "fake_client": {"client_id": FAKE_CLIENT, "client_secret": SECRET},
    }
    p = Providers(setup, tmp_path_factory.mktemp("oidc-providers") / "providers.log").start()
    settings(store, SCHOOL, f"oidc_issuer={p.real}", f"oidc_client_id={REAL_CLIENT}",
             "oidc_email_domains=lincoln.test, lincoln.example", "oidc_label=Sign in with Lincoln")
    settings(store, OTHER_SCHOOL, f"oidc_issuer={p.fake}", f"oidc_client_id={FAKE_CLIENT}",
             "oidc_email_domains=roosevelt.test")
    yield p
    p.stop()


@pytest.fixture
def fake(providers):
    """The fake provider, back to good RS256 tokens after each test."""
    yield providers
    providers.command("flaw", {"flaw": "good", "email": RITA["email"]})


def settings(store, school, *assignments):
    return cli("settings", "--db", store.db, "--school", school, *assignments).stdout.decode()


def school_id(server, name) -> int:
    schools = server.client().get("/auth/oidc/schools").json["schools"]
    return next(s["id"] for s in schools if s["name"] == name)


def base(server) -> str:
    return f"http://{server.host}:{server.port}"


def sign_on(server, school, login=None, browser=None):
    """Walks a whole sign-in; (the callback's answer, the browser)."""
    browser = browser or Browser()
    step = browser.walk(f"{base(server)}/auth/oidc/start?school={school_id(server, school)}",
                        login=login)
    return step, browser


def cli_env(env, *args) -> subprocess.CompletedProcess:
    """`hallpass ARGS` in the environment given (cli() always has the test allowance)."""
    return subprocess.run([hallpass_bin(), *map(str, args)], capture_output=True, env=env,
                          timeout=60)


def records(store, action: str) -> list[dict]:
    rows = store.sql("SELECT user_id, who, address, action, target, detail FROM audit_log "
                     "WHERE action = ? ORDER BY id", (action,))
    keys = ("user_id", "who", "address", "action", "target", "detail")
    out = [dict(zip(keys, r)) for r in rows]
    for r in out:
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    return out


def set_active(store, email: str, active: bool) -> None:
    value = (1 if active else 0) if store.kind == "sqlite" else ("true" if active else "false")
    store.sql(f"UPDATE users SET active = {value} WHERE email = ?", (email,))


def session_of(server, browser) -> Client:
    return server.client(browser.cookie(base(server), COOKIE))


# --------------------------------------------------------------------------------------------
# Settings


def test_the_settings_check_each_value(store):
    for bad, message in [
        ("oidc_issuer=http://accounts.example.com",
         'oidc_issuer: "http://accounts.example.com" is not an https URL'),
        ("oidc_issuer=https://accounts.example.com/?x=1", "is not an https URL"),
        ("oidc_issuer=https://user@accounts.example.com", "is not an https URL"),
        ("oidc_email_domains=lincoln.test,bad domain", '"bad domain" is not a domain'),
        ("oidc_email_domains=lincoln..test", '"lincoln..test" is not a domain'),
        ("oidc_client_id=two words", "printable ASCII without spaces"),
        ("oidc_client_secret_file=relative/secret", "is not an absolute path"),
        ("oidc_label=" + "x" * 65, "oidc_label: longer than 64 bytes"),
    ]:
        r = cli("settings", "--db", store.db, "--school", SCHOOL, bad, check=False)
        assert r.returncode == 1, bad
        assert message in r.stderr.decode(), (bad, r.stderr)
    r = cli("settings", "--db", store.db, "--school", SCHOOL,
            "oidc_issuer=https://accounts.example.com/tenant-1", "oidc_label=Sign in with Google")
    assert "oidc_issuer=https://accounts.example.com/tenant-1\n" in r.stdout.decode()
    settings(store, SCHOOL, "oidc_issuer=", "oidc_label=")


def test_http_on_loopback_is_only_for_tests(store):
    env = {k: v for k, v in os.environ.items() if k != LOOPBACK_ENV}
    r = cli_env(env, "settings", "--db", store.db, "--school", SCHOOL,
                "oidc_issuer=http://127.0.0.1:4000")
    assert r.returncode == 1
    assert "http://127.0.0.1 is allowed only for tests" in r.stderr.decode()
    # With the allowance, 127.0.0.1 only: not another http host.
    r = cli("settings", "--db", store.db, "--school", SCHOOL, "oidc_issuer=http://localhost:4000",
            check=False)
    assert r.returncode == 1 and "is not an https URL" in r.stderr.decode()


def test_the_api_shows_the_settings_but_never_sets_the_secret_file(server, providers):
    admin = sign_in(server, ADMIN)
    got = admin.get("/api/settings").json
    assert got["oidc_issuer"] == providers.real
    assert got["oidc_client_id"] == REAL_CLIENT
    assert got["oidc_client_secret_file"] is None
    r = admin.patch("/api/settings", {"oidc_client_secret_file": "/etc/shadow"})
    assert r.status == 403
    assert "oidc_client_secret_file" in r.error
    r = admin.patch("/api/settings", {"oidc_label": 5})
    assert r.status == 400 and r.error == "oidc_label: must be text, or null"
    r = admin.patch("/api/settings", {"oidc_label": "Sign in with Lincoln SSO"})
    assert r.status == 200 and r.json["oidc_label"] == "Sign in with Lincoln SSO"
    r = admin.patch("/api/settings", {"oidc_label": "Sign in with Lincoln"})
    assert r.status == 200


# --------------------------------------------------------------------------------------------
# The sign-in page's data and the start


def test_the_sign_in_page_learns_which_schools_have_sign_on(server, providers):
    r = server.client().get("/auth/oidc/schools")
    assert r.status == 200
    schools = r.json["schools"]
    assert [(s["name"], s["label"]) for s in schools] == [
        (SCHOOL, "Sign in with Lincoln"), (OTHER_SCHOOL, "Sign in with single sign-on")]
    assert schools[0]["start"] == f"/auth/oidc/start?school={schools[0]['id']}"


def test_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(server, providers):
    b = Browser()
    step = b.go("GET", f"{base(server)}/auth/oidc/start?school={school_id(server, SCHOOL)}")
    assert step.status == 302
    to = urlsplit(step.location)
    assert f"{to.scheme}://{to.netloc}" == providers.real
    q = {k: v[0] for k, v in parse_qs(to.query).items()}
    assert q["response_type"] == "code"
    assert q["client_id"] == REAL_CLIENT
    assert q["redirect_uri"] == f"{base(server)}/auth/oidc/callback"
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert "openid" in q["scope"].split() and "email" in q["scope"].split()
    assert len(q["state"]) >= 43 and len(q["nonce"]) >= 43
    cookie = next(c for c in step.cookies() if c.startswith("hallpass_oidc_state="))
    assert f"hallpass_oidc_state={q['state']};" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie


def test_start_refuses_a_school_without_sign_on_or_none(server, store, providers):
    c = server.client()
    r = c.get("/auth/oidc/start?school=999")
    assert r.status == 404 and "no such school" in r.body.decode()
    r = c.get("/auth/oidc/start?school=abc")
    assert r.status == 400 and "school:" in r.body.decode()
    roosevelt = school_id(server, OTHER_SCHOOL)
    settings(store, OTHER_SCHOOL, "oidc_email_domains=")
    try:
        assert OTHER_SCHOOL not in [s["name"] for s in
                                    c.get("/auth/oidc/schools").json["schools"]]
        r = c.get(f"/auth/oidc/start?school={roosevelt}")
        assert r.status == 400
        assert "Roosevelt High does not sign in with single sign-on" in r.body.decode()
    finally:
        settings(store, OTHER_SCHOOL, "oidc_email_domains=roosevelt.test")


# --------------------------------------------------------------------------------------------
# Signing in


def test_a_teacher_signs_in_through_the_provider(server, providers):
    step, browser = sign_on(server, SCHOOL, login="teacher")
    assert step.status == 200, step
    # The page goes on to the teacher's home page by itself.
    assert '<meta http-equiv="refresh" content="0; url=/passes">' in step.text
    cookie = next(c for c in step.cookies() if c.startswith(COOKIE + "="))
    # The same cookie as a password sign-in's.
    password = server.client()
    r = password.sign_in(TEACHER["email"], TEACHER["password"])
    same = next(v for k, v in r.headers.items() if k.lower() == "set-cookie")
    assert cookie.split(";", 1)[1] == same.split(";", 1)[1]
    me = session_of(server, browser).get("/api/session")
    assert me.status == 200
    assert me.json["user"]["email"] == TEACHER["email"]
    assert me.json["user"]["role"] == "teacher"


def test_a_sign_in_is_audited_with_its_method(server, store, providers):
    before = len(records(store, "sign_in"))
    step, _ = sign_on(server, SCHOOL, login="teacher")
    assert step.status == 200, step
    new = records(store, "sign_in")[before:]
    assert len(new) == 1
    rec = new[0]
    assert rec["who"] == rec["target"] == TEACHER["email"]
    assert rec["address"] == "127.0.0.1"
    assert rec["detail"] == {"method": "oidc"}
    assert int(rec["user_id"]) > 0


def test_a_refusal_is_audited_with_its_reason(server, store, providers):
    before = len(records(store, "sign_in_failed"))
    step, _ = sign_on(server, SCHOOL, login="outsider")
    assert step.status == 403
    new = records(store, "sign_in_failed")[before:]
    assert [(r["target"], r["detail"]) for r in new] == [
        ("someone@elsewhere.test", {"method": "oidc", "reason": "domain not allowed"})]
    assert new[0]["address"] == "127.0.0.1"


def test_an_admin_lands_on_their_own_home_page(server, providers):
    step, browser = sign_on(server, SCHOOL, login="admin")
    assert step.status == 200, step
    assert "url=/analytics" in step.text
    assert session_of(server, browser).get("/api/reports/rooms").status == 200


def test_a_replayed_state_is_refused(server, providers):
    browser = Browser()
    step = browser.walk(f"{base(server)}/auth/oidc/start?school={school_id(server, SCHOOL)}",
                        login="teacher", stop_at_callback=True)
    callback = step.location
    first = browser.go("GET", callback)
    assert first.status == 200
    # The same answer again, cookie and all: a state is good once.
    browser.jar[urlsplit(callback).netloc]["hallpass_oidc_state"] = parse_qs(
        urlsplit(callback).query)["state"][0]
    again = browser.go("GET", callback)
    assert again.status == 403
    assert "not known or was already used" in again.message
    assert COOKIE + "=" not in " ".join(again.cookies())


def test_a_state_from_another_browser_is_refused(server, providers):
    browser = Browser()
    step = browser.walk(f"{base(server)}/auth/oidc/start?school={school_id(server, SCHOOL)}",
                        login="teacher", stop_at_callback=True)
    # An attacker's finished sign-in, sent to a victim whose browser never started it.
    victim = Browser()
    r = victim.go("GET", step.location)
    assert r.status == 403
    assert "started in another browser" in r.message
    assert victim.cookie(base(server), COOKIE) is None


FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")


def test_a_state_older_than_ten_minutes_is_refused(store, fake, tmp_path, monkeypatch):
    """A server whose clock libfaketime moves eleven minutes on between the start of a
    sign-in and its callback."""
    if not FAKETIME.exists():
        pytest.fail("libfaketime is missing: run scripts/install-deps.sh", pytrace=False)
    offset = tmp_path / "faketime"
    offset.write_text("+0\n")
    monkeypatch.setenv("LD_PRELOAD", str(FAKETIME))
    monkeypatch.setenv("FAKETIME_TIMESTAMP_FILE", str(offset))
    monkeypatch.setenv("FAKETIME_NO_CACHE", "1")
    monkeypatch.setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1")  # Timeouts run on real time.
    # Under AddressSanitizer (make asan), its runtime would refuse a library preloaded first.
    asan = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", f"{asan}:verify_asan_link_order=0".lstrip(":"))
    srv = store.server(log_name="serve-faketime").start()
    monkeypatch.delenv("LD_PRELOAD")
    try:
        browser = Browser()
        start = browser.go("GET", f"{base(srv)}/auth/oidc/start?school="
                                  f"{school_id(srv, OTHER_SCHOOL)}")
        assert start.status == 302, start
        state = parse_qs(urlsplit(start.location).query)["state"][0]
        offset.write_text("+11m\n")
        r = browser.go("GET", f"{base(srv)}/auth/oidc/callback?code=any&state={state}")
        assert r.status == 403
        assert r.message == "the sign-in took more than 10 minutes; start again"
        assert browser.cookie(base(srv), COOKIE) is None
    finally:
        assert srv.stop() == 0, srv.log()


def test_an_unverified_email_is_refused(server, providers):
    step, browser = sign_on(server, SCHOOL, login="unverified")
    assert step.status == 403
    assert "has not verified the email address teacher@lincoln.test" in step.message
    assert browser.cookie(base(server), COOKIE) is None


def test_a_domain_the_school_does_not_allow_is_refused(server, providers):
    step, browser = sign_on(server, SCHOOL, login="outsider")
    assert step.status == 403
    assert ("someone@elsewhere.test may not sign in to Lincoln High: its domain is not one the "
            "school allows") in step.message
    assert browser.cookie(base(server), COOKIE) is None


def test_an_unknown_user_gets_a_page_and_no_account(server, store, providers):
    step, browser = sign_on(server, SCHOOL, login="unknown")
    assert step.status == 403
    assert step.message == ("nobody@lincoln.test has no hallpass account at Lincoln High; ask the "
                            "school's office")
    assert browser.cookie(base(server), COOKIE) is None
    users = cli("report", "staff", "--db", store.db, "--school", SCHOOL, "--format", "json")
    assert b"nobody@lincoln.test" not in users.stdout


def test_a_deactivated_user_gets_a_page_and_no_session(server, store, providers):
    set_active(store, TEACHER["email"], False)
    try:
        before = len(records(store, "sign_in_failed"))
        step, browser = sign_on(server, SCHOOL, login="teacher")
        assert step.status == 403
        assert step.message == "this account is deactivated; ask the school's office"
        assert browser.cookie(base(server), COOKIE) is None
        new = records(store, "sign_in_failed")[before:]
        assert [r["detail"]["reason"] for r in new] == ["deactivated"]
        assert new[0]["target"] == TEACHER["email"]
    finally:
        set_active(store, TEACHER["email"], True)
    step, _ = sign_on(server, SCHOOL, login="teacher")
    assert step.status == 200, step


def test_a_key_rotation_at_the_provider_is_followed(server, providers):
    step, _ = sign_on(server, SCHOOL, login="teacher")
    assert step.status == 200, step
    # Past the pause between two fetches of a key set, the provider signs with a new key.
    time.sleep(JWKS_REFETCH_MIN + 1)
    kids = providers.command("rotate")["kids"]
    assert len(kids) >= 2
    step, browser = sign_on(server, SCHOOL, login="teacher")
    assert step.status == 200, step
    assert session_of(server, browser).get("/api/session").status == 200


# --------------------------------------------------------------------------------------------
# Tokens that oidc-provider never makes, from the fake provider


def test_an_es256_token_is_taken(server, fake):
    fake.command("flaw", {"flaw": "es256", "email": RITA["email"]})
    step, browser = sign_on(server, OTHER_SCHOOL)
    assert step.status == 200, step
    me = session_of(server, browser).get("/api/session")
    assert me.json["user"]["email"] == RITA["email"]
    assert me.json["school"]["name"] == OTHER_SCHOOL


FLAWS = [
    ("forged", "the ID token's signature is not valid"),
    ("audience", "the ID token was issued for another client"),
    ("expired", "the ID token has expired"),
    ("nonce", "the ID token's nonce is not this sign-in's"),
    ("alg_none", "the ID token is signed with none, not RS256 or ES256"),
    ("hs256", "the ID token is signed with HS256, not RS256 or ES256"),
]


@pytest.mark.parametrize("flaw,message", FLAWS, ids=[f for f, _ in FLAWS])
def test_a_flawed_token_is_refused(server, fake, flaw, message):
    fake.command("flaw", {"flaw": "good", "email": RITA["email"]})
    good, _ = sign_on(server, OTHER_SCHOOL)
    assert good.status == 200, good  # The same flow works with a good token.
    fake.command("flaw", {"flaw": flaw})
    step, browser = sign_on(server, OTHER_SCHOOL)
    assert step.status == 403, step
    assert message in step.message
    assert browser.cookie(base(server), COOKIE) is None


def test_a_session_of_sign_on_ends_like_any_other(server, providers):
    step, browser = sign_on(server, SCHOOL, login="teacher")
    client = session_of(server, browser)
    assert client.delete("/api/session").status == 200
    assert client.get("/api/session").status == 401
