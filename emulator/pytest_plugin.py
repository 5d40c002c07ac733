"""pytest fixtures for your own test suite; installed with the package (entry point `pytest11`).

- `job_emulator_url`: the base URL of an emulator for the whole test run: one started in-process on a free
  port (in a background thread), or the one given by `--job-emulator-url` / `JOB_EMULATOR_URL` (e.g. the
  Docker container). Under pytest-xdist each worker starts its own, or all share the external one.
- `job_emulator`: for each test a fresh session (own jobs, manual clock, seed, rules, journal) as an
  `EmulatorClient`: point your client at `job_emulator.url`, then `advance`, `advance_until`, `scenario`,
  `fault`, `journal`, `timeline`...

Configuration (command line, else the ini file, e.g. `[tool.pytest.ini_options]`): the in-process
emulator's providers, profiles, options and durations; every session's clock and seed; how long to wait for
an external emulator. `@pytest.mark.job_emulator(...)` changes one test's session: `durations`, `seed` and
`clock` apply to that session; `profile`, `options` and `providers` are per process, so the plugin starts a
second in-process emulator for them (one per distinct set), which it cannot do with an external emulator.
A mistake in any of these is one usage error when pytest starts, naming the setting and the valid choices.
A scenario rule that matched no job by the end of a test is a `JobEmulatorWarning`.
`--job-emulator-coverage` (and `-json`, `-fail-under`): the run's state coverage, see `plugin_coverage`.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from typing import Any, Literal

import pytest

from . import plugin_coverage
from .client import EmulatorClient

MARKER = "job_emulator"
_SEED = pytest.StashKey[int]()   # the run's session seed and clock, as configured
_CLOCK = pytest.StashKey[str]()
MARKER_KEYS = ("profile", "options", "providers", "durations", "seed", "clock")
PER_PROCESS = ("profile", "options", "providers")


class JobEmulatorWarning(UserWarning):
    """Something in a test's emulator setup that is probably a mistake (a rule that never matched)."""


# name -> (ini type, help); each is also a command-line flag --job-emulator-<name with dashes>
# pytest's ini value types this plugin uses
IniType = Literal["string", "linelist", "bool"]
SETTINGS: dict[str, tuple[IniType, str]] = {
    "url": ("string", "use a running emulator instead of starting one in-process [JOB_EMULATOR_URL]"),
    "wait": ("string", "seconds to wait for an external emulator to answer at start (default 5)"),
    "seed": ("string", "seed of each test's session (default 0) [JOB_EMULATOR_SEED]"),
    "clock": ("string", "clock of each test's session: manual (default), step, real or scaled"),
    "providers": ("string", "in-process emulator: comma list of providers (default: all)"),
    "profiles": ("linelist", "in-process emulator: provider=profile, e.g. bacalhau=v1.4"),
    "options": ("linelist", "in-process emulator: provider.option=value, e.g. seatunnel.basic_auth=true"),
    "durations": ("linelist", "in-process emulator: provider.State=seconds, e.g. bacalhau.Running=30"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("job-emulator")
    for name, (kind, text) in SETTINGS.items():
        flag = "--job-emulator-" + name.rstrip("s") if kind == "linelist" else "--job-emulator-" + name
        group.addoption(flag, dest=f"job_emulator_{name}", action="append" if kind == "linelist" else "store",
                        default=None, help=text + (" (repeatable)" if kind == "linelist" else ""))
        parser.addini(f"job_emulator_{name}", text, type=kind, default=[] if kind == "linelist" else None)
    plugin_coverage.addoption(parser)


def _setting(config: pytest.Config, name: str) -> Any:
    given = config.getoption(f"job_emulator_{name}")
    if given not in (None, []):
        return given
    env = {"url": "JOB_EMULATOR_URL", "seed": "JOB_EMULATOR_SEED"}.get(name)
    if env and os.environ.get(env):
        return os.environ[env]
    return config.getini(f"job_emulator_{name}") or None


def _server_values(config: pytest.Config) -> dict[str, Any]:
    """The in-process emulator's settings from the command line and ini file (config.load's input)."""
    return {"providers": _setting(config, "providers"), "profiles": _setting(config, "profiles"),
            "options": _setting(config, "options"), "durations": _setting(config, "durations")}


def _check_settings(values: dict[str, Any]) -> Any:
    from .config import ConfigError, load
    from .providers import available

    try:
        return load({k: v for k, v in values.items() if v not in (None, [], {})}, env={}, available=available())
    except ConfigError as exc:
        raise pytest.UsageError(f"job emulator: {exc}") from None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(profile=, options=, providers=, durations=, seed=, clock=): "
                                       "the job emulator session of this test (see the job-emulator plugin)")
    seed = _setting(config, "seed")
    try:
        config.stash[_SEED] = int(seed or 0)
        wait = float(_setting(config, "wait") or 5)
    except ValueError as exc:
        raise pytest.UsageError(f"job emulator: --job-emulator-seed / --job-emulator-wait: {exc}") from None
    clock = _setting(config, "clock") or "manual"
    _check_clock(clock, "--job-emulator-clock")
    config.stash[_CLOCK] = clock
    url = _setting(config, "url")
    if url:
        _wait_for(url.rstrip("/"), wait)
    else:
        _check_settings(_server_values(config))
    plugin_coverage.configure(config, url.rstrip("/") if url else None)


def _check_clock(clock: str, where: str) -> None:
    from .core.clock import MODES

    if clock not in MODES:
        raise pytest.UsageError(f"job emulator: {where}: clock must be one of {', '.join(MODES)}, got {clock!r}")


def _wait_for(url: str, wait: float) -> None:
    """One clear error when the external emulator does not answer its health check within `wait` seconds."""
    deadline = time.monotonic() + wait
    last: Exception | None = None
    while True:
        try:
            with urllib.request.urlopen(url + "/_emulator/health", timeout=max(0.1, min(2.0, wait))) as resp:
                json.loads(resp.read())
                return
        except (OSError, ValueError) as exc:  # URLError, refused, timeout, not an emulator's JSON
            last = exc
        if time.monotonic() >= deadline:
            reason = getattr(last, "reason", last)
            raise pytest.UsageError(f"job emulator: no emulator answered at {url} within {wait:g} s "
                                    f"(--job-emulator-url, --job-emulator-wait): {reason}")
        time.sleep(0.2)  # polling a server that is still starting; not a test's clock


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
        values = {"port": self.port, "clock": "manual", "log_level": "warning",
                  **{k: v for k, v in (overrides or {}).items() if v not in (None, [], {})}}
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


class _Servers:
    """The in-process emulators of this pytest process: the configured one, and one per distinct set of
    per-process marker settings, each started on first use and stopped at the end of the run."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.base = base
        self.running: dict[str, _ServerThread] = {}

    def url(self, extra: dict[str, Any] | None = None) -> str:
        values = dict(self.base)
        for key, value in (extra or {}).items():
            if isinstance(value, dict):  # per provider, and within a provider per option / state
                merged = dict(values.get(key) or {})
                for prov, v in value.items():
                    old = merged.get(prov)
                    merged[prov] = {**old, **v} if isinstance(old, dict) and isinstance(v, dict) else v
                value = merged
            values[key] = value
        ident = json.dumps(values, sort_keys=True, default=str)
        server = self.running.get(ident)
        if server is None:
            server = self.running[ident] = _ServerThread(values)
        return f"http://127.0.0.1:{server.port}"

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{server.port}" for server in self.running.values()]

    def stop(self) -> None:
        for server in self.running.values():
            server.stop()


@pytest.fixture(scope="session")
def _job_emulator_servers(request: pytest.FixtureRequest) -> Iterator[_Servers | None]:
    if _setting(request.config, "url"):
        yield None
        return
    s = _check_settings(_server_values(request.config))
    # parsed once, so a marker's dicts merge over the ini's or command line's values key by key
    servers = _Servers({"providers": s.providers, "profiles": s.profiles, "options": s.options,
                        "durations": s.durations})
    try:
        yield servers
    finally:
        try:
            for url in servers.urls():  # what ran outside the fixture's sessions (the default session...)
                plugin_coverage.record_emulator(request.config, url)
        finally:
            servers.stop()


@pytest.fixture(scope="session")
def job_emulator_url(request: pytest.FixtureRequest, _job_emulator_servers: _Servers | None) -> str:
    external = _setting(request.config, "url")
    if external:
        return external.rstrip("/")
    assert _job_emulator_servers is not None
    return _job_emulator_servers.url()


def _marker_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keywords only: {', '.join(MARKER_KEYS)}")
    unknown = sorted(set(marker.kwargs) - set(MARKER_KEYS))
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: unknown keyword {unknown[0]!r}; valid: "
                                f"{', '.join(MARKER_KEYS)}")
    return dict(marker.kwargs)


def _nested_durations(durations: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{"bacalhau.Running": 30} or {"bacalhau": {"Running": 30}} -> {"bacalhau": {"Running": 30}}."""
    out: dict[str, dict[str, float]] = {}
    for key, value in durations.items():
        if isinstance(value, dict):
            out.setdefault(key, {}).update(value)
        elif "." in key:
            prov, state = key.split(".", 1)
            out.setdefault(prov, {})[state] = value
        else:
            raise pytest.UsageError(f"@pytest.mark.{MARKER}: durations key {key!r} must be provider.State")
    return out


@pytest.fixture
def job_emulator(request: pytest.FixtureRequest, _job_emulator_servers: _Servers | None) -> Iterator[EmulatorClient]:
    """A fresh emulator session for one test: the configured clock (manual) and seed, nothing else in it;
    `@pytest.mark.job_emulator(...)` adjusts it (see the module docstring)."""
    from .client import EmulatorError

    config = request.config
    mark = _marker_settings(request)
    per_process = {k: mark[k] for k in PER_PROCESS if k in mark}
    if _job_emulator_servers is None:
        if per_process:
            pytest.fail(f"@pytest.mark.{MARKER}({', '.join(per_process)}=...) needs an in-process emulator: "
                        f"these are per process, and this run uses the external {_setting(config, 'url')}",
                        pytrace=False)
        url = _setting(config, "url").rstrip("/")
    else:
        extra = {"profiles": per_process.get("profile"), "options": per_process.get("options"),
                 "providers": per_process.get("providers")}
        extra = {k: v for k, v in extra.items() if v}
        if extra:
            _check_settings({**_job_emulator_servers.base, **extra})
        url = _job_emulator_servers.url(extra)
    clock = mark["clock"] if "clock" in mark else config.stash[_CLOCK]
    _check_clock(clock, f"@pytest.mark.{MARKER}(clock=)")
    durations = _nested_durations(mark.get("durations") or {})
    try:
        client = EmulatorClient(url).new_session(seed=mark.get("seed", config.stash[_SEED]),
                                                 clock=clock, durations=durations or None)
    except EmulatorError as exc:
        pytest.fail(f"@pytest.mark.{MARKER}: the emulator refused this test's session: {exc}", pytrace=False)
    plugin_coverage.keep_across_resets(config, client)
    try:
        yield client
        for rule in client.scenarios():
            if rule["matched"] == 0:
                warnings.warn(JobEmulatorWarning(
                    f"scenario {rule['id']} ({rule['outcome']}, provider {rule['provider'] or 'any'}, match "
                    f"{json.dumps(rule['match'])}) matched no job in this test"), stacklevel=1)
    finally:
        try:
            plugin_coverage.record_session(config, client)  # before the session and its counts are dropped
        finally:
            client.close()
