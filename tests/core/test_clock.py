"""The virtual clock: manual time moves only when told, a switch to scaled time never jumps, ISO times keep
their precision."""

import pytest

from emulator.core.clock import DEFAULT_MANUAL_START_NS, Clock, iso_utc


def test_manual_clock_moves_only_when_told():
    c = Clock("manual")
    assert c.now_ns() == DEFAULT_MANUAL_START_NS
    c.advance(1.5)
    assert c.now_ns() == DEFAULT_MANUAL_START_NS + 1_500_000_000
    with pytest.raises(ValueError):
        c.advance(-1)


def test_scaled_clock_switch_does_not_jump():
    c = Clock("manual")
    c.set_mode("scaled", 1000)
    t = c.now_ns()
    assert t >= DEFAULT_MANUAL_START_NS
    c.set_mode("manual")
    assert c.now_ns() >= t and c.speed == 1.0


def test_iso_utc_nanoseconds():
    assert iso_utc(1695883778909107178) == "2023-09-28T06:49:38.909107178Z"
