"""End to end: `job-emulator serve` as a subprocess on a free port, driven over real HTTP, as CI and users do.

The scaled clock (speed 100) makes the seed's job take 70 ms of wall time; the test polls until Completed
with a generous deadline, asserting only the job's states, never the wall time it took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.support import free_port, http, wait_ready


@pytest.fixture
def served():
    procs = []

    def start(*args: str, env: dict | None = None) -> str:
        port = free_port()
        env = dict(env or {})
        if os.environ.get("EMULATOR_TEST_PROVIDERS"):
            env.setdefault("EMULATOR_PROVIDERS", os.environ["EMULATOR_TEST_PROVIDERS"])
        proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, **env})
        procs.append(proc)
        wait_ready(proc)
        return f"http://127.0.0.1:{port}"

    yield start
    for p in procs:
        p.terminate()
        p.wait(timeout=10)


def test_seed_job_completes_over_real_http_on_scaled_clock(served):
    base = served("--speed", "100", "--seed", "3")
    status, health = http("GET", base + "/_emulator/health")
    assert health["clock"]["mode"] == "scaled" and health["clock"]["speed"] == 100
    job = {"Job": {"Name": "e2e", "Type": "batch", "Count": 1, "Tasks": [
        {"Name": "main", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu", "Entrypoint": ["echo", "hi"]}}}]}}
    status, out = http("PUT", base + "/api/v1/orchestrator/jobs", job)
    assert status == 200
    job_id = out["JobID"]
    seen = []
    end = time.monotonic() + 20
    while time.monotonic() < end:
        _, body = http("GET", f"{base}/api/v1/orchestrator/jobs/{job_id}")
        st = body["Job"]["State"]["StateType"]
        if not seen or seen[-1] != st:
            seen.append(st)
        if st == "Completed":
            break  # polled back to back: on the scaled clock the job takes ~70 ms of wall time
    assert seen[-1] == "Completed"
    assert set(seen) <= {"Pending", "Running", "Completed"}
    _, execs = http("GET", f"{base}/api/v1/orchestrator/jobs/{job_id}/executions")
    assert execs["Executions"][0]["RunOutput"]["stdout"] == "hi\n"


def test_manual_clock_over_http_with_environment_configuration(served):
    base = served(env={"EMULATOR_CLOCK": "manual", "EMULATOR_DURATIONS": "bacalhau.Pending=1,bacalhau.Running=2"})
    job = {"Job": {"Name": "m", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
    _, out = http("PUT", base + "/api/v1/orchestrator/jobs", job)
    url = f"{base}/api/v1/orchestrator/jobs/{out['JobID']}"
    assert http("GET", url)[1]["Job"]["State"]["StateType"] == "Pending"
    http("POST", base + "/_emulator/clock/advance", {"seconds": 1})
    assert http("GET", url)[1]["Job"]["State"]["StateType"] == "Running"
    http("POST", base + "/_emulator/clock/advance", {"seconds": 2})
    assert http("GET", url)[1]["Job"]["State"]["StateType"] == "Completed"


@pytest.mark.parametrize("args, fragment", [
    (["--clock", "warp"], "clock must be one of real, scaled, manual"),
    (["--speed", "fast"], "speed must be a number"),
    (["--providers", "nope"], "unknown provider 'nope'"),
    (["--profile", "bacalhau=v9"], "--profile bacalhau=v9: unknown profile; bacalhau profiles: default, v1.4, v1.5"),
    (["--duration", "Running=3"], "expected provider.State=seconds"),
])
def test_invalid_configuration_exits_nonzero_with_one_line(args, fragment):
    env = dict(os.environ)
    if os.environ.get("EMULATOR_TEST_PROVIDERS") and "--providers" not in args:
        env["EMULATOR_PROVIDERS"] = os.environ["EMULATOR_TEST_PROVIDERS"]
    proc = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
                          capture_output=True, text=True, timeout=30, env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in proc.stderr


def test_serve_help_explains_every_setting():
    proc = subprocess.run([sys.executable, "-m", "emulator", "serve", "--help"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0
    for flag in ("--host", "--port", "--seed", "--speed", "--clock", "--providers", "--duration", "--profile",
                 "EMULATOR_PORT", "bacalhau"):
        assert flag in proc.stdout


def test_startup_prints_urls_and_each_request_logs_one_structured_line():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--log-level", "info"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        started = wait_ready(proc)
        http("GET", base + "/api/v1/orchestrator/jobs/j-0000abcd")
    finally:
        proc.terminate()
        rest, err = proc.communicate(timeout=15)
    out = started + rest
    assert f"listening on {base}" in out
    for key in ("streams", "bacalhau", "seatunnel", "instabase", "taskapi"):
        assert f"provider {key} at {base}" in out
    assert f"control API at {base}/_emulator/health" in out
    wanted = "request method=GET path=/api/v1/orchestrator/jobs/j-0000abcd"
    lines = [line for line in err.splitlines() if wanted in line]
    assert len(lines) == 1
    assert "status=500" in lines[0] and "provider=bacalhau" in lines[0] and "job=j-0000abcd" in lines[0]
    assert "session=default" in lines[0] and " ms=" in lines[0]
