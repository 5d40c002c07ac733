"""The read cache: a view is built once per key, built again when a transition changes its key, bounded
(least recently read dropped first), and keyed by the job object, so equal ids in two sessions never share
a value and a dropped job's value is never served to a new one."""

import gc
import weakref

import pytest

from emulator.core.clock import Clock
from emulator.core.lifecycle import Graph, Step
from emulator.core.readcache import CACHE, DEFAULT_LIMIT, ReadCache, View, constant
from emulator.core.session import Session

GRAPH = Graph(name="g", states=("NEW", "RUN", "DONE"), initial="NEW", terminal=frozenset({"DONE"}),
              timed={"NEW": Step("RUN", 2), "RUN": Step("DONE", 5)})


def session(key: str = "s") -> Session:
    return Session(key, seed=1, clock=Clock("manual"))


class Counting:
    """A build function that says how often it ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self, job, *args):
        self.calls += 1
        return {"id": job.id, "state": job.state, "args": args}


def test_a_view_is_built_once_per_key_and_again_after_a_transition():
    build = Counting()
    view = View("t.state", key=lambda job: job.version, build=build, cache=ReadCache(8))
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    first = view(job)
    assert view(job) is first and build.calls == 1
    s.advance(2)  # NEW -> RUN bumps the version: the next read shows the new state
    assert view(job) == {"id": "j1", "state": "RUN", "args": ()} and build.calls == 2
    assert view(job)["state"] == "RUN" and build.calls == 2


def test_the_key_function_sees_the_read_arguments():
    build = Counting()
    view = View("t.links", key=lambda job, base: (job.version, base), build=build, cache=ReadCache(8))
    job = session().submit("p", GRAPH, "j1", {})
    assert view(job, "http://a")["args"] == ("http://a",)
    assert view(job, "http://b")["args"] == ("http://b",) and build.calls == 2
    assert view(job, "http://b")["args"] == ("http://b",) and build.calls == 2


def test_a_constant_key_keeps_the_value_for_the_job_and_seed_skips_the_build():
    build = Counting()
    view = View("t.parsed", key=constant, build=build, cache=ReadCache(8))
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    view.seed(job, {"parsed": True})
    s.advance(10)
    assert view(job) == {"parsed": True} and build.calls == 0


def test_the_bound_drops_the_least_recently_read():
    cache = ReadCache(3)
    build = Counting()
    view = View("t.bound", key=constant, build=build, cache=cache)
    s = session()
    jobs = [s.submit("p", GRAPH, f"j{i}", {}) for i in range(5)]
    for job in jobs[:3]:
        view(job)
    view(jobs[0])               # j0 is now the most recently read
    view(jobs[3])               # a fourth entry drops j1, the least recently read
    assert len(cache) == 3 and build.calls == 4
    view(jobs[0])
    view(jobs[2])
    assert build.calls == 4     # still cached
    view(jobs[1])
    assert build.calls == 5     # was dropped: built again
    for job in jobs:
        view(job)
    assert len(cache) == 3


def test_the_process_cache_is_bounded_and_a_bound_below_one_is_refused():
    assert CACHE.limit == DEFAULT_LIMIT
    with pytest.raises(ValueError, match="at least one entry, not 0"):
        ReadCache(0)


def test_equal_ids_in_two_sessions_never_share_a_value():
    view = View("t.iso", key=lambda job: job.version, build=Counting(), cache=ReadCache(8))
    a, b = session("a"), session("b")
    ja, jb = a.submit("p", GRAPH, "same", {}), b.submit("p", GRAPH, "same", {})
    assert (ja.id, ja.version) == (jb.id, jb.version)
    a.advance(2)
    b.advance(2)
    a.advance(5)                 # only a's job finishes; both versions moved in step until now
    assert view(ja)["state"] == "DONE"
    assert view(jb)["state"] == "RUN"


def test_a_dropped_job_is_not_kept_alive_and_its_value_is_never_served_again():
    cache = ReadCache(8)
    view = View("t.gone", key=lambda job: job.version, build=Counting(), cache=cache)
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    view(job)
    s.reset()
    alive = weakref.ref(job)
    del job
    gc.collect()
    assert alive() is None       # the cache held it only weakly
    fresh = s.submit("p", GRAPH, "j1", {})  # may reuse the dead job's id(): the weak reference tells them apart
    assert view(fresh)["id"] == "j1" and view.build.calls == 2


def test_the_version_key_keeps_a_value_until_the_next_transition():
    from emulator.core.readcache import version

    build = Counting()
    view = View("t.version", key=version, build=build, cache=ReadCache(8))
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    assert view(job) is view(job) and build.calls == 1
    s.advance(1)  # time passes, no transition: the same value
    assert view(job)["state"] == "NEW" and build.calls == 1
    s.advance(1)  # NEW -> RUN
    assert view(job)["state"] == "RUN" and build.calls == 2
