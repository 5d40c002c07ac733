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
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import compress, islice
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


# a search over some jobs of one provider at once: (provider, jobs, casefolded needle) -> per job, whether its
# id or its name, casefolded, holds the needle (a provider can answer for many jobs cheaper than one by one)
Matches = Callable[[str, "list[Job]", str], "list[bool]"]

_SEP = "\x00"  # joins texts searched at once; casefold maps it to itself, and a needle holding it is searched apart


def hits(texts: list[str], needle: str) -> list[bool]:
    """Per text, `needle in text.casefold()` (`needle` casefolded, not empty). Casefolding works character by
    character, so the texts joined by a separator the needle lacks are folded and searched in one go."""
    if _SEP in needle:
        return [needle in t.casefold() for t in texts]
    out = [False] * len(texts)
    folded = _SEP.join(texts).casefold()
    at = folded.find(needle)
    if at < 0:
        return out
    starts = []
    pos = 0
    for t in texts:  # where each text starts in `folded` (a text's folding may be longer than the text)
        starts.append(pos)
        pos += len(t.casefold()) + 1
    while at >= 0:
        i = bisect_right(starts, at) - 1
        out[i] = True
        at = folded.find(needle, starts[i + 1]) if i + 1 < len(starts) else -1
    return out


def candidates(pieces: list[bytes], needle: bytes) -> list[int]:
    """The indexes of `pieces` whose ASCII lower case holds `needle` (ASCII lower case): the pieces are
    joined, lowered and searched in one go. A needle holding the separator may name a piece that lacks it
    (callers check candidates exactly), never leaves out one that holds it."""
    sep = b"\x00"
    joined = sep.join(pieces).lower()
    out: list[int] = []
    at = joined.find(needle)
    if at < 0:
        return out
    starts = []
    pos = 0
    for piece in pieces:
        starts.append(pos)
        pos += len(piece) + 1
    while at >= 0:
        i = bisect_right(starts, at) - 1
        out.append(i)
        at = joined.find(needle, starts[i + 1]) if i + 1 < len(starts) else -1
    return out


class _Merge:
    """The providers' streams (each newest first) merged newest first: creation time, then the enabled order
    (a lower rank first), then the stream's own order. It hands out runs, (stream index, jobs of that stream
    in a row): while a stream's jobs stay ahead of every other stream's next job, they are taken without a
    heap step each."""

    def __init__(self, streams: list[Iterator[Job]]) -> None:
        self.its = streams
        self.heads: list[Job | None] = [None] * len(streams)
        self.heap: list[tuple[int, int]] = []  # (-created_ns of the stream's next job, rank = stream index)
        for i, it in enumerate(streams):
            job = next(it, None)
            if job is not None:
                self.heads[i] = job
                self.heap.append((-job.created_ns, i))
        heapq.heapify(self.heap)

    @property
    def more(self) -> bool:
        """Whether any job is left."""
        return bool(self.heap)

    def take(self, n: int) -> list[tuple[int, list[Job]]]:
        """The runs of the next `n` jobs (fewer at the end)."""
        out: list[tuple[int, list[Job]]] = []
        heap, heads, its = self.heap, self.heads, self.its
        while heap and n > 0:
            _, i = heap[0]
            job = heads[i]
            assert job is not None
            it = its[i]
            run = [job]
            out.append((i, run))
            if len(heap) == 1:
                run.extend(islice(it, n - 1))
                job = next(it, None)
                if job is None:
                    heap.clear()
                else:
                    heads[i] = job
                    heap[0] = (-job.created_ns, i)
                break
            # the best of the other streams' next jobs: a job of stream i at time t goes first while
            # t > t_next, or t == t_next and i has the lower rank
            nt, r = min(heap[1], heap[2]) if len(heap) > 2 else heap[1]
            t_next = -nt
            first = i < r
            room = n - 1
            for job in it:
                t = job.created_ns
                if room and (t > t_next or (t == t_next and first)):
                    run.append(job)
                    room -= 1
                    continue
                heads[i] = job
                heapq.heapreplace(heap, (-t, i))
                break
            else:
                heads[i] = None
                heapq.heappop(heap)
            n -= len(run)
        return out


def page(session: Session, filters: Filters, limit: int, cursor: str | None,
         name_of: Callable[[Job], str | None], matches: Matches | None = None) -> Page:
    """One page of `filters`' jobs after `cursor` (None: the first page). `name_of(job)` gives a job's name
    for the search; `matches`, when given, answers for many jobs of one provider at once what
    `needle in job.id.casefold() or needle in (name_of(job) or "").casefold()` would. Raises CursorError
    for a cursor that cannot be used here."""
    if cursor is not None:
        bounds = decode_cursor(cursor, filters)
    else:
        bounds = {p: session.store(p).next_seq for p in filters.providers}
    keys = filters.providers
    merge = _Merge([_stream(session, p, filters.state, bounds[p]) for p in keys])
    needle = filters.q.casefold() if filters.q else None
    after = dict(bounds)
    if needle is None:
        out = []
        for i, run in merge.take(limit):
            out += run
            after[keys[i]] = run[-1].seq
        total = sum(session.store(p).count_in(filters.state) if filters.state is not None else
                    len(session.store(p)) for p in keys)
        return Page(out, encode_cursor(filters, after) if merge.more else None, total, len(out))
    if matches is None:
        def matches(provider: str, jobs: list[Job], needle: str) -> list[bool]:
            return match_ids_and_names(jobs, [name_of(j) or "" for j in jobs], needle)
    found: list[Job] = []
    examined = 0
    chunk = limit  # jobs examined at once, growing: a page that fills early reads few more than it shows
    while examined < MAX_EXAMINED:
        runs = merge.take(min(chunk, MAX_EXAMINED - examined))
        if not runs:
            break
        chunk *= 4
        groups: dict[int, list[Job]] = {}
        for i, run in runs:
            groups.setdefault(i, []).extend(run)
        hit = {i: matches(keys[i], jobs, needle) for i, jobs in groups.items()}
        at = dict.fromkeys(groups, 0)
        for r, (i, run) in enumerate(runs):
            o = at[i]
            at[i] = o + len(run)
            mask = hit[i][o:o + len(run)]
            need = limit - len(found)
            if mask.count(True) >= need:  # the page fills in this run: its `need`-th match is the last job examined
                m = [k for k, h in enumerate(mask) if h][need - 1] if need > 0 else -1
                found += compress(run[:m + 1], mask)
                examined += m + 1
                if m >= 0:
                    after[keys[i]] = run[m].seq
                more = m + 1 < len(run) or r + 1 < len(runs) or merge.more
                return Page(found, encode_cursor(filters, after) if more else None, None, examined)
            found += compress(run, mask)
            examined += len(run)
            after[keys[i]] = run[-1].seq
    return Page(found, encode_cursor(filters, after) if merge.more else None, None, examined)


def match_ids_and_names(jobs: list[Job], names: list[str], needle: str) -> list[bool]:
    """Per job, whether `needle` (casefolded) is in its id or its name (`names`, in the order of `jobs`),
    casefolded: both searched in one go."""
    n = len(jobs)
    h = hits([j.id for j in jobs] + names, needle)
    return [a or b for a, b in zip(h[:n], h[n:], strict=True)] if True in h else h[:n]
