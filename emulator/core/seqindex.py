"""Jobs of one state kept in creation order (by sequence number), for listings that page one state's jobs.

The store's per-state buckets are dicts in the order jobs entered the state, which a cursor cannot seek into.
This index holds the same jobs sorted by `seq`, in chunks of at most 2 * CHUNK: adding or removing a job costs
two bisects and a move inside one chunk (never a shift of the whole list), and a page from any cursor costs a
bisect plus the page's own rows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Job

CHUNK = 512


class SeqIndex:
    """Jobs sorted by `seq` (unique within one store)."""

    __slots__ = ("_chunks", "_keys", "_len", "_maxes")

    def __init__(self, jobs: Iterable[Job] = ()) -> None:
        ordered = sorted(jobs, key=attrgetter("seq"))
        self._chunks: list[list[Job]] = [ordered[i:i + CHUNK] for i in range(0, len(ordered), CHUNK)]
        self._keys: list[list[int]] = [[j.seq for j in c] for c in self._chunks]
        self._maxes: list[int] = [k[-1] for k in self._keys]
        self._len = len(ordered)

    def __len__(self) -> int:
        return self._len

    def add(self, job: Job) -> None:
        """Hold `job` (no effect when it is already held)."""
        seq = job.seq
        if not self._keys:
            self._chunks.append([job])
            self._keys.append([seq])
            self._maxes.append(seq)
            self._len = 1
            return
        i = bisect_left(self._maxes, seq)
        if i == len(self._maxes):
            i -= 1  # beyond every chunk: the last one grows (the usual case, new jobs are the newest)
        keys = self._keys[i]
        j = bisect_left(keys, seq)
        if j < len(keys) and keys[j] == seq:
            return
        keys.insert(j, seq)
        self._chunks[i].insert(j, job)
        self._len += 1
        if j == len(keys) - 1:
            self._maxes[i] = seq
        if len(keys) > 2 * CHUNK:
            chunk = self._chunks[i]
            self._keys[i:i + 1] = [keys[:CHUNK], keys[CHUNK:]]
            self._chunks[i:i + 1] = [chunk[:CHUNK], chunk[CHUNK:]]
            self._maxes[i:i + 1] = [keys[CHUNK - 1], keys[-1]]

    def discard(self, job: Job) -> None:
        """Stop holding `job` (no effect when it is not held)."""
        seq = job.seq
        i = bisect_left(self._maxes, seq)
        if i == len(self._maxes):
            return
        keys = self._keys[i]
        j = bisect_left(keys, seq)
        if j == len(keys) or keys[j] != seq:
            return
        del keys[j]
        del self._chunks[i][j]
        self._len -= 1
        if not keys:
            del self._keys[i], self._chunks[i], self._maxes[i]
        elif j == len(keys):
            self._maxes[i] = keys[-1]

    def before(self, bound: int) -> Iterator[Job]:
        """The held jobs with `seq` < `bound`, newest first (lazily: a page reads only its own rows)."""
        i = bisect_left(self._maxes, bound)
        if i == len(self._maxes):
            i -= 1
            j = len(self._keys[i]) if i >= 0 else 0
        else:
            j = bisect_left(self._keys[i], bound)
        while i >= 0:
            chunk = self._chunks[i]
            for k in range(j - 1, -1, -1):
                yield chunk[k]
            i -= 1
            if i >= 0:
                j = len(self._chunks[i])

    def after(self, bound: int) -> Iterator[Job]:
        """The held jobs with `seq` > `bound`, oldest first."""
        i = bisect_right(self._maxes, bound)
        if i == len(self._maxes):
            return
        j = bisect_right(self._keys[i], bound)
        while i < len(self._chunks):
            chunk = self._chunks[i]
            for k in range(j, len(chunk)):
                yield chunk[k]
            i += 1
            j = 0
