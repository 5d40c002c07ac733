"""The Docker image, proven without a Docker engine: the Dockerfile is parsed, its build steps replayed into a
temporary root (COPY, then `pip install` of the copied source tree), and its CMD started as a subprocess with
the image's ENV and WORKDIR; its HEALTHCHECK command must then report healthy. Also: per-provider ports.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port, http, wait_ready

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


# --- a small Dockerfile reader --------------------------------------------------------------------------------
def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    out, buf = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        word, _, rest = buf.partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def parse_env(args: str) -> dict[str, str]:
    if "=" not in args.split()[0]:  # legacy `ENV KEY value`
        key, _, value = args.partition(" ")
        return {key: value.strip()}
    return dict(tok.split("=", 1) for tok in shlex.split(args))


def exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"use the exec form (JSON array) so signals reach the server: {args}"
    return json.loads(args)


def dockerfile() -> dict:
    ins = instructions(DOCKERFILE.read_text())
    info = {"from": [], "env": {}, "copy": [], "run": [], "user": None, "expose": [], "cmd": None,
            "healthcheck": None, "workdir": "/"}
    for word, args in ins:
        if word == "FROM":
            info["from"].append(args)
        elif word == "ENV":
            info["env"].update(parse_env(args))
        elif word == "COPY":
            info["copy"].append(args.split())
        elif word == "RUN":
            info["run"].append(args)
        elif word == "USER":
            info["user"] = args
        elif word == "EXPOSE":
            info["expose"].extend(int(p.split("/")[0]) for p in args.split())
        elif word == "CMD":
            info["cmd"] = exec_form(args)
        elif word == "WORKDIR":
            info["workdir"] = args
        elif word == "HEALTHCHECK":
            options, _, cmd = args.partition("CMD ")
            info["healthcheck"] = (options.split(), exec_form(cmd.strip()))
    return info


# --- helpers --------------------------------------------------------------------------------------------------
def get(url: str) -> tuple[int, dict]:
    return http("GET", url)


def resolve(argv: list[str], bin_dirs: list[Path]) -> list[str]:
    """The image's `python` is this interpreter; other programs come from the installed package's bin."""
    prog = argv[0]
    if prog in ("python", "python3"):
        return [sys.executable, *argv[1:]]
    for d in bin_dirs:
        if (d / prog).exists():
            return [str(d / prog), *argv[1:]]
    found = shutil.which(prog)
    assert found, f"{prog} is not installed"
    return [found, *argv[1:]]


def test_dockerfile_shape():
    info = dockerfile()
    assert info["from"] and all("slim" in f for f in info["from"]), "a slim Python base"
    assert info["user"] not in (None, "root", "0"), "runs as a non-root user"
    assert info["env"]["EMULATOR_HOST"] == "0.0.0.0", "listens on every interface inside the container"
    assert int(info["env"]["EMULATOR_PORT"]) in info["expose"]
    assert info["healthcheck"] is not None
    hc = " ".join(info["healthcheck"][1])
    assert "/_emulator/health" in hc and "curl" not in hc and "wget" not in hc
    assert info["cmd"][0] == "job-emulator"
    assert all(k.startswith(("EMULATOR_", "PYTHON", "PIP_")) for k in info["env"])


def test_dockerignore_keeps_what_the_build_copies():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for src, _ in ((c[0], c[-1]) for c in dockerfile()["copy"]):
        for name in src.split():
            assert name not in ignored, f"{name} is copied but ignored"
    assert ".git" in ignored and "tests" in ignored


@pytest.fixture
def image_root(tmp_path):
    """Replay the Dockerfile's COPY lines and its `pip install <dir>` into tmp_path (the image's /)."""
    info = dockerfile()
    root = tmp_path / "image"

    def inside(p: str) -> Path:
        return root / p.lstrip("/")

    for parts in info["copy"]:
        *srcs, dst = [p for p in parts if not p.startswith("--")]
        for src in srcs:
            source = ROOT / src
            if not source.exists():
                pytest.fail(f"COPY {src}: missing from the source tree (generate it first)")
            target = inside(dst)
            if dst.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                target = target / source.name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    site = root / "site"
    installs = constraints = 0
    for cmd in info["run"]:
        for step in cmd.split("&&"):
            words = shlex.split(step)
            if words[:2] == ["pip", "install"]:
                args, rest = [], iter(words[2:])
                for w in rest:
                    if w in ("-c", "--constraint"):
                        constraint = inside(next(rest))
                        assert constraint.read_text() == (ROOT / "constraints" / "docker.txt").read_text(), \
                            "the image installs with the repository's pinned constraints"
                        constraints += 1
                    elif not w.startswith("-"):
                        args.append(w)
                # dependencies are those of the test environment already; only the package itself is built
                proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                                       "--target", str(site), *(str(inside(a)) for a in args)],
                                      capture_output=True, text=True, timeout=300)
                assert proc.returncode == 0, proc.stdout + proc.stderr
                installs += 1
    assert installs == 1, "the image installs the package from the source tree with pip"
    assert constraints == 1, "the install is pinned by constraints/docker.txt"
    copied = [c for c in info["copy"] if "schemas" in c]
    assert all(c[-1].rstrip("/").endswith("/src/schemas") for c in copied), \
        "schemas are copied once, as the source tree's top-level folder (setup.py maps it into the package)"
    return root, site, info


def test_image_cmd_starts_and_healthcheck_passes(image_root):
    root, site, info = image_root
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    env.update(info["env"])
    env["EMULATOR_PORT"] = str(port)  # a free port here; the image's 8080 is mapped by Docker
    env["PYTHONPATH"] = str(site)
    if os.environ.get("EMULATOR_TEST_PROVIDERS"):
        env["EMULATOR_PROVIDERS"] = os.environ["EMULATOR_TEST_PROVIDERS"]
    workdir = root / info["workdir"].lstrip("/")
    proc = subprocess.Popen(resolve(info["cmd"], [site / "bin"]), cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        started = wait_ready(proc)
        _, hc_cmd = info["healthcheck"]
        check = subprocess.run(resolve(hc_cmd, [site / "bin"]), env=env, cwd=workdir, capture_output=True,
                               text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        # the installed package (not the source tree) is what answered, and it carries its schemas
        where = subprocess.run([sys.executable, "-c", "import emulator.core.validation as v; print(v.schema_dir())"],
                               env=env, cwd=workdir, capture_output=True, text=True, timeout=30)
        assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
        status, health = get(f"http://127.0.0.1:{port}/_emulator/health")
        assert status == 200 and health["providers"]
        # the image's fixtures make EMULATOR_PRELOAD=/app/fixtures/sandbox usable
        assert (workdir / "fixtures" / "sandbox").is_dir()
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err.decode()  # SIGTERM (docker stop) is a clean shutdown
    assert "listening on http://0.0.0.0:" in started + out.decode()


def test_healthcheck_fails_when_nothing_listens():
    _, hc_cmd = dockerfile()["healthcheck"]
    env = {**os.environ, "EMULATOR_PORT": str(free_port())}
    check = subprocess.run(resolve(hc_cmd, []), env=env, capture_output=True, timeout=30)
    assert check.returncode != 0


def test_provider_port_serves_the_provider_at_root_with_the_same_jobs():
    """`--provider-port bacalhau=N`: Bacalhau's paths also answer on N (as on the real port 1234), sharing
    jobs with the shared port."""
    enabled = os.environ.get("EMULATOR_TEST_PROVIDERS")
    if enabled and "bacalhau" not in enabled.split(","):
        pytest.skip("bacalhau is not enabled")
    port, bport = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual",
                             "--provider-port", f"bacalhau={bport}"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        started = wait_ready(proc)
        job = {"Job": {"Name": "p", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/orchestrator/jobs", method="PUT",
                                     data=json.dumps(job).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            job_id = json.loads(resp.read())["JobID"]
        status, body = get(f"http://127.0.0.1:{bport}/api/v1/orchestrator/jobs/{job_id}")
        assert status == 200 and body["Job"]["ID"] == job_id
        # only bacalhau's routes are on its own port
        if "streams" in get(f"http://127.0.0.1:{port}/_emulator/health")[1]["providers"]:
            try:
                status, _ = get(f"http://127.0.0.1:{bport}/streams/instances")
            except ValueError:
                status = 404
            assert status == 404
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"bacalhau also at http://127.0.0.1:{bport}" in started + out.decode()
