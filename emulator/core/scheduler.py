"""One heap of due transitions for a whole session: no asyncio task per job.

Each entry carries the job's version at the time it was scheduled; a command (cancel, pause, retry) bumps
the version, so the old entry is skipped when it comes due instead of being searched for and removed.

Entries are kept per due time: the heap holds each distinct due time once, and each due time holds its
entries in the order they were scheduled, which is exactly the (due, order of scheduling) order of one heap of
entries. Jobs submitted together come due together (every job of a clock advance over a big store, on the
manual clock), so a million due transitions cost a handful of heap operations on plain integers instead of
a million pops of (due, seq, job, version) tuples compared item by item: the heap loop was 13 % of a
transition (py-spy of python -m bench.engine --advance at 100,000 jobs), and its entries 140 bytes each.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable
from typing import Any

from .store import Job

log = logging.getLogger("emulator")


NEVER = -1          # `armed` value that silences `on_earlier` (a still clock needs no wake-up)
UNARMED = 1 << 127  # `armed` value when nothing is armed: the next entry wakes the timer


class Scheduler:
    """Due transitions ordered by time; `run_due` fires every entry due at or before a given instant.

    An owner that wakes up for the earliest entry (the app's per-session timer) sets `armed` to the due time
    it is waiting for and `on_earlier`; an entry scheduled before `armed` calls `on_earlier(due_ns)`, so a
    timer is re-armed only when the earliest due time moves earlier, not on every schedule."""

    __slots__ = ("_at", "_dues", "armed", "last_due", "on_earlier")

    def __init__(self) -> None:
        self._dues: list[int] = []  # a heap of the distinct due times held
        # due time -> its entries in scheduling order, flat: job, version, job, version... (16 bytes an entry)
        self._at: dict[int, list[Any]] = {}
        self.last_due = -1
        self.armed = NEVER
        self.on_earlier: Callable[[int], None] | None = None

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._at.values()) // 2

    def schedule(self, job: Job, due_ns: int) -> None:
        entries = self._at.get(due_ns)
        if entries is None:
            self._at[due_ns] = [job, job.version]
            heapq.heappush(self._dues, due_ns)
        else:
            entries.append(job)
            entries.append(job.version)
        if due_ns < self.armed and self.on_earlier is not None:
            self.on_earlier(due_ns)

    def next_due(self) -> int | None:
        """When the earliest live entry falls due (stale entries are dropped on the way)."""
        dues, at = self._dues, self._at
        while dues:
            due = dues[0]
            entries = at[due]
            for i in range(0, len(entries), 2):
                job = entries[i]
                if job.version == entries[i + 1] and not job.evicted:
                    del entries[:i]
                    return due
            self._drop(due)
        return None

    def run_due(self, now_ns: int, fire: Callable[[Job, int], None], limit: int | None = None,
                split: bool = False) -> int:
        """Pop and fire, in time order, every live entry due at or before `now_ns`. `fire(job, due_ns)` may
        schedule further entries; those are run too when already due. With `limit`, stop once that many
        fired and the instant of the last one is complete (`last_due` says when that was); with `split` too,
        stop at exactly `limit` even inside an instant (for a clock that does not stand at `last_due`).
        Returns how many fired."""
        dues, at = self._dues, self._at
        inside = limit if split else None  # the bound that may stop a run inside an instant
        fired = 0
        while dues and dues[0] <= now_ns:
            due = dues[0]
            if limit is not None and fired >= limit and (split or due > self.last_due):
                break
            entries = at[due]
            i = 0
            stopped = True
            try:
                # an entry fired here may schedule another at this same instant: it joins the end of `entries`
                while i < len(entries):
                    if inside is not None and fired >= inside:
                        break
                    job = entries[i]
                    version = entries[i + 1]
                    i += 2
                    if job.version != version or job.evicted:
                        continue
                    try:
                        fire(job, due)
                    except Exception:  # one job's bad transition must not stop time for every other job
                        log.exception("transition of job %s failed", job.id)
                        continue
                    fired += 1
                    self.last_due = due
                stopped = i < len(entries)
            finally:
                if stopped:
                    del entries[:i]  # stopped inside the instant (or by an error): the rest stays due
                elif at.get(due) is entries:  # (not when a fired transition cleared the scheduler)
                    self._drop(due)
            if stopped:
                break
        return fired

    def _drop(self, due: int) -> None:
        """Forget due time `due` and its entries."""
        del self._at[due]
        dues = self._dues
        if dues[0] == due:
            heapq.heappop(dues)
        else:  # an entry scheduled while `due` was firing came due even earlier (no engine move does that)
            dues.remove(due)
            heapq.heapify(dues)

    def clear(self) -> None:
        for entries in self._at.values():
            entries.clear()  # a run in progress stops at once, as it did over one heap
        self._at.clear()
        self._dues.clear()
