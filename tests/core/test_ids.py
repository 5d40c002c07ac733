"""Identifiers come from the session's seeded generator: the same seed draws the same ids."""

from emulator.core.clock import DEFAULT_MANUAL_START_NS, Clock
from emulator.core.session import Session


def session() -> Session:
    return Session("t", seed=1, clock=Clock("manual"))


def test_same_seed_same_ids():
    a, b = session(), session()
    assert [a.ids.uuid4() for _ in range(3)] == [b.ids.uuid4() for _ in range(3)]
    assert a.ids.flake(DEFAULT_MANUAL_START_NS).isdigit()
