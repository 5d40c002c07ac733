"""The step clock's read counting (emulator.core.stepping): a job moves to its next due transition only after
it has been shown `reads` times as it is, and a read of an unchanged job never moves time on its own."""

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS, Clock
from emulator.core.lifecycle import Graph, Step
from emulator.core.session import Session
from emulator.core.stepping import StepReads

GRAPH = Graph(name="walk", states=("A", "B", "C"), initial="A", terminal=frozenset({"C"}),
              timed={"A": Step("B", 5), "B": Step("C", 7)})


def stepping_session(reads: int = 1) -> Session:
    return Session("t", seed=1, clock=Clock("step", reads=reads))


def poll(s: Session, job) -> str:
    """One client read of the job's state, as the pipeline makes it (before_read, then shown)."""
    s.before_read(job)
    s.shown(job, job.state, read=True)
    return job.state


def test_each_poll_after_the_first_shows_the_next_state_and_time_lands_on_its_due_time():
    s = stepping_session()
    job = s.submit("p", GRAPH, "j1", {})
    assert [poll(s, job) for _ in range(4)] == ["A", "B", "C", "C"]
    assert s.clock.now_ns() == DEFAULT_MANUAL_START_NS + 12 * NS  # the two due times, no more
    assert [state for _, _, state, _ in job.history] == ["A", "B", "C"]


def test_reads_sets_how_many_polls_show_each_state():
    s = stepping_session(reads=3)
    job = s.submit("p", GRAPH, "j1", {})
    assert [poll(s, job) for _ in range(7)] == ["A", "A", "A", "B", "B", "B", "C"]


def test_a_read_that_was_not_shown_does_not_count():
    s = stepping_session()
    job = s.submit("p", GRAPH, "j1", {})
    for _ in range(5):
        s.before_read(job)  # read but never shown (an error answer, say)
    assert job.state == "A" and s.clock.now_ns() == DEFAULT_MANUAL_START_NS


def test_a_transition_resets_the_count_and_other_jobs_move_with_the_clock():
    s = stepping_session(reads=2)
    polled = s.submit("p", GRAPH, "j1", {})
    other = s.submit("p", GRAPH, "j2", {})
    poll(s, polled)
    poll(s, polled)
    assert poll(s, polled) == "B"  # the third read moved the clock 5 s
    assert other.state == "B"  # the session's other job is due at the same instant
    assert poll(s, polled) == "B"  # a new state is shown `reads` times again


def test_step_reads_counts_per_version_and_clear_forgets_them():
    s = stepping_session()
    reads = StepReads()
    job = s.submit("p", GRAPH, "j1", {})
    reads.after_read(job)
    reads.clear()
    reads.before_read(s, job)
    assert job.state == "A"  # nothing seen since clear
    reads.after_read(job)
    s.step(job)  # a transition made elsewhere: the count belonged to the older version
    assert job.state == "B"
    reads.before_read(s, job)
    assert job.state == "B" and s.clock.now_ns() == DEFAULT_MANUAL_START_NS
    reads.after_read(job)
    reads.before_read(s, job)
    assert job.state == "C"
