"""State coverage of a whole pytest run: which documented job states the suite's clients observed, merged
over every test's session and across pytest-xdist workers (registered by the job-emulator plugin).

- `--job-emulator-coverage` prints a summary at the end of the run (per provider observed / total states,
  the states never observed, then the transitions, commands per state, error kinds and faults met).
- `--job-emulator-coverage-json=PATH` writes the merged report: the shape of `GET /_emulator/coverage`
  (schemas/control/coverage.response.json) with `session` null.
- `--job-emulator-coverage-fail-under=N` makes the run fail (exit status 1, one line giving the figure and
  N) when fewer than N % of the documented states of the providers it touched were observed.

Ini equivalents: `job_emulator_coverage` (true/false), `job_emulator_coverage_json`,
`job_emulator_coverage_fail_under`. Either of the last two turns collection on; the summary table is printed
with the first.

Where the counts come from: the `job_emulator` fixture records its session's report before it drops the
session (and its `reset()` records what it is about to clear); each in-process emulator is read whole
(`?all=1`) before it stops, which adds whatever ran in its default session or in sessions a test made itself;
an external emulator (`--job-emulator-url`) is read whole once at the end, by the xdist controller (or the
only process). Workers hand their merged part to the controller in `workeroutput`. Test code with its own
sessions calls `record_session(config, client)` before it drops one, or `record(config, report)` with a
report it read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

import pytest

from .client import EmulatorClient
from .core import coverage

OUTPUT_KEY = "job_emulator_coverage"  # in xdist's workeroutput
RUN = pytest.StashKey["CoverageRun"]()

# name -> (ini type, help); each is also the command-line flag --job-emulator-<name with dashes>
OPTIONS: dict[str, tuple[Literal["bool", "string"], str]] = {
    "coverage": ("bool", "print the state coverage of the run (observed / documented states, per provider)"),
    "coverage_json": ("string", "write the run's state coverage as JSON to this path"),
    "coverage_fail_under": ("string", "fail the run if under this % of documented states were observed"),
}


def addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("job-emulator")
    for name, (kind, text) in OPTIONS.items():
        flag = "--job-emulator-" + name.replace("_", "-")
        if kind == "bool":
            group.addoption(flag, dest=f"job_emulator_{name}", action="store_true", default=None, help=text)
        else:
            group.addoption(flag, dest=f"job_emulator_{name}", default=None, help=text)
        parser.addini(f"job_emulator_{name}", text, type=kind, default=False if kind == "bool" else None)


def _option(config: pytest.Config, name: str) -> Any:
    given = config.getoption(f"job_emulator_{name}")
    return given if given is not None else config.getini(f"job_emulator_{name}")


def configure(config: pytest.Config, external_url: str | None) -> None:
    """Check the coverage settings (a bad one is a usage error now) and, if any is on, start collecting."""
    summary = bool(_option(config, "coverage"))
    path = _option(config, "coverage_json") or None
    fail_under = _option(config, "coverage_fail_under")
    if fail_under not in (None, ""):
        try:
            fail_under = float(fail_under)
        except ValueError:
            fail_under = -1.0
        if not 0 <= fail_under <= 100:
            raise pytest.UsageError("job emulator: --job-emulator-coverage-fail-under must be a percentage "
                                    f"from 0 to 100, got {_option(config, 'coverage_fail_under')!r}")
    else:
        fail_under = None
    if not (summary or path or fail_under is not None):
        return
    run = CoverageRun(summary, Path(path) if path else None, fail_under, external_url)
    config.stash[RUN] = run
    config.pluginmanager.register(run, "job_emulator_coverage")


def enabled(config: pytest.Config) -> bool:
    """Whether this run collects state coverage (so a caller can skip building a report)."""
    return RUN in config.stash


def record(config: pytest.Config, report: dict) -> None:
    """Add one coverage report (the endpoint's wire form) to the run's; nothing when coverage is off."""
    run = config.stash.get(RUN, None)
    if run is not None:
        run.add(report)


def record_session(config: pytest.Config, client: EmulatorClient) -> None:
    """Add the coverage of `client`'s session; call it before the session is reset or dropped."""
    if enabled(config):
        record(config, client.coverage())


def keep_across_resets(config: pytest.Config, client: EmulatorClient) -> None:
    """Make `client.reset()` record the counts it is about to clear (of one provider, or all), so a test
    that resets its session midway loses nothing; the session itself is counted once, when it is dropped."""
    if not enabled(config):
        return
    reset = client.reset

    def recording_reset(provider: str | None = None) -> dict:
        report = client.coverage()
        if provider is not None:
            report["providers"] = {k: v for k, v in report["providers"].items() if k == provider}
        record(config, {**report, "sessions": 0})
        return reset(provider)

    client.reset = recording_reset  # type: ignore[method-assign]  # wrapped on this one client, on purpose


def record_emulator(config: pytest.Config, url: str) -> None:
    """Add every session of the emulator at `url` (`?all=1`); for an in-process emulator about to stop."""
    if enabled(config):
        record(config, EmulatorClient(url).coverage(all_sessions=True))


class CoverageRun:
    """The run's merged coverage, and the hooks that gather, report and judge it."""

    def __init__(self, summary: bool, path: Path | None, fail_under: float | None, external_url: str | None):
        self.summary = summary
        self.path = path
        self.fail_under = fail_under
        self.external_url = external_url
        self.merged: dict = coverage.merge([])
        self.final: dict | None = None
        self.failed_line: str | None = None
        self.write_error: str | None = None

    def add(self, report: dict) -> None:
        self.merged = coverage.merge([self.merged, report])

    # --- xdist: each worker's part goes to the controller -------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        part = getattr(node, "workeroutput", {}).get(OUTPUT_KEY)
        if part:
            self.add(json.loads(part))

    @pytest.hookimpl(trylast=True)  # after the session fixtures' teardown read the in-process emulators
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            # xdist gives worker configs `workeroutput` (checked by `workerinput` above); pytest's types lack it
            config.workeroutput[OUTPUT_KEY] = json.dumps(self.merged)  # type: ignore[attr-defined]
            return
        if self.external_url:
            self.add(EmulatorClient(self.external_url).coverage(all_sessions=True))
        self.final = self.merged
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.final, indent=2) + "\n")
            except OSError as exc:
                self.write_error = f"job emulator: could not write the coverage JSON to {self.path}: {exc}"
                session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        if self.fail_under is not None and self.final["percent"] < self.fail_under:
            self.failed_line = (f"job emulator: FAIL state coverage {self.final['percent']:g}% of documented "
                                f"states observed is under --job-emulator-coverage-fail-under={self.fail_under:g}")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.final is None:
            return
        tr = terminalreporter
        if self.summary:
            tr.write_sep("-", f"job emulator state coverage: {self.final['sessions']} sessions")
            for line in [*coverage.summary_lines(self.final), "", *coverage.detail_lines(self.final)]:
                tr.write_line(line)
        if self.path is not None and self.write_error is None:
            tr.write_line(f"job emulator: state coverage written to {os.fspath(self.path)}")
        for note in (self.write_error, self.failed_line):
            if note:
                tr.write_line(note, red=True, bold=True)
