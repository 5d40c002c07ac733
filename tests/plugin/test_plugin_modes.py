"""The plugin's two modes, run as a user's pytest would run them: in-process under pytest-xdist (a server per
worker), and against an external emulator (a running `job-emulator serve`, as a Docker container would be)
shared by every worker, each test in its own session."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.support import free_port, wait_ready

USER_TESTS = textwrap.dedent('''
    import json, urllib.request

    def submit(url, name):
        body = {"Job": {"Name": name, "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
        req = urllib.request.Request(url + "/api/v1/orchestrator/jobs", data=json.dumps(body).encode(),
                                     method="PUT", headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req).read())["JobID"]

    def listed(url):
        return json.loads(urllib.request.urlopen(url + "/api/v1/orchestrator/jobs?limit=0").read())["Jobs"]

    import pytest

    @pytest.mark.parametrize("n", range(6))
    def test_isolated(job_emulator, n):
        job_id = submit(job_emulator.url, f"job-{n}")
        assert [j["ID"] for j in listed(job_emulator.url)] == [job_id]   # no other test's job is visible
        job_emulator.advance(n)
        assert job_emulator.clock()["now_ns"] - 1767225600 * 10**9 == n * 10**9   # its own clock
        job_emulator.advance_until("bacalhau", job_id, "Completed")
''')


def run_pytest(tmp_path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOB_EMULATOR", "PYTEST_XDIST"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env, check=False)


def test_in_process_server_per_xdist_worker(tmp_path):
    pytest.importorskip("xdist")
    out = run_pytest(tmp_path, "-n", "2")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "6 passed" in out.stdout


def test_external_emulator_shared_by_workers(tmp_path):
    pytest.importorskip("xdist")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(proc)
        out = run_pytest(tmp_path, "-n", "2", "--job-emulator-url", base)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        assert "6 passed" in out.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=15)
