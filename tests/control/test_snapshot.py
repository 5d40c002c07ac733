"""Snapshot round trip and --state-file restart lose nothing: jobs in every state of every provider answer the
same bytes after import, and keep moving on the same timers."""

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.support import free_port, http, wait_ready

ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
SEATUNNEL_JOB = {"env": {"job.mode": "BATCH"},
                 "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 1000,
                             "schema": {"fields": {"name": "string", "age": "int"}}}],
                 "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}

# provider -> (method, path, body of a submit; how to read one job given its engine id)
SUBMITS = {
    "bacalhau": ("PUT", "/api/v1/orchestrator/jobs",
                 {"Job": {"Name": "n", "Type": "batch", "Count": 2, "Tasks": [
                     {"Name": "t", "Engine": {"Type": "docker", "Params": {"Entrypoint": ["echo", "hi"]}}}]}}),
    "taskapi": ("POST", f"/compute/orgs/{ORG}/geo/kriging", {"parameters": {"a": 1}}),
    "streams": ("POST", "/streams/instances/inst1/jobs", None),
    "instabase": ("POST", "/api/v1/flow/run_binary_async", {"binary_path": "u/r/fs/d/f.ibflowbin",
                                                             "input_dir": "u/r/fs/d/in"}),
    "seatunnel": ("POST", "/submit-job", SEATUNNEL_JOB),
}


def read_urls(provider: str, job_id: str) -> list[str]:
    if provider == "bacalhau":
        base = f"/api/v1/orchestrator/jobs/{job_id}"
        return [base, base + "/executions", base + "/history"]
    if provider == "taskapi":
        return [f"/compute/orgs/{ORG}/geo/kriging/{job_id}/status", f"/compute/orgs/{ORG}/geo/kriging/{job_id}"]
    if provider == "streams":
        inst, jid = job_id.split("/")
        return [f"/streams/instances/{inst}/jobs/{jid}", f"/streams/instances/{inst}/jobs"]
    if provider == "instabase":
        return [f"/api/v1/jobs/status?job_id={job_id}", f"/api/v1/jobs/get_logs?job_id={job_id}"]
    if provider == "seatunnel":
        return [f"/job-info/{job_id}", "/running-jobs", "/finished-jobs/"]
    raise AssertionError(provider)


async def populate(emu) -> list[tuple[str, str]]:
    """For every enabled provider, one job in each state of its graph (set through the control API)."""
    jobs = []
    providers = emu.app["providers"]
    for key, (method, path, body) in SUBMITS.items():
        if key not in providers:
            continue
        store = emu.session.store(key)
        graphs = list(providers[key].graphs().values())
        states = graphs[0].states
        for i, state in enumerate(states):
            b = body if body is not None else {"application": "https://example.test/app.sab",
                                                "jobConfigurationOverlay": {"jobConfigOverlays": [
                                                    {"jobConfig": {"jobName": f"job{i}"}}]}}
            resp = await emu.request(method, path, json=b, allow_redirects=False)
            assert resp.status in (200, 201, 303), await resp.text()
            job = list(store)[-1]
            resp = await emu.post(f"/_emulator/jobs/{key}/{job.id.replace('/', '%2F')}/state", json={"state": state})
            assert resp.status == 200, await resp.text()
            jobs.append((key, job.id))
    return jobs


async def read_all(emu, jobs) -> list[bytes]:
    out = []
    host = f"127.0.0.1:{emu.server.port}".encode()  # links carry the host the client called
    for key, job_id in jobs:
        for url in read_urls(key, job_id):
            resp = await emu.get(url)
            out.append(resp.status.to_bytes(2, "big") + (await resp.read()).replace(host, b"HOST"))
        resp = await emu.get(f"/_emulator/jobs/{key}/{job_id.replace('/', '%2F')}")
        out.append(await resp.read())
    return out


async def test_snapshot_round_trip_keeps_every_state_of_every_provider(emulator_factory):
    src = await emulator_factory()
    await src.post("/_emulator/scenarios", json={"outcome": "fail", "at": "Running", "provider": "bacalhau"})
    await src.post("/_emulator/faults", json={"provider": "taskapi", "path": "/nowhere", "status": 500})
    jobs = await populate(src)
    assert len({k for k, _ in jobs}) == len(src.app["providers"])
    await src.advance(1.5)
    snap = await (await src.get("/_emulator/snapshot")).json()
    dst = await emulator_factory()
    resp = await dst.post("/_emulator/snapshot", json=json.loads(json.dumps(snap)))
    assert resp.status == 200, await resp.text()
    assert await read_all(dst, jobs) == await read_all(src, jobs)
    # timers survive: both advance the same way
    await src.advance(30)
    await dst.advance(30)
    assert await read_all(dst, jobs) == await read_all(src, jobs)
    # new submissions draw the same ids and data from the restored generators
    for emu in (src, dst):
        await emu.put("/api/v1/orchestrator/jobs", json=SUBMITS["bacalhau"][2])
    assert [j.id for j in src.session.store("bacalhau")] == [j.id for j in dst.session.store("bacalhau")]
    rules = await (await dst.get("/_emulator/scenarios")).json()
    assert rules["scenarios"][0]["outcome"] == "fail"
    assert (await (await dst.get("/_emulator/faults")).json())["faults"][0]["path"] == "/nowhere"


async def test_bad_snapshot_is_a_400(emu):
    resp = await emu.post("/_emulator/snapshot", json={"format": "other"})
    err = (await resp.json())["error"]
    assert resp.status == 400 and err["field"] == "clock" and err["message"] == "clock is required"
    snap = await (await emu.get("/_emulator/snapshot")).json()
    resp = await emu.post("/_emulator/snapshot", json={**snap, "format": "other/9"})
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "format"


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
def test_state_file_survives_a_restart(tmp_path):
    state = tmp_path / "state.json"
    env = {**os.environ, "EMULATOR_STATE_FILE": str(state), "EMULATOR_CLOCK": "manual"}
    if os.environ.get("EMULATOR_TEST_PROVIDERS"):
        env["EMULATOR_PROVIDERS"] = os.environ["EMULATOR_TEST_PROVIDERS"]

    def start():
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        base = f"http://127.0.0.1:{port}"
        wait_ready(proc)
        return proc, base

    proc, base = start()
    _, out = http("PUT", base + "/api/v1/orchestrator/jobs", SUBMITS["bacalhau"][2])
    job_url = f"{base}/api/v1/orchestrator/jobs/{out['JobID']}"
    http("POST", base + "/_emulator/clock/advance", {"seconds": 3})
    before = http("GET", job_url)[1]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert state.exists()
    proc, base = start()
    try:
        job_url = f"{base}/api/v1/orchestrator/jobs/{out['JobID']}"
        assert http("GET", job_url)[1] == before
        assert before["Job"]["State"]["StateType"] == "Running"
        http("POST", base + "/_emulator/clock/advance", {"seconds": 10})
        assert http("GET", job_url)[1]["Job"]["State"]["StateType"] == "Completed"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
