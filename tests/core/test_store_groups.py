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


# --- changes that wait for a read (OrderedJobs._gone / _new, settled in one pass or one by one) ----------

def _check(held: OrderedJobs, model: dict) -> None:
    expect = [model[k] for k in sorted(model)]
    assert len(held) == len(expect) and list(held) == expect
    for offset in (0, 1, CHUNK - 1, CHUNK + 1, len(expect) // 2, len(expect) - 1):
        assert held.page(offset, 9) == expect[offset:offset + 9]
        assert held.page(offset, 9, reverse=True) == expect[::-1][offset:offset + 9]


def test_ordered_jobs_settles_batches_of_any_size_like_a_sorted_list():
    # batches small enough to go in one by one, and big enough to rebuild, with keys below and above the
    # held ones (a merge, an append), re-adds of removed keys, removals of keys added in the same batch
    rng = random.Random(11)
    held = OrderedJobs()
    model: dict[int, str] = {}
    for batch in (3, 40, 5 * CHUNK, 7, 3 * CHUNK, 1, 6 * CHUNK, 2):
        for _ in range(batch):
            roll = rng.random()
            if model and roll < 0.4:
                key = rng.choice(list(model))
                held.discard(key)
                del model[key]
                if rng.random() < 0.2:  # back under the same key before any read: the same job again
                    held.add(key, f"job{key}")  # type: ignore[arg-type]
                    model[key] = f"job{key}"
            else:
                key = rng.randrange(100 * CHUNK) if roll < 0.7 else 100 * CHUNK + len(model) * 7 + batch
                if key in model:
                    continue
                held.add(key, f"job{key}")  # type: ignore[arg-type]
                model[key] = f"job{key}"
                if rng.random() < 0.1:  # gone again before any read
                    held.discard(key)
                    del model[key]
        held.discard(-5)  # not held: nothing happens, in a batch too
        _check(held, model)
    assert all(0 < len(c) <= 2 * CHUNK for c in held._keys)


def test_removing_the_last_row_empties_the_group_at_once_even_with_changes_waiting():
    held = OrderedJobs()
    for key in range(5):
        held.add(key, f"job{key}")  # type: ignore[arg-type]
    assert len(held) == 5
    for key in range(4):
        held.discard(key)
    held.discard(99)  # not held: must not count as the last row going
    assert not held.vacant
    held.discard(4)
    assert held.vacant and list(held) == []


FAST = Graph(
    name="fast", states=("NEW", "RUN", "DONE", "FAILED", "CANCELLED"), initial="NEW",
    terminal=frozenset({"DONE", "FAILED", "CANCELLED"}),
    timed={"NEW": Step("RUN", 2), "RUN": Step("DONE", 0)},  # RUN lasts no time: two moves in one instant
    commands={"cancel": {"NEW": "CANCELLED", "RUN": "CANCELLED"}}, failure={"*": "FAILED"})


def _tagged(job, state):
    tag = job.spec["tag"]
    return [state, (state, tag)]


def _reference(st, key):
    """The group's rows worked out from the jobs themselves: every job whose keys hold `key`, by seq."""
    return [j for j in sorted(st, key=lambda j: j.seq) if key in _tagged(j, j.state)]


def test_pages_after_a_whole_store_moves_in_one_instant_equal_a_reference():
    s = session()
    st = s.store("p")
    st.add_group("tagged", _tagged)
    st.add_group("ended", lambda job, state: (state, "ended") if state in FAST.terminal else (),
                 order=lambda job: (job.finished_ns, job.seq))
    n = 6 * CHUNK
    jobs = [s.submit("p", GRAPH if i % 3 else FAST, f"j{i}", {"tag": f"t{i % 4}"}) for i in range(n)]
    for job in jobs[::7]:
        s.command(job, "cancel")
    keys = [st_ for st_ in ("NEW", "RUN", "DONE", "CANCELLED")]
    keys += [(state, f"t{t}") for state in keys for t in range(4)]
    s.advance(2)  # every job at once: NEW -> RUN, and the fast ones RUN -> DONE in the same instant
    for key in keys:
        expect = _reference(st, key)
        assert st.page_group("tagged", key, 0, None) == (expect, len(expect))
        assert st.page_group("tagged", key, 5, 11, reverse=True)[0] == expect[::-1][5:16]
    assert {j.state for j in jobs} == {"RUN", "DONE", "CANCELLED"}
    s.advance(10)  # the rest finish at once
    for key in keys:
        expect = _reference(st, key)
        assert st.page_group("tagged", key, CHUNK - 3, 20) == (expect[CHUNK - 3:CHUNK + 17], len(expect))
    ended = sorted((j for j in jobs if j.state in FAST.terminal), key=lambda j: (j.finished_ns, j.seq))
    assert st.page_group("ended", "ended", 0, None) == (ended, n)
    assert st.group_size("tagged", "NEW") == 0 and st.group_size("tagged", "RUN") == 0


def test_keys_added_in_ascending_order_go_straight_into_the_chunks():
    # jobs enter a group in the order they were made (or ended): nothing may wait for the first read to sort
    # (a million of them made the first list page after a fill take 284 ms)
    held = OrderedJobs()
    model: dict[int, str] = {}
    for key in range(0, 6 * CHUNK, 3):
        held.add(key, f"job{key}")  # type: ignore[arg-type]
        model[key] = f"job{key}"
    assert held._new == {} and held._held == len(model)
    held.add(1, "job1")  # below the highest key: waits, and is in place once read
    model[1] = "job1"
    assert held._new == {1: "job1"}
    _check(held, model)
    assert all(0 < len(c) <= 2 * CHUNK for c in held._keys)
