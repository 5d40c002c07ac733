"""The engine without a server: clock, scheduler, lifecycle walks, fates, store paging and retention."""

import pytest

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS, Clock, iso_utc
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


def test_store_pages_by_cursor_with_filter_and_reverse():
    s = session()
    st = s.store("p")
    for i in range(10):
        s.submit("p", GRAPH, f"j{i}", {"i": i})
    page, cursor = st.page(limit=3, where=lambda j: j.spec["i"] % 2 == 0)
    assert [j.id for j in page] == ["j0", "j2", "j4"]
    page, cursor = st.page(after=cursor, limit=3, where=lambda j: j.spec["i"] % 2 == 0)
    assert [j.id for j in page] == ["j6", "j8"] and cursor is None
    page, _ = st.page(limit=2, reverse=True)
    assert [j.id for j in page] == ["j9", "j8"]


def test_store_state_index_and_retention_by_count_and_age():
    s = session(store_options={"p": {"retain_finished": 2, "retain_seconds": 60}})
    st = s.store("p")
    jobs = [s.submit("p", GRAPH, f"j{i}", {}) for i in range(4)]
    s.advance(12)
    assert len(st) == 2 and [j.id for j in st] == ["j2", "j3"]   # count: oldest finished dropped
    assert jobs[0].evicted and st.count_by_state() == {"DONE": 2}
    s.submit("p", GRAPH, "live", {})
    s.advance(61)
    assert [j.id for j in st] == ["live"]  # j2, j3 finished 61 s ago; live finished 49 s ago


def test_same_seed_same_ids():
    a, b = session(), session()
    assert [a.ids.uuid4() for _ in range(3)] == [b.ids.uuid4() for _ in range(3)]
    assert a.ids.flake(DEFAULT_MANUAL_START_NS).isdigit()


def test_index_pages_by_offset_and_survives_removals():
    s = session()
    st = s.store("p")
    st.add_index("parity", lambda j: [j.spec["i"] % 2])
    jobs = [s.submit("p", GRAPH, f"j{i}", {"i": i}) for i in range(10)]
    page, more = st.page_at(1, 2, index="parity", key=0)
    assert [j.id for j in page] == ["j2", "j4"] and more
    page, more = st.page_at(0, 2, index="parity", key=1, reverse=True)
    assert [j.id for j in page] == ["j9", "j7"] and more
    st.remove(jobs[2])
    page, more = st.page_at(1, 10, index="parity", key=0)
    assert [j.id for j in page] == ["j4", "j6", "j8"] and not more
    page, more = st.page_at(8, 5)
    assert [j.id for j in page] == ["j9"] and not more
    st.add_index("late", lambda j: ["all"])   # an index added later covers the jobs already held
    assert [j.id for j in st.page_at(0, 3, index="late", key="all")[0]] == ["j0", "j1", "j3"]
