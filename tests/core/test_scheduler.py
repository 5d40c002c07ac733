"""The heap of due transitions: fires in time order, skips entries a version bump made stale, stops a slice
only at the end of an instant, and tells its owner when the earliest due time moves earlier."""

from emulator.core.lifecycle import Graph, Step
from emulator.core.scheduler import Scheduler
from emulator.core.store import Job

GRAPH = Graph(name="g", states=("A", "B"), initial="A", terminal=frozenset({"B"}), timed={"A": Step("B", 1)})


def job(name: str) -> Job:
    return Job(name, "p", GRAPH, {}, None, None, 0)


def test_due_entries_fire_in_time_order_and_stale_ones_are_skipped():
    s, fired = Scheduler(), []
    a, b, c = job("a"), job("b"), job("c")
    s.schedule(c, 30)
    s.schedule(a, 10)
    s.schedule(b, 20)
    b.version += 1  # b was cancelled or paused after its timer was armed
    assert s.next_due() == 10
    assert s.run_due(25, lambda j, due: fired.append((j.id, due))) == 1
    assert fired == [("a", 10)] and s.next_due() == 30 and s.last_due == 10


def test_a_limited_run_completes_the_instant_it_stopped_in():
    s, fired = Scheduler(), []
    jobs = [job(f"j{i}") for i in range(4)]
    for j, due in zip(jobs, (5, 5, 5, 9), strict=True):
        s.schedule(j, due)
    assert s.run_due(100, lambda j, due: fired.append(j.id), limit=1) == 3  # all of instant 5, not 9
    assert fired == ["j0", "j1", "j2"] and s.next_due() == 9


def test_the_owner_hears_only_of_an_earlier_due_time():
    s, heard = Scheduler(), []
    s.armed, s.on_earlier = 50, heard.append
    s.schedule(job("late"), 60)
    s.schedule(job("early"), 40)
    assert heard == [40]


def test_a_failing_transition_does_not_stop_the_others():
    s, fired = Scheduler(), []

    def fire(j, due):
        if j.id == "bad":
            raise RuntimeError("boom")
        fired.append(j.id)
    s.schedule(job("bad"), 1)
    s.schedule(job("good"), 2)
    assert s.run_due(5, fire) == 1 and fired == ["good"] and len(s) == 0


def test_entries_of_one_instant_fire_in_scheduling_order_with_follow_ups_last():
    # the heap keeps entries per due time: within one instant the order must stay the order of scheduling,
    # an entry scheduled while that instant fires comes after every entry already there, and a run split
    # inside the instant resumes exactly where it stopped
    s, fired = Scheduler(), []
    jobs = {n: job(n) for n in ("a", "b", "c", "d", "e", "late")}
    for n in ("a", "b", "c"):
        s.schedule(jobs[n], 7)
    s.schedule(jobs["late"], 9)
    s.schedule(jobs["d"], 3)
    jobs["b"].version += 1  # stale: skipped, not counted

    def fire(j, due):
        fired.append((j.id, due))
        if j.id == "a":
            s.schedule(jobs["e"], 7)  # a follow-up due at once
    assert len(s) == 5
    assert s.run_due(100, fire, limit=2, split=True) == 2
    assert fired == [("d", 3), ("a", 7)] and s.last_due == 7 and len(s) == 4
    assert s.next_due() == 7  # stale b is dropped on the way, c is next
    assert s.run_due(100, fire) == 3
    assert fired == [("d", 3), ("a", 7), ("c", 7), ("e", 7), ("late", 9)] and len(s) == 0
    assert s.next_due() is None


def test_clearing_from_a_transition_stops_the_run():
    s, fired = Scheduler(), []
    for n in ("a", "b"):
        s.schedule(job(n), 5)

    def fire(j, due):
        fired.append(j.id)
        s.clear()
    assert s.run_due(10, fire) == 1 and fired == ["a"] and len(s) == 0 and s.next_due() is None
    s.schedule(job("c"), 6)
    assert s.run_due(10, fire) == 1 and fired == ["a", "c"]
