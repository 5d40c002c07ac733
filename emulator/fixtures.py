"""Fixtures: realistic example requests per provider and a sandbox job set that starts the emulator populated.

`job-emulator fixtures --seed N --out DIR` writes, deterministically (same seed, same bytes):

- `DIR/<provider>/requests/NNN-<name>.json`: requests a client would send, as
  `{"name", "method", "path", "query", "headers", "body" | "body_base64"}`: the seed's own examples first,
  then Faker-made variety (names, labels, images, URLs, parameters drawn from the seed);
- `DIR/sandbox/<provider>.json`: that provider's jobs (50 by default) in mixed states with their histories,
  made by replaying such requests through the real routes on the manual clock with a spread of scripted
  outcomes (succeed, long-running, failed, stuck, cancelled), then exported with the engine's snapshot codec;
- `DIR/sandbox/session.json`: the random generator's state after the run, so a server started with the same
  seed draws ids that never collide with the sandbox's.

`preload(app, path)` (`job-emulator serve --preload fixtures/sandbox`, or EMULATOR_PRELOAD) loads those jobs
into the default session of a starting server and sets that session's clock to the sandbox's moment (mode
and speed unchanged): running jobs keep running and finish on their own timers.

The request recipes below are the only provider-specific part; the rest works from the route table and the
lifecycle graphs, so a provider without a recipe simply gets no fixtures.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .core import fakes

if TYPE_CHECKING:
    from aiohttp import web

FORMAT = "job-emulator-sandbox"  # versioned as snapshots are (core/snapshot.py VERSION)
SANDBOX_JOBS = 50
VARIETY_REQUESTS = 12


# --- request recipes ------------------------------------------------------------------------------------------
def request(name: str, method: str, path: str, body: Any = None, *, query: dict | None = None,
            headers: dict | None = None, raw: bytes | None = None) -> dict:
    """One example request in the fixture format."""
    req: dict[str, Any] = {"name": name, "method": method, "path": path, "query": query or {},
                           "headers": headers or {}}
    if raw is not None:
        req["body_base64"] = base64.b64encode(raw).decode()
    elif body is not None:
        req["body"] = body
    return req


@dataclass(frozen=True)
class Recipe:
    """How to make a provider's jobs: seed examples, variety, and how to find and cancel a created job."""

    examples: Callable[[], list[dict]]
    variety: Callable[[random.Random, int], dict]
    job_ref: Callable[[int, dict, Any], str | None]      # (status, headers, body) -> what cancel() needs
    cancel: Callable[[str], dict]
    setup: Callable[[], list[dict]] = lambda: []         # requests that must precede the examples


# bacalhau ---------------------------------------------------------------------------------------------------
_BAC = "/api/v1/orchestrator/jobs"
_IMAGES = ["ubuntu:22.04", "python:3.11-slim", "alpine:3.19",
           "ghcr.io/bacalhau-project/examples/stable-diffusion-gpu:0.0.1",
           "busybox:1.36", "node:20-alpine"]


def _bacalhau_examples() -> list[dict]:
    return [request("seed-create-job", "PUT", _BAC, {"Job": {
        "Name": "test-job", "Type": "batch", "Count": 1, "Labels": {"foo": "bar", "env": "dev"},
        "Tasks": [{"Name": "task1", "Engine": {"Type": "docker", "Params": {
            "Image": "ubuntu:latest", "Entrypoint": ["echo", "hello"]}}, "Publisher": {"Type": "noop"}}]}})]


def _bacalhau_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    word = f.word()
    jtype = rng.choice(["batch", "batch", "batch", "ops", "service"])
    task: dict[str, Any] = {"Name": "main", "Engine": {"Type": "docker", "Params": {
        "Image": rng.choice(_IMAGES), "Entrypoint": ["/bin/sh", "-c"],
        "Parameters": [f"echo {f.sentence(nb_words=4).rstrip('.')} && sleep {rng.randint(1, 30)}"]}},
        "Resources": {"CPU": f"{rng.choice([250, 500, 1000])}m", "Memory": f"{rng.choice([256, 512, 1024])}Mb"}}
    if rng.random() < 0.4:
        task["Publisher"] = {"Type": "local"}
        task["ResultPaths"] = [{"Name": "outputs", "Path": "/outputs"}]
    job = {"Name": f"{word}-{f.word()}-{i}", "Type": jtype, "Count": 1 if jtype != "service" else rng.randint(1, 3),
           "Namespace": "default", "Labels": {"team": f.word(), "env": rng.choice(["dev", "staging", "prod"])},
           "Meta": {"owner": f.user_name()}, "Tasks": [task]}
    if jtype == "service":
        job["ID"] = f"svc-{word}-{i}"
    return request(f"create-{jtype}-job", "PUT", _BAC, {"Job": job})


BACALHAU = Recipe(
    _bacalhau_examples, _bacalhau_variety,
    job_ref=lambda status, headers, body: body.get("JobID") if isinstance(body, dict) else None,
    cancel=lambda ref: request("stop-job", "DELETE", f"{_BAC}/{ref}", query={"reason": "stopped from the sandbox"}),
)

# streams ----------------------------------------------------------------------------------------------------
_ST = "/streams/instances/inst1"
_SAB = b"PK\x03\x04 sample.sab bytes"


def _streams_setup() -> list[dict]:
    return [request("seed-upload-bundle", "POST", f"{_ST}/applicationbundles", raw=_SAB,
                    headers={"Accept": "application/json", "Content-Type": "application/x-jar"})]


def _streams_examples() -> list[dict]:
    bid = hashlib.sha224(_SAB).hexdigest()  # Streams names a bundle by its content
    return [request("seed-submit-by-bundle-id", "POST", f"{_ST}/jobs", {"application": f"bundleId:{bid}"}),
            request("seed-submit-by-url", "POST", f"{_ST}/jobs", {"application": "https://myserver.com/sample.sab"})]


def _streams_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    name = f"{f.word()}{f.word().capitalize()}"
    overlay = {"jobConfigOverlays": [{"jobConfig": {
        "jobName": f"{name}_{i}", "jobGroup": "default",
        "submissionParameters": [{"name": "rate", "value": str(rng.randint(1, 500))},
                                 {"name": "topic", "value": f.word()}]},
        "deploymentConfig": {"fusionScheme": rng.choice(["automatic", "legacy", "manual"])}}]}
    body = {"application": f"https://{f.domain_name()}/apps/{name}.sab", "jobConfigurationOverlay": overlay}
    return request("submit-with-overlay", "POST", f"{_ST}/jobs", body)


STREAMS = Recipe(
    _streams_examples, _streams_variety,
    job_ref=lambda status, headers, body: str(body["id"]) if isinstance(body, dict) and "id" in body else None,
    cancel=lambda ref: request("cancel-job", "DELETE", f"{_ST}/jobs/{ref}"),
    setup=_streams_setup,
)

# seatunnel --------------------------------------------------------------------------------------------------
_CDC = {"env": {"job.name": "my-cdc-job", "job.mode": "STREAMING", "checkpoint.interval": 30000},
        "source": [{"plugin_name": "MySQL-CDC", "plugin_output": "mysql_cdc_result",
                    "base-url": "jdbc:mysql://localhost:3306/mydb", "username": "cdc_user", "password": "password",
                    "database-names": ["mydb"], "table-names": ["mydb.orders"], "startup.mode": "initial",
                    "server-id": "5400-5404"}],
        "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["mysql_cdc_result"]}]}
_ETL = {"env": {"job.name": "etl-with-transforms", "job.mode": "BATCH"},
        "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                    "schema": {"fields": {"id": "int", "name": "string", "amount": "double"}}}],
        "transform": [{"plugin_name": "FieldMapper", "plugin_input": ["fake"], "plugin_output": "after_field_map",
                       "field_mapper": {"id": "user_id", "name": "user_name"}},
                      {"plugin_name": "Filter", "plugin_input": ["after_field_map"], "plugin_output": "filtered",
                       "fields": ["user_id", "user_name", "amount"]}],
        "sink": [{"plugin_name": "Console", "plugin_input": ["filtered"]}]}


def _seatunnel_examples() -> list[dict]:
    return [request("seed-submit-cdc-job", "POST", "/submit-job", copy.deepcopy(_CDC)),
            request("seed-submit-etl-job", "POST", "/submit-job", copy.deepcopy(_ETL))]


def _seatunnel_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    table = f"{f.word()}_{f.word()}"
    if rng.random() < 0.7:
        cfg = {"env": {"job.name": f"{table}-batch-{i}", "job.mode": "BATCH", "parallelism": rng.randint(1, 4)},
               "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": rng.randint(100, 50000),
                           "schema": {"fields": {"id": "bigint", "name": "string", "email": "string",
                                                 "amount": "double"}}}],
               "transform": [],
               "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}
    else:
        cfg = {"env": {"job.name": f"{table}-cdc-{i}", "job.mode": "STREAMING", "checkpoint.interval": 10000},
               "source": [{"plugin_name": "MySQL-CDC", "plugin_output": "cdc",
                           "base-url": f"jdbc:mysql://{f.hostname(levels=1)}:3306/{f.word()}",
                           "username": f.user_name(), "password": f.password(length=12, special_chars=False),
                           "table-names": [f"{f.word()}.{table}"], "startup.mode": "initial"}],
               "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["cdc"]}]}
    return request("submit-job", "POST", "/submit-job", cfg)


SEATUNNEL = Recipe(
    _seatunnel_examples, _seatunnel_variety,
    job_ref=lambda status, headers, body: str(body["jobId"]) if isinstance(body, dict) and "jobId" in body else None,
    cancel=lambda ref: request("stop-job", "POST", "/stop-job", {"jobId": int(ref) if ref.isdigit() else ref,
                                                                  "isStopWithSavePoint": False}),
)

# instabase --------------------------------------------------------------------------------------------------
_IB_RUN = {"binary_path": "jaydoe/my-repo/fs/Instabase Drive/flow/single.ibflowbin",
           "input_dir": "jaydoe/my-repo/fs/Instabase Drive/flow", "settings": {}}


def _instabase_examples() -> list[dict]:
    return [request("seed-run-flow-binary", "POST", "/api/v1/flow/run_binary_async", copy.deepcopy(_IB_RUN))]


def _instabase_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    repo = f"{f.word()}-{f.word()}"
    flow = f"{f.word()}_{f.word()}"
    body = {"binary_path": f"jaydoe/{repo}/fs/Instabase Drive/flows/{flow}.ibflowbin",
            "input_dir": f"jaydoe/{repo}/fs/Instabase Drive/inputs/{f.word()}",
            "settings": {"tags": [f.word(), rng.choice(["invoices", "claims", "receipts", "contracts"])],
                         "priority": rng.randint(1, 9)}}
    return request("run-flow-binary", "POST", "/api/v1/flow/run_binary_async", body)


def _instabase_ref(status: int, headers: Any, body: Any) -> str | None:
    data = body.get("data") if isinstance(body, dict) else None
    return data.get("job_id") if isinstance(data, dict) else None


INSTABASE = Recipe(
    _instabase_examples, _instabase_variety, job_ref=_instabase_ref,
    cancel=lambda ref: request("cancel-job", "POST", "/api/v1/jobs/cancel", query={"job_id": ref}),
)

# taskapi ----------------------------------------------------------------------------------------------------
_ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
_TASKS = [("geostatistics", "kriging"), ("geostatistics", "variogram"), ("meshing", "surface"),
          ("block-model", "estimate")]


def _taskapi_examples() -> list[dict]:
    return [request("seed-create-job", "POST", f"/compute/orgs/{_ORG}/geostatistics/kriging",
                    {"parameters": {"source": "grade"}}, headers={"Authorization": "Bearer <ACCESS_TOKEN>"})]


def _taskapi_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    topic, task = rng.choice(_TASKS)
    params = {"source": f"{f.word()}-{rng.randint(1, 99)}", "attribute": rng.choice(["grade", "density", "Au_ppm"]),
              "block_size": [rng.choice([5, 10, 20])] * 3, "max_samples": rng.randint(8, 64)}
    return request("create-job", "POST", f"/compute/orgs/{_ORG}/{topic}/{task}", {"parameters": params},
                   headers={"Authorization": "Bearer <ACCESS_TOKEN>"})


def _taskapi_ref(status: int, headers: Any, body: Any) -> str | None:
    loc = headers.get("Location") if status == 303 else None
    return urlsplit(loc).path.removesuffix("/status") if loc else None


TASKAPI = Recipe(
    _taskapi_examples, _taskapi_variety, job_ref=_taskapi_ref,
    cancel=lambda ref: request("cancel-job", "DELETE", ref, headers={"Authorization": "Bearer <ACCESS_TOKEN>"}),
)

RECIPES: dict[str, Recipe] = {"bacalhau": BACALHAU, "streams": STREAMS, "seatunnel": SEATUNNEL,
                              "instabase": INSTABASE, "taskapi": TASKAPI}


def example_requests(key: str, seed: int, n: int = VARIETY_REQUESTS) -> list[dict]:
    """The seed's examples and `n` Faker-made requests for provider `key` (setup requests first)."""
    recipe = RECIPES[key]
    rng = random.Random(f"{seed}:{key}:requests")
    return [*recipe.setup(), *recipe.examples(), *(recipe.variety(rng, i) for i in range(n))]


# --- writing --------------------------------------------------------------------------------------------------
def write_all(out_dir: str, seed: int, *, jobs: int = SANDBOX_JOBS, providers: list[str] | None = None) -> list[str]:
    """Write request examples and sandbox sets for every available provider with a recipe; returns the paths
    written. Stale files of an earlier run in those folders are removed, so the tree is exactly the output."""
    from .providers import available

    keys = [k for k in (providers or available()) if k in RECIPES]
    out = Path(out_dir)
    written: list[str] = []
    for key in keys:
        folder = out / key / "requests"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        for i, req in enumerate(example_requests(key, seed), 1):
            path = folder / f"{i:03d}-{req['name']}.json"
            path.write_text(_dump(req), encoding="utf-8")
            written.append(str(path))
    sandbox = out / "sandbox"
    sandbox.mkdir(parents=True, exist_ok=True)
    for old in sandbox.glob("*.json"):
        old.unlink()
    docs = asyncio.run(_build_sandbox(keys, seed, jobs))
    for name, doc in docs.items():
        path = sandbox / f"{name}.json"
        path.write_text(_dump(doc), encoding="utf-8")
        written.append(str(path))
    return written


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


async def _build_sandbox(keys: list[str], seed: int, n_jobs: int) -> dict[str, dict]:
    """Replay requests through the real routes on the manual clock and export each provider's jobs."""
    from aiohttp.test_utils import TestClient, TestServer

    from . import config as cfg
    from .app import create_app
    from .core import codec, snapshot
    from .providers import available

    settings = cfg.load({"clock": "manual", "seed": seed, "providers": ",".join(keys), "check_responses": True},
                        env={}, available=available())
    app = create_app(settings)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        session = app["sessions"].get()
        rng = random.Random(f"{seed}:sandbox")
        for key in keys:
            await _populate(client, app, key, RECIPES[key], seed, rng, n_jobs)
        if app["contract_violations"]:
            raise RuntimeError("sandbox responses broke their schemas:\n" + "\n".join(app["contract_violations"]))
        now = session.clock.now_ns()
        docs: dict[str, dict] = {}
        states = snapshot.provider_states(session)
        for key in keys:
            store = session.store(key)
            block = codec.encode_store(store)
            docs[key] = {"format": FORMAT, "version": snapshot.VERSION, "provider": key, "seed": seed,
                         "now_ns": now, "next_seq": block["next_seq"],
                         "states": dict(sorted(store.count_by_state().items())),
                         "state": codec.to_json(states.get(key)), "jobs": block["jobs"]}
        ids = session.ids.state()
        docs["session"] = {"format": FORMAT, "version": snapshot.VERSION, "seed": seed, "now_ns": now,
                           "providers": keys, **ids}
        return docs
    finally:
        await client.close()


async def _send(client: Any, req: dict) -> tuple[int, Any, Any]:
    data = base64.b64decode(req["body_base64"]) if "body_base64" in req else None
    kwargs: dict[str, Any] = {"params": req.get("query") or None, "headers": dict(req.get("headers") or {}),
                              "allow_redirects": False}
    if "body" in req:
        kwargs["json"] = req["body"]
    elif data is not None:
        kwargs["data"] = data
    resp = await client.request(req["method"], req["path"], **kwargs)
    text = await resp.text()
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    return resp.status, resp.headers, body


def _fate_states(app: Any, key: str) -> tuple[str, str]:
    """(first, working) state of the provider's first graph: where a job waits, where it does its work."""
    graph = next(iter(app["providers"][key].graphs().values()))
    step = graph.timed.get(graph.initial)
    return graph.initial, step.to if step else graph.initial


async def _populate(client: Any, app: Any, key: str, recipe: Recipe, seed: int, rng: random.Random,
                    n_jobs: int) -> None:
    session = app["sessions"].get()
    first, working = _fate_states(app, key)
    for req in recipe.setup():
        status, _, body = await _send(client, req)
        if status >= 300:
            raise RuntimeError(f"sandbox setup {req['name']} for {key} failed: {status} {body}")
    reqs = recipe.examples()
    vrng = random.Random(f"{seed}:{key}:sandbox")
    while len(reqs) < n_jobs:
        reqs.append(recipe.variety(vrng, len(reqs)))
    refs: list[str] = []
    for req in reqs[:n_jobs]:
        req = copy.deepcopy(req)
        roll = rng.random()
        # a spread of outcomes: most succeed, some work for a long time, some fail, a few get stuck
        if roll < 0.15:
            req["headers"]["X-Emulator-Outcome"] = f"fail; at={working}; message={fakes.sentence(rng, 5)}"
        elif roll < 0.35:
            req["headers"]["X-Emulator-Outcome"] = f"succeed; {working}={rng.randint(600, 7200)}"
        elif roll < 0.40:
            req["headers"]["X-Emulator-Outcome"] = f"hang; at={first}"
        status, headers, body = await _send(client, req)
        if status >= 400:
            raise RuntimeError(f"sandbox request {req['name']} for {key} failed: {status} {body}")
        ref = recipe.job_ref(status, headers, body)
        if ref is not None:
            refs.append(ref)
        session.advance(rng.uniform(0.5, 20.0))
    for ref in rng.sample(refs, k=min(len(refs), max(1, n_jobs // 10))):
        status, _, body = await _send(client, recipe.cancel(ref))
        session.advance(rng.uniform(0.0, 3.0))
    session.advance(1.0)


# --- preloading -----------------------------------------------------------------------------------------------
def preload(app: web.Application, path: str) -> dict[str, int]:
    """Load sandbox jobs from `path` (a folder of `<provider>.json`, or one such file) into the default
    session of `app`; returns jobs loaded per provider. Providers that are not enabled are skipped.

    The session's clock is set to the sandbox's moment (keeping its mode and speed): providers keep their own
    timestamps in per-session state (finished indexes, submit times), so moving the clock, not the jobs,
    keeps every answer consistent. Running jobs then finish on their own timers. A missing or foreign path
    raises ValueError with one line."""
    from .core import codec, snapshot
    from .core.clock import Clock

    src = Path(path)
    if src.is_dir():
        files = sorted(p for p in src.glob("*.json") if p.stem != "session")
        meta_file = src / "session.json"
    elif src.is_file():
        files, meta_file = [src], src.with_name("session.json")
    else:
        raise ValueError(f"preload: {path} is neither a folder of sandbox files nor a sandbox file")
    docs = []
    for file in files:
        try:
            doc = snapshot.upgrade(json.loads(file.read_text(encoding="utf-8")), FORMAT)
        except (OSError, ValueError) as exc:
            raise ValueError(f"preload: {file} is not a sandbox file: {exc}") from None
        if "provider" not in doc:
            raise ValueError(f"preload: {file} is not a sandbox file: it names no provider")
        docs.append(doc)
    if not docs:
        raise ValueError(f"preload: no sandbox files in {path}")
    moments = {int(d["now_ns"]) for d in docs}
    if len(moments) > 1:
        raise ValueError(f"preload: the files in {path} were made at different moments; regenerate them together")
    session = app["sessions"].get()
    clock = session.clock
    session.clock = Clock(clock.mode, clock.speed, start_ns=moments.pop())
    loaded: dict[str, int] = {}
    for doc in docs:
        key = doc["provider"]
        if key not in app["providers"]:
            continue
        graphs = app["providers"][key].graphs()
        try:
            jobs = codec.restore_store(session.store(key), doc, graphs, session)
        except ValueError as exc:
            raise ValueError(f"preload: {key}: {exc}") from None
        codec.arm(session, jobs)
        if doc.get("state") is not None:
            # provider state (instances, bundles, counters) after the jobs: it may refer to them
            snapshot.install_states(session, {key: codec.from_json(doc["state"], session)})
        loaded[key] = len(doc["jobs"])
    if meta_file.is_file():
        meta = snapshot.upgrade(json.loads(meta_file.read_text(encoding="utf-8")), FORMAT)
        if meta.get("seed") == session.seed and meta.get("rng"):
            # same seed as the sandbox: continue its random stream, so new ids never repeat sandbox ids
            session.ids.set_state({"rng": meta["rng"], "flake_seq": meta.get("flake_seq", 0)})
    session.tick()
    return loaded
