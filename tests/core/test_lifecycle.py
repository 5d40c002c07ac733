"""State graphs (emulator.core.lifecycle): a graph that names an undeclared state is refused when declared;
edges, reachability, failure landings, commands and state spellings are what the engine and coverage rely on."""

import pytest

from emulator.core.lifecycle import Graph, Step, states_of

# A Bacalhau-like graph: Queued is optional (nothing leads into it, its step joins the main line)
GRAPH = Graph(
    name="batch", states=("Pending", "Queued", "Running", "Completed", "Failed", "Stopped", "Orphan"),
    initial="Pending", terminal=frozenset({"Completed", "Failed", "Stopped", "Orphan"}),
    timed={"Pending": Step("Running", 1), "Queued": Step("Running", 2), "Running": Step("Completed", 5)},
    commands={"stop": {"Pending": "Stopped", "Queued": "Stopped", "Running": "Stopped"}},
    failure={"*": "Failed"}, aliases={"in progress": "Running"}, hidden=frozenset({"Queued"}))


def test_a_graph_naming_an_undeclared_state_is_refused_with_the_names():
    with pytest.raises(ValueError, match=r"graph bad: states not declared: \['Done', 'Gone'\]"):
        Graph(name="bad", states=("A",), initial="A", terminal=frozenset({"Done"}),
              commands={"x": {"A": "Gone"}})


def test_edges_are_timed_steps_commands_failures_and_the_optional_detour():
    edges = GRAPH.edges()
    assert len(edges) == len(set(edges))
    assert set(edges) == {
        ("Pending", "Running"), ("Queued", "Running"), ("Running", "Completed"),
        ("Pending", "Stopped"), ("Queued", "Stopped"), ("Running", "Stopped"),
        ("Pending", "Failed"), ("Queued", "Failed"), ("Running", "Failed"),
        ("Pending", "Queued"),  # the detour: Pending's own step also goes to Running
    }


def test_reachable_states_in_declaration_order_leave_out_the_unreachable():
    assert GRAPH.reachable() == ("Pending", "Queued", "Running", "Completed", "Failed", "Stopped")


def test_states_of_hides_engine_internal_states_and_merges_graphs_in_order():
    other = Graph(name="svc", states=("Starting", "Running", "Failed"), initial="Starting",
                  terminal=frozenset({"Failed"}), timed={"Starting": Step("Running", 1)}, failure={"*": "Failed"})
    assert states_of([GRAPH, other]) == ("Pending", "Running", "Completed", "Failed", "Stopped", "Starting")


def test_failure_state_falls_back_to_the_default_and_can_checks_the_current_state():
    g = Graph(name="g", states=("A", "B", "X", "Y"), initial="A", terminal=frozenset({"X", "Y"}),
              failure={"B": "Y", "*": "X"}, commands={"go": {"A": "B"}})
    assert (g.failure_state("A"), g.failure_state("B")) == ("X", "Y")
    assert g.can("go", "A") and not g.can("go", "B") and not g.can("stop", "A")
    assert Graph(name="h", states=("A",), initial="A", terminal=frozenset()).failure_state("A") is None


def test_resolve_state_ignores_case_and_knows_aliases():
    assert GRAPH.resolve_state(" running ") == "Running"
    assert GRAPH.resolve_state("IN PROGRESS") == "Running"
    assert GRAPH.resolve_state("Runing") is None
