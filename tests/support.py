"""Helpers for tests that run `job-emulator serve` as a subprocess: a free port, a tiny HTTP client, and a
readiness wait that follows the server's own start-up output instead of polling on the wall clock; and the
repository's Markdown pages, for the tests that hold the docs to the code."""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

ROOT = Path(__file__).resolve().parent.parent
# What a user reads: the README, the changelog, docs/ and the benchmark pages.
PAGES = sorted({ROOT / "README.md", ROOT / "CHANGELOG.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("bench/*.md")})
READY_LINE = "control API at"  # the last line `serve` prints, once every listener is up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 3xx is the answer under test, not a hop to follow
        return None


_RAW_OPENER = urllib.request.build_opener(_NoRedirect)


def raw_http(method: str, url: str, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with any body and headers, redirects not followed: (status, headers, body bytes)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _RAW_OPENER.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_ready(proc: Popen, timeout: float = 30.0) -> str:
    """Block until the server (started with stdout=PIPE, bytes) prints its ready line; returns what it printed
    so far. Event-driven: it waits on the pipe's file descriptor, never on a timer. (It reads the descriptor
    itself: a buffered readline would swallow later lines where select() cannot see them.)"""
    fd = proc.stdout.fileno()
    printed = b""
    end = time.monotonic() + timeout
    while READY_LINE.encode() not in printed:
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise AssertionError("the emulator did not start in time:\n" + printed.decode(errors="replace"))
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            err = proc.stderr.read() if proc.stderr else b""
            raise AssertionError(f"the emulator exited with {proc.wait()}: {err.decode(errors='replace')}")
        printed += chunk
    return printed.decode(errors="replace")


@contextlib.contextmanager
def serving(*args: str) -> Iterator[int]:
    """`python -m emulator serve` on a free port with `args` (EMULATOR_PROVIDERS unset, so every provider is
    served), ready when entered and stopped on exit; yields the port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "EMULATOR_PROVIDERS"}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        wait_ready(proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        proc.stdout.close()
        proc.stderr.close()


def shell_blocks(text: str) -> list[str]:
    """The bodies of a Markdown text's ```sh blocks, in order."""
    return [b.split("```", 1)[0] for b in text.split("```sh\n")[1:]]
