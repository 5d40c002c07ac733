"""The Task API job lifecycle: requested -> in progress -> succeeded | failed; cancel -> cancelling -> cancelled.

State names are the wire spellings the official client (evo-compute `JobStatusEnum`) validates, so a
duration (`--duration "taskapi.in progress=30"`), a scenario rule and the X-Emulator-Outcome header all name
states exactly as a client sees them. The graph's aliases also accept `in_progress`, `running`, one-L
`canceling`/`canceled` and any case, because a space is awkward on a command line.
"""

from __future__ import annotations

from ...core.lifecycle import Graph, Step

REQUESTED = "requested"
IN_PROGRESS = "in progress"
CANCELLING = "cancelling"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"

STATES = (REQUESTED, IN_PROGRESS, CANCELLING, SUCCEEDED, FAILED, CANCELLED)
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELLED})
ONGOING = (REQUESTED, IN_PROGRESS, CANCELLING)

# Default seconds in each timed state. Real compute tasks take from seconds to many minutes; these keep a
# default run short enough to watch by hand (about 11 s) while still showing every state.
DEFAULT_QUEUE_SECONDS = 1.0
DEFAULT_RUN_SECONDS = 10.0
DEFAULT_CANCEL_SECONDS = 1.0

# Other spellings a test may use for a state (any case), because a space is awkward on a command line.
ALIASES = {
    "in_progress": IN_PROGRESS, "in-progress": IN_PROGRESS, "inprogress": IN_PROGRESS, "running": IN_PROGRESS,
    "queued": REQUESTED, "pending": REQUESTED, "canceling": CANCELLING, "canceled": CANCELLED,
    "completed": SUCCEEDED, "success": SUCCEEDED,
}


def make_graph(name: str, run_seconds: float = DEFAULT_RUN_SECONDS) -> Graph:
    """A Task API job graph whose `in progress` state lasts `run_seconds` by default (a catalogue task can
    declare its own typical duration; `--duration` still overrides every task)."""
    return Graph(
        name=name,
        states=STATES,
        initial=REQUESTED,
        terminal=TERMINAL,
        timed={
            REQUESTED: Step(IN_PROGRESS, DEFAULT_QUEUE_SECONDS),
            IN_PROGRESS: Step(SUCCEEDED, run_seconds),
            CANCELLING: Step(CANCELLED, DEFAULT_CANCEL_SECONDS),
        },
        commands={"cancel": {REQUESTED: CANCELLING, IN_PROGRESS: CANCELLING}},
        failure={"*": FAILED},
        aliases=ALIASES,
    )


JOB = make_graph("taskapi-job")
