"""Bacalhau job states (serialised by name) and the graphs jobs walk.

batch/ops jobs: Pending -> Running -> Completed. daemon/service jobs: Pending -> Running, until stopped.
Profile v1.4+ adds `Queued` (between Pending and Running when no node can take the job; reachable by a
scenario or a manual step). Stop: any non-terminal state, and Failed, go to Stopped (reference 2.5 step 7).
"""

from __future__ import annotations

from ...core.lifecycle import Graph, Step

PENDING, QUEUED, RUNNING, COMPLETED, FAILED, STOPPED = "Pending", "Queued", "Running", "Completed", "Failed", "Stopped"
TERMINAL = frozenset({COMPLETED, FAILED, STOPPED})
DEFAULT_DURATIONS = {PENDING: 2.0, QUEUED: 2.0, RUNNING: 5.0}

# Execution compute states, numbered as Bacalhau <= v1.5 serialises them (ints on the wire).
EX_NEW, EX_ASK, EX_ASK_OK, EX_BID_ACCEPTED, EX_COMPLETED, EX_FAILED, EX_CANCELLED = 1, 2, 3, 5, 7, 8, 9
DESIRED_PENDING, DESIRED_RUNNING, DESIRED_STOPPED = 0, 1, 2


def _graph(name: str, queued: bool, finishes: bool) -> Graph:
    states = (PENDING, QUEUED, RUNNING, COMPLETED, FAILED, STOPPED) if queued else \
        (PENDING, RUNNING, COMPLETED, FAILED, STOPPED)
    timed = {PENDING: Step(RUNNING, DEFAULT_DURATIONS[PENDING])}
    if queued:
        timed[QUEUED] = Step(RUNNING, DEFAULT_DURATIONS[QUEUED])
    if finishes:
        timed[RUNNING] = Step(COMPLETED, DEFAULT_DURATIONS[RUNNING])
    live = [PENDING, RUNNING] + ([QUEUED] if queued else [])
    stop = {s: STOPPED for s in [*live, FAILED]}
    return Graph(name=name, states=states, initial=PENDING, terminal=TERMINAL, timed=timed,
                 commands={"stop": stop}, failure={"*": FAILED})


GRAPHS = {
    "batch": _graph("bacalhau.batch", queued=False, finishes=True),
    "service": _graph("bacalhau.service", queued=False, finishes=False),
    "batch+queued": _graph("bacalhau.batch.v14", queued=True, finishes=True),
    "service+queued": _graph("bacalhau.service.v14", queued=True, finishes=False),
}


def graph_for(job_type: str, queued: bool) -> Graph:
    base = "batch" if job_type in ("batch", "ops") else "service"
    return GRAPHS[base + ("+queued" if queued else "")]
