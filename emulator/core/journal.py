"""The request journal: every request, state change and injected fault of a session, in a ring buffer.

Memory never grows without bound: the journal keeps the newest `capacity` entries (and counts what it
dropped). Entries are plain dicts so the control API can return them as they are.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterable
from typing import Any

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
        entry = {"seq": self.seq, "kind": kind, "t": t_ns, "time": iso_utc(t_ns, 6), **fields}
        self.entries.append(entry)
        return entry

    def transition(self, provider: str, job_id: str, old: str | None, new: str, t_ns: int, message: str) -> None:
        self.record("transition", t_ns, provider=provider, job=job_id, **{"from": old}, to=new, message=message)

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
        return out

    def timeline(self, provider: str, job_id: str) -> list[dict]:
        """Requests, transitions and faults of one job, in order."""
        return [e for e in self.entries if e.get("job") == job_id and e.get("provider") == provider]

    def clear(self) -> None:
        self.entries.clear()
        self.dropped = 0


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
