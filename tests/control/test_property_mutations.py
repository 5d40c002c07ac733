"""Property: no request breaks a session. Every provider's fixture requests (the bodies the sandbox and the
example fixtures send, emulator/fixtures.py) are mutated by a hypothesis generator (type swaps, deep nesting
within the parser's bounds, text with lone surrogates and control characters, huge numbers, missing and
extra keys) and sent to a real server; then the session's lists, every job's view and a snapshot export and
import must still answer 200. No answer is ever a 5xx, and every 4xx is in the API's own error format (the
server's contract mode checks each response against the provider's error schema).

Bounded in CI (seeded, derandomized, `ci` profile); `EMULATOR_PROPERTY_PROFILE=large` runs many more.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import os
import socket
import threading
from typing import Any
from urllib.parse import quote

import pytest

hypothesis = pytest.importorskip("hypothesis")
requests = pytest.importorskip("requests")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from emulator.fixtures import example_requests, recipes  # noqa: E402
from emulator.providers import available  # noqa: E402

settings.register_profile("ci", max_examples=25, derandomize=True, database=None, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("large", max_examples=1000, derandomize=False, database=None, deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("EMULATOR_PROPERTY_PROFILE", "ci")
ENABLED = [k for k in os.environ.get("EMULATOR_TEST_PROVIDERS", "").split(",") if k] or available()
# the lists each provider answers for the jobs the fixture requests make
LISTS = {
    "bacalhau": ["/api/v1/orchestrator/jobs"],
    "streams": ["/streams/instances/inst1/jobs"],
    "seatunnel": ["/running-jobs", "/finished-jobs"],
    "instabase": ["/api/v1/jobs/list"],
    "taskapi": ["/compute/orgs/8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70/tasks"],
}

# --- the mutation generator -----------------------------------------------------------------------------------
TEXT = st.text(st.characters(categories=["Cs", "Cc", "Lu", "Ll", "Nd", "Zs", "So", "Mn"]), max_size=12)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 80), max_value=2 ** 80),
                 st.floats(allow_nan=True, allow_infinity=True), TEXT,
                 st.sampled_from([2 ** 63, -(2 ** 63) - 1, 1e308, -0.0, 10 ** 30, "", "0", "true", "null"]))
ANY = st.recursive(LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                 st.dictionaries(TEXT, inner, max_size=3)), max_leaves=8)


def _mutate(draw: Any, node: Any) -> Any:
    """One mutation somewhere in `node`: walk down a random branch, then change what is there."""
    if isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node)))
        node[key] = _mutate(draw, node[key])
        return node
    if isinstance(node, list) and node and draw(st.booleans()):
        i = draw(st.integers(0, len(node) - 1))
        node[i] = _mutate(draw, node[i])
        return node
    action = draw(st.sampled_from(["swap", "drop", "extra", "nest", "text"]))
    if action == "drop" and isinstance(node, dict) and node:
        del node[draw(st.sampled_from(sorted(node)))]
        return node
    if action == "extra" and isinstance(node, dict):
        node[draw(TEXT)] = draw(ANY)
        return node
    if action == "nest":  # deep, but within the JSON parser's bound (deeper is a 400, tested elsewhere)
        for _ in range(draw(st.integers(1, 60))):
            node = draw(st.sampled_from([[node], {"a": node}]))
        return node
    if action == "text":
        return draw(TEXT)
    return draw(ANY)


@st.composite
def mutated_request(draw: Any, key: str) -> dict:
    reqs = [r for r in example_requests(key, seed=0, n=3) if "body" in r]
    req = copy.deepcopy(draw(st.sampled_from(reqs)))
    body = req["body"]
    for _ in range(draw(st.integers(1, 3))):
        body = _mutate(draw, body)
    req["body"] = body
    return req


# --- the server ---------------------------------------------------------------------------------------------
class _Server:
    """One emulator (every provider, manual clock, contract mode) in a background thread."""

    def __init__(self) -> None:
        from emulator.app import create_app
        from emulator.config import load

        cfg = load({"clock": "manual", "seed": 3, "check_responses": True, "providers": ",".join(ENABLED),
                    "max_sessions": 100000}, env={}, available=available())
        self.app = create_app(cfg)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.base = f"http://127.0.0.1:{s.getsockname()[1]}"
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        assert self.ready.wait(30)

    def _run(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        self.loop.run_until_complete(self.runner.setup())
        port = int(self.base.rsplit(":", 1)[1])
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def server():
    srv = _Server()
    yield srv
    srv.stop()


def _send(http: Any, base: str, session: str, req: dict) -> Any:
    headers = {**req.get("headers", {}), "X-Emulator-Session": session}
    if "body_base64" in req:  # a setup upload (a Streams bundle), sent as is
        raw = base64.b64decode(req["body_base64"])
    else:
        raw = json.dumps(req["body"], allow_nan=True).encode()  # ASCII: a lone surrogate travels as \udXXX
        headers["Content-Type"] = "application/json"
    return http.request(req["method"], base + req["path"], params=req.get("query") or None, data=raw,
                        headers=headers, allow_redirects=False, timeout=30)


def _still_answers(http: Any, base: str, key: str, session: str) -> None:
    """The session's lists, each job's view and a snapshot round trip all answer 200."""
    h = {"X-Emulator-Session": session}
    for path in LISTS[key]:
        resp = http.get(base + path, headers=h, timeout=30)
        assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
    snap = http.get(base + "/_emulator/snapshot", headers=h, timeout=30)
    assert snap.status_code == 200, snap.text[:300]
    jobs = [j["id"] for j in snap.json()["jobs"].get(key, {}).get("jobs", [])]
    for job_id in jobs:
        resp = http.get(f"{base}/_emulator/jobs/{key}/{quote(job_id, safe='')}", headers=h, timeout=30)
        assert resp.status_code == 200, (job_id, resp.status_code, resp.text[:300])
    back = http.post(base + "/_emulator/snapshot", data=snap.content, headers=h, timeout=60)
    assert back.status_code == 200, back.text[:300]
    again = http.get(base + "/_emulator/snapshot", headers=h, timeout=30).json()
    assert [j["id"] for j in again["jobs"].get(key, {}).get("jobs", [])] == jobs


@pytest.mark.parametrize("key", ENABLED)
def test_mutated_fixture_requests_never_break_the_session(server, key):
    http = requests.Session()
    base = server.base
    sent: list[int] = []

    @settings(settings.get_profile(PROFILE))
    @given(req=mutated_request(key))
    def check(req: dict) -> None:
        made = http.post(base + "/_emulator/sessions", json={}, timeout=30)
        assert made.status_code == 201, made.text
        session = made.json()["key"]
        try:
            # what the fixtures send first (a Streams bundle), and one job made as they make it, beside the
            # mutated request
            recipe = recipes([key])[key]
            for setup in [*recipe.setup(), recipe.examples()[0]]:
                assert _send(http, base, session, setup).status_code < 400, setup["name"]
            violations = len(server.app["contract_violations"])
            resp = _send(http, base, session, req)
            sent.append(resp.status_code)
            assert resp.status_code < 500, (req, resp.status_code, resp.text[:500])
            if resp.status_code >= 400:
                assert resp.headers["Content-Type"].startswith("application/json"), resp.headers
            _still_answers(http, base, key, session)
            # every answer (the 4xx included) matched its schema: the provider's own error format
            assert server.app["contract_violations"][violations:] == []
        finally:
            http.delete(f"{base}/_emulator/sessions/{session}", timeout=30)

    check()
    refused = sum(1 for s in sent if 400 <= s < 500)
    print(f"\n{key}: {len(sent)} mutated requests, {refused} refused (4xx), {len(sent) - refused} taken")
    assert refused and len(sent) >= settings.get_profile(PROFILE).max_examples // 2
