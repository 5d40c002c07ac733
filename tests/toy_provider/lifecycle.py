"""The toy's one graph: queued for 2 s, running for 10 s, then done; a failure from either lands in FAILED."""

from emulator.core.lifecycle import Graph, Step

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED"

JOB = Graph(
    name="toy-job", states=(QUEUED, RUNNING, DONE, FAILED, CANCELLED), initial=QUEUED,
    terminal=frozenset({DONE, FAILED, CANCELLED}),
    timed={QUEUED: Step(RUNNING, 2), RUNNING: Step(DONE, 10)},
    commands={"cancel": {QUEUED: CANCELLED, RUNNING: CANCELLED}},
    failure={"*": FAILED})
