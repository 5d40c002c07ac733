"""The HTTP side of the suite: servers as subprocesses on loopback, start-up timing, wrk (or a fallback
aiohttp-client load generator in its own process), server RSS from /proc."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

PY = sys.executable
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpus() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return []


def _pin(cpu: int | None):
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def rss_of(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def get(port: int, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None,
        timeout: float = 5.0) -> tuple[int, dict, bytes]:
    """One HTTP/1.1 request with the standard library (no redirects followed: a 303 is an answer)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if body is not None:
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@dataclass
class Server:
    """A server subprocess and how long it took from spawn to its first 200 on the health path."""

    proc: subprocess.Popen
    port: int
    startup_s: float

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def rss(self) -> int:
        return rss_of(self.proc.pid)


def start(cmd: list[str], port: int, *, cpu: int | None = None, env: dict | None = None,
          health: str = "/_emulator/health", timeout: float = 30.0) -> Server:
    """Spawn `cmd` and poll `health` every millisecond; start-up is spawn to the first 200."""
    full_env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=_pin(cpu))
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {err[-2000:]}")
        try:
            status, _, _ = get(port, health, timeout=0.5)
            if status == 200:
                return Server(proc, port, time.perf_counter() - t0)
        except OSError:
            pass
        time.sleep(0.001)
    proc.kill()
    raise RuntimeError(f"{' '.join(cmd)} was not healthy within {timeout:g} s")


def emulator_cmd(port: int, providers: list[str], extra: list[str] | None = None) -> list[str]:
    return [PY, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual",
            "--providers", ",".join(providers), "--log-level", "warning", *(extra or [])]


def reference_cmd(port: int) -> list[str]:
    return [PY, "-m", "bench.refserver", "--port", str(port)]


# --- load generation ----------------------------------------------------------------------------------------
def ensure_wrk(install: bool = True) -> str | None:
    """Path of wrk; installs Debian's package when missing and allowed (root or passwordless sudo)."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    cmds = [["apt-get", "install", "-y", "-q", "wrk"]]
    if os.geteuid() != 0:
        cmds = [["sudo", "-n", *c] for c in cmds]
    for c in cmds:
        try:
            subprocess.run(c, check=False, capture_output=True, timeout=300)
            if not shutil.which("wrk"):
                subprocess.run([*c[:-4], "apt-get", "update", "-q"] if c[0] == "sudo" else ["apt-get", "update", "-q"],
                               check=False, capture_output=True, timeout=300)
                subprocess.run(c, check=False, capture_output=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired):
            pass
    return shutil.which("wrk")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _lua(requests: list[tuple[str, str, dict, bytes | None]], port: int) -> str:
    """A wrk script cycling through `requests` (method, path, headers, body)."""
    lines = ["local reqs = {}", "local i = 0"]
    for method, path, headers, body in requests:
        h = ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in {"Host": f"127.0.0.1:{port}", **headers, **(
            {"Content-Type": "application/json"} if body is not None else {})}.items())
        b = json.dumps(body.decode()) if body is not None else "nil"
        lines.append(f"table.insert(reqs, wrk.format({json.dumps(method)}, {json.dumps(path)}, {{{h}}}, {b}))")
    lines += ["request = function()", "  i = i % #reqs + 1", "  return reqs[i]", "end",
              "response = function(status, headers, body)",
              "  if status >= 400 then bad = (bad or 0) + 1 end", "end"]
    return "\n".join(lines) + "\n"


def load(port: int, requests: list[tuple[str, str, dict, bytes | None]], *, seconds: float, connections: int,
         wrk: str | None, cpu: int | None = None) -> dict[str, Any]:
    """Drive `requests` round-robin for `seconds` with `connections`; {rps, p50_ms, p99_ms, requests, errors}."""
    if wrk is None:
        return _fallback(port, requests, seconds=seconds, connections=connections, cpu=cpu)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_lua(requests, port))
        script = fh.name
    try:
        cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", script,
               f"http://127.0.0.1:{port}"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60,
                             preexec_fn=_pin(cpu)).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return {"rps": rps, "p50_ms": _ms(lat["50"]), "p99_ms": _ms(lat["99"]), "requests": total, "errors": errors,
            "tool": "wrk"}


def _fallback(port: int, requests: list, *, seconds: float, connections: int, cpu: int | None) -> dict[str, Any]:
    spec = json.dumps({"port": port, "seconds": seconds, "connections": connections,
                       "requests": [[m, p, h, b.decode() if b is not None else None] for m, p, h, b in requests]})
    out = subprocess.run([PY, "-m", "bench.loadgen"], input=spec, capture_output=True, text=True,
                         timeout=seconds + 60, cwd=ROOT, preexec_fn=_pin(cpu))
    if out.returncode != 0:
        raise RuntimeError(f"bench.loadgen failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)
