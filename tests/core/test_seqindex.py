"""The per-state creation-order index: after any mix of adds and removals (across chunk splits and emptied
chunks) it holds exactly the jobs a sorted list would, and pages from any bound in both directions."""

from __future__ import annotations

import random

from emulator.core import seqindex
from emulator.core.seqindex import SeqIndex


class _Job:
    def __init__(self, seq: int) -> None:
        self.seq = seq


def test_it_matches_a_sorted_list_through_adds_removals_and_splits():
    rng = random.Random(5)
    jobs = [_Job(s) for s in range(1, 6001)]
    idx = SeqIndex(rng.sample(jobs, 1500))
    held = {j.seq for j in idx.before(10**9)}
    assert len(held) == 1500
    for _ in range(12_000):
        job = rng.choice(jobs)
        if rng.random() < 0.55:
            idx.add(job)
            held.add(job.seq)
        else:
            idx.discard(job)
            held.discard(job.seq)
    want = sorted(held)
    assert len(idx) == len(want)
    assert [j.seq for j in idx.after(0)] == want
    assert [j.seq for j in idx.before(10**9)] == want[::-1]
    assert len(idx._chunks) > 2 and all(0 < len(c) <= 2 * seqindex.CHUNK for c in idx._chunks)
    for bound in (0, 1, want[0], want[len(want) // 2], want[-1], want[-1] + 1, 3001):
        assert [j.seq for j in idx.before(bound)] == [s for s in reversed(want) if s < bound]
        assert [j.seq for j in idx.after(bound)] == [s for s in want if s > bound]


def test_adding_twice_and_removing_what_is_absent_change_nothing():
    a, b = _Job(3), _Job(9)
    idx = SeqIndex()
    assert list(idx.before(100)) == [] and list(idx.after(0)) == []
    idx.add(b)
    idx.add(a)
    idx.add(a)
    idx.discard(_Job(5))
    assert [j.seq for j in idx.before(100)] == [9, 3] and len(idx) == 2
    idx.discard(a)
    idx.discard(b)
    assert len(idx) == 0 and list(idx.after(0)) == []
    idx.add(a)
    assert [j.seq for j in idx.after(0)] == [3]
