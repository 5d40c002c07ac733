"""The lifecycle runtime of a session without a server: timed walks, commands, pause and resume, fates,
advance-until and manual stepping."""

import pytest

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS, Clock
from emulator.core.errors import ApiError, CommandRefused
from emulator.core.lifecycle import Fate, Graph, Step
from emulator.core.session import Session

GRAPH = Graph(
    name="test", states=("NEW", "RUN", "PAUSED", "DONE", "FAILED", "CANCELLED"), initial="NEW",
    terminal=frozenset({"DONE", "FAILED", "CANCELLED"}),
    timed={"NEW": Step("RUN", 2), "RUN": Step("DONE", 10)},
    commands={"cancel": {"NEW": "CANCELLED", "RUN": "CANCELLED"}, "pause": {"RUN": "PAUSED"},
              "resume": {"PAUSED": "RUN"}},
    failure={"*": "FAILED"}, resumable=frozenset({"RUN"}))


def session(**kw) -> Session:
    return Session("t", seed=1, clock=Clock("manual"), **kw)


def test_timed_walk_lands_each_transition_at_its_due_time():
    s = session()
    job = s.submit("p", GRAPH, "j1", {"x": 1})
    s.advance(100)  # one jump applies both transitions, each at its own time
    assert job.state == "DONE"
    assert [(t - DEFAULT_MANUAL_START_NS) // NS for t, *_ in job.history] == [0, 2, 12]
    assert job.finished_ns == DEFAULT_MANUAL_START_NS + 12 * NS
    assert job.spec == {"x": 1}


def test_command_refused_outside_its_states_and_stale_timer_skipped():
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    with pytest.raises(CommandRefused) as err:
        s.command(job, "pause")
    assert err.value.state == "NEW" and "j1" in err.value.message
    s.command(job, "cancel")
    s.advance(100)
    assert job.state == "CANCELLED" and len(job.history) == 2


def test_pause_resume_keeps_the_unspent_time():
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    s.advance(2 + 4)          # 4 s into a 10 s run
    s.command(job, "pause")
    s.advance(1000)
    assert job.state == "PAUSED"
    s.command(job, "resume")
    s.advance(5.9)
    assert job.state == "RUN"
    s.advance(0.1)
    assert job.state == "DONE"


def test_fate_fail_at_state_with_message_and_duration():
    s = session()
    job = s.submit("p", GRAPH, "j1", {}, fate=Fate("fail", at="RUN", message="disk full", durations={"RUN": 30}))
    s.advance(31)
    assert job.state == "RUN"
    s.advance(1)
    assert job.state == "FAILED" and job.message == "disk full"


def test_fate_hang_and_flap():
    s = session()
    hung = s.submit("p", GRAPH, "h", {}, fate=Fate("hang", at="RUN"))
    flap = s.submit("p", GRAPH, "f", {}, fate=Fate("flap", at="RUN", to="PAUSED", times=1, every=1))
    s.advance(1000)
    assert hung.state == "RUN" and hung.timer is None
    assert [h[2] for h in flap.history] == ["NEW", "RUN", "PAUSED", "RUN", "DONE"]


def test_advance_until_and_its_failure():
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    moved = s.advance_until(job, "DONE")
    assert moved == 12 and job.state == "DONE"
    stuck = s.submit("p", GRAPH, "j2", {}, fate=Fate("hang", at="RUN"))
    with pytest.raises(ApiError) as err:
        s.advance_until(stuck, "DONE")
    assert "no pending transition" in err.value.message


def test_step_and_set_state():
    s = session()
    job = s.submit("p", GRAPH, "j1", {})
    assert s.step(job) == "RUN"
    assert s.set_state(job, "paused") == "PAUSED"
    with pytest.raises(ApiError):
        s.set_state(job, "nope")
