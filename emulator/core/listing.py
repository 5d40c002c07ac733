"""Every job of a session across providers, newest first, one page at a time (GET /_emulator/jobs).

Order: creation time, newest first; between providers at the same instant, the order providers are enabled
in; within a provider, its creation order. Each provider's jobs come lazily from the store, from the cursor
on: all of them in creation order, or one state's from that state's index (the store keeps it once asked),
so a page with or without a provider/state filter costs a bisect per provider plus the rows it shows. The
providers' streams are merged (heapq), so a page reads each stream in its own order.

The cursor records, per provider in scope, the sequence number below which the next page starts, taken when
the first page was read: jobs created after it do not shift later pages (a new first page shows them). It
also records the filters it was made with, and is refused under others.

A search (`q`, a case-insensitive substring of the id or the name) must look at jobs one by one: it examines
at most MAX_EXAMINED jobs per request; a page may then hold fewer than `limit` jobs and still have a
next cursor, which continues where the search stopped.
"""

from __future__ import annotations

import base64
import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Session
    from .store import Job

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_EXAMINED = 10_000
CURSOR_VERSION = 1


class CursorError(ValueError):
    """A cursor this listing did not hand out, or one made with other filters."""


@dataclass(frozen=True)
class Filters:
    """What a listing shows: the providers in scope (in their enabled order), at most one state, a search."""

    providers: tuple[str, ...]
    state: str | None = None
    q: str | None = None
    chosen: str | None = None  # the provider the client named (None: every provider)

    def fingerprint(self) -> list[str]:
        return [self.chosen or "", self.state or "", self.q or ""]


@dataclass
class Page:
    """One page: its jobs, the cursor of the next page (None at the end), how many jobs match in all
    (None when a search makes that unknown without a scan) and how many jobs were looked at."""

    jobs: list[Job]
    next_cursor: str | None
    total: int | None
    examined: int


def encode_cursor(filters: Filters, bounds: dict[str, int]) -> str:
    raw = json.dumps({"v": CURSOR_VERSION, "f": filters.fingerprint(), "b": bounds}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, filters: Filters) -> dict[str, int]:
    """The per-provider bounds of `text`; CursorError saying why it cannot be used with `filters`."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise CursorError("cursor is not one this listing handed out (use next_cursor of the previous page)") from None
    if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION or not isinstance(data.get("b"), dict):
        raise CursorError("cursor is not one this listing handed out (use next_cursor of the previous page)")
    if data.get("f") != filters.fingerprint():
        raise CursorError("cursor was made for other filters (provider, state, q); a cursor pages the listing "
                          "it came from")
    bounds = data["b"]
    if set(bounds) != set(filters.providers) or not all(
            type(v) is int and 0 <= v < 2**63 for v in bounds.values()):
        raise CursorError("cursor does not fit the enabled providers (use next_cursor of the previous page)")
    return bounds


def _stream(session: Session, provider: str, state: str | None, bound: int) -> Iterator[Job]:
    store = session.store(provider)
    return store.state_index(state).before(bound) if state is not None else store.before(bound)


def page(session: Session, filters: Filters, limit: int, cursor: str | None,
         name_of: Callable[[Job], str | None]) -> Page:
    """One page of `filters`' jobs after `cursor` (None: the first page). `name_of(job)` gives a job's name
    for the search. Raises CursorError for a cursor that cannot be used here."""
    if cursor is not None:
        bounds = decode_cursor(cursor, filters)
    else:
        bounds = {p: session.store(p).next_seq for p in filters.providers}
    rank = {p: i for i, p in enumerate(filters.providers)}
    streams = [_stream(session, p, filters.state, bounds[p]) for p in filters.providers]
    merged = heapq.merge(*streams, key=lambda j: (j.created_ns, -rank[j.provider], j.seq), reverse=True)
    needle = filters.q.casefold() if filters.q else None
    out: list[Job] = []
    after = dict(bounds)
    examined = 0
    more = False
    for job in merged:
        if len(out) >= limit or (needle is not None and examined >= MAX_EXAMINED):
            more = True
            break
        examined += 1
        after[job.provider] = job.seq
        if needle is None or needle in job.id.casefold() or needle in (name_of(job) or "").casefold():
            out.append(job)
    total = None
    if needle is None:
        total = sum(session.store(p).count_in(filters.state) if filters.state is not None else
                    len(session.store(p)) for p in filters.providers)
    return Page(out, encode_cursor(filters, after) if more else None, total, examined)
