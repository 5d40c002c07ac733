"""End to end: `job-emulator serve` as a subprocess on a free port, driven over real HTTP, as CI and users do.

The scaled clock (speed 100) makes the seed's job take 70 ms of wall time; the test polls until Completed
with a generous deadline, asserting only the job's states, never the wall time it took.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def wait_healthy(base: str, proc: subprocess.Popen, deadline_s: float = 30.0) -> dict:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stderr.read().decode()}")
        try:
            status, body = http("GET", base + "/_emulator/health")
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.05)  # polling a subprocess's readiness, not emulated time
    raise AssertionError("emulator did not become healthy")


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
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        return base

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
            break
        time.sleep(0.01)
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
    (["--profile", "bacalhau=v9"], "unknown profile 'v9' for bacalhau"),
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
        wait_healthy(base, proc)
        http("GET", base + "/api/v1/orchestrator/jobs/j-0000abcd")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert f"listening on {base}" in out
    for key in ("streams", "bacalhau", "seatunnel", "instabase", "taskapi"):
        assert f"provider {key} at {base}" in out
    assert f"control API at {base}/_emulator/health" in out
    wanted = "request method=GET path=/api/v1/orchestrator/jobs/j-0000abcd"
    lines = [line for line in err.splitlines() if wanted in line]
    assert len(lines) == 1
    assert "status=500" in lines[0] and "provider=bacalhau" in lines[0] and "job=j-0000abcd" in lines[0]
    assert "session=default" in lines[0] and " ms=" in lines[0]
