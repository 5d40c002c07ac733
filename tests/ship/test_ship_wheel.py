"""The package as its users install it: the wheel built from this tree, installed into a fresh virtual
environment outside the tree, must serve all five providers, print their OpenAPI documents and run a user's
test project through the pytest plugin. A broken install (a schema file missing) must refuse to start.

One test does the whole journey, so a parallel run builds and installs once. The wheel is built from a copy
of the tree (the source tree is never written to); the venv has no pip of its own and no system site
packages: this interpreter's pip installs the wheel and pytest into it from the usual cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from openapi_spec_validator import validate

from emulator import __version__
from tests.support import free_port, http, raw_http, wait_ready

ROOT = Path(__file__).resolve().parents[2]
# What a build needs is the tracked tree; everything a developer or CI leaves around is not copied.
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".ruff_cache", "node_modules", "tests", "bench")
ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
USER_TESTS = '''
import json
import urllib.request


def call(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_scripted_failure_is_reported(job_emulator):
    job_emulator.scenario("fail", "bacalhau", {"name": "nightly-etl"}, at="Running", message="OOM killed")
    job = {"Job": {"Name": "nightly-etl", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
    job_id = call("PUT", job_emulator.url + "/api/v1/orchestrator/jobs", job)["JobID"]
    job_emulator.advance_until("bacalhau", job_id, "Failed")
    state = call("GET", job_emulator.url + "/api/v1/orchestrator/jobs/" + job_id)["Job"]["State"]
    assert state["StateType"] == "Failed" and "OOM killed" in state["Message"]


def test_each_test_gets_a_fresh_session(job_emulator):
    listed = call("GET", job_emulator.url + "/api/v1/orchestrator/jobs")
    assert listed["Jobs"] == []
    assert job_emulator.health()["clock"]["mode"] == "manual"
'''


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user's shell with only the new venv active: nothing points back at this tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EMULATOR_", "PYTEST_", "PYTHON", "VIRTUAL_ENV", "JOB_EMULATOR"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _run(argv: list[str], timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                 str(src), "-w", str(tmp / "dist")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = (tmp / "dist").glob("*.whl")
    return wheel


def _check_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = sorted(p.relative_to(ROOT / "schemas").as_posix() for p in (ROOT / "schemas").rglob("*.json"))
    assert schemas, "the tree has no schemas?"
    missing = [s for s in schemas if f"emulator/schemas/{s}" not in names]
    assert not missing, f"schemas missing from the wheel: {missing}"
    data = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "emulator").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    assert not [f for f in data if f not in names], "files under emulator/ missing from the wheel"
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]
    assert wheel.name.startswith(f"job_api_emulator-{__version__}-")
    assert any(n.endswith(".dist-info/LICENSE") or "/licenses/LICENSE" in n for n in names), "LICENSE not shipped"


def _make_venv(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    proc = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert proc.returncode == 0, proc.stderr
    proc = _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                 "--disable-pip-version-check", str(wheel), "pytest"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def _drive_bacalhau(e: str) -> str:
    job = {"Job": {"Name": "hello", "Type": "batch", "Count": 1, "Tasks": [{"Name": "main", "Engine": {
        "Type": "docker", "Params": {"Image": "ubuntu", "Entrypoint": ["echo", "hello"]}}}]}}
    status, body = http("PUT", f"{e}/api/v1/orchestrator/jobs", job)
    assert status == 200, body
    _advance(e, 10)
    status, got = http("GET", f"{e}/api/v1/orchestrator/jobs/{body['JobID']}")
    assert status == 200, got
    return got["Job"]["State"]["StateType"]


def _drive_seatunnel(e: str) -> str:
    job = {"env": {"job.mode": "BATCH"},
           "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                       "schema": {"fields": {"id": "int"}}}],
           "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}
    status, body = http("POST", f"{e}/submit-job?jobName=ship", job)
    assert status == 200, body
    _advance(e, 600)
    status, got = http("GET", f"{e}/job-info/{body['jobId']}")
    assert status == 200, got
    return got["jobStatus"]


def _drive_streams(e: str) -> str:
    base = f"{e}/streams/instances/inst1"
    status, _, raw = raw_http("POST", f"{base}/applicationbundles", b"PK\003\004ship",
                              {"Content-Type": "application/x-jar"})
    assert status in (200, 201), raw
    bundle = json.loads(raw)["bundleId"]
    status, job = http("POST", f"{base}/jobs", {"application": f"bundleId:{bundle}"})
    assert status in (200, 201), job
    _advance(e, 120)
    status, got = http("GET", f"{base}/jobs/{job['id']}")
    assert status == 200 and got["health"] == "healthy", got
    status, _, raw = raw_http("DELETE", f"{base}/jobs/{job['id']}")
    assert status == 204, raw
    _advance(e, 60)
    status, _ = http("GET", f"{base}/jobs/{job['id']}")
    return "gone" if status == 404 else f"still there ({status})"


def _drive_instabase(e: str) -> str:
    auth = {"Authorization": "Bearer ship", "Content-Type": "application/json"}
    body = json.dumps({"binary_path": "u/r/fs/d/f.ibflowbin", "input_dir": "u/r/fs/d/in"}).encode()
    status, _, raw = raw_http("POST", f"{e}/api/v1/flow/run_binary_async", body, auth)
    assert status == 200, raw
    job_id = json.loads(raw)["data"]["job_id"]
    _advance(e, 60)
    status, _, raw = raw_http("GET", f"{e}/api/v1/jobs/status?job_id={job_id}&type=flow", headers=auth)
    assert status == 200, raw
    got = json.loads(raw)
    return f'{got["state"]} {json.loads(got["cur_status"])["status"]}'  # DONE once finished; how, inside


def _drive_taskapi(e: str) -> str:
    auth = {"Authorization": "Bearer ship", "Content-Type": "application/json"}
    status, headers, raw = raw_http("POST", f"{e}/compute/orgs/{ORG}/geostatistics/kriging",
                                    json.dumps({"parameters": {"source": "grade"}}).encode(), auth)
    assert status == 303, raw
    location = headers["Location"]
    job_url = location if location.startswith("http") else e + location
    _advance(e, 60)
    status, _, raw = raw_http("GET", job_url.removesuffix("/status"), headers=auth)
    assert status == 200, raw
    return json.loads(raw)["status"]


DRIVERS = {"bacalhau": (_drive_bacalhau, "Completed"), "seatunnel": (_drive_seatunnel, "FINISHED"),
           "streams": (_drive_streams, "gone"), "instabase": (_drive_instabase, "DONE COMPLETE"),
           "taskapi": (_drive_taskapi, "succeeded")}


def _advance(e: str, seconds: float) -> None:
    status, body = http("POST", f"{e}/_emulator/clock/advance", {"seconds": seconds})
    assert status == 200, body


def _check_dashboard(e: str) -> None:
    """The installed package serves the dashboard's files, and `/` leads to it."""
    status, headers, _ = raw_http("GET", f"{e}/")
    assert status == 302 and headers["Location"] == "/_emulator/ui/", (status, headers)
    status, headers, page = raw_http("GET", f"{e}/_emulator/ui/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"js/app.js" in page
    for name in ("js/app.js", "style.css"):
        status, headers, body = raw_http("GET", f"{e}/_emulator/ui/{name}")
        assert status == 200 and body, name


def _serve_and_drive(venv: Path, env: dict[str, str], cwd: Path) -> list[str]:
    port = free_port()
    proc = subprocess.Popen([str(venv / "bin" / "job-emulator"), "serve", "--port", str(port), "--clock", "manual"],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_ready(proc)
        e = f"http://127.0.0.1:{port}"
        status, health = http("GET", f"{e}/_emulator/health")
        assert status == 200 and health["status"] == "ok" and health["version"] == __version__
        assert sorted(health["providers"]) == sorted(DRIVERS)
        _check_dashboard(e)
        reached = {key: drive(e) for key, (drive, _) in DRIVERS.items()}
        assert reached == {key: end for key, (_, end) in DRIVERS.items()}
        return health["providers"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        assert b"Traceback" not in err, err.decode()


def test_built_wheel_works_in_a_fresh_venv_outside_the_tree(tmp_path):
    started = time.monotonic()
    wheel = _build_wheel(tmp_path)
    _check_wheel_contents(wheel)
    venv = _make_venv(tmp_path, wheel)
    built = time.monotonic()
    env = _clean_env(venv)
    home = tmp_path / "user"
    home.mkdir()
    py = str(venv / "bin" / "python")

    # the emulator imported there is the installed copy, not this source tree
    where = _run([py, "-c", "import emulator, emulator.core.validation as v; print(emulator.__file__); "
                  "print(v.schema_dir())"], cwd=home, env=env)
    assert where.returncode == 0, where.stderr
    module_file, schemas = where.stdout.split()
    assert Path(module_file).is_relative_to(venv) and Path(schemas).is_relative_to(venv), where.stdout
    assert not Path(module_file).resolve().is_relative_to(ROOT.resolve())

    version = _run([str(venv / "bin" / "job-emulator"), "--version"], cwd=home, env=env)
    assert version.stdout.strip() == f"job-emulator {__version__}", version.stdout + version.stderr

    providers = _serve_and_drive(venv, env, home)

    for key in [*providers, "control"]:
        out = _run([str(venv / "bin" / "job-emulator"), "openapi", key], cwd=home, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
        doc = json.loads(out.stdout)
        validate(doc)
        assert doc["paths"] and doc["components"]["schemas"], key

    project = home / "project"
    project.mkdir()
    (project / "test_my_client.py").write_text(USER_TESTS)
    user = _run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=env)
    assert user.returncode == 0 and "2 passed" in user.stdout, user.stdout + user.stderr

    # a broken install refuses to start: status 2 and one line naming the missing schema
    victim = Path(schemas) / "bacalhau" / "job-submit.request.json"
    victim.unlink()
    broken = _run([str(venv / "bin" / "job-emulator"), "serve", "--port", str(free_port())], cwd=home, env=env,
                  timeout=60)
    assert broken.returncode == 2, broken.stdout + broken.stderr
    assert broken.stderr.count("\n") == 1 and "bacalhau/job-submit.request" in broken.stderr, broken.stderr
    assert "listening" not in broken.stdout
    broken_doc = _run([str(venv / "bin" / "job-emulator"), "openapi", "bacalhau"], cwd=home, env=env, timeout=60)
    assert broken_doc.returncode == 2 and "bacalhau/job-submit.request" in broken_doc.stderr, broken_doc.stderr
    print(f"\nwheel test: build + venv {built - started:.1f} s, whole journey {time.monotonic() - started:.1f} s")
