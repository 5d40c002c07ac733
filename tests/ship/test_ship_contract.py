"""The contract is exact: schemathesis, with every phase (examples, coverage, fuzzing, stateful) and every
check, against each provider's served OpenAPI document and the control API's, on a real server over HTTP.

A run fails on any mismatch in either direction: a schema-valid request refused, a schema-violating one
accepted, an undocumented status, content type or header, a body that breaks its response schema, a 405
without `Allow`, a 5xx; and, on the server's side, on any unhandled exception it logs and any response its
own contract check (contract mode) rejects.

Two sizes, both seeded and run with one worker, so every run sends the same requests:
- in CI, `CI_EXAMPLES` cases per operation and phase (about a minute for all six documents);
- the nightly size, `python -m pytest -m contract_large tests/ship/test_ship_contract.py` (excluded from the
  default run; `EMULATOR_CONTRACT_EXAMPLES` changes its size). It prints requests and failures per document.

What the run leaves out, each for a stated reason, is in `OMIT` (see docs/contract.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("schemathesis")

from emulator.providers import available

ENABLED = [k for k in os.environ.get("EMULATOR_TEST_PROVIDERS", "").split(",") if k] or available()
KEYS = [*ENABLED, "control"]
CI_EXAMPLES = 3
LARGE_EXAMPLES = int(os.environ.get("EMULATOR_CONTRACT_EXAMPLES", "100"))
SEED = 19
PHASES = "examples,coverage,fuzzing,stateful"
# What the run leaves out or also accepts, per document, each with its reason (docs/contract.md lists them).
# "checks": checks off for the whole document; "server_errors": (path regex, statuses, reason[, methods]): 5xx
# statuses the real system answers from the operations whose path matches (and method, when given);
# "operations": operations not run; "refusals": operations whose
# schema-valid requests may also be refused with these statuses, for a rule that depends on the server's
# state or on a value no JSON Schema can describe (listed so that everything else stays exact);
# "lenient": operations whose schema-violating requests may be accepted, for the reason given.
OMIT: dict[str, dict[str, list[tuple]]] = {
    "bacalhau": {
        "checks": [("use_after_free", "DELETE stops a job; as in Bacalhau the stopped job stays readable")],
        "server_errors": [(r"/\{id\}", [500],
                           "the default profile follows Bacalhau <= v1.4, which answers an unknown or ambiguous "
                           "job id with a Go error 500 (documented as 5XX): taken only from the operations on "
                           "one job ({id}), and only 500; an unhandled exception is still caught on the server's "
                           "side"),
                          (r"^/api/v1/orchestrator/jobs$", [500],
                           "a daemon or service job submitted with an explicit ID that is already taken: Bacalhau "
                           "<= v1.4 answers the Go error 500 `job already exists: <id>` (reference; v1.5 says "
                           "409); found by the large run, which generates such an ID twice", ("PUT", "POST"))],
        "operations": [("GET /api/v1/orchestrator/jobs/{id}/logs",
                        "a WebSocket endpoint (101 Switching Protocols), which schemathesis cannot speak; "
                        "tests/providers/bacalhau covers it with a WebSocket client")],
        "refusals": [("GET /api/v1/orchestrator/jobs", [400], "next_token is opaque: one the server did not hand "
                      "out is refused (invalid paging token), as Bacalhau does"),
                     ("GET /api/v1/orchestrator/jobs/{id}/history", [400], "next_token is opaque (as above)"),
                     ("GET /api/v1/orchestrator/jobs/{id}/executions", [400],
                      "next_token is opaque, and order_by is checked against the execution fields")],
        "stateful": [(400, "links feed response values (a job's Name or Meta, which may hold control characters) "
                           "into the {id} path parameter, which the pipeline refuses")],
    },
    "seatunnel": {
        "refusals": [("GET /job-info/", [400], "exists only to answer the engine's 400 for an empty job id"),
                     ("GET /running-jobs", [400], "a page past the last is refused (Page number exceeds total "
                      "pages): it depends on how many jobs there are"),
                     ("GET /finished-jobs", [400], "a page past the last is refused (as above)"),
                     ("GET /finished-jobs/{state}", [400], "a page past the last is refused (as above)"),
                     ("POST /submit-job", [400], "the plugin graph (plugin_input naming an earlier plugin_output) "
                      "and restore-from-savepoint rules cross fields and jobs"),
                     ("POST /submit-jobs", [400], "the same rules for each config of the array"),
                     ("POST /submit-job/upload", [400], "the config's format comes from the file name's "
                      "extension, which a multipart schema cannot constrain")],
    },
    "instabase": {
        "refusals": [("POST /api/v1/flow/run_binary_async", [400], "the arguments may come as the body or as the "
                      "Instabase-API-Args header: one of the two is needed"),
                     ("GET /api/v1/jobs/list", [400], "state and review_state lists are checked value by value"),
                     *((f"POST /api/v1/jobs/{name}", [400], "the POST form takes the GET parameters as a JSON "
                       "object (or in the query): a nested object, a bool or a missing job_id is refused")
                       for name in ("pause", "resume", "cancel", "retry", "pause_all", "resume_all",
                                    "cancel_all"))],
        "lenient": [*((f"GET /api/v1/jobs/{name}", "a repeated single-valued query parameter: the first value "
                       "counts") for name in ("pause_all", "resume_all", "cancel_all"))],
    },
    "control": {
        "operations": [("GET /_emulator/events", "a Server-Sent Events stream: schemathesis checks each event as an "
                        "object against the stream's text schema (open: the events schema should describe one "
                        "event); its tests drive it with an SSE client")],
        "refusals": [("POST /_emulator/clock/advance", [400], "the clock cannot pass early 2116 (2^62 ns): how "
                      "far an advance may go depends on where the clock stands"),
                     ("GET /_emulator/jobs", [400], "with a provider, state must be one of that provider's states "
                      "(the enum lists every provider's), and the cursor is opaque"),
                     ("POST /_emulator/faults", [400], "provider must be an enabled one"),
                     ("POST /_emulator/scenarios", [400], "provider must be an enabled one, and the rule's states "
                      "must be in its graph"),
                     ("POST /_emulator/reset", [400], "provider must be an enabled one"),
                     ("POST /_emulator/sessions", [400], "durations name enabled providers and their states"),
                     ("POST /_emulator/snapshot", [400], "a snapshot is checked against the enabled providers, "
                      "their graphs and its own consistency before anything is installed")],
    },
}
DEFAULT_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis's, for valid data
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]  # for invalid


class _Server:
    """One emulator (every provider, manual clock, contract mode) on a free port in a background thread,
    counting the requests it answers."""

    def __init__(self) -> None:
        from aiohttp import web

        from emulator.app import create_app
        from emulator.config import load

        settings = load({"clock": "manual", "seed": 11, "check_responses": True, "providers": ",".join(ENABLED)},
                        env={}, available=available())
        self.app = create_app(settings)
        self.requests = 0

        @web.middleware
        async def count(request: web.Request, handler):
            self.requests += 1
            return await handler(request)

        self.app.middlewares.append(count)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())

    def __enter__(self) -> _Server:
        self.thread.start()
        assert self.ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


class _Errors(logging.Handler):
    """Unhandled exceptions in a handler are logged by the request pipeline: each one is a bug."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def _config(key: str, path: Path) -> Path:
    """A schemathesis.toml applying OMIT for `key`."""
    omit = OMIT.get(key, {})
    lines = []  # (checks and whole operations left out are CLI options: see _omitted)
    for status, _ in omit.get("stateful", []):
        lines += ["[phases.stateful.checks.positive_data_acceptance]",
                  f"expected-statuses = {[*DEFAULT_ACCEPTED, str(status)]!r}".replace("'", '"'), ""]

    def operation(label: str, *body: str) -> None:
        method, op_path = label.split(" ", 1)
        lines.extend(["[[operations]]", f'include-method = "{method}"', f'include-path = "{op_path}"', *body, ""])

    for regex, statuses, _, *methods in omit.get("server_errors", []):
        by_method = [f"include-method-regex = {json.dumps('^(' + '|'.join(methods[0]) + ')$')}"] if methods else []
        lines.extend(["[[operations]]", f"include-path-regex = {json.dumps(regex)}", *by_method,
                      "[operations.checks.not_a_server_error]",
                      f"expected-statuses = {json.dumps(['2xx', '3xx', '4xx', *map(str, statuses)])}", ""])
    for label, statuses, _ in omit.get("refusals", []):
        accepted = [*DEFAULT_ACCEPTED, *map(str, statuses)]
        operation(label, "[operations.checks.positive_data_acceptance]",
                  f"expected-statuses = {accepted!r}".replace("'", '"'))
    for label, _ in omit.get("lenient", []):  # a schema-violating request here may also be taken (2xx)
        operation(label, "[operations.checks.negative_data_rejection]",
                  f"expected-statuses = {[*REJECTED, '2xx']!r}".replace("'", '"'))
    path.write_text("\n".join(lines))
    return path


def _omitted(key: str) -> list[str]:
    """CLI options leaving out OMIT's checks and operations for `key` (each omitted path has one method)."""
    omit = OMIT.get(key, {})
    args = [arg for label, _ in omit.get("operations", []) for arg in ("--exclude-path", label.split(" ", 1)[1])]
    checks = [check for check, _ in omit.get("checks", [])]
    return [*args, "--exclude-checks", ",".join(checks)] if checks else args


def run_contract(key: str, examples: int, tmp: Path) -> dict:
    """Run schemathesis against `key`'s served document on a fresh server; returns the figures and every
    failure found (schemathesis's and the server's own)."""
    errors = _Errors()
    logging.getLogger("emulator").addHandler(errors)
    report = tmp / f"{key}.json"
    try:
        with _Server() as server:
            cmd = [sys.executable, "-m", "schemathesis.cli",
                   "--config-file", str(_config(key, tmp / f"{key}.toml")), "run",
                   f"{server.base}/_emulator/openapi/{key}.json", "--url", server.base,
                   "--checks", "all", "--phases", PHASES, "--max-examples", str(examples), "--seed", str(SEED),
                   "--workers", "1", "--no-color", "--suppress-health-check", "all", "--request-timeout", "30",
                   "--report", "json", "--report-json-path", str(report), *_omitted(key)]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, cwd=tmp)  # its cache too
            requests = server.requests
            violations = list(server.app["contract_violations"])
    finally:
        logging.getLogger("emulator").removeHandler(errors)
    assert report.is_file(), f"schemathesis wrote no report (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
    data = json.loads(report.read_text())
    failures = [json.dumps(f, ensure_ascii=False)[:600] for f in data.get("failures", [])]
    failures += [f"schemathesis error: {str(e)[:300]}" for e in data.get("errors", [])]
    failures += [f"server logged: {r[:300]}" for r in errors.records]
    failures += [f"server contract check: {v[:300]}" for v in violations]
    phases = {name: p["status"] for name, p in data["phases"].items()}
    return {"key": key, "cases": data["test_cases"]["generated"], "requests": requests, "phases": phases,
            "failures": failures, "output": proc.stdout[-6000:]}


def _assert_exact(result: dict) -> None:
    print(f"\ncontract {result['key']}: {result['requests']} requests, {result['cases']} cases, "
          f"{len(result['failures'])} failures, phases {result['phases']}")
    assert not result["failures"], (f"{len(result['failures'])} mismatches for {result['key']}:\n"
                                    + "\n".join(result["failures"]) + "\n\n" + result["output"])
    assert result["phases"]["coverage"] == "success" and result["phases"]["fuzzing"] == "success", result["phases"]
    assert result["phases"]["stateful"] == "success", result["phases"]  # links are declared: it always runs


@pytest.mark.parametrize("key", KEYS)
def test_contract_exact(key, tmp_path):
    _assert_exact(run_contract(key, CI_EXAMPLES, tmp_path))


@pytest.mark.contract_large
@pytest.mark.parametrize("key", KEYS)
def test_contract_exact_large(key, tmp_path):
    _assert_exact(run_contract(key, LARGE_EXAMPLES, tmp_path))


def test_docs_list_what_the_run_leaves_out():
    """docs/contract.md's table names every check and operation OMIT leaves out or relaxes."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "contract.md").read_text()
    for key, omit in OMIT.items():
        for check, _ in omit.get("checks", []):
            assert f"`{check}`" in text, check
        if omit.get("server_errors"):
            assert "`not_a_server_error`" in text, key
        for entry in (*omit.get("operations", []), *omit.get("refusals", []), *omit.get("lenient", [])):
            last = entry[0].split(" ", 1)[1].rstrip("/").rsplit("/", 1)[-1]
            assert last in text, (key, entry[0])
