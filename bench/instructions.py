"""Instructions per served status poll, counted by valgrind's callgrind: a figure that does not move with the
machine's load, for comparing two versions of the request path on a shared machine (wrk's rates there move
by 10-20 % between back-to-back loads; a count over 1,000 polls or more repeats within about 2 %: fewer polls
catch the garbage collector's full passes unevenly, 500 SeaTunnel polls read 5 % above 1,000).

Each server runs under callgrind; after a warm-up of keep-alive polls its counters are zeroed, the measured
polls are sent, and the counters are dumped: the total over the polls is the server's whole work for them
(aiohttp, the event loop, the emulator; not the kernel's). The same is done for the bench's references
(bench/refserver.py): the bare JSON endpoint and the minimal job server, so each provider's count reads as a
ratio to them. Counts miss what instructions do not show (cache misses of a bigger heap, system calls), so a
served rate can sit below what the count predicts; it never sits above.

    python -m bench.instructions                      # every provider, 2,000 polls each, one connection
    python -m bench.instructions --providers bacalhau,streams --polls 500

Needs valgrind (Debian's package); each server takes about half a minute. Not part of `python -m bench`.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from . import http as bh
from .providers import TARGETS


def _connect(port: int) -> http.client.HTTPConnection:
    deadline = time.monotonic() + 300  # a Python start under callgrind takes tens of seconds
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", "/_emulator/health")
            conn.getresponse().read()
            return conn
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _dumped_total(prefix: str) -> int:
    """The instruction total of the dump taken after zeroing (callgrind numbers it part 1)."""
    total = None
    for path in glob.glob(prefix + "*"):
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        os.unlink(path)
        if re.search(r"^part:\s*1\b", text, re.M):
            found = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M)
            total = int(found.group(1)) if found else None
    if total is None:
        raise RuntimeError("callgrind wrote no dump after zeroing")
    return total


def count(server: list[str], port: int, path_of, headers: dict[str, str], polls: int, warmup: int) -> float:
    """Instructions per poll of `server` (an argv without the interpreter), polled `polls` times on one
    keep-alive connection after `warmup` polls; `path_of(conn)` makes what is polled and answers its path."""
    prefix = os.path.join(tempfile.gettempdir(), f"bench-callgrind-{os.getpid()}-{port}.")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={prefix}%p", sys.executable,
                             *server], cwd=bh.ROOT, env={**os.environ, "PYTHONHASHSEED": "0"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = _connect(port)
        path = path_of(conn)

        def poll(n: int) -> None:
            for _ in range(n):
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    raise RuntimeError(f"GET {path} answered {resp.status}")

        poll(warmup)
        subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, capture_output=True)
        poll(polls)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
    finally:
        proc.terminate()
        proc.wait(60)
    return _dumped_total(prefix) / polls


def _submitted(key: str):
    target = TARGETS[key]

    def path_of(conn: http.client.HTTPConnection) -> str:
        conn.request(target.submit_method, target.submit_path, body=target.body_bytes(),
                     headers={**target.headers, "Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        return target.poll(resp.status, dict(resp.getheaders()), json.loads(body) if body else None)

    return path_of


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--providers", default=",".join(TARGETS), help="comma list (default: every provider)")
    ap.add_argument("--polls", type=int, default=2000, help="polls counted per server (default 2000)")
    ap.add_argument("--warmup", type=int, default=300, help="polls before counting (default 300)")
    args = ap.parse_args(argv)
    keys = [k.strip() for k in args.providers.split(",") if k.strip()]
    unknown = sorted(set(keys) - set(TARGETS))
    if unknown:
        print(f"unknown providers {', '.join(unknown)}; choose from {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    rows: list[tuple[str, float]] = []
    for label, path in (("bare aiohttp JSON endpoint (/ref)", "/ref"), ("minimal job server (/job)", "/job/j-1")):
        port = bh.free_port()
        rows.append((label, count(["-m", "bench.refserver", "--port", str(port)], port, lambda conn, p=path: p,
                                  {}, args.polls, args.warmup)))
    for key in keys:
        port = bh.free_port()
        rows.append((f"{key} status poll", count(bh.emulator_cmd(port, [key])[1:], port, _submitted(key),
                                                  TARGETS[key].headers, args.polls, args.warmup)))
    bare = rows[0][1]
    print(f"{'server':40} {'instructions/poll':>18} {'ratio to bare':>14}")
    for label, per in rows:
        print(f"{label:40} {per:18,.0f} {bare / per:14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
