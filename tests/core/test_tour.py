"""The tour outcome's plan (emulator.core.tour): one path per ending, together through every reachable state,
following the main line and branching as late as possible; a seeded order that restarts and survives a
round trip."""

import itertools

from emulator.core.lifecycle import Graph, Step
from emulator.core.tour import Tour, plan

# Bacalhau-like: Queued is optional, Stopped is a command's ending, Failed a failure's
BATCH = Graph(
    name="batch", states=("Pending", "Queued", "Running", "Completed", "Failed", "Stopped"), initial="Pending",
    terminal=frozenset({"Completed", "Failed", "Stopped"}),
    timed={"Pending": Step("Running", 1), "Queued": Step("Running", 1), "Running": Step("Completed", 5)},
    commands={"stop": {"Pending": "Stopped", "Queued": "Stopped", "Running": "Stopped"}}, failure={"*": "Failed"})
# a paused state entered only by a command, left by another
PAUSING = Graph(
    name="pausing", states=("RUN", "PAUSED", "DONE", "FAILED"), initial="RUN", terminal=frozenset({"DONE", "FAILED"}),
    timed={"RUN": Step("DONE", 5)}, commands={"pause": {"RUN": "PAUSED"}, "resume": {"PAUSED": "RUN"}},
    failure={"*": "FAILED"})


def test_one_path_per_ending_branching_as_late_as_possible_and_through_the_optional_state():
    paths = plan(BATCH)
    assert {p[-1] for p in paths} == {"Completed", "Failed", "Stopped"}
    assert all(p[0] == "Pending" for p in paths)
    assert {s for p in paths for s in p} == set(BATCH.states)
    assert ("Pending", "Running", "Failed") in paths  # fails late, from Running, as a real job usually does
    assert any("Queued" in p for p in paths)
    edges = set(BATCH.edges())
    assert all((a, b) in edges for p in paths for a, b in itertools.pairwise(p))


def test_a_state_only_commands_reach_is_visited_by_rerouting_a_path():
    paths = plan(PAUSING)
    assert {p[-1] for p in paths} == {"DONE", "FAILED"}
    assert any("PAUSED" in p for p in paths)
    assert {s for p in paths for s in p} == set(PAUSING.states)


def test_the_order_is_seeded_and_starts_over_after_the_last_path():
    a, b = Tour(seed="s1"), Tour(seed="s1")
    walk = [a.next_path(BATCH) for _ in range(len(plan(BATCH)) * 2)]
    assert walk == [b.next_path(BATCH) for _ in range(len(walk))]
    n = len(plan(BATCH))
    assert sorted(walk[:n]) == sorted(plan(BATCH)) and walk[n:] == walk[:n]
    orders = {tuple(Tour(seed=s).plan_for(BATCH)) for s in range(12)}
    assert len(orders) > 1  # the seed picks the order


def test_progress_survives_a_dict_round_trip():
    tour = Tour(seed=3)
    first = tour.next_path(BATCH)
    again = Tour(**tour.to_dict())
    assert again.served == {"batch": 1}
    second = tour.next_path(BATCH)
    assert again.next_path(BATCH) == second and second != first  # the plan has three paths: the second follows


def test_a_graph_with_no_ending_has_no_path():
    forever = Graph(name="svc", states=("UP",), initial="UP", terminal=frozenset())
    assert plan(forever) == [] and Tour().next_path(forever) is None
