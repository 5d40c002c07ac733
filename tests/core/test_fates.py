"""Fates (emulator.core.fates): the outcome header's grammar, resolution against a graph with errors that
name the field and the valid states, the bounds on scripted work, and the one duration precedence."""

import pytest

from emulator.core import fates
from emulator.core.errors import ApiError
from emulator.core.fates import FATE_KINDS, MAX_FLAPS, MIN_FLAP_EVERY, OUTCOME_HEADER, Fate, LifecycleInput
from emulator.core.lifecycle import Graph, Step

GRAPH = Graph(name="g", states=("Pending", "Running", "Completed", "Failed"), initial="Pending",
              terminal=frozenset({"Completed", "Failed"}),
              timed={"Pending": Step("Running", 1), "Running": Step("Completed", 5)}, failure={"*": "Failed"})


def test_parse_header_reads_kind_states_message_numbers_and_durations():
    fate = fates.parse_header("FAIL; at=running; message=disk full; Running=30; times=0; results_missing=yes")
    assert fate == Fate(kind="fail", at="running", message="disk full", durations={"Running": 30.0},
                        results_missing=True)
    assert fates.parse_header("flap; at=Running; to=Pending; every=2.5; times=3") == Fate(
        kind="flap", at="Running", to="Pending", every=2.5, times=3)


@pytest.mark.parametrize("header, says", [
    ("", "is empty"), (" ; ", "is empty"),
    ("explode", "outcome must be one of " + ", ".join(FATE_KINDS)),
    ("fail; at", "expected key=value, got 'at'"),
    ("fail; Running=-1", "Running must be a finite number >= 0"),
    ("fail; Running=nan", "Running must be a finite number >= 0"),
    ("flap; times=2.5", "times must be a finite number >= 0"),
])
def test_a_malformed_header_is_a_400_naming_the_header(header, says):
    with pytest.raises(ApiError) as err:
        fates.parse_header(header)
    assert err.value.kind == "invalid" and err.value.field == OUTCOME_HEADER and says in err.value.message


def test_resolve_spells_states_as_the_graph_does():
    fate = fates.resolve(fates.parse_header("fail; at=running; running=3"), GRAPH, OUTCOME_HEADER)
    assert fate.at == "Running" and dict(fate.durations) == {"Running": 3.0}


def test_resolve_refuses_an_unknown_state_listing_the_graphs_states():
    with pytest.raises(ApiError) as err:
        fates.resolve(Fate(kind="hang", at="Runing"), GRAPH, "scenario s1")
    assert err.value.field == "scenario s1"
    assert err.value.message == ("scenario s1: 'Runing' is not a state of this job; states: "
                                 "Pending, Running, Completed, Failed")


def test_resolve_refuses_missing_states_a_job_tour_and_unbounded_flaps():
    with pytest.raises(ApiError, match="outcome flap needs at=<state> and to=<state>"):
        fates.resolve(Fate(kind="flap", at="Running"), GRAPH, "h")
    with pytest.raises(ApiError, match="outcome tour belongs to a scenario rule"):
        fates.resolve(Fate(kind="tour"), GRAPH, "h")
    with pytest.raises(ApiError, match=f"every must be a number from {MIN_FLAP_EVERY:g}"):
        fates.resolve(Fate(kind="flap", at="Running", to="Pending", every=0.001), GRAPH, "h")
    with pytest.raises(ApiError, match=f"times must be a number from 0 to {MAX_FLAPS}"):
        fates.resolve(Fate(kind="flap", at="Running", to="Pending", times=MAX_FLAPS + 1), GRAPH, "h")
    with pytest.raises(ApiError, match="duration of Running must be a number"):
        fates.resolve(Fate(durations={"Running": float("inf")}), GRAPH, "h")


def test_fits_says_whether_the_graph_has_every_named_state():
    assert fates.fits(Fate(kind="fail", at="running"), GRAPH)
    assert not fates.fits(Fate(kind="fail", at="Queued"), GRAPH)
    assert not fates.fits(Fate(durations={"Queued": 1}), GRAPH)


def test_decide_prefers_the_header_then_the_rules():
    seen = []

    def rules(provider, graph, body, facts):
        seen.append((provider, body, dict(facts)))
        return Fate(kind="hang", at="Pending", rule_id="s1")

    header = fates.decide("p", GRAPH, "fail; at=Running", rules, {"b": 1}, {"name": "n"})
    assert header is not None and header.kind == "fail" and seen == []
    ruled = fates.decide("p", GRAPH, None, rules, {"b": 1}, {"name": "n"})
    assert ruled is not None and ruled.rule_id == "s1" and seen == [("p", {"b": 1}, {"name": "n"})]
    assert fates.decide("p", GRAPH, None, None, {}, {}) is None


def test_seconds_takes_the_fate_then_the_configured_then_the_default():
    fate = Fate(durations={"Running": 7})
    assert fates.seconds(fate, {"Running": 3, "Pending": 2}, "Running", 5) == 7.0
    assert fates.seconds(fate, {"Running": 3, "Pending": 2}, "Pending", 5) == 2.0
    assert fates.seconds(None, {}, "Pending", 5) == 5.0
    life = LifecycleInput("p", GRAPH, fate, {"Pending": 2})
    assert (life.seconds("Running", 1), life.seconds("Pending", 1), life.seconds("Completed", 9)) == (7.0, 2.0, 9.0)


def test_planned_durations_never_override_the_fates_own():
    fate = Fate(kind="fail", at="Running", durations={"Running": 1})
    planned = fates.with_planned(fate, {"Running": 50, "Pending": 4})
    assert planned is not None and dict(planned.durations) == {"Running": 1, "Pending": 4}
    assert planned.kind == "fail" and planned.at == "Running"
    assert fates.with_planned(fate, {}) is fate and fates.with_planned(fate, {"Running": 9}) is fate
    # jobs with no fate share one Fate per plan
    assert fates.with_planned(None, {"Running": 50}) is fates.with_planned(None, {"Running": 50})
    life = LifecycleInput("p", GRAPH).planned({"Running": 50})
    assert life.seconds("Running", 5) == 50.0


def test_fate_dict_round_trip_keeps_a_tour_path():
    fate = Fate(kind="tour", rule_id="s1", path=("Pending", "Failed"), durations={"Pending": 2})
    assert Fate.from_dict(fate.to_dict()) == fate
    assert "path" not in Fate().to_dict()
