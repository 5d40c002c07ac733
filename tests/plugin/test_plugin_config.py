"""The plugin configured as a user would: ini options for the in-process emulator, a marker for one test's
session, a warning for a rule that never matched, and one clear error for an emulator that does not answer
or a setting that is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.support import free_port, wait_ready

USER_TESTS = textwrap.dedent('''
    import json, urllib.request

    import pytest

    def providers(url):
        return json.loads(urllib.request.urlopen(url + "/_emulator/providers").read())["providers"]

    def submit(emu):
        body = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
        req = urllib.request.Request(emu.url + "/api/v1/orchestrator/jobs", data=json.dumps(body).encode(),
                                     method="PUT", headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req).read())["JobID"]

    def test_ini_settings_reach_the_in_process_emulator(job_emulator):
        doc = providers(job_emulator.url)
        assert sorted(doc) == ["bacalhau", "seatunnel"]
        assert doc["seatunnel"]["option_values"]["basic_auth"] is False
        assert doc["seatunnel"]["option_values"]["rows_per_second"] == 50.0
        job = submit(job_emulator)
        assert job_emulator.advance_until("bacalhau", job, "Completed")["advanced_seconds"] == 2 + 7

    @pytest.mark.job_emulator(profile={"bacalhau": "v1.4"}, durations={"bacalhau.Running": 30}, seed=5,
                              options={"seatunnel": {"basic_auth": "true"}})
    def test_marker_gives_this_test_a_profile_and_durations(job_emulator):
        doc = providers(job_emulator.url)
        assert doc["bacalhau"]["profile"] == "v1.4"
        # the marker's option joins the ini's, on a second in-process emulator
        assert doc["seatunnel"]["option_values"]["basic_auth"] is True
        assert doc["seatunnel"]["option_values"]["rows_per_second"] == 50.0
        job = submit(job_emulator)
        assert job_emulator.advance_until("bacalhau", job, "Completed")["advanced_seconds"] == 2 + 30

    def test_unmatched_rule_warns(job_emulator):
        job_emulator.scenario("fail", "bacalhau", {"name": "never-submitted"}, at="Running")
''')
INI = textwrap.dedent('''
    [pytest]
    job_emulator_providers = bacalhau,seatunnel
    job_emulator_options =
        seatunnel.rows_per_second=50
    job_emulator_durations =
        bacalhau.Running=7
''')


def run_pytest(tmp_path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    (tmp_path / "pytest.ini").write_text(INI)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOB_EMULATOR", "PYTEST_XDIST"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           str(tmp_path), *args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env, check=False)


def test_ini_marker_and_unmatched_rule_warning(tmp_path):
    out = run_pytest(tmp_path)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "3 passed" in out.stdout and out.stdout.count("JobEmulatorWarning: ") == 1
    assert ("JobEmulatorWarning: scenario s1 (fail, provider bacalhau, match {\"name\": \"never-submitted\"}) "
            "matched no job in this test") in out.stdout


def test_mistakes_are_one_usage_error_at_start(tmp_path):
    port = free_port()   # nothing listens there
    out = run_pytest(tmp_path, "--job-emulator-url", f"http://127.0.0.1:{port}", "--job-emulator-wait", "0.5")
    assert out.returncode == 4, out.stdout[-3000:] + out.stderr[-3000:]
    assert f"ERROR: job emulator: no emulator answered at http://127.0.0.1:{port} within 0.5 s" in out.stderr
    assert "Traceback" not in out.stdout + out.stderr and "passed" not in out.stdout
    out = run_pytest(tmp_path, "--job-emulator-option", "seatunnel.basic_auth=maybe")
    assert out.returncode == 4
    assert ("ERROR: job emulator: --option seatunnel.basic_auth: must be true or false, got 'maybe'"
            in out.stderr), out.stderr


def test_per_process_marker_settings_against_an_external_emulator_fail_clearly(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_ready(proc)
        out = run_pytest(tmp_path, "--job-emulator-url", f"http://127.0.0.1:{port}", "-k", "marker")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert out.returncode == 1, out.stdout[-3000:]
    assert ("@pytest.mark.job_emulator(profile, options=...) needs an in-process emulator: these are per process, "
            f"and this run uses the external http://127.0.0.1:{port}") in out.stdout
