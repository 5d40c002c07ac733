"""Browser tests of the dashboard: one emulator (in a thread of this process, manual clock, every response
checked against its schema) and one headless Chromium per test process; each test gets its own emulator
session and a fresh page, and fails if that page logged a console error or the server broke a schema.

They need Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`) and the `playwright` package
from the test extra; the browser is never downloaded (no `playwright install`)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web

from emulator.app import create_app
from tests.conftest import make_settings
from tests.support import free_port

CHROMIUM = Path(os.environ.get("EMULATOR_TEST_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
WAIT_MS = 10_000  # how long a page condition may take to appear before the test fails (Playwright waits on it)

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package "
                               "(pip install -e '.[test]')")


class Server:
    """The emulator app served on a free port by an event loop in a background thread."""

    def __init__(self) -> None:
        self.app = create_app(make_settings())
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emulator", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(self.app, shutdown_timeout=2.0)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> Server:
        self._thread.start()
        if not self._ready.wait(30):
            raise AssertionError("the emulator did not start")
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)

    @property
    def violations(self) -> list[str]:
        return self.app["contract_violations"]


class Api:
    """Plain HTTP calls into one session of the server, as a client of the emulated APIs would make them."""

    def __init__(self, base: str, session: str) -> None:
        self.base = base
        self.session = session
        self.prefix = f"{base}/_session/{session}"

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.prefix + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def bacalhau_job(self, name: str) -> str:
        status, body = self.call("PUT", "/api/v1/orchestrator/jobs", {"Job": {
            "Name": name, "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}})
        assert status == 200, body
        return body["JobID"]


@pytest.fixture(scope="session")
def server():
    srv = Server().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def api(server, request) -> Api:
    """A fresh emulator session for this test (manual clock), dropped afterwards."""
    key = "ui-" + request.node.name.replace("[", "-").replace("]", "")[:50]
    client = Api(server.url, key)
    status, body = Api(server.url, "default").call("POST", "/_emulator/sessions", {"key": key, "clock": "manual"})
    assert status == 201, body
    yield client
    Api(server.url, "default").call("DELETE", f"/_emulator/sessions/{key}")


class Dashboard:
    """The page under test, opened on the test's session; `shot(name)` saves a screenshot in the test's tmp
    dir (look at them: they are what a user sees)."""

    def __init__(self, page, server: Server, api: Api, shots: Path) -> None:
        self.page = page
        self.server = server
        self.api = api
        self.shots = shots
        self.errors: list[str] = []
        self.allowed: list[tuple[int, str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.set_default_timeout(WAIT_MS)
        sync_api.expect.set_options(timeout=WAIT_MS)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        # Chromium logs every 4xx a script receives; a test that provokes one on purpose says so first
        for allowed in self.allowed:
            status, path = allowed
            if f"status of {status} " in msg.text and msg.location.get("url", "").endswith(path):
                self.allowed.remove(allowed)
                return
        self.errors.append(f"{msg.text} at {msg.location}")

    def allow_http_error(self, status: int, path: str) -> None:
        """The next response `status` from a URL ending in `path` is expected (its console line is not a bug)."""
        self.allowed.append((status, path))

    def open(self, fragment: str = "jobs") -> None:
        self.page.goto(f"{self.server.url}/_emulator/ui/?session={self.api.session}#/{fragment}")
        self.page.wait_for_selector(f"main[data-view='{fragment.split('/')[0]}']")

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def dash(browser, server, api, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    before = len(server.violations)
    board = Dashboard(page, server, api, tmp_path)
    yield board
    context.close()
    assert not board.errors, "the page logged console errors:\n" + "\n".join(board.errors)
    broken = server.violations[before:]
    assert not broken, "responses broke their schemas:\n" + "\n".join(broken)
