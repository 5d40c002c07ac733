"""Fallback load generator when wrk is not available: aiohttp client, N keep-alive connections, run in its
own process (reads a JSON job on stdin, prints {rps, p50_ms, p99_ms, requests, errors} on stdout). It is
slower than wrk, so it caps the figures it measures; RESULTS.md says which tool was used."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp


async def run(spec: dict) -> dict:
    reqs = spec["requests"]
    port = spec["port"]
    end = time.perf_counter() + spec["seconds"]
    lat: list[float] = []
    errors = 0
    conn = aiohttp.TCPConnector(limit=spec["connections"])
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", connector=conn) as client:
        async def worker(k: int) -> None:
            nonlocal errors
            i = k
            while time.perf_counter() < end:
                method, path, headers, body = reqs[i % len(reqs)]
                i += 1
                s = time.perf_counter()
                async with client.request(method, path, headers=headers, data=body,
                                          allow_redirects=False) as resp:
                    await resp.read()
                    if resp.status >= 400:
                        errors += 1
                lat.append((time.perf_counter() - s) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(spec["connections"])))
        secs = time.perf_counter() - start
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * (len(lat) - 1)))] if lat else 0.0  # noqa: E731
    return {"rps": len(lat) / secs, "p50_ms": pick(0.5), "p99_ms": pick(0.99), "requests": len(lat),
            "errors": errors, "tool": "aiohttp-client (fallback)"}


def main() -> int:
    spec = json.loads(sys.stdin.read())
    json.dump(asyncio.run(run(spec)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
