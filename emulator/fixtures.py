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

The only provider-specific part is each provider's recipe, in its own folder (`providers/<key>/sandbox.py`,
found through `Provider.sandbox_recipe()`); the rest works from the route table and the lifecycle graphs, so
a provider without a recipe simply gets no fixtures.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core import fakes
from .kit.recipe import Recipe

if TYPE_CHECKING:
    from aiohttp import web

FORMAT = "job-emulator-sandbox"  # versioned as snapshots are (core/snapshot.py VERSION)
SANDBOX_JOBS = 50
VARIETY_REQUESTS = 12


# --- recipes: each provider's own (its sandbox.py), found through the provider class -----------------------
def recipes(keys: list[str] | None = None) -> dict[str, Recipe]:
    """The sandbox recipe of each available provider (or of `keys`) that has one."""
    from .providers import available, provider_class

    out = {}
    for key in keys if keys is not None else available():
        recipe = provider_class(key).sandbox_recipe()
        if recipe is not None:
            out[key] = recipe
    return out


def example_requests(key: str, seed: int, n: int = VARIETY_REQUESTS) -> list[dict]:
    """The seed's examples and `n` Faker-made requests for provider `key` (setup requests first)."""
    recipe = recipes([key])[key]
    rng = random.Random(f"{seed}:{key}:requests")
    return [*recipe.setup(), *recipe.examples(), *(recipe.variety(rng, i) for i in range(n))]


# --- writing --------------------------------------------------------------------------------------------------
def write_all(out_dir: str, seed: int, *, jobs: int = SANDBOX_JOBS, providers: list[str] | None = None) -> list[str]:
    """Write request examples and sandbox sets for every available provider with a recipe; returns the paths
    written. Stale files of an earlier run in those folders are removed, so the tree is exactly the output."""
    found = recipes(providers)
    keys = list(found)
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
            await _populate(client, app, key, recipes([key])[key], seed, rng, n_jobs)
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
