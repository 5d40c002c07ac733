"""Per-provider state and the one transition hook, as the engine keeps them: made on first use, dropped by a
reset, exported and imported through the provider's own snapshot methods, the hook called once per move of
that provider's jobs only."""

from dataclasses import dataclass, field

import pytest

from emulator.core.clock import Clock
from emulator.core.lifecycle import Graph, Step
from emulator.core.session import Session

GRAPH = Graph(name="g", states=("NEW", "RUN", "DONE", "CANCELLED"), initial="NEW",
              terminal=frozenset({"DONE", "CANCELLED"}), timed={"NEW": Step("RUN", 1), "RUN": Step("DONE", 2)},
              commands={"cancel": {"RUN": "CANCELLED"}})


@dataclass
class Counter:
    made_for: str
    moves: list[tuple[str, str | None, str]] = field(default_factory=list)


class Tenant:
    """The part of a provider the engine talks to (emulator.kit.Provider implements the same methods)."""

    def __init__(self, hooked: bool) -> None:
        self.made = 0
        if not hooked:
            self.on_transition = None

    def new_state(self, session: Session) -> Counter:
        self.made += 1
        return Counter(session.key)

    def state_to_snapshot(self, state: Counter) -> dict:
        return {"made_for": state.made_for, "moves": len(state.moves)}

    def state_from_snapshot(self, value: dict, session: Session) -> Counter:
        return Counter(f"{value['made_for']} (restored, {value['moves']} moves)")

    def on_transition(self, session, job, old, new, t_ns, message) -> None:
        session.state(job.provider).moves.append((job.id, old, new))


def make(**tenants: Tenant) -> Session:
    return Session("s1", clock=Clock("manual"), tenants=tenants)


def test_state_is_made_once_on_first_use_and_dropped_by_a_reset():
    a = Tenant(hooked=False)
    s = make(a=a)
    assert s.export_states() == {}  # nothing asked for it yet: nothing to snapshot
    first = s.state("a")
    assert first == Counter("s1") and s.state("a") is first and a.made == 1
    s.reset("a")
    assert s.state("a") is not first and a.made == 2
    s.reset()
    assert s.export_states() == {}


def test_unknown_provider_state_names_the_enabled_ones():
    s = make(a=Tenant(hooked=False), b=Tenant(hooked=False))
    with pytest.raises(KeyError, match="no provider 'c' in this session \\(providers: a, b\\)"):
        s.state("c")
    with pytest.raises(ValueError, match="provider 'c', which is not enabled \\(enabled: a, b\\)"):
        s.import_states({"c": {}})


def test_hook_sees_every_move_of_its_own_provider_only():
    s = make(a=Tenant(hooked=True), b=Tenant(hooked=False))
    job = s.submit("a", GRAPH, "j1", {})
    other = s.submit("b", GRAPH, "k1", {})
    s.advance(1)
    s.command(job, "cancel")
    s.advance(5)
    assert s.state("a").moves == [("j1", None, "NEW"), ("j1", "NEW", "RUN"), ("j1", "RUN", "CANCELLED")]
    assert other.state == "DONE" and s.state("b").moves == []


def test_states_round_trip_through_the_providers_snapshot_methods():
    s = make(a=Tenant(hooked=True))
    s.submit("a", GRAPH, "j1", {})
    exported = s.export_states()
    assert exported == {"a": {"made_for": "s1", "moves": 1}}
    fresh = make(a=Tenant(hooked=True))
    fresh.import_states(exported)
    assert fresh.state("a") == Counter("s1 (restored, 1 moves)")
