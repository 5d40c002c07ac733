"""Fixtures: the generator is deterministic (byte-identical from the same seed), the committed fixtures/ are
exactly what `job-emulator fixtures --seed 0` writes, every request example is schema-valid and accepted by
the emulator, and `--preload fixtures/sandbox` starts a server with populated lists on every provider."""

from __future__ import annotations

import base64
import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.core import validation
from emulator.fixtures import recipes, write_all
from emulator.providers import available
from tests.support import wait_ready

ROOT = Path(__file__).resolve().parents[2]
ENABLED = [k for k in os.environ.get("EMULATOR_TEST_PROVIDERS", "").split(",") if k] or available()
RECIPES = recipes()
KEYS = [k for k in ENABLED if k in RECIPES]
# a list endpoint per provider, answered from the preloaded sandbox
LISTS = {"bacalhau": ("/api/v1/orchestrator/jobs", lambda b: b["Jobs"]),
         "streams": ("/streams/instances/inst1/jobs", lambda b: b["jobs"]),
         "seatunnel": ("/running-jobs", lambda b: b),
         "instabase": ("/api/v1/jobs/list", lambda b: b["jobs"]),
         "taskapi": None}


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    write_all(str(tmp_path / "a"), 5, jobs=12, providers=KEYS)
    write_all(str(tmp_path / "b"), 5, jobs=12, providers=KEYS)
    write_all(str(tmp_path / "c"), 6, jobs=12, providers=KEYS)
    a, b, c = (_tree(tmp_path / n) for n in "abc")
    assert a == b
    assert a != c


@pytest.mark.skipif(set(KEYS) != set(RECIPES), reason="the committed fixtures cover every provider")
def test_committed_fixtures_regenerate_byte_identically(tmp_path):
    """`job-emulator fixtures --seed 0` (the CLI, in a subprocess) reproduces fixtures/ exactly."""
    proc = subprocess.run([sys.executable, "-m", "emulator", "fixtures", "--seed", "0", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cmp = filecmp.dircmp(ROOT / "fixtures", tmp_path)
    assert _tree(ROOT / "fixtures") == _tree(tmp_path), \
        f"fixtures/ is stale: run job-emulator fixtures --seed 0 ({cmp.diff_files})"


def _requests(key: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((ROOT / "fixtures" / key / "requests").glob("*.json"))]


@pytest.mark.parametrize("key", KEYS)
async def test_request_examples_are_schema_valid_and_accepted(emu, key):
    reqs = _requests(key)
    assert len(reqs) >= 10 and any(r["name"].startswith("seed-") for r in reqs)
    app = emu.app
    for req in reqs:
        match = await app.router.resolve(_fake_request(app, req["method"], req["path"]))
        assert match.http_exception is None, f"{req['method']} {req['path']} is not a route"
        route = next(r for k, r in app["route_table"] if k == key and r.method == req["method"]
                     and match.route.resource.canonical == r.path)
        if route.body and "body" in req:
            assert validation.errors_of(route.body, req["body"]) == [], req["name"]
        kwargs = {"params": req["query"] or None, "headers": req["headers"], "allow_redirects": False}
        if "body" in req:
            kwargs["json"] = req["body"]
        elif "body_base64" in req:
            kwargs["data"] = base64.b64decode(req["body_base64"])
        resp = await emu.request(req["method"], req["path"], **kwargs)
        assert resp.status < 400, (req["name"], resp.status, await resp.text())


def _fake_request(app, method: str, path: str):
    from aiohttp.test_utils import make_mocked_request

    return make_mocked_request(method, path, app=app)


@pytest.mark.parametrize("key", KEYS)
def test_sandbox_has_mixed_states_with_histories(key):
    doc = json.loads((ROOT / "fixtures" / "sandbox" / f"{key}.json").read_text())
    assert len(doc["jobs"]) >= 40
    assert len(doc["states"]) >= 4, doc["states"]
    terminal = [j for j in doc["jobs"] if j["finished_ns"] is not None]
    live = [j for j in doc["jobs"] if j["finished_ns"] is None]
    assert terminal and live
    assert all(len(j["history"]) >= 1 for j in doc["jobs"])
    assert any(len(j["history"]) >= 3 for j in doc["jobs"])


async def test_preloaded_server_lists_every_provider_and_answers_in_schema(emulator_factory):
    """Contract mode is on: every answer about a preloaded job is checked against its schema."""
    emu = await emulator_factory(preload=str(ROOT / "fixtures" / "sandbox"))
    health = await (await emu.get("/_emulator/health")).json()
    for key in KEYS:
        assert health["jobs_by_provider"][key] >= 40
        spec = LISTS.get(key)
        if spec is not None:
            path, items = spec
            resp = await emu.get(path)
            assert resp.status == 200
            assert len(items(await resp.json())) > 0, key
    if "bacalhau" in KEYS:
        jobs = (await (await emu.get("/api/v1/orchestrator/jobs")).json())["Jobs"]
        for job in jobs[:10]:
            assert (await emu.get(f"/api/v1/orchestrator/jobs/{job['ID']}?include=history,executions")).status == 200
        # a new job after preload never reuses a sandbox id (same seed: the random stream continues)
        resp = await emu.put("/api/v1/orchestrator/jobs", json={"Job": {"Name": "n", "Type": "batch", "Tasks": [
            {"Name": "t", "Engine": {"Type": "docker"}}]}})
        assert resp.status == 200
        assert (await resp.json())["JobID"] not in {j["ID"] for j in jobs}
    if "taskapi" in KEYS:
        doc = json.loads((ROOT / "fixtures" / "sandbox" / "taskapi.json").read_text())
        job = doc["jobs"][0]
        d = job["data"]["state"]  # the job's Drawn record, as the snapshot codec writes it
        resp = await emu.get(f"/compute/orgs/{d['org_id']}/{d['topic']}/{d['task']}/{job['id']}/status")
        assert resp.status in (200, 202)


async def test_preloaded_jobs_keep_moving_on_the_clock(emulator_factory):
    if "bacalhau" not in KEYS:
        pytest.skip("bacalhau is not enabled")
    emu = await emulator_factory(preload=str(ROOT / "fixtures" / "sandbox"))
    before = (await (await emu.get("/api/v1/orchestrator/jobs")).json())["Jobs"]
    running = [j["ID"] for j in before if j["State"]["StateType"] in ("Pending", "Running")]
    assert running
    await emu.advance(3 * 3600)
    listed = (await (await emu.get("/api/v1/orchestrator/jobs")).json())["Jobs"]
    after = {j["ID"]: j["State"]["StateType"] for j in listed}
    assert sum(after[i] in ("Completed", "Failed") for i in running) > 0


def test_preload_rejects_a_missing_path(tmp_path):
    from emulator.app import create_app
    from emulator.config import load

    settings = load({"clock": "manual", "preload": str(tmp_path / "nope")}, env={}, available=available())
    with pytest.raises(ValueError, match="preload"):
        create_app(settings)


def test_serve_preload_over_http(tmp_path):
    """`job-emulator serve --preload fixtures/sandbox` as a subprocess shows populated lists."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    env["EMULATOR_PROVIDERS"] = ",".join(ENABLED)
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--preload",
                             "fixtures/sandbox"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_ready(proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=10) as resp:
            health = json.loads(resp.read())
        assert health is not None
        assert all(health["jobs_by_provider"][k] >= 40 for k in KEYS)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
