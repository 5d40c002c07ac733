"""pytest fixtures for your own test suite; installed with the package (entry point `pytest11`).

- `job_emulator_url`: the base URL of an emulator for the whole test run: one started in-process on a free
  port (in a background thread), or the one given by `--job-emulator-url` / `JOB_EMULATOR_URL` (e.g. the
  Docker container). Under pytest-xdist each worker starts its own, or all share the external one.
- `job_emulator`: for each test a fresh session (own jobs, manual clock, seed, rules, journal) as an
  `EmulatorClient`: point your client at `job_emulator.url`, then `advance`, `advance_until`, `scenario`,
  `fault`, `journal`, `timeline`...
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator

import pytest

from .client import EmulatorClient


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("job-emulator")
    group.addoption("--job-emulator-url", default=os.environ.get("JOB_EMULATOR_URL"),
                    help="use a running emulator instead of starting one in-process [JOB_EMULATOR_URL]")
    group.addoption("--job-emulator-seed", type=int, default=int(os.environ.get("JOB_EMULATOR_SEED", "0")),
                    help="seed of each test's session (default 0)")


class _ServerThread:
    """An emulator on 127.0.0.1:<free port> in a daemon thread with its own event loop; `overrides` are
    settings on top of the manual clock (e.g. `{"profiles": {"bacalhau": "v1.4"}}`)."""

    def __init__(self, overrides: dict | None = None) -> None:
        from .app import create_app
        from .config import load
        from .providers import available

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        values = {"port": self.port, "clock": "manual", "log_level": "warning", **(overrides or {})}
        self.settings = load(values, env={}, available=available())
        self.app = create_app(self.settings)
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="job-emulator", daemon=True)
        self.thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("the in-process job emulator did not start")

    def _run(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.runner = runner
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="session")
def job_emulator_url(request: pytest.FixtureRequest) -> Iterator[str]:
    external = request.config.getoption("--job-emulator-url")
    if external:
        yield external.rstrip("/")
        return
    server = _ServerThread()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


@pytest.fixture
def job_emulator(job_emulator_url: str, request: pytest.FixtureRequest) -> Iterator[EmulatorClient]:
    """A fresh emulator session for one test: manual clock, the configured seed, nothing else in it."""
    seed = request.config.getoption("--job-emulator-seed")
    client = EmulatorClient(job_emulator_url).new_session(seed=seed, clock="manual")
    try:
        yield client
    finally:
        client.close()
