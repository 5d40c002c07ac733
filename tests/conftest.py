"""Shared test harness: an in-process emulator on the manual clock, with every response checked against
its schema by the server's contract mode; a test fails at teardown if any response broke its schema."""

from __future__ import annotations

import os

import pytest

from emulator import plugin_coverage
from emulator.app import create_app
from emulator.config import load
from emulator.control.coverage import all_sessions as coverage_of_all_sessions
from emulator.providers import available
from tests import tree_guard

# Long runs someone starts on purpose (`python -m pytest -m <marker>`), left out of the default run.
EXPLICIT_MARKERS = {"contract_large": "the nightly-size schemathesis contract run (tests/ship/test_ship_contract.py)"}


def pytest_configure(config):
    for name, what in EXPLICIT_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {what}; runs only when selected with -m {name}")
    if not hasattr(config, "workerinput"):  # the controller: xdist workers share its tree
        config.stash[_TREE_BEFORE] = tree_guard.tree_status()


_TREE_BEFORE = pytest.StashKey[set]()


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or _TREE_BEFORE not in config.stash:
        return
    changed = tree_guard.changes(config.stash[_TREE_BEFORE], tree_guard.tree_status())
    if not changed:
        return
    text = "the test run changed the source tree (git status):\n  " + "\n  ".join(changed)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if tree_guard.strict():
        if reporter:
            reporter.write_line(f"ERROR: {text}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter:
        reporter.write_line(f"warning: {text}", yellow=True)


def pytest_collection_modifyitems(config, items):
    chosen = config.getoption("markexpr", "") or ""
    for item in items:
        for name in EXPLICIT_MARKERS:
            if item.get_closest_marker(name) is not None and name not in chosen:
                item.add_marker(pytest.mark.skip(reason=f"a long run: select it with -m {name}"))


def make_settings(**overrides):
    """Settings for tests: manual clock, seed 7, contract checking on, every available provider."""
    values = {"clock": "manual", "seed": 7, "check_responses": True}
    if os.environ.get("EMULATOR_TEST_PROVIDERS"):  # run one provider's tests while others are being written
        values["providers"] = os.environ["EMULATOR_TEST_PROVIDERS"]
    values.update(overrides)
    return load(values, env={}, available=available())


class Emulator:
    """A test client bound to one emulator app, with helpers for the control API."""

    def __init__(self, client, app):
        self.client = client
        self.app = app

    def __getattr__(self, name):  # get/post/put/delete/patch/request go to the aiohttp test client
        return getattr(self.client, name)

    @property
    def session(self):
        return self.app["sessions"].get()

    async def advance(self, seconds: float) -> dict:
        resp = await self.client.post("/_emulator/clock/advance", json={"seconds": seconds})
        assert resp.status == 200, await resp.text()
        return await resp.json()

    @property
    def violations(self) -> list[str]:
        return self.app["contract_violations"]


@pytest.fixture
def emulator_factory(aiohttp_client, request):
    """Build an emulator with settings overrides: `emu = await emulator_factory(profiles={...})`. Under
    `--job-emulator-coverage` its sessions count towards the run's state coverage."""
    made = []

    async def make(**overrides) -> Emulator:
        app = create_app(make_settings(**overrides))
        client = await aiohttp_client(app)
        emu = Emulator(client, app)
        made.append(emu)
        return emu

    yield make
    if plugin_coverage.enabled(request.config):
        for emu in made:
            plugin_coverage.record(request.config, coverage_of_all_sessions(emu.app))
    for emu in made:
        assert not emu.violations, "responses broke their schemas:\n" + "\n".join(emu.violations)


@pytest.fixture
async def emu(emulator_factory) -> Emulator:
    """The default emulator: all providers, manual clock, seed 7, contract checking on."""
    return await emulator_factory()
