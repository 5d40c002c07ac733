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


def test_local_datetime_remembered_per_second_answers_as_strftime(monkeypatch):
    import time as _time

    from emulator.core import clock as clock_mod

    monkeypatch.setattr(clock_mod, "_DATETIMES_MAX", 3)
    monkeypatch.setattr(clock_mod, "_DATETIMES", {})
    for t_ns in [0, 999_999_999, 10**9, 1_700_000_000 * 10**9 + 5, 86_399 * 10**9, 0, 10**9, 2**40 * 10**9]:
        want = _time.strftime("%Y-%m-%d %H:%M:%S", _time.gmtime(t_ns // 10**9))
        assert clock_mod.local_datetime(t_ns) == want
        assert len(clock_mod._DATETIMES) <= 3
