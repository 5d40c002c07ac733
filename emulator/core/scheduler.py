"""One heap of due transitions for a whole session: no asyncio task per job.

Each entry carries the job's version at the time it was scheduled; a command (cancel, pause, retry) bumps
the version, so the old entry is skipped when it comes due instead of being searched for and removed.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable
from itertools import count

from .store import Job

log = logging.getLogger("emulator")


NEVER = -1          # `armed` value that silences `on_earlier` (a still clock needs no wake-up)
UNARMED = 1 << 127  # `armed` value when nothing is armed: the next entry wakes the timer


class Scheduler:
    """Due transitions ordered by time; `run_due` fires every entry due at or before a given instant.

    An owner that wakes up for the earliest entry (the app's per-session timer) sets `armed` to the due time
    it is waiting for and `on_earlier`; an entry scheduled before `armed` calls `on_earlier(due_ns)`, so a
    timer is re-armed only when the earliest due time moves earlier, not on every schedule."""

    __slots__ = ("_heap", "_seq", "armed", "last_due", "on_earlier")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Job, int]] = []
        self._seq = count()
        self.last_due = -1
        self.armed = NEVER
        self.on_earlier: Callable[[int], None] | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, job: Job, due_ns: int) -> None:
        heapq.heappush(self._heap, (due_ns, next(self._seq), job, job.version))
        if due_ns < self.armed and self.on_earlier is not None:
            self.on_earlier(due_ns)

    def next_due(self) -> int | None:
        """When the earliest live entry falls due (stale entries are dropped on the way)."""
        heap = self._heap
        while heap:
            _, _, job, version = heap[0]
            if job.version == version and not job.evicted:
                return heap[0][0]
            heapq.heappop(heap)
        return None

    def run_due(self, now_ns: int, fire: Callable[[Job, int], None], limit: int | None = None,
                split: bool = False) -> int:
        """Pop and fire, in time order, every live entry due at or before `now_ns`. `fire(job, due_ns)` may
        schedule further entries; those are run too when already due. With `limit`, stop once that many
        fired and the instant of the last one is complete (`last_due` says when that was); with `split` too,
        stop at exactly `limit` even inside an instant (for a clock that does not stand at `last_due`).
        Returns how many fired."""
        heap = self._heap
        pop = heapq.heappop
        fired = 0
        while heap and heap[0][0] <= now_ns:
            if limit is not None and fired >= limit and (split or heap[0][0] > self.last_due):
                break
            due, _, job, version = pop(heap)
            if job.version != version or job.evicted:
                continue
            try:
                fire(job, due)
            except Exception:  # one job's bad transition must not stop time for every other job
                log.exception("transition of job %s failed", job.id)
                continue
            fired += 1
            self.last_due = due
        return fired

    def clear(self) -> None:
        self._heap.clear()
