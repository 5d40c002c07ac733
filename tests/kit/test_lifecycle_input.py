"""The one lifecycle input of a job: decided once by the engine (outcome header or scenario rule, resolved
against the graph the job will walk, plus the configured durations), frozen, and what submit takes."""

import dataclasses

import pytest

from emulator.core.clock import NS, Clock
from emulator.core.errors import ApiError
from emulator.core.fates import Fate, LifecycleInput, seconds
from emulator.core.lifecycle import Graph, Step
from emulator.core.session import Session

GRAPH = Graph(name="g", states=("NEW", "RUN", "DONE", "FAILED"), initial="NEW", terminal=frozenset({"DONE", "FAILED"}),
              timed={"NEW": Step("RUN", 1), "RUN": Step("DONE", 10)}, failure={"*": "FAILED"},
              aliases={"running": "RUN"})


def make(durations=None) -> Session:
    return Session("s", clock=Clock("manual"), durations=durations or {})


def test_header_is_resolved_once_against_the_graph_and_the_input_is_frozen():
    s = make({"p": {"NEW": 2}})
    lc = s.decide("p", GRAPH, "fail; at=running; message=disk full; running=30", None, {})
    assert lc.graph is GRAPH and lc.provider == "p"
    assert (lc.fate.kind, lc.fate.at, lc.fate.message, dict(lc.fate.durations)) == ("fail", "RUN", "disk full",
                                                                                   {"RUN": 30.0})
    assert lc.configured == {"NEW": 2}
    with pytest.raises(dataclasses.FrozenInstanceError):
        lc.fate = None


def test_a_header_naming_a_state_the_graph_lacks_is_refused_at_decide_naming_the_states():
    with pytest.raises(ApiError) as err:
        make().decide("p", GRAPH, "hang; at=Queued", None, {})
    assert err.value.field == "X-Emulator-Outcome"
    assert "'Queued' is not a state of this job; states: NEW, RUN, DONE, FAILED" in err.value.message


def test_scenario_rule_reaches_the_job_through_the_same_input():
    s = make()
    s.scenarios.add({"provider": "p", "outcome": "hang", "at": "RUN", "match": {"name": "x"}})
    assert s.decide("p", GRAPH, None, None, {"name": "y"}).fate is None
    lc = s.decide("p", GRAPH, None, None, {"name": "x"})
    job = s.launch(lc, "j1", {})
    s.advance(3600)
    assert job.state == "RUN" and job.fate is lc.fate and job.fate.rule_id is not None


def test_seconds_take_the_fate_then_the_configuration_then_the_default():
    fate = Fate(durations={"RUN": 5})
    assert seconds(fate, {"RUN": 7, "NEW": 3}, "RUN", 10) == 5
    assert seconds(fate, {"RUN": 7, "NEW": 3}, "NEW", 10) == 3
    assert seconds(None, {}, "NEW", 10) == 10
    lc = LifecycleInput("p", GRAPH, None, {"RUN": 7})
    assert lc.seconds("RUN", 10) == 7


def test_a_provider_plan_times_only_states_the_fate_leaves_untimed_and_the_timer_follows_it():
    s = make({"p": {"RUN": 7}})
    scripted = s.decide("p", GRAPH, "succeed; RUN=5", None, {}).planned({"RUN": 99, "NEW": 4})
    assert dict(scripted.fate.durations) == {"RUN": 5.0, "NEW": 4}
    plain = s.decide("p", GRAPH, None, None, {})
    span = plain.seconds("RUN", 10)  # the configured 7: what a provider would show on its wire
    job = s.launch(plain.planned({"RUN": span}), "j1", {})
    s.advance(1)
    assert job.state == "RUN" and job.timer[0] - job.entered_ns == 7 * NS
