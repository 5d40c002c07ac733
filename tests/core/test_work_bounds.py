"""Work one request can cause is bounded: a flapping job's transitions, and what a clock advance does
between yields to other requests. These assert the bounds (counts), never a time."""

import pytest

from emulator.core.clock import NS, Clock
from emulator.core.errors import ApiError
from emulator.core.lifecycle import Fate, Graph, Step
from emulator.core.session import ADVANCE_SLICE, MAX_FLAPS, MIN_FLAP_EVERY, Session

GRAPH = Graph(name="test", states=("NEW", "RUN", "WAIT", "DONE", "FAILED"), initial="NEW",
              terminal=frozenset({"DONE", "FAILED"}), timed={"NEW": Step("RUN", 1), "RUN": Step("DONE", 10)},
              commands={}, failure={"*": "FAILED"})


def session() -> Session:
    return Session("t", seed=1, clock=Clock("manual"), journal_size=0)


def test_flap_period_below_the_floor_or_too_many_rounds_is_refused():
    s = session()
    # a fate is checked once, when the engine decides it for a submit (here from the outcome header)
    with pytest.raises(ApiError, match="every must be a number from 1 to"):
        s.decide("p", GRAPH, "flap; at=RUN; to=WAIT; times=10; every=0.001", None, {})
    with pytest.raises(ApiError, match="times must be a number from 0 to 100"):
        s.decide("p", GRAPH, "flap; at=RUN; to=WAIT; times=10000; every=1", None, {})
    assert len(s.store("p")) == 0


def test_the_worst_flapping_job_costs_at_most_two_transitions_per_round():
    s = session()
    jobs = [s.submit("p", GRAPH, f"j{i}", {}, fate=Fate("flap", at="RUN", to="WAIT", times=MAX_FLAPS,
                                                        every=MIN_FLAP_EVERY)) for i in range(200)]
    fired = s.advance(10 * 365 * 86_400)
    # NEW->RUN, 2 * MAX_FLAPS flips, RUN->DONE: the whole life of 200 of the most expensive jobs allowed
    assert fired == 200 * (2 * MAX_FLAPS + 2)
    assert all(j.state == "DONE" and len(j.history) == 2 * MAX_FLAPS + 3 for j in jobs)


def test_an_advance_fires_at_most_one_slice_between_yields_and_reads_stay_consistent():
    s = session()
    for i in range(3 * ADVANCE_SLICE + 5):
        s.submit("p", GRAPH, f"j{i}", {}, fate=Fate(durations={"NEW": 1 + i / 1000}))
    start = s.clock.now_ns()
    slices = []
    for fired in s.advance_in_slices(3600):
        slices.append(fired)
        now = s.clock.now_ns()
        # every job due by the clock's instant has moved; none due later has
        assert s.scheduler.next_due() is None or s.scheduler.next_due() > now
    assert max(slices) <= ADVANCE_SLICE
    assert sum(slices) == 2 * (3 * ADVANCE_SLICE + 5)
    assert len(slices) >= 6
    assert s.clock.now_ns() == start + 3600 * NS


def test_an_instant_is_never_split_between_slices():
    s = session()
    for i in range(25):
        s.submit("p", GRAPH, f"j{i}", {})
    slices = list(s.advance_in_slices(1, size=10))
    assert slices == [25]


async def test_the_flap_header_that_stalled_the_server_is_refused(emu):
    job = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
    header = "flap; at=Running; to=Pending; every=0.001; times=10000"
    resp = await emu.put("/api/v1/orchestrator/jobs", json=job, headers={"X-Emulator-Outcome": header})
    assert resp.status == 400
    assert (await resp.json())["message"].startswith("X-Emulator-Outcome: every must be a number from 1 to")
