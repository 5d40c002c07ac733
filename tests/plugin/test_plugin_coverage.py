"""The plugin's state coverage, run as a user's pytest would run it: the summary and the JSON of a run over two
xdist workers agree with what `/_emulator/coverage` reported for each test's session; an external emulator is
read whole at the end; `--job-emulator-coverage-fail-under` fails a run that saw too few states."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from itertools import pairwise

import pytest

from emulator.core.coverage import detail_lines, merge, summary_lines
from emulator.core.validation import validator
from tests.support import free_port, wait_ready

# Each test saves what the endpoint says of its own session at its end (and which worker ran it), so the
# outer test can check the plugin's merged figures against the endpoint's own.
USER_TESTS = textwrap.dedent('''
    import json, os, urllib.error, urllib.request
    import pytest
    from emulator.client import EmulatorClient

    OUT = os.environ["COVERAGE_PARTS"]
    JOBS = "/api/v1/orchestrator/jobs"

    def call(url, method="GET", body=None):
        req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            return json.loads(urllib.request.urlopen(req).read())
        except urllib.error.HTTPError as err:
            return err.code

    def submit(url, name):
        body = {"Job": {"Name": name, "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
        return call(url + JOBS, "PUT", body)["JobID"]

    def state(url, job_id):
        return call(f"{url}{JOBS}/{job_id}")["Job"]["State"]["StateType"]

    @pytest.fixture
    def emu(job_emulator, request):
        yield job_emulator
        part = {"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "report": job_emulator.coverage()}
        with open(os.path.join(OUT, request.node.name + ".json"), "w") as f:
            json.dump(part, f)

    def test_polls_to_completion(emu):
        job_id = submit(emu.url, "a")
        assert state(emu.url, job_id) == "Pending"
        emu.advance_until("bacalhau", job_id, "Running")
        assert state(emu.url, job_id) == "Running"
        emu.advance_until("bacalhau", job_id, "Completed")
        assert state(emu.url, job_id) == "Completed"

    def test_stops_a_running_job(emu):
        job_id = submit(emu.url, "b")
        emu.advance_until("bacalhau", job_id, "Running")
        call(f"{emu.url}{JOBS}/{job_id}", "DELETE")
        assert state(emu.url, job_id) == "Stopped"

    def test_unknown_job(emu):
        assert call(f"{emu.url}{JOBS}/j-nope") == 500  # as the seed's Bacalhau release answers it

    def test_injected_fault(emu):
        emu.fault("bacalhau", JOBS + "/*", status=503, times=1)
        job_id = submit(emu.url, "d")
        assert call(f"{emu.url}{JOBS}/{job_id}") == 503

    def test_default_session(job_emulator_url):
        # no fixture session: the plugin reads this worker's emulator whole before it stops
        job_id = submit(job_emulator_url, "e")
        assert state(job_emulator_url, job_id) == "Pending"
        part = {"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
                "report": EmulatorClient(job_emulator_url).coverage()}
        with open(os.path.join(OUT, "default.json"), "w") as f:
            json.dump(part, f)
''')


def run_pytest(tmp_path, *args: str, ini: str = "", tests: str = USER_TESTS) -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    parts = tmp_path / "parts"
    project.mkdir()
    parts.mkdir()
    (project / "test_user.py").write_text(tests)
    if ini:
        (project / "pytest.ini").write_text("[pytest]\n" + ini)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOB_EMULATOR", "PYTEST_XDIST"))}
    env["COVERAGE_PARTS"] = str(parts)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project), *args],
                          capture_output=True, text=True, timeout=300, cwd=project, env=env, check=False)


def parts(tmp_path) -> dict[str, dict]:
    """What each user test saved: its file name (the test's name, or "default") -> worker and report."""
    return {p.stem: json.loads(p.read_text()) for p in sorted((tmp_path / "parts").iterdir())}


def canonical(report: dict) -> dict:
    """The report with its lists in a fixed order (merge order depends on which worker finished first)."""
    out = json.loads(json.dumps(report))
    for pr in out["providers"].values():
        pr["transitions"].sort(key=lambda t: (t["from"], t["to"]))
        pr["commands"].sort(key=lambda c: (c["command"], c["state"]))
    return out


def test_two_xdist_workers_summary_and_json_agree_with_the_endpoint(tmp_path):
    pytest.importorskip("xdist")
    out = run_pytest(tmp_path, "-n", "2", "--job-emulator-coverage",
                     f"--job-emulator-coverage-json={tmp_path / 'cov' / 'coverage.json'}")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "5 passed" in out.stdout
    seen = parts(tmp_path).values()
    assert {p["worker"] for p in seen} == {"gw0", "gw1"}  # both workers' parts had to reach the controller
    got = json.loads((tmp_path / "cov" / "coverage.json").read_text())
    validator("control/coverage.response").validate(got)
    expected = merge(p["report"] for p in seen)
    # four fixture sessions, plus each worker's default session (read whole before its emulator stopped)
    assert got["sessions"] == 4 + 2
    assert canonical({**got, "sessions": 0}) == canonical({**expected, "sessions": 0})
    bac = got["providers"]["bacalhau"]
    assert bac["observed"] == {"Pending": 2, "Running": 1, "Completed": 1, "Stopped": 1}
    assert bac["never_observed"] == ["Failed"]
    assert (bac["covered"], bac["total"], bac["percent"]) == (4, 5, 80.0)
    assert {"command": "stop", "state": "Running", "accepted": 1, "refused": 0} in bac["commands"]
    assert bac["errors"]["not_found"] == 1
    assert bac["faults"] == {"status 503": 1}
    # the terminal summary prints the same figures, table first, then the details
    for line in summary_lines(got):
        assert line in out.stdout
    assert "job emulator state coverage: 6 sessions" in out.stdout
    assert "  commands: stop in Running 1 accepted" in out.stdout
    assert "  faults: status 503 1" in out.stdout


def test_an_external_emulator_is_read_whole_at_the_end(tmp_path):
    port = free_port()
    # the manual clock: the default session's job must not move between the plugin's read and ours
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(proc)
        # ini settings this time, and a threshold the run meets
        out = run_pytest(tmp_path, ini=f"job_emulator_url = {base}\njob_emulator_coverage_json = cov.json\n"
                                       "job_emulator_coverage_fail_under = 80\n")
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        from emulator.client import EmulatorClient

        left = EmulatorClient(base).coverage(all_sessions=True)  # the default session the last test used
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    got = json.loads((tmp_path / "project" / "cov.json").read_text())
    fixture_parts = [p["report"] for name, p in parts(tmp_path).items() if name != "default"]
    # the fixture sessions were recorded as they closed; the default session came from the final ?all=1 read
    expected = merge([*fixture_parts, left])
    assert canonical({**got, "sessions": 0}) == canonical({**expected, "sessions": 0})
    assert got["sessions"] == 4 + left["sessions"]
    assert got["providers"]["bacalhau"]["observed"]["Pending"] == 2
    assert "job emulator state coverage" not in out.stdout  # JSON only: the table needs --job-emulator-coverage
    assert "state coverage written to cov.json" in out.stdout


def test_fail_under_fails_a_run_that_saw_too_few(tmp_path):
    # (a run that meets its threshold passes: the external emulator's test above)
    out = run_pytest(tmp_path, "--job-emulator-coverage-fail-under=81", "-k", "not default")
    assert out.returncode == 1, out.stdout[-3000:] + out.stderr[-3000:]
    assert "4 passed" in out.stdout  # every test passed: the threshold alone failed the run
    assert ("job emulator: FAIL state coverage 80% of documented states observed is under "
            "--job-emulator-coverage-fail-under=81") in out.stdout
    assert "job emulator state coverage:" not in out.stdout


def test_a_bad_threshold_is_a_usage_error_naming_the_setting(tmp_path):
    out = run_pytest(tmp_path, "--job-emulator-coverage-fail-under=lots")
    assert out.returncode == 4
    assert ("--job-emulator-coverage-fail-under must be a percentage from 0 to 100, got 'lots'"
            in out.stdout + out.stderr)


def test_the_detail_lines_wrap_between_items_never_inside_one():
    states = ["requested", "in progress", "succeeded", "failed", "cancelling", "cancelled"]
    moves = [{"from": a, "to": b, "count": 10 + i} for i, (a, b) in enumerate(pairwise(states))]
    rep = merge([{"sessions": 1, "providers": {"taskapi": {
        "states": states, "observed": {"requested": 1}, "transitions": moves, "errors": {"invalid": 2},
        "faults": {}, "commands": [{"command": "cancel", "state": "in progress", "accepted": 1, "refused": 2}]}}}])
    lines = detail_lines(rep, width=50)
    assert lines[0] == "taskapi:"
    transitions = [line for line in lines if line.startswith("  transitions:") or line.startswith("    ")]
    assert len(transitions) > 1 and all(len(line) <= 50 for line in transitions)
    items = " ".join(line.strip() for line in transitions).removeprefix("transitions: ").split(", ")
    assert items == [f"{a}->{b} {10 + i}" for i, (a, b) in enumerate(pairwise(states))]
    assert "  commands: cancel in in progress 1 accepted 2 refused" in lines
    assert lines[-2:] == ["  errors: invalid 2", "  faults: -"]


def test_a_run_whose_clients_never_reached_the_emulator_is_0_percent_and_fails_a_threshold(tmp_path):
    tests = "def test_only_the_control_api(job_emulator):\n    assert job_emulator.clock()['mode'] == 'manual'\n"
    out = run_pytest(tmp_path, "--job-emulator-coverage-fail-under=1", "--job-emulator-coverage", tests=tests)
    assert out.returncode == 1, out.stdout[-3000:] + out.stderr[-3000:]
    assert "1 passed" in out.stdout
    assert re.search(r"^TOTAL +0 +0 +0%$", out.stdout, re.M)  # no provider touched: nothing observed
    assert ("job emulator: FAIL state coverage 0% of documented states observed is under "
            "--job-emulator-coverage-fail-under=1") in out.stdout


RESETS = textwrap.dedent('''
    import json, urllib.request

    def test_resets_midway(job_emulator):
        url = job_emulator.url + "/api/v1/orchestrator/jobs"

        def submit():
            body = {"Job": {"Name": "r", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
            req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT",
                                         headers={"Content-Type": "application/json"})
            return json.loads(urllib.request.urlopen(req).read())["JobID"]

        def state(job_id):
            return json.loads(urllib.request.urlopen(f"{url}/{job_id}").read())["Job"]["State"]["StateType"]

        assert state(submit()) == "Pending"
        job_emulator.reset("bacalhau")
        job_id = submit()
        job_emulator.advance_until("bacalhau", job_id, "Running")
        assert state(job_id) == "Running"
        job_emulator.reset()
        assert job_emulator.coverage()["providers"] == {}
''')


def test_a_reset_through_the_fixture_loses_no_counts_and_counts_no_session_twice(tmp_path):
    out = run_pytest(tmp_path, "--job-emulator-coverage-json=cov.json", tests=RESETS)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    got = json.loads((tmp_path / "project" / "cov.json").read_text())
    assert got["sessions"] == 2  # the test's session and the in-process emulator's default one
    bac = got["providers"]["bacalhau"]
    assert bac["observed"] == {"Pending": 1, "Running": 1}
    assert bac["transitions"] == [{"from": "Pending", "to": "Running", "count": 1}]
