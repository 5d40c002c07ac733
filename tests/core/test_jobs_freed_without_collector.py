"""A job that leaves the emulator is freed at once, by reference counting alone: no job of any provider is
part of a reference cycle. `serve` freezes what start-up made (emulator/cli.py), a restored or preloaded job
set included, and a frozen object in a cycle would never be freed; this is what makes that safe."""

from __future__ import annotations

import gc
import weakref

import pytest

from bench.engine import Harness
from bench.providers import TARGETS


@pytest.mark.parametrize("key", sorted(TARGETS))
def test_every_job_is_freed_without_the_cycle_collector(key):
    target = TARGETS[key]
    harness = Harness(key)
    for i in range(20):
        path = target.spread(i) if target.spread else target.submit_path
        harness.call(target.submit_method, path, target.headers, target.body_bytes())
    harness.session.advance(3600)  # every job as far as its timers go: history, results, logs
    jobs = list(harness.session.store(key))
    assert len(jobs) == 20
    alive = [weakref.ref(j) for j in jobs]
    del jobs
    gc.collect()
    gc.disable()
    try:
        harness.session.reset()  # what POST /_emulator/reset does; the read cache holds jobs weakly
        assert [r for r in alive if r() is not None] == []
    finally:
        gc.enable()
