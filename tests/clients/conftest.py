"""Harness for the real client libraries (the `clients` extra): each test gets a fresh session (manual clock,
seed 7) on an in-process emulator started once per settings (profiles, options) and shared by the tests that
ask for the same ones. Contract checking is on: a test fails if any response it caused broke its schema.

The clients are synchronous (requests, urllib3, httpx) or run their own event loop, so the emulator runs in a
background thread, as the pytest plugin's own fixture does, and the tests are plain functions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from emulator import plugin_coverage
from emulator.client import EmulatorClient
from emulator.pytest_plugin import _ServerThread


class ClientEmulator(EmulatorClient):
    """A session on a shared in-process emulator, plus what the drivers need: the server's root URL and
    its contract violations since the session began."""

    server: _ServerThread

    @property
    def violations(self) -> list[str]:
        return self.server.app["contract_violations"][self._seen:]


@pytest.fixture(scope="session")
def client_servers() -> Iterator[Callable[..., _ServerThread]]:
    """`get(profiles=..., options=...)`: the in-process emulator for those settings (started on first use)."""
    servers: dict[str, _ServerThread] = {}

    def get(**overrides) -> _ServerThread:
        key = json.dumps(overrides, sort_keys=True)
        if key not in servers:
            servers[key] = _ServerThread({"check_responses": True, "seed": 7, **overrides})
        return servers[key]

    yield get
    for server in servers.values():
        server.stop()


@pytest.fixture
def emulator_for(client_servers, request) -> Iterator[Callable[..., ClientEmulator]]:
    """`emu = emulator_for(profiles={"bacalhau": "v1.4"})`: a fresh session; its responses must keep their
    schemas (checked at teardown). Under `--job-emulator-coverage` it counts towards the run's coverage."""
    made: list[ClientEmulator] = []

    def make(**overrides) -> ClientEmulator:
        server = client_servers(**overrides)
        base = f"http://127.0.0.1:{server.port}"
        session = EmulatorClient(base).new_session(seed=7, clock="manual")
        emu = ClientEmulator(base, session.session)
        emu.server = server
        emu._seen = len(server.app["contract_violations"])
        made.append(emu)
        return emu

    yield make
    for emu in made:
        violations = emu.violations
        plugin_coverage.record_session(request.config, emu)
        emu.close()
        assert not violations, "responses broke their schemas:\n" + "\n".join(violations)
