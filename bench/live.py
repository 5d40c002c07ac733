"""Live figures: jobs moving on time, the event stream under load, and the cross-provider jobs listing.

  8. transition lateness on the real clock with N active jobs, as an event-stream subscriber sees it:
     p50/p99 of (received - due) wall time for the Pending -> Running transition of every job; target p99 < 50 ms
  9. the event stream with 10 subscribers under a submit load of 10,000 jobs a minute for S seconds: events each
     subscriber received, events it missed (gaps in the event numbers), overflows, server RSS before and after;
     the bound: RSS grows less than STREAM_RSS_BOUND (the journal's bytes, the subscribers' queues and the
     jobs --retain-finished keeps are all bounded)
 10. GET /_emulator/jobs p50/p99 (handler + JSON encoding, in-process, fresh interpreter per size) at 100,000
     jobs and, in full mode, 1,000,000: the first page, one provider, one state (of the older half: a scan of
     creation order would skip the whole newer half), a state across providers, a page half-way down by
     cursor, and a search (which examines at most 10,000 jobs per request); target p99 < 20 ms

Figures 8 and 9 run a real server (`job-emulator serve`) and read its event stream over HTTP; 10 runs in
`python -m bench.live listing --jobs N --reps R`, which prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import sys
import time
from typing import Any

from bench import http as H
from bench.engine import Harness, StandInRequest, _pct, rss_bytes
from bench.providers import TARGETS

TARGET_LATENESS_P99_MS = 50.0
TARGET_LISTING_P99_MS = 20.0
STREAM_RSS_BOUND = 64 * 1024 ** 2
STREAM_SUBSCRIBERS = 10
STREAM_RATE = 10_000 / 60  # submits per second

MODES = {
    # lateness: active jobs, Pending seconds (jittered +-50%); stream: seconds of load; listing sizes and reps
    "full": dict(late_jobs=10_000, late_pending=10.0, stream_s=60.0, listing=(100_000, 1_000_000), listing_reps=100),
    "quick": dict(late_jobs=10_000, late_pending=10.0, stream_s=20.0, listing=(100_000,), listing_reps=30),
    "tiny": dict(late_jobs=100, late_pending=1.0, stream_s=1.5, listing=(300,), listing_reps=3),
}
BACALHAU = TARGETS["bacalhau"]


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _pcts(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(values), "p50_ms": _pct(values, 0.5), "p99_ms": _pct(values, 0.99), "max_ms": max(values)}


# --- 8 and 9: a real server, its event stream over HTTP -----------------------------------------------------
async def _submit(client: Any, url: str, count: int, concurrency: int = 32) -> int:
    """Submit `count` Bacalhau jobs as fast as `concurrency` connections go; answers the errors."""
    body = BACALHAU.body_bytes()
    errors = 0
    left = iter(range(count))

    async def worker() -> None:
        nonlocal errors
        for _ in left:
            async with client.put(url, data=body, headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                errors += resp.status >= 400

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return errors


async def _clock_offset(client: Any, base: str) -> int:
    """Server clock minus this process's wall clock (ns), from the quickest of a few reads."""
    best = None
    for _ in range(20):
        t0 = time.time_ns()
        async with client.get(f"{base}/_emulator/clock") as resp:
            now = (await resp.json())["now_ns"]
        t1 = time.time_ns()
        if best is None or t1 - t0 < best[0]:
            best = (t1 - t0, now - (t0 + t1) // 2)
    return best[1]  # type: ignore[index]


async def _lateness(port: int, jobs: int, pending: float) -> dict:
    import aiohttp

    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as client:
        t0 = time.perf_counter()
        errors = await _submit(client, f"{base}{BACALHAU.submit_path}", jobs)
        submit_s = time.perf_counter() - t0
        late: list[float] = []
        async with client.get(f"{base}/_emulator/events", params={"kind": "transition", "provider": "bacalhau"},
                              timeout=aiohttp.ClientTimeout(total=None, sock_read=pending * 3 + 30)) as stream:
            await stream.content.readline()  # the stream is open: nothing from now on is missed
            async with client.post(f"{base}/_emulator/clock", json={"mode": "real"}) as resp:
                assert resp.status == 200, await resp.text()
            offset = await _clock_offset(client, base)
            deadline = time.perf_counter() + pending * 1.5 + 20
            while len(late) < jobs and time.perf_counter() < deadline:
                line = await stream.content.readline()
                if not line:
                    break
                if line.startswith(b"data: "):
                    received = time.time_ns() + offset
                    entry = json.loads(line[6:])
                    if entry.get("to") == "Running":
                        late.append((received - entry["t"]) / 1e6)
    return {"jobs": jobs, "submit_s": submit_s, "submit_errors": errors, "pending_s": pending,
            "seen": len(late), **_pcts(late)}


def lateness_figure(mode: dict, cpu: int | None) -> dict:
    """Figure 8: N jobs submitted on a still (manual) clock, each Pending for `pending` s +-50% (seeded
    jitter), then the clock set running in real time; every job's Pending -> Running transition as an SSE
    subscriber receives it, against its due time."""
    jobs, pending = mode["late_jobs"], mode["late_pending"]
    port = H.free_port()
    srv = H.start(H.emulator_cmd(port, ["bacalhau"], ["--jitter", "0.5", "--duration", f"bacalhau.Pending={pending}",
                                                      "--duration", "bacalhau.Running=86400"]), port, cpu=cpu)
    try:
        out = asyncio.run(_lateness(port, jobs, pending))
        out["rss"] = srv.rss
    finally:
        srv.stop()
    return out


class _Subscriber:
    __slots__ = ("by_kind", "ids", "overflows")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.by_kind: dict[str, int] = {}
        self.overflows = 0


async def _read(stream: Any, sub: _Subscriber) -> None:
    async for line in stream.content:
        if line.startswith(b"id: "):
            sub.ids.append(int(line[4:]))
        elif line.startswith(b"event: "):
            kind = line[7:].strip().decode()
            if kind == "overflow":
                sub.overflows += 1
            else:
                sub.by_kind[kind] = sub.by_kind.get(kind, 0) + 1


async def _stream_load(srv: H.Server, seconds: float) -> dict:
    import aiohttp

    base = f"http://127.0.0.1:{srv.port}"
    subs = [_Subscriber() for _ in range(STREAM_SUBSCRIBERS)]
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=None)) as client:
        streams = [await client.get(f"{base}/_emulator/events") for _ in subs]
        for s in streams:
            await s.content.readline()
        readers = [asyncio.ensure_future(_read(s, sub)) for s, sub in zip(streams, subs, strict=True)]
        rss_before = srv.rss
        body = BACALHAU.body_bytes()
        url = f"{base}{BACALHAU.submit_path}"
        total = int(seconds * STREAM_RATE)
        errors = 0
        sem = asyncio.Semaphore(16)
        peak = rss_before

        async def one() -> None:
            nonlocal errors
            async with sem, client.put(url, data=body, headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                errors += resp.status >= 400

        t0 = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = t0 + i / STREAM_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one()))
            if i % 200 == 0:
                peak = max(peak, srv.rss)
        await asyncio.gather(*tasks)
        load_s = time.perf_counter() - t0
        await asyncio.sleep(4.0)  # the last jobs finish (Pending 1 s, Running 2 s) and their events arrive
        rss_after = srv.rss
        for s in streams:
            s.close()
        for r in readers:
            r.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    first = min(min(s.ids) for s in subs if s.ids)
    last = max(max(s.ids) for s in subs if s.ids)
    per = []
    for s in subs:
        got = set(s.ids)
        per.append({"received": len(s.ids), "missed": (last - first + 1) - len(got & set(range(first, last + 1))),
                    "overflows": s.overflows, "by_kind": s.by_kind})
    return {"subscribers": len(subs), "seconds": load_s, "submits": total, "submit_errors": errors,
            "rate_per_min": total / load_s * 60, "events": last - first + 1, "per_subscriber": per,
            "rss_before": rss_before, "rss_after": rss_after, "rss_peak": max(peak, rss_after),
            "bound": STREAM_RSS_BOUND}


def stream_figure(mode: dict, cpu: int | None) -> dict:
    """Figure 9: 10 subscribers of the whole session's events while jobs are submitted at 10,000 a minute on
    the real clock (Pending 1 s, Running 2 s; finished jobs beyond 2,000 dropped, so what the server holds is
    bounded)."""
    port = H.free_port()
    srv = H.start(H.emulator_cmd(port, ["bacalhau"], ["--clock", "real", "--duration", "bacalhau.Pending=1",
                                                      "--duration", "bacalhau.Running=2", "--retain-finished", "2000"]),
                  port, cpu=cpu)
    try:
        return asyncio.run(_stream_load(srv, mode["stream_s"]))
    finally:
        srv.stop()


# --- 10: the listing, in-process ----------------------------------------------------------------------------
class Sandbox(Harness):
    """Every provider of one emulator (manual clock, seed 0) in one session, each submitted to through its
    own route handler (as bench.engine does for one)."""

    def __init__(self) -> None:  # (Harness builds one provider; this builds all five in one session)
        from emulator.app import build_providers, session_factory
        from emulator.config import load
        from emulator.providers import available

        self.settings = load({"clock": "manual"}, env={}, available=available())
        self.providers = build_providers(self.settings)
        self.session = session_factory(self.settings, self.providers)("default")
        self.loop = asyncio.new_event_loop()
        self.by_key = {}
        for key, prov in self.providers.items():
            self.by_key[key] = [(r, re.compile("^" + re.sub(r"\{(\w+)(?::[^}]*)?\}", r"(?P<\1>[^/]+)", r.path) + "$"))
                                for r in prov.routes()]

    def use(self, key: str) -> Sandbox:
        self.provider = self.providers[key]
        self.routes = self.by_key[key]
        return self

    def listing(self, query: str) -> tuple[int, Any]:
        """GET /_emulator/jobs?`query` through its handler, encoded as the server would; (status, body)."""
        from emulator.control import jobs
        from emulator.core.errors import ApiError
        from emulator.core.jsonbytes import dumps
        from emulator.kit import Call, Route, parse_args

        route = Route("GET", "/_emulator/jobs", jobs.list_jobs, query=jobs.QUERY)
        req = StandInRequest("GET", "/_emulator/jobs", {}, {}, query)
        req.app = {"providers": self.providers}
        call = Call(req, self.session, None, route)  # type: ignore[arg-type]
        try:
            call.args = parse_args(route.query, req.query)
            coro = jobs.list_jobs(call)
            try:
                coro.send(None)
            except StopIteration as done:
                reply = done.value
        except ApiError as err:
            return err.status, {"error": err.message}
        dumps(reply.body)
        return reply.status, reply.body


def fill(box: Sandbox, n: int) -> dict:
    """`n` jobs, a fifth per provider, interleaved in blocks of 100; the older half run to their ends."""
    keys = list(box.providers)
    per_block = max(1, min(100, n // 50))  # small enough that both halves hold every provider's jobs
    t0 = time.perf_counter()
    counts = dict.fromkeys(keys, 0)
    half = n // 2
    done = 0
    advanced = 0.0
    while done < n:
        for key in keys:
            t = TARGETS[key]
            box.use(key)
            raw = t.body_bytes()
            for _ in range(min(per_block, n - done)):
                path = t.spread(counts[key]) if t.spread else t.submit_path
                reply = box.call(t.submit_method, path, t.headers, raw)
                if reply.status >= 400:
                    raise RuntimeError(f"{key} submit answered {reply.status}: {reply.body}")
                counts[key] += 1
                done += 1
            if done >= half and not advanced:
                s = time.perf_counter()
                box.session.advance(3600)  # the older half finish (batch) or settle (streaming)
                advanced = time.perf_counter() - s
            if done >= n:
                break
    return {"fill_s": time.perf_counter() - t0, "advance_s": advanced, "per_provider": counts}


def time_listing(box: Sandbox, query: str, reps: int) -> dict:
    samples = []
    status, body = box.listing(query)  # warm: the figure is the steady cost
    for _ in range(reps):
        s = time.perf_counter()
        status, body = box.listing(query)
        samples.append((time.perf_counter() - s) * 1000)
    if status != 200:
        raise RuntimeError(f"GET /_emulator/jobs?{query} answered {status}: {body}")
    return {"query": query, "reps": reps, "items": len(body["items"]), "examined": body["examined"],
            "p50_ms": _pct(samples, 0.5), "p99_ms": _pct(samples, 0.99)}


def listing_run(n: int, reps: int) -> dict:
    """Figure 10 at `n` jobs (in this interpreter)."""
    gc.collect()
    box = Sandbox()
    filled = fill(box, n)
    gc.collect()
    out: dict[str, Any] = {"jobs": n, **filled, "rss": rss_bytes(), "pages": {}}
    box.listing("limit=1")  # (imports and first-call costs out of the figures)
    # the first state-filtered listing of a state sorts that state's jobs once; the index is kept after
    s = time.perf_counter()
    box.listing("provider=bacalhau&state=Completed&limit=100")
    out["index_build_ms"] = (time.perf_counter() - s) * 1000
    out["index_size"] = box.session.store("bacalhau").count_in("Completed")
    box.listing("state=PENDING&limit=100")
    # a cursor half-way down the whole listing, reached by paging as a client does
    cursor, rows = None, 0
    step = max(1, min(1000, n // 20))
    while rows < n // 2:
        _, body = box.listing(f"limit={step}{'&cursor=' + cursor if cursor else ''}")
        rows += len(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    queries = {
        "first page": "limit=100",
        "one provider": "provider=bacalhau&limit=100",
        "one state (older half)": "provider=bacalhau&state=Completed&limit=100",
        "a state across providers (PENDING)": "state=PENDING&limit=100",
        f"cursor page at row {rows:,}": f"limit=100&cursor={cursor}",
        "search, no match (examines at most 10,000)": "q=no-such-job&limit=100",
    }
    for label, query in queries.items():
        out["pages"][label] = time_listing(box, query, reps)
    return out


def listing_figure(mode: dict) -> dict:
    """Figure 10 at each size, a fresh interpreter per size (so one size's memory does not slow the next)."""
    import subprocess

    out = {}
    for n in mode["listing"]:
        log(f"jobs listing at {n:,} jobs")
        done = subprocess.run([sys.executable, "-m", "bench.live", "listing", "--jobs", str(n), "--reps",
                               str(mode["listing_reps"])], cwd=H.ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": H.ROOT})
        if done.returncode != 0:
            raise RuntimeError(f"bench.live listing {n}: {done.stderr[-2000:]}")
        out[n] = json.loads(done.stdout)
    return out


# --- the suite's sections -----------------------------------------------------------------------------------
def figures(mode_name: str, res: dict) -> None:
    """Run figures 8-10 for `python -m bench` (mode full, quick or tiny) into `res["live"]`."""
    mode = MODES[mode_name]
    cpu = H.cpus()
    srv_cpu = cpu[0] if len(cpu) >= 2 else None
    live: dict[str, Any] = {}
    log(f"transition lateness at {mode['late_jobs']:,} active jobs")
    live["lateness"] = lateness_figure(mode, srv_cpu)
    log(f"event stream, {STREAM_SUBSCRIBERS} subscribers, {mode['stream_s']:g} s of 10,000 submits a minute")
    live["stream"] = stream_figure(mode, srv_cpu)
    live["listing"] = listing_figure(mode)
    res["live"] = live


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report_lines(live: dict, summary: list[tuple[str, str, str, str]]) -> list[str]:
    """Sections 8-10 of the report; their rows of the summary are appended to `summary`."""
    lines: list[str] = []
    la = live["lateness"]
    ok = la["p99_ms"] is not None and la["p99_ms"] < TARGET_LATENESS_P99_MS and la["seen"] == la["jobs"]
    lines += ["", "## 8. Transition lateness on the real clock, as an event-stream subscriber receives it", "",
              f"{la['jobs']:,} Bacalhau jobs submitted on a still clock ({la['submit_s']:.1f} s), each Pending "
              f"{la['pending_s']:g} s +-50% (seeded jitter), then the clock set running: every Pending -> Running "
              "transition, received over GET /_emulator/events, minus its due time (server clock, offset "
              "measured from the quickest of 20 reads).", "",
              "| active jobs | transitions received | p50 ms | p99 ms | max ms | target p99 < 50 ms |",
              "|---:|---:|---:|---:|---:|---|",
              f"| {la['jobs']:,} | {la['seen']:,} | {la['p50_ms']:.2f} | {la['p99_ms']:.2f} | {la['max_ms']:.2f} | "
              f"{_mark(ok)} |"]
    summary.append((f"transition lateness @ {la['jobs']:,} active jobs", f"p99 {la['p99_ms']:.2f} ms", "",
                    _mark(ok)))
    st = live["stream"]
    growth = st["rss_after"] - st["rss_before"]
    clean = all(p["missed"] == 0 and p["overflows"] == 0 for p in st["per_subscriber"])
    ok = clean and growth < st["bound"]
    rec = [p["received"] for p in st["per_subscriber"]]
    lines += ["", f"## 9. Event stream: {st['subscribers']} subscribers under 10,000 submits a minute", "",
              f"{st['submits']:,} Bacalhau submits over {st['seconds']:.1f} s ({st['rate_per_min']:,.0f} a minute, "
              f"{st['submit_errors']} errors) on the real clock (Pending 1 s, Running 2 s, --retain-finished 2000); "
              f"{st['events']:,} events in the session. Bound: RSS grows less than "
              f"{st['bound'] / 1024 ** 2:.0f} MiB (journal bytes, 1,000 queued events per subscriber and the jobs "
              "retention keeps are all bounded).", "",
              "| subscribers | events received each (min-max) | missed | overflows | RSS before | RSS after | "
              "RSS peak | growth | target |", "|---:|---|---:|---:|---:|---:|---:|---:|---|",
              f"| {st['subscribers']} | {min(rec):,}-{max(rec):,} | "
              f"{sum(p['missed'] for p in st['per_subscriber'])} | {sum(p['overflows'] for p in st['per_subscriber'])} "
              f"| {st['rss_before'] / 1024 ** 2:.0f} MiB | {st['rss_after'] / 1024 ** 2:.0f} MiB | "
              f"{st['rss_peak'] / 1024 ** 2:.0f} MiB | {growth / 1024 ** 2:+.1f} MiB | {_mark(ok)} |"]
    summary.append((f"event stream {st['subscribers']} subscribers", f"{min(rec):,} events each, "
                    f"{growth / 1024 ** 2:+.1f} MiB", "", _mark(ok)))
    lines += ["", "## 10. GET /_emulator/jobs (handler + JSON encoding, in-process, 100 rows a page)", "",
              "| jobs | page | rows | examined | p50 ms | p99 ms | p99 ratio to the first page | "
              "target p99 < 20 ms |", "|---:|---|---:|---:|---:|---:|---:|---|"]
    for n, r in sorted(live["listing"].items(), key=lambda kv: int(kv[0])):
        ref = r["pages"]["first page"]["p99_ms"] or 1e-9
        for label, x in r["pages"].items():
            ok = x["p99_ms"] < TARGET_LISTING_P99_MS
            lines.append(f"| {int(n):,} | {label} | {x['items']} | {x['examined']:,} | {x['p50_ms']:.2f} | "
                         f"{x['p99_ms']:.2f} | {x['p99_ms'] / ref:.1f} | {_mark(ok)} |")
            summary.append((f"jobs listing {label} @ {int(n):,}", f"p99 {x['p99_ms']:.2f} ms",
                            f"{x['p99_ms'] / ref:.1f}", _mark(ok)))
    for n, r in sorted(live["listing"].items(), key=lambda kv: int(kv[0])):
        lines.append("")
        lines.append(f"At {int(n):,} jobs ({', '.join(f'{k} {v:,}' for k, v in r['per_provider'].items())}; "
                     f"filled in {r['fill_s']:.1f} s, RSS {r['rss'] / 1024 ** 2:,.0f} MiB): the first listing of "
                     f"Bacalhau's Completed jobs built that state's index of {r['index_size']:,} jobs in "
                     f"{r['index_build_ms']:.1f} ms, once; it is kept on every transition after.")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    one = sub.add_parser("listing", help="figure 10 at one size, one JSON object on stdout")
    one.add_argument("--jobs", type=int, required=True)
    one.add_argument("--reps", type=int, default=50)
    run = sub.add_parser("run", help="figures 8-10 in a mode, the report's sections on stdout")
    run.add_argument("--mode", choices=list(MODES), default="tiny")
    args = ap.parse_args(argv)
    if args.cmd == "listing":
        print(json.dumps(listing_run(args.jobs, args.reps)))
        return 0
    res: dict = {}
    figures(args.mode, res)
    summary: list = []
    print("\n".join(report_lines(res["live"], summary)))
    print(json.dumps(res, default=str), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
