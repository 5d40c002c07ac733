"""Scenario rules (emulator.core.scenarios): a rule that can never match is refused when added, naming the
valid states or keys; matching by facts and body paths; `count`; the first applicable rule wins and its fate
is spelled for the job's graph; a rule for one system never touches another's jobs."""

import pytest

from emulator.core.errors import ApiError
from emulator.core.lifecycle import Graph, Step
from emulator.core.scenarios import RuleTarget, Scenario, ScenarioBook, check_rule

BATCH = Graph(name="batch", states=("Pending", "Running", "Completed", "Failed"), initial="Pending",
              terminal=frozenset({"Completed", "Failed"}),
              timed={"Pending": Step("Running", 1), "Running": Step("Completed", 5)}, failure={"*": "Failed"})
FLOW = Graph(name="flow", states=("PENDING", "RUNNING", "COMPLETE", "FAILED"), initial="PENDING",
             terminal=frozenset({"COMPLETE", "FAILED"}),
             timed={"PENDING": Step("RUNNING", 1), "RUNNING": Step("COMPLETE", 5)}, failure={"*": "FAILED"})
TARGETS = {"bacalhau": RuleTarget([BATCH], ["name", "labels", "type"]),
           "instabase": RuleTarget([FLOW], ["name", "labels"])}


def refused(spec: dict) -> ApiError:
    book = ScenarioBook()
    with pytest.raises(ApiError) as err:
        book.add(spec, check=lambda r: check_rule(r, TARGETS))
    assert book.rules == []
    return err.value


def test_an_unknown_provider_is_refused_naming_the_enabled_ones():
    err = refused({"provider": "slurm", "outcome": "fail", "at": "Running"})
    assert err.field == "provider" and "enabled: bacalhau, instabase" in err.message


def test_a_state_the_named_provider_lacks_is_refused_listing_its_states():
    err = refused({"provider": "bacalhau", "outcome": "fail", "at": "RUNNING_X"})
    assert err.field == "at"
    assert err.message == ("scenario s1: 'RUNNING_X' is not a bacalhau state; states: "
                           "Pending, Running, Completed, Failed")


def test_a_match_key_the_provider_lacks_is_refused_listing_its_keys():
    err = refused({"provider": "instabase", "outcome": "fail", "at": "RUNNING", "match": {"type": "batch"}})
    assert err.field == "match" and "instabase has no match key 'type'; it accepts name, labels" in err.message


def test_without_a_provider_a_state_no_provider_has_is_refused_listing_each():
    err = refused({"outcome": "hang", "at": "Queued"})
    assert err.field == "at"
    assert "no enabled provider has state 'Queued'" in err.message
    assert "bacalhau: Pending, Running, Completed, Failed; instabase: PENDING" in err.message


def test_without_a_provider_states_and_keys_from_different_providers_are_refused():
    err = refused({"outcome": "fail", "at": "COMPLETE", "match": {"type": "batch"}})
    assert err.field == "match" and "name a provider" in err.message


def test_an_unknown_field_or_outcome_is_refused_when_the_rule_is_made():
    with pytest.raises(TypeError, match="colour"):
        ScenarioBook().add({"outcome": "fail", "at": "Running", "colour": 1})
    with pytest.raises(ValueError, match="outcome must be one of"):
        ScenarioBook().add({"outcome": "explode"})
    with pytest.raises(TypeError, match="rule_id"):
        ScenarioBook().add({"outcome": "fail", "rule_id": "s9"})


def test_matching_by_facts_label_subsets_list_facts_and_body_paths():
    rule = Scenario("s1", "fail", at="running", match={"labels": {"team": "a"}, "/Job/Tasks/0/Name": "main"})
    body = {"Job": {"Tasks": [{"Name": "main"}]}}
    assert rule.applies("bacalhau", BATCH, body, {"labels": {"team": "a", "env": "x"}})
    assert not rule.applies("bacalhau", BATCH, body, {"labels": {"team": "b"}})
    assert not rule.applies("bacalhau", BATCH, {"Job": {"Tasks": []}}, {"labels": {"team": "a"}})
    tags = Scenario("s2", "fail", at="RUNNING", match={"labels": ["x", "y"]})
    assert tags.applies("instabase", FLOW, {}, {"labels": ["y", "z", "x"]})
    assert not tags.applies("instabase", FLOW, {}, {"labels": ["x"]})
    assert Scenario("s3", "fail", at="RUNNING", match={"labels": "x"}).applies("instabase", FLOW, {},
                                                                               {"labels": ["x"]})
    assert not Scenario("s4", match={"name": "n"}).applies("instabase", FLOW, {}, {})  # fact missing


def test_the_first_applicable_rule_wins_its_fate_is_spelled_for_the_graph_and_count_is_kept():
    book = ScenarioBook()
    book.add({"outcome": "fail", "at": "running", "message": "boom", "count": 1})
    book.add({"outcome": "hang", "at": "pending"})
    first = book.fate_for("bacalhau", BATCH, {}, {})
    assert first is not None and (first.kind, first.at, first.message, first.rule_id) == \
        ("fail", "Running", "boom", "s1")
    second = book.fate_for("bacalhau", BATCH, {}, {})
    assert second is not None and (second.kind, second.at, second.rule_id) == ("hang", "Pending", "s2")
    assert [r.matched for r in book.rules] == [1, 1]


def test_a_rule_whose_states_a_graph_lacks_never_touches_that_graphs_jobs():
    book = ScenarioBook()
    book.add({"outcome": "fail", "at": "Queued"})
    assert book.fate_for("any", BATCH, {}, {}) is None and book.rules[0].matched == 0
    book.add({"provider": "instabase", "outcome": "fail", "at": "RUNNING"})
    assert book.fate_for("bacalhau", FLOW, {}, {}) is None  # same states, another provider's job


def test_the_wire_form_is_flat_and_round_trips():
    book = ScenarioBook()
    book.add({"provider": "bacalhau", "outcome": "fail", "at": "Running", "match": {"name": "n"},
              "durations": {"Running": 2}, "count": 3})
    wire = book.to_dict()["rules"][0]
    assert wire == {"id": "s1", "outcome": "fail", "provider": "bacalhau", "match": {"name": "n"}, "count": 3,
                    "matched": 0, "at": "Running", "to": None, "message": "", "durations": {"Running": 2},
                    "times": 0, "every": 1.0, "results_missing": False}
    again = ScenarioBook.from_dict(book.to_dict())
    assert again.to_dict() == book.to_dict()


def test_a_tour_rule_hands_each_job_the_next_path_of_its_plan():
    book = ScenarioBook()
    book.add({"outcome": "tour", "provider": "bacalhau"})
    paths = [book.fate_for("bacalhau", BATCH, {}, {}).path for _ in range(3)]  # type: ignore[union-attr]
    assert sorted(paths[:2]) == [("Pending", "Running", "Completed"), ("Pending", "Running", "Failed")]
    assert paths[2] == paths[0]  # the plan starts over
    again = ScenarioBook.from_dict(book.to_dict())
    assert again.fate_for("bacalhau", BATCH, {}, {}).path == paths[1]  # type: ignore[union-attr]
