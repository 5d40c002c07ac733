"""The job store: cursor pages with filters and reverse order, the state index, retention by count and
age, secondary indexes paged by offset."""

from emulator.core.clock import Clock
from emulator.core.lifecycle import Graph, Step
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
