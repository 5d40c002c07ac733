"""Soak with large headers: `python -m bench.soak_headers [--requests N]`.

Starts `job-emulator serve` (manual clock, default bounds), sends N mixed requests (Bacalhau submits, gets and
lists, health, journal reads; at most 1,000 jobs, so the store does not grow), each carrying 16 headers
of 4 KiB (64 KiB of headers per request), and reports
the server's RSS after a warm-up that fills the journal and at the end. The documented bound
(docs/bounds-and-safety.md): the journal keeps at most --journal-bytes (4 MiB) per session, so RSS after the
soak stays within 32 MiB of RSS after the warm-up, whatever N is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys

import aiohttp

BOUND_MIB = 32
JOB = {"Job": {"Name": "soak", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
HEADERS = {f"X-Soak-{i}": "h" * 4096 for i in range(16)}


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def drive(base: str, n: int, concurrency: int = 32) -> int:
    done = 0
    ids: list[str] = []
    async with aiohttp.ClientSession(headers=HEADERS) as http:
        async def one(i: int) -> None:
            nonlocal done
            kind = i % 10
            if kind < 3 and len(ids) < 1000:  # a fixed set of jobs: the soak measures the journal, not the store
                async with http.put(f"{base}/api/v1/orchestrator/jobs", json=JOB) as r:
                    ids.append((await r.json())["JobID"])
            elif kind < 6 and ids:
                async with http.get(f"{base}/api/v1/orchestrator/jobs/{ids[i % len(ids)]}") as r:
                    await r.read()
            elif kind < 8:
                async with http.get(f"{base}/api/v1/orchestrator/jobs?limit=10") as r:
                    await r.read()
            elif kind == 8:
                async with http.get(f"{base}/_emulator/requests?limit=5") as r:
                    await r.read()
            else:
                async with http.get(f"{base}/_emulator/health") as r:
                    await r.read()
            done += 1

        queue = iter(range(n))

        async def worker() -> None:
            for i in queue:
                await one(i)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--warm", type=int, default=20_000)
    args = ap.parse_args()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual"],
                            stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            if "control API at" in line:
                break
        base = f"http://127.0.0.1:{port}"
        asyncio.run(drive(base, args.warm))
        before = rss(proc.pid)
        done = asyncio.run(drive(base, args.requests))
        after = rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait()
    growth = (after - before) / 2**20
    print(json.dumps({"requests": done, "header_bytes_per_request": sum(len(v) for v in HEADERS.values()),
                      "rss_after_warmup_mib": round(before / 2**20, 1), "rss_after_mib": round(after / 2**20, 1),
                      "growth_mib": round(growth, 1), "bound_mib": BOUND_MIB, "within_bound": growth <= BOUND_MIB}))
    return 0 if growth <= BOUND_MIB else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
