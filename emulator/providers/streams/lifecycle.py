"""The Streams job lifecycle as one graph whose states are the job's visible health values.

A submitted Streams job is `running` at once (the submit call blocks until submission is done); what moves on
timers is its health: `unknown` -> `partiallyHealthy` -> `healthy`. A parallel-region update dips a healthy job
back to `partiallyHealthy`, which recovers on the same timer. A scripted failure lands in `unhealthy` (the job
keeps running, as a Streams job with crashing PEs does). Cancel goes to `canceling`, then `canceled`, after
which the job leaves the instance's job list (the provider removes it).
"""

from __future__ import annotations

from ...core.lifecycle import Graph, Step

UNKNOWN = "unknown"
PARTIAL = "partiallyHealthy"
HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
CANCELING = "canceling"
CANCELED = "canceled"

RUNNING_STATES = (UNKNOWN, PARTIAL, HEALTHY, UNHEALTHY)

JOB = Graph(
    name="streams.job",
    states=(UNKNOWN, PARTIAL, HEALTHY, UNHEALTHY, CANCELING, CANCELED),
    initial=UNKNOWN,
    terminal=frozenset({CANCELED}),
    timed={
        UNKNOWN: Step(PARTIAL, 2.0),      # PEs are being placed and started
        PARTIAL: Step(HEALTHY, 3.0),      # the last PEs connect
        CANCELING: Step(CANCELED, 2.0),   # PEs are stopped
    },
    commands={
        "cancel": {s: CANCELING for s in RUNNING_STATES},
        # a width change restarts the region's PEs: health dips and recovers on the PARTIAL timer
        "update": {PARTIAL: PARTIAL, HEALTHY: PARTIAL},
    },
    failure={"*": UNHEALTHY},
    hidden=frozenset({CANCELED}),  # a canceled job has left the instance: a client sees it gone, not canceled
)


def status_of(state: str) -> str:
    """The job's `status` field for a graph state."""
    if state in (CANCELING, CANCELED):
        return state
    return "running"
