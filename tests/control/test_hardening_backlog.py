"""A backlog on the real and scaled clocks (a burst of transitions due at once, a fast scaled clock, a loop that
fell behind) is fired in slices of at most TICK_SLICE transitions, each in its own turn of the event loop, and
every transition still fires, in time order. Time here is a fake real clock moved by the test; the assertions
are counts and orders, never durations."""

from __future__ import annotations

import asyncio
import itertools
import types
from collections.abc import Generator

from emulator import timers
from emulator.core.clock import NS, Clock
from emulator.core.lifecycle import Fate, Graph, Step
from emulator.core.session import Session

GRAPH = Graph(name="t", states=("NEW", "RUN", "DONE"), initial="NEW", terminal=frozenset({"DONE"}),
              timed={"NEW": Step("RUN", 1), "RUN": Step("DONE", 10)}, commands={}, failure={})


class FakeClock(Clock):
    """A clock in `real` mode (not still: the session's timer arms) whose now only the test moves."""

    __slots__ = ("fake_ns",)

    def __init__(self, start_ns: int) -> None:
        super().__init__("real", start_ns=start_ns)
        self.fake_ns = start_ns

    def now_ns(self) -> int:
        return self.fake_ns


def _session_with_backlog(n: int) -> tuple[Session, list[tuple[int, str]]]:
    """A session with `n` jobs whose every transition is due: returns it and the list its transitions are
    recorded in (due time, job id), in firing order."""
    clock = FakeClock(1_767_225_600 * NS)
    s = Session("b", seed=1, clock=clock, journal_size=0)
    for i in range(n):
        s.submit("p", GRAPH, f"j{i}", {}, fate=Fate(durations={"NEW": 1 + (i % 7) / 10}))
    fired: list[tuple[int, str]] = []
    fire = s._fire

    def recording(job, due_ns: int) -> None:
        fire(job, due_ns)
        fired.append((due_ns, job.id))
        if s.on_fired is not None:
            s.on_fired()

    s._fire = recording  # type: ignore[method-assign]
    s.on_fired = None  # type: ignore[attr-defined]
    clock.fake_ns += 3600 * NS  # the loop "fell behind" by an hour: every transition is due now
    return s, fired


def _record_slices(s: Session, log: list) -> None:
    tick = s.tick

    def recording(*args, **kwargs) -> int:
        count = tick(*args, **kwargs)
        log.append(("slice", count))
        return count

    s.tick = recording  # type: ignore[method-assign]


async def _other_requests(log: list, done: asyncio.Event) -> None:
    """Stands for the server's other work: one entry per turn of the event loop until the backlog is done."""
    while not done.is_set():
        log.append(("other", 0))
        await _next_turn()


@types.coroutine
def _next_turn() -> Generator[None, None, None]:
    """Resume on the event loop's next turn: a bare yield, which a task takes as "run me again next turn"
    (as asyncio does for a zero delay); no clock is waited on."""
    yield


async def test_the_session_timer_fires_a_backlog_in_bounded_slices_that_yield(monkeypatch):
    monkeypatch.setattr(timers, "TICK_SLICE", 100)
    n = 3 * 100 // 2 + 7  # 2 transitions per job: 314, more than three slices
    s, fired = _session_with_backlog(n)
    log: list = []
    _record_slices(s, log)
    done = asyncio.Event()
    s.on_fired = lambda: done.set() if len(fired) == 2 * n else None  # type: ignore[attr-defined]
    other = asyncio.ensure_future(_other_requests(log, done))
    timer = timers.SessionTimer(s)
    await asyncio.wait_for(done.wait(), 30)
    await other
    timer.cancel()
    slices = [count for kind, count in log if kind == "slice"]
    assert max(slices) <= 100 and sum(slices) == 2 * n and len(slices) >= 4
    # between any two slices, the loop turned: other work ran in between
    kinds = [kind for kind, count in log if kind == "other" or count]
    assert all(a != b for a, b in itertools.pairwise(kinds) if a == "slice"), kinds
    # every transition fired, each job's two in order, and all in time order
    assert [t for t, _ in fired] == sorted(t for t, _ in fired)
    assert all(job.state == "DONE" for job in s.store("p"))


async def test_a_request_that_finds_a_backlog_catches_up_in_slices_and_sees_everything(monkeypatch):
    monkeypatch.setattr(timers, "TICK_SLICE", 50)
    s, fired = _session_with_backlog(120)  # 240 transitions: five slices
    log: list = []
    _record_slices(s, log)
    done = asyncio.Event()
    other = asyncio.ensure_future(_other_requests(log, done))
    total = await timers.catch_up(s)  # what the request pipeline awaits before a handler runs
    done.set()
    await other
    assert total == 240 and len(fired) == 240
    slices = [count for kind, count in log if kind == "slice"]
    assert slices[:5] == [50] * 4 + [40] and max(slices) <= 50
    kinds = [kind for kind, count in log if kind == "other" or count]
    assert all(a != b for a, b in itertools.pairwise(kinds) if a == "slice"), kinds
    # the request's read is consistent: nothing due at its instant is left
    assert s.scheduler.next_due() is None and all(job.state == "DONE" for job in s.store("p"))


async def test_catch_up_stops_at_the_requests_instant_on_a_clock_that_keeps_moving(monkeypatch):
    """A scaled clock at high speed keeps making transitions due; a request catches up to the instant it
    arrived, not forever."""
    monkeypatch.setattr(timers, "TICK_SLICE", 10)
    s, fired = _session_with_backlog(30)
    clock = s.clock
    arrived = clock.now_ns()
    tick = s.tick

    def moving(*args, **kwargs) -> int:
        count = tick(*args, **kwargs)
        clock.fake_ns += 5 * NS  # time runs on while the request catches up
        return count

    s.tick = moving  # type: ignore[method-assign]
    more = [s.submit("p", GRAPH, f"late{i}", {}, fate=Fate(durations={"NEW": 3600 + 1 + i})) for i in range(5)]
    await timers.catch_up(s)
    assert len(fired) == 60 and all(t <= arrived for t, _ in fired)
    assert all(job.state == "NEW" for job in more)  # due after the request's instant: left for later


async def test_the_pipeline_catches_up_before_answering(emu):
    """Over HTTP: jobs whose transitions fell due while nothing ran are shown in their due state."""
    s = emu.app["sessions"].get(None)
    resp = await emu.put("/api/v1/orchestrator/jobs", json={"Job": {
        "Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}})
    job_id = (await resp.json())["JobID"]
    s.clock.advance(3600)  # the clock alone, no tick: time moved while nothing ran (as if the loop fell behind)
    assert s.scheduler.next_due() is not None
    got = await (await emu.get(f"/api/v1/orchestrator/jobs/{job_id}")).json()
    assert got["Job"]["State"]["StateType"] == "Completed"


def test_serve_help_states_the_fixed_bounds(capsys):
    import pytest

    from emulator.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Fixed bounds (docs/bounds-and-safety.md):" in text
    assert (f"a backlog of due transitions fires at most {timers.TICK_SLICE:,} per turn of the event loop"
            in text)
    assert "at least 1 s between flips, at most 100 rounds" in text
