"""The request journal: every request, state change and injected fault of a session, in a ring buffer.

Memory never grows without bound: the journal keeps the newest `capacity` entries (and counts what it
dropped). Recording is on every request's path, so an entry keeps cheap references (the raw header tuple, the
raw query string) and is turned into its JSON view (times, decoded headers and query) only when asked for.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from .clock import iso_utc

BODY_LIMIT = 16 * 1024  # bytes of a request body kept in an entry


class Journal:
    """Newest-last entries of kinds `request`, `transition` and `fault`."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self.entries: deque[dict] = deque(maxlen=capacity or None) if capacity else deque(maxlen=0)
        self.seq = 0
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.entries)

    def record(self, kind: str, t_ns: int, **fields: Any) -> dict | None:
        if not self.capacity:
            return None
        self.seq += 1
        if len(self.entries) == self.capacity:
            self.dropped += 1
        entry = {"seq": self.seq, "kind": kind, "t": t_ns, **fields}
        self.entries.append(entry)
        return entry

    def request(self, t_ns: int, provider: str | None, method: str, path: str, query_string: str,
                raw_headers: tuple) -> dict | None:
        """A request as it arrives (completed with status, body and job when answered); on every request's
        path, so built inline."""
        if not self.capacity:
            return None
        self.seq += 1
        entries = self.entries
        if len(entries) == self.capacity:
            self.dropped += 1
        entry = {"seq": self.seq, "kind": "request", "t": t_ns, "provider": provider, "method": method,
                 "path": path, "query_string": query_string, "raw_headers": raw_headers, "body": "",
                 "body_truncated": False, "status": None, "duration_ms": None, "job": None, "fault": None}
        entries.append(entry)
        return entry

    def transition(self, provider: str, job_id: str, old: str | None, new: str, t_ns: int, message: str) -> None:
        # on the path of every transition (a million of them when a clock advance sweeps a big store): inline
        if not self.capacity:
            return
        self.seq += 1
        entries = self.entries
        if len(entries) == self.capacity:
            self.dropped += 1
        entries.append({"seq": self.seq, "kind": "transition", "t": t_ns, "provider": provider, "job": job_id,
                        "from": old, "to": new, "message": message})

    def query(self, *, kind: str | None = None, provider: str | None = None, method: str | None = None,
              path: str | None = None, job: str | None = None, status: int | None = None,
              since_ns: int | None = None, until_ns: int | None = None) -> list[dict]:
        """Entries matching every given filter; `path` is a glob (`/api/v1/*/jobs/*`)."""
        out = []
        for e in self.entries:
            if kind is not None and e["kind"] != kind:
                continue
            if provider is not None and e.get("provider") != provider:
                continue
            if method is not None and e.get("method", "").upper() != method.upper():
                continue
            if path is not None and not fnmatch.fnmatchcase(e.get("path", ""), path):
                continue
            if job is not None and e.get("job") != job:
                continue
            if status is not None and e.get("status") != status:
                continue
            if since_ns is not None and e["t"] < since_ns:
                continue
            if until_ns is not None and e["t"] > until_ns:
                continue
            out.append(e)
        return [view(e) for e in out]

    def timeline(self, provider: str, job_id: str) -> list[dict]:
        """Requests, transitions and faults of one job, in order."""
        return [view(e) for e in self.entries if e.get("job") == job_id and e.get("provider") == provider]

    def clear(self) -> None:
        self.entries.clear()
        self.dropped = 0


def view(entry: dict) -> dict:
    """The JSON form of an entry: its time in RFC 3339, and a request's headers and query decoded."""
    out = dict(entry)
    out["time"] = iso_utc(entry["t"], 6)
    raw = out.pop("raw_headers", None)
    if raw is not None:
        out["headers"] = headers_dict((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
    qs = out.pop("query_string", None)
    if qs is not None:
        out["query"] = dict(parse_qsl(qs, keep_blank_values=True))
    return out


def body_text(raw: bytes) -> tuple[str, bool]:
    """A request body as text for the journal (binary as a placeholder), and whether it was truncated."""
    cut = raw[:BODY_LIMIT]
    try:
        text = cut.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(raw)} bytes of binary data>", len(raw) > BODY_LIMIT
    return text, len(raw) > BODY_LIMIT


def headers_dict(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in items:
        out[k] = v if k not in out else out[k] + ", " + v
    return out
