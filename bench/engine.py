"""In-process figures, run in a fresh interpreter per job count so each RSS reading is clean:
memory held per job, list latency (first page and a deep page, with a filter) and the manual clock advancing
across every due transition at once.

Jobs are submitted through the provider's own route handler (the real `kit.Call`, over a stand-in
request object), with each body parsed from JSON afresh as the server would, so the job records, their
`spec` and their derived `data` are exactly what a served submit keeps; only the socket is skipped.

    python -m bench.engine --provider bacalhau --jobs 100000 [--list-reps 50] [--advance]

prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import heapq
import json
import re
import sys
import time
from typing import Any

from multidict import CIMultiDict, MultiDict

from bench.providers import TARGETS, Target


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (no psutil needed)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class StandInRequest:
    """The few attributes of aiohttp's Request that `kit.Call` and handlers read."""

    __slots__ = ("app", "content_length", "headers", "host", "match_info", "method", "path", "query", "scheme")

    def __init__(self, method: str, path: str, match_info: dict, headers: dict, query: str) -> None:
        self.method = method
        self.path = path
        self.match_info = match_info
        self.headers = CIMultiDict(headers)
        pairs = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in query.split("&") if p]
        from urllib.parse import unquote_plus
        self.query = MultiDict((unquote_plus(k), unquote_plus(v)) for k, v in pairs)
        self.app: dict = {}
        self.host = "127.0.0.1:8080"
        self.scheme = "http"
        self.content_length = None


class Harness:
    """One provider of a freshly built emulator (manual clock, seed 0) and its default session."""

    def __init__(self, key: str) -> None:
        from emulator.app import build_providers, session_factory
        from emulator.config import load
        from emulator.providers import available

        self.settings = load({"clock": "manual", "providers": key}, env={}, available=available())
        self.providers = build_providers(self.settings)
        self.provider = self.providers[key]
        self.session = session_factory(self.settings, self.providers)("default")
        self.routes = [(r, re.compile("^" + re.sub(r"\{(\w+)(?::[^}]*)?\}", r"(?P<\1>[^/]+)", r.path) + "$"))
                       for r in self.provider.routes()]
        self.loop = asyncio.new_event_loop()

    def call(self, method: str, url: str, headers: dict, body: bytes | None = None) -> Any:
        """Run the route handler for `method url` and return its Reply (ApiError rendered as the API does)."""
        from emulator.core import validation
        from emulator.core.errors import ApiError
        from emulator.kit import Call, parse_args

        path, _, query = url.partition("?")
        for route, rx in self.routes:
            m = rx.match(path)
            if m and route.method == method:
                break
        else:
            raise LookupError(f"no {self.provider.key} route for {method} {path}")
        req = StandInRequest(method, path, m.groupdict(), headers, query)
        call = Call(req, self.session, self.provider, route)  # type: ignore[arg-type]
        try:
            call.authenticated(self.provider.authenticate(call))
            call.args = parse_args(route.query, req.query)
            if body is not None:
                call.raw = body
                call.body = validation.parse_json(body)
            coro = route.handler(call)
            try:
                coro.send(None)
            except StopIteration as done:
                return done.value
            coro.close()  # it awaited something real: run it properly instead
            return self.loop.run_until_complete(route.handler(call))
        except ApiError as err:
            return self.provider.render_error(err, call)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def submit_many(h: Harness, t: Target, n: int, first: int = 0) -> tuple[float, str]:
    """Submit `n` jobs (the `first`-th onwards, for a target that spreads them); returns (seconds, poll URL of
    the last one)."""
    raw = t.body_bytes()
    start = time.perf_counter()
    reply = None
    for i in range(first, first + n):
        reply = h.call(t.submit_method, t.spread(i) if t.spread else t.submit_path, t.headers, raw)
    secs = time.perf_counter() - start
    if reply is None or reply.status >= 400:
        raise RuntimeError(f"{t.key} submit failed: {getattr(reply, 'status', None)} {getattr(reply, 'body', None)}")
    return secs, t.poll(reply.status, reply.headers or {}, reply.body)


def with_query(url: str, extra: str) -> str:
    """`url` with the parameters of query string `extra` set (replacing those of the same name)."""
    path, _, query = url.partition("?")
    new = [p for p in extra.split("&") if p]
    names = {p.split("=", 1)[0] for p in new}
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0] not in names]
    return f"{path}?{'&'.join(kept + new)}"


def time_lists(h: Harness, t: Target, jobs: int, reps: int, finished: bool) -> dict:
    """First and (where the API pages) deep page of each of the target's lists of this phase."""
    out = {}
    for lst in t.lists:
        if lst.finished != finished:
            continue
        row = {"first": time_request(h, t, lst.url, reps)}
        if lst.deep_page is not None:
            row["deep"] = time_request(h, t, with_query(lst.url, lst.deep_page(jobs // 2)), reps)
            row["deep_row"] = jobs // 2
        out[lst.label] = row
    return out


def time_request(h: Harness, t: Target, url: str, reps: int) -> dict:
    """p50/p99 (ms) of a read through the handler plus response encoding."""
    from emulator.core.jsonbytes import dumps

    samples = []
    for _ in range(reps):
        s = time.perf_counter()
        reply = h.call("GET", url, t.headers)
        if not isinstance(reply.body, bytes):  # (a poll's kept bytes are sent as they are, as to_response does)
            dumps(reply.body)
        samples.append((time.perf_counter() - s) * 1000)
    if reply.status >= 400:
        raise RuntimeError(f"GET {url} answered {reply.status}: {reply.body}")
    return {"p50_ms": _pct(samples, 0.5), "p99_ms": _pct(samples, 0.99), "reps": reps}


def reference_dicts(n: int) -> dict:
    """The floor for memory: `n` minimal job dicts (id, state, created) in one dict, in this interpreter."""
    gc.collect()
    before = rss_bytes()
    held = {}
    for i in range(n):
        jid = f"j-{i:08x}-0000-4000-8000-000000000000"
        held[jid] = {"id": jid, "state": "Pending", "created": 1_767_225_600_000_000_000 + i}
    gc.collect()
    per = (rss_bytes() - before) / n
    del held
    return {"bytes_per_job": per}


def reference_heap(n: int) -> float:
    """The floor for advance: push and pop `n` (due, seq, obj, version) entries and append one tuple each."""
    obj = object()
    log: list = []
    start = time.perf_counter()
    heap: list = []
    for i in range(n):
        heapq.heappush(heap, (1000, i, obj, 0))
    while heap:
        due, _, _, _ = heapq.heappop(heap)
        log.append((due, "a", "b", ""))
    return time.perf_counter() - start


def reference_page(n: int, reps: int) -> dict:
    """The floor for a list page: slice 100 of `n` minimal dicts and JSON-encode them."""
    rows = [{"id": f"j-{i:08x}", "state": "Pending", "labels": {"env": "bench"}} for i in range(n)]
    samples = []
    for r in range(reps):
        s = time.perf_counter()
        off = (r * 7919) % max(1, n - 100)
        json.dumps([d for d in rows[off:off + 100] if d["labels"].get("env") == "bench"])
        samples.append((time.perf_counter() - s) * 1000)
    return {"p50_ms": _pct(samples, 0.5), "p99_ms": _pct(samples, 0.99)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--provider", required=True)
    ap.add_argument("--jobs", type=int, required=True)
    ap.add_argument("--list-reps", type=int, default=0, help="list requests per page kind (0: no list figure)")
    ap.add_argument("--advance", action="store_true",
                    help="advance the clock past every job's end, firing every due transition at once")
    ap.add_argument("--reference", action="store_true", help="also measure the in-process references")
    ap.add_argument("--profile", default=None, help="write a pyinstrument profile of the submit loop here")
    args = ap.parse_args(argv)
    t = TARGETS[args.provider]
    gc.collect()
    rss_start = rss_bytes()
    h = Harness(args.provider)
    h.call(t.submit_method, t.submit_path, t.headers, t.body_bytes())  # warm: first-use imports, node pools
    gc.collect()
    rss_before = rss_bytes()
    out: dict[str, Any] = {"provider": args.provider, "jobs": args.jobs, "rss_start": rss_start,
                           "rss_ready": rss_before}
    if args.profile:
        from pyinstrument import Profiler

        prof = Profiler()
        prof.start()
    secs, poll = submit_many(h, t, args.jobs - 1)
    if args.profile:
        prof.stop()
        with open(args.profile, "w", encoding="utf-8") as fh:
            fh.write(prof.output_text(unicode=False, color=False))
    gc.collect()
    rss_after = rss_bytes()
    out.update(submit_per_s=(args.jobs - 1) / secs if secs else 0.0, rss_held=rss_after,
               bytes_per_job=(rss_after - rss_before) / max(1, args.jobs - 1))
    out["get"] = time_request(h, t, poll, 200)
    if args.list_reps:
        out["lists"] = time_lists(h, t, args.jobs, args.list_reps, finished=False)
    if args.advance:
        # one advance far past every job's end (an hour of emulated time; the bench's jobs take seconds to
        # minutes), so every pending transition of every job fires in this one call, follow-ups included
        sched = h.session.scheduler
        pending = len(sched)
        start = time.perf_counter()
        h.session.clock.advance_to(h.session.clock.now_ns() + 3600 * 10**9)
        fired = h.session.tick()
        secs = time.perf_counter() - start
        out["advance"] = {"fired": fired, "pending_before": pending, "seconds": secs,
                          "per_s": fired / secs if secs else 0.0}
        if args.list_reps:
            # the advance left millions of history rows for the collector: without a collection here its
            # full pass landed inside the first finished-list requests (251 ms p99 against a 2.3 ms p50 for
            # Instabase at 1M), a cost of the advance; the running lists are timed after one too (above)
            gc.collect()
            out["lists"].update(time_lists(h, t, args.jobs, args.list_reps, finished=True))
    if args.reference:
        out["ref_memory"] = reference_dicts(args.jobs)
        out["ref_advance_s"] = reference_heap(args.jobs)
        if args.list_reps:
            out["ref_page"] = reference_page(args.jobs, args.list_reps)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
