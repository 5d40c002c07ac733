"""A small synchronous client for the control API of a running emulator (in-process, a subprocess or the
Docker container). The pytest plugin is built on it; it needs nothing beyond the standard library.

    emu = EmulatorClient("http://127.0.0.1:8080").new_session(seed=1)   # isolated, manual clock
    requests.put(emu.url + "/api/v1/orchestrator/jobs", json=...)        # the provider, inside that session
    emu.advance(10); emu.advance_until("bacalhau", job_id, "Completed")
    emu.wait_for("bacalhau", job_id, "Completed", timeout=5)               # real clock: by the event stream
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class EmulatorError(RuntimeError):
    """A control call that the emulator refused; `status` and `body` say why."""

    def __init__(self, status: int, body: Any) -> None:
        msg = body.get("error", {}).get("message") if isinstance(body, dict) else body
        super().__init__(f"{status}: {msg}")
        self.status = status
        self.body = body


class EmulatorClient:
    """Control-API calls scoped to one session (`session=None`: the default session)."""

    def __init__(self, base_url: str, session: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.timeout = timeout

    # --- where clients point ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL a provider client should use: it carries the session in its path, so even clients
        that cannot set headers are isolated."""
        return f"{self.base_url}/_session/{self.session}" if self.session else self.base_url

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Emulator-Session": self.session} if self.session else {}

    def _call(self, method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
        url = f"{self.base_url}/_emulator/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", **self.headers}
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode(errors="replace")
            raise EmulatorError(err.code, payload) from None
        return json.loads(raw) if raw else None

    # --- sessions -----------------------------------------------------------------------------------------
    def new_session(self, key: str | None = None, seed: int | None = None, clock: str = "manual",
                    speed: float | None = None,
                    durations: dict[str, dict[str, float]] | None = None) -> EmulatorClient:
        """Create a fresh session (its own jobs, clock, seed, rules and journal) and a client bound to it;
        `durations` ({provider: {state: seconds}}) apply to this session's jobs only."""
        body: dict[str, Any] = {"clock": clock}
        if durations:
            body["durations"] = durations
        if key:
            body["key"] = key
        if seed is not None:
            body["seed"] = seed
        if speed is not None:
            body["speed"] = speed
        out = EmulatorClient(self.base_url, None, self.timeout)._call("POST", "sessions", body)
        return EmulatorClient(self.base_url, out["key"], self.timeout)

    def close(self) -> None:
        """Drop this session."""
        if self.session:
            EmulatorClient(self.base_url, None, self.timeout)._call("DELETE", f"sessions/{self.session}")

    def health(self) -> dict:
        return self._call("GET", "health")

    def config(self) -> dict:
        return self._call("GET", "config")

    def reset(self, provider: str | None = None) -> dict:
        return self._call("POST", "reset", {"provider": provider} if provider else {})

    # --- clock and jobs -----------------------------------------------------------------------------------
    def clock(self) -> dict:
        return self._call("GET", "clock")

    def set_clock(self, mode: str, speed: float | None = None, reads: int | None = None) -> dict:
        """Switch the clock: real, scaled (`speed`), manual, or step (`reads` per state, default 1)."""
        body: dict[str, Any] = {"mode": mode}
        if speed:
            body["speed"] = speed
        if reads is not None:
            body["reads"] = reads
        return self._call("POST", "clock", body)

    def coverage(self, all_sessions: bool = False) -> dict:
        """The session's state coverage (`all_sessions`: every session of the emulator merged)."""
        return self._call("GET", "coverage", query={"all": "1"} if all_sessions else None)

    def advance(self, seconds: float) -> dict:
        return self._call("POST", "clock/advance", {"seconds": seconds})

    def advance_until(self, provider: str, job: str, state: str, max_seconds: float | None = None) -> dict:
        body: dict[str, Any] = {"state": state}
        if max_seconds is not None:
            body["max_seconds"] = max_seconds
        return self._call("POST", f"jobs/{provider}/{_q(job)}/advance-until", body)

    def wait_for(self, provider: str, job: str, state: str, timeout: float = 30.0) -> dict:
        """Block until `job` is in `state` (by the event stream, no polling) and return the engine's view of
        it; TimeoutError after `timeout` wall seconds, naming the states the job went through. `state` is
        checked against the job's states first, so a misspelt one fails at once."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        with self.events(provider=provider, job=job, kind="transition", timeout=timeout) as stream:
            stream.deadline = deadline
            view = self.job(provider, job)  # after subscribing, so no transition falls between the two
            wanted = next((s for s in view["states"] if s.lower() == state.lower()), None)
            if wanted is None:
                raise ValueError(f"{state!r} is not a state of {provider} job {job}: {', '.join(view['states'])}")
            if view["state"] == wanted:
                return view
            seen.append(view["state"])
            try:
                for event in stream:
                    if event["event"] != "transition":
                        continue
                    seen.append(event["data"]["to"])
                    if event["data"]["to"] == wanted:
                        return self.job(provider, job)
            except TimeoutError:
                pass
        raise TimeoutError(f"{provider} job {job} did not reach {wanted} within {timeout:g} s "
                           f"(states seen: {' -> '.join(seen)})")

    def events(self, timeout: float = 30.0, **filters: Any) -> EventStream:
        """Open the session's event stream (GET /_emulator/events); filters: provider, job, kind,
        last_event_id. Iterate it for events ({"id", "event", "data"}); use it as a context manager."""
        return EventStream(self.base_url, self.headers, {k: v for k, v in filters.items() if v is not None},
                           timeout)

    def job(self, provider: str, job: str) -> dict:
        return self._call("GET", f"jobs/{provider}/{_q(job)}")

    def step(self, provider: str, job: str) -> dict:
        return self._call("POST", f"jobs/{provider}/{_q(job)}/step")

    def set_state(self, provider: str, job: str, state: str, message: str = "") -> dict:
        return self._call("POST", f"jobs/{provider}/{_q(job)}/state", {"state": state, "message": message})

    # --- scenarios, faults, journal -----------------------------------------------------------------------
    def scenario(self, outcome: str, provider: str | None = None, match: dict | None = None, **kw: Any) -> dict:
        """Add a rule: e.g. scenario("fail", "bacalhau", {"name": "etl"}, at="Running", message="OOM")."""
        body = {"outcome": outcome, **({"provider": provider} if provider else {}), "match": match or {}, **kw}
        return self._call("POST", "scenarios", body)

    def scenarios(self) -> list[dict]:
        return self._call("GET", "scenarios")["scenarios"]

    def fault(self, provider: str | None = None, path: str = "*", **kw: Any) -> dict:
        """Add a rule: e.g. fault("seatunnel", "/job-info/*", status=503, times=3)."""
        return self._call("POST", "faults", {**({"provider": provider} if provider else {}), "path": path, **kw})

    def faults(self) -> list[dict]:
        return self._call("GET", "faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def journal(self, **filters: Any) -> list[dict]:
        """Journal entries, newest last; filters: kind, provider, method, path (glob), job, status, since, until."""
        return self._call("GET", "requests", query=filters)["entries"]

    def timeline(self, provider: str, job: str) -> list[dict]:
        return self._call("GET", f"jobs/{provider}/{_q(job)}/timeline")["entries"]

    def clear_journal(self) -> None:
        self._call("DELETE", "requests")

    def snapshot(self) -> dict:
        return self._call("GET", "snapshot")

    def restore(self, snap: dict) -> dict:
        return self._call("POST", "snapshot", snap)


class EventStream:
    """A blocking reader of GET /_emulator/events. Opening returns once the server has subscribed it (its
    first line has arrived), so nothing that happens after opening is missed. Iteration ends when the server
    ends the stream; a read waiting longer than `timeout` wall seconds raises TimeoutError."""

    def __init__(self, base_url: str, headers: dict[str, str], query: dict[str, Any], timeout: float) -> None:
        parts = urllib.parse.urlsplit(base_url)
        conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.conn = conn_type(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        self.deadline: float | None = None  # wall-clock instant after which reads give up (wait_for sets it)
        path = f"{parts.path}/_emulator/events" + ("?" + urllib.parse.urlencode(query) if query else "")
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **headers})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raw = self.response.read()
            self.conn.close()
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            raise EmulatorError(self.response.status, body)
        self._readline()  # "retry: ..." — written only after the subscription is registered

    def _readline(self) -> str:
        if self.deadline is not None and self.conn.sock is not None:
            self.conn.sock.settimeout(max(0.001, self.deadline - time.monotonic()))
        try:
            line = self.response.readline()
        except TimeoutError:
            raise TimeoutError("no event arrived in time") from None
        return line.decode("utf-8")

    def __iter__(self):
        event: dict[str, Any] = {}
        data: list[str] = []
        while True:
            line = self._readline()
            if not line:
                return
            line = line.rstrip("\r\n")
            if line == "":
                if data:
                    yield {"id": int(event["id"]) if "id" in event else None, "event": event.get("event", "message"),
                           "data": json.loads("\n".join(data))}
                event, data = {}, []
            elif line.startswith(":"):
                continue
            else:
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "data":
                    data.append(value)
                else:
                    event[name] = value

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _q(job: str) -> str:
    return urllib.parse.quote(job, safe="")


def polls_before(timeline: list[dict], state: str, method: str = "GET") -> int:
    """How many `method` requests for the job arrived before it first entered `state`."""
    n = 0
    for e in timeline:
        if e["kind"] == "transition" and e["to"] == state:
            return n
        if e["kind"] == "request" and e["method"] == method:
            n += 1
    raise ValueError(f"the job never entered {state}")
