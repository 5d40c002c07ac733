"""Store groups: keys that follow a job's state (running / finished in a state), paged at any offset."""

import random

from emulator.core.clock import Clock
from emulator.core.lifecycle import Graph, Step
from emulator.core.session import Session
from emulator.core.store import CHUNK, OrderedJobs

GRAPH = Graph(
    name="test", states=("NEW", "RUN", "DONE", "FAILED", "CANCELLED"), initial="NEW",
    terminal=frozenset({"DONE", "FAILED", "CANCELLED"}),
    timed={"NEW": Step("RUN", 2), "RUN": Step("DONE", 10)},
    commands={"cancel": {"NEW": "CANCELLED", "RUN": "CANCELLED"}, "retry": {"FAILED": "NEW", "CANCELLED": "NEW"}},
    failure={"*": "FAILED"})
LIVE = {"NEW", "RUN"}


def session(**kw) -> Session:
    return Session("t", seed=1, clock=Clock("manual"), **kw)


def live_or_ended(job, state):
    """One key for every live job; two for an ended one: its end state and "ended"."""
    return ("live",) if state in LIVE else (state, "ended")


def ids(jobs):
    return [j.id for j in jobs]


def test_ordered_jobs_pages_like_a_sorted_list_through_chunk_splits_and_removals():
    rng = random.Random(7)
    held = OrderedJobs()
    model: dict[int, str] = {}
    n = 5 * CHUNK  # enough to split chunks several times
    for key in rng.sample(range(10 * n), n):
        held.add(key, f"job{key}")  # type: ignore[arg-type]
        model[key] = f"job{key}"
    for key in rng.sample(sorted(model), n // 3):
        held.discard(key)
        del model[key]
    held.discard(-1)  # not held: nothing happens
    expect = [model[k] for k in sorted(model)]
    assert len(held) == len(expect) and list(held) == expect
    for offset in (0, 1, CHUNK - 1, CHUNK, 2 * CHUNK + 3, len(expect) - 2, len(expect), len(expect) + 5):
        assert held.page(offset, 7) == expect[offset:offset + 7]
        assert held.page(offset, 7, reverse=True) == expect[::-1][offset:offset + 7]
    assert held.page(3, None) == expect[3:]
    assert held.page(0, 0) == []


def test_group_follows_state_changes_in_creation_order():
    s = session()
    st = s.store("p")
    st.add_group("phase", live_or_ended)
    jobs = [s.submit("p", GRAPH, f"j{i}", {}) for i in range(6)]
    assert st.page_group("phase", "live", 0, 10) == (jobs, 6)
    s.command(jobs[1], "cancel")
    s.command(jobs[4], "cancel")
    page, total = st.page_group("phase", "live", 1, 2)
    assert ids(page) == ["j2", "j3"] and total == 4
    assert ids(st.page_group("phase", "live", 0, 2, reverse=True)[0]) == ["j5", "j3"]
    assert st.page_group("phase", "CANCELLED", 0, 10) == ([jobs[1], jobs[4]], 2)
    s.command(jobs[1], "retry")  # back to NEW: live again, in its creation place
    assert ids(st.page_group("phase", "live", 0, 10)[0]) == ["j0", "j1", "j2", "j3", "j5"]
    assert st.group_size("phase", "CANCELLED") == 1 and st.group_size("phase", "nothing") == 0
    st.remove(jobs[2])
    assert ids(st.page_group("phase", "live", 0, 10)[0]) == ["j0", "j1", "j3", "j5"]


def test_group_with_its_own_order_keeps_the_order_jobs_ended_in():
    s = session()
    st = s.store("p")
    st.add_group("ended", lambda job, state: (state, "ended") if state in GRAPH.terminal else (),
                 order=lambda job: (job.finished_ns, job.seq))
    a, b, c = (s.submit("p", GRAPH, f"j{i}", {}) for i in range(3))
    s.advance(1)
    s.command(c, "cancel")
    s.advance(11)  # a and b end now, in creation order
    assert ids(st.page_group("ended", "ended", 0, None)[0]) == ["j2", "j0", "j1"]
    assert st.page_group("ended", "DONE", 0, None) == ([a, b], 2)
    s.command(c, "retry")  # it leaves the end order; when it ends again it is the newest
    assert ids(st.page_group("ended", "ended", 0, None)[0]) == ["j0", "j1"]
    s.advance(12)
    assert ids(st.page_group("ended", "ended", 0, None)[0]) == ["j0", "j1", "j2"]


def test_a_move_that_keeps_the_keys_keeps_the_place_and_one_that_changes_the_order_moves_it():
    s = session()
    st = s.store("p")
    st.add_group("phase", live_or_ended)
    # every job under one key, ordered by when it last moved: the keys never change, the order does
    st.add_group("touched", lambda job, state: ("all",), order=lambda job: (job.modified_ns, job.seq))
    a, b, c = (s.submit("p", GRAPH, f"j{i}", {}) for i in range(3))
    s.advance(1)
    s.command(a, "cancel")  # a moved last: it goes to the end of "touched", and leaves "live"
    assert ids(st.page_group("touched", "all", 0, None)[0]) == ["j1", "j2", "j0"]
    assert ids(st.page_group("phase", "live", 0, None)[0]) == ["j1", "j2"]
    s.advance(1.5)  # b and c go NEW -> RUN: still "live", in creation order; "touched" reorders them after a
    assert [j.state for j in (b, c)] == ["RUN", "RUN"]
    assert ids(st.page_group("phase", "live", 0, None)[0]) == ["j1", "j2"]
    assert ids(st.page_group("touched", "all", 0, None)[0]) == ["j0", "j1", "j2"]
    assert st.group_size("touched", "all") == 3 and st.group_size("phase", "CANCELLED") == 1


def test_group_added_late_covers_held_jobs_and_survives_clear_and_retention():
    s = session(store_options={"p": {"retain_finished": 2}})
    st = s.store("p")
    jobs = [s.submit("p", GRAPH, f"j{i}", {}) for i in range(4)]
    s.command(jobs[0], "cancel")
    st.add_group("phase", live_or_ended)
    assert st.page_group("phase", "live", 0, 10) == (jobs[1:], 3)
    assert st.page_group("phase", "ended", 0, 10) == ([jobs[0]], 1)
    s.advance(12)  # all finish; retention keeps the newest two finished
    assert ids(st.page_group("phase", "ended", 0, 10)[0]) == ["j2", "j3"]
    assert st.page_group("phase", "live", 0, 10) == ([], 0)
    st.clear()
    fresh = s.submit("p", GRAPH, "again", {})
    assert st.page_group("phase", "live", 0, 10) == ([fresh], 1)


def test_restored_jobs_are_grouped_under_their_own_sequence_numbers():
    s = session()
    st = s.store("p")
    st.add_group("phase", live_or_ended)
    jobs = [s.submit("p", GRAPH, f"j{i}", {}) for i in range(3)]
    other = session()
    st2 = other.store("p")
    st2.add_group("phase", live_or_ended)
    for job in reversed(jobs):  # restored out of order: the group still lists them by seq
        st2.restore(type(job).from_dict(job.to_dict(), {"test": GRAPH}))
    assert ids(st2.page_group("phase", "live", 0, 10)[0]) == ["j0", "j1", "j2"]
    st2.remove(st2.get("j1"))
    assert ids(st2.page_group("phase", "live", 0, 10)[0]) == ["j0", "j2"]


def test_a_by_state_group_keeps_the_same_pages_and_asks_its_keys_once_per_state():
    # a group declared `by_state` is looked up per state instead of asking `keys` on every move: its pages
    # must be exactly those of the same group asked on every move
    asked = []

    def counted(job, state):
        asked.append(state)
        return live_or_ended(job, state)
    s = session()
    st = s.store("p")
    st.add_group("asked", live_or_ended)
    st.add_group("looked_up", counted, by_state=True)
    st.add_group("ended_asked", lambda job, state: (state, "ended") if state in GRAPH.terminal else (),
                 order=lambda job: (job.finished_ns, job.seq))
    st.add_group("ended_looked_up", lambda job, state: (state, "ended") if state in GRAPH.terminal else (),
                 order=lambda job: (job.finished_ns, job.seq), by_state=True)
    jobs = [s.submit("p", GRAPH, f"j{i}", {}) for i in range(8)]
    s.advance(3)
    s.command(jobs[5], "cancel")
    s.command(jobs[2], "cancel")
    s.advance(20)
    s.command(jobs[2], "retry")
    for key in ("live", "DONE", "CANCELLED", "ended"):
        assert st.page_group("looked_up", key, 0, None) == st.page_group("asked", key, 0, None)
        assert st.page_group("ended_looked_up", key, 0, None) == st.page_group("ended_asked", key, 0, None)
    assert ids(st.page_group("ended_looked_up", "ended", 0, None)[0]) == ["j5", "j0", "j1", "j3", "j4", "j6",
                                                                           "j7"]
    assert ids(st.page_group("looked_up", "live", 0, None)[0]) == ["j2"]
    # once each state's keys were worked out, moves ask no more (entering at submit still asks)
    moves_asked = asked[8:]
    assert sorted(set(moves_asked)) == sorted(moves_asked)
