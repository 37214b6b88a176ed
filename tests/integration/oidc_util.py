"""The OpenID providers of the single sign-on tests and a browser that walks a sign-in.

`Providers` starts tests/integration/oidc_provider.mjs (the npm package oidc-provider, and a
small provider of the script's own for tokens oidc-provider never makes) on 127.0.0.1 with the
clients and accounts a test gives. `Browser` follows redirects by hand and keeps cookies per
host and port, as a browser does, so that a test sees each step: hallpass's redirect to the
provider, the provider's login page, and hallpass's callback.

Only the Python standard library is used (and pytest, to fail clearly).
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import select
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "integration" / "oidc_provider.mjs"
START_TIMEOUT = 30
HTTP_TIMEOUT = 30
REDIRECTS_MAX = 20  # A sign-in takes about six; more is a loop.
CALLBACK = "/auth/oidc/callback"
# hallpass takes an issuer on http://127.0.0.1 only when this is set (a test-only allowance).
LOOPBACK_ENV = "HALLPASS_OIDC_TEST_LOOPBACK"


class Providers:
    """The real and the fake provider, and the control port of the script."""

    def __init__(self, setup: dict, log: Path):
        self.setup = setup
        self.log_path = log
        self.proc: subprocess.Popen | None = None
        self.real = self.fake = self.control = ""

    def start(self) -> "Providers":
        if not (ROOT / "node_modules" / "oidc-provider").is_dir():
            pytest.fail("node_modules/oidc-provider is missing: run npm ci", pytrace=False)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(["node", str(SCRIPT), json.dumps(self.setup)], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=self._log)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith(b"{"):
                    ports = json.loads(line)
                    self.real, self.fake, self.control = (ports["real"], ports["fake"],
                                                          ports["control"])
                    return self
                if not line:
                    break
        self.stop()
        pytest.fail(f"the OpenID providers did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc:
            self.proc.stdout.close()
            self._log.close()
            self.proc = None

    def command(self, what: str, body: dict | None = None) -> dict:
        status, _, answer = request("POST", f"{self.control}/control/{what}",
                                    json.dumps(body or {}).encode(),
                                    {"Content-Type": "application/json"})
        assert status == 200, answer
        return json.loads(answer)


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """One HTTP request: (status, headers, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, res.headers, data


class Step:
    def __init__(self, url: str, status: int, headers, body: bytes):
        self.url, self.status, self.headers, self.body = url, status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        loc = self.headers.get("Location")
        return urljoin(self.url, loc) if loc else None

    @property
    def message(self) -> str:
        """The words of one of hallpass's sign-on pages (its <p id="oidc-message">)."""
        m = re.search(r'<p id="oidc-message">(.*?)</p>', self.text, re.S)
        assert m, f"not a sign-on page: {self}"
        return html.unescape(m.group(1))

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []

    def __repr__(self) -> str:
        return f"<{self.status} {self.url}: {self.text[:300]!r}>"


class Browser:
    """Cookies per host:port; redirects followed by hand."""

    def __init__(self):
        self.jar: dict[str, dict[str, str]] = {}

    def _take_cookies(self, url: str, step: Step) -> None:
        jar = self.jar.setdefault(urlsplit(url).netloc, {})
        for line in step.cookies():
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r"max-age=0\b", line, re.I) or value == "":
                jar.pop(name, None)
            else:
                jar[name] = value

    def cookie(self, url: str, name: str) -> str | None:
        return self.jar.get(urlsplit(url).netloc, {}).get(name)

    def go(self, method: str, url: str, form: dict | None = None) -> Step:
        jar = self.jar.get(urlsplit(url).netloc, {})
        headers = {}
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, res_headers, data = request(method, url, body, headers)
        step = Step(url, status, res_headers, data)
        self._take_cookies(url, step)
        return step

    def walk(self, url: str, login: str | None = None, stop_at_callback: bool = False) -> Step:
        """Follows redirects from url, signing in at the provider's login page as `login`
        (any password), up to hallpass's callback: its answer, or with stop_at_callback the
        redirect that would go there (its location is the callback's URL)."""
        method, form = "GET", None
        for _ in range(REDIRECTS_MAX):
            step = self.go(method, url, form)
            method, form = "GET", None
            nxt = step.location
            if step.status in (301, 302, 303, 307) and nxt:
                if stop_at_callback and urlsplit(nxt).path == CALLBACK:
                    return step
                url = nxt
                continue
            m = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', step.text)
            if step.status == 200 and m and 'name="login"' in step.text:
                assert login is not None, f"the provider asks for a login: {step}"
                url = urljoin(step.url, m.group(1).replace("&amp;", "&"))
                method, form = "POST", {"prompt": "login", "login": login,
                                        "password": "any password"}
                continue
            return step
        pytest.fail(f"more than {REDIRECTS_MAX} redirects from {url}")


def loopback_allowed() -> dict:
    """The environment in which hallpass takes an issuer on http://127.0.0.1."""
    return {**os.environ, LOOPBACK_ENV: "1"}
