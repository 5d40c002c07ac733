"""Flow job lifecycle of the Instabase Job API (reference 4.4; partly inferred, see the provider docstring).

The seed's state diagram image is missing, so the transitions are inferred from the endpoint descriptions:
create -> PENDING -> RUNNING -> COMPLETE; pause RUNNING -> PAUSED; resume PAUSED -> RUNNING (keeping the
unspent run time); cancel PENDING/RUNNING/PAUSED -> CANCELLING -> CANCELLED (the seed says cancelling is
asynchronous, so a short hidden CANCELLING step sits in between; on the wire it still shows the state it was
cancelled from); retry FAILED/STOPPED_AT_CHECKPOINT -> PENDING (asynchronous too: the job queues again).
"""

from __future__ import annotations

from ...core.lifecycle import Graph, Step

PENDING = "PENDING"
RUNNING = "RUNNING"
PAUSED = "PAUSED"
CANCELLING = "CANCELLING"  # emulator-internal: cancel requested, not yet applied
COMPLETE = "COMPLETE"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
STOPPED_AT_CHECKPOINT = "STOPPED_AT_CHECKPOINT"

STATES = (PENDING, RUNNING, PAUSED, CANCELLING, COMPLETE, FAILED, CANCELLED, STOPPED_AT_CHECKPOINT)
TERMINAL = frozenset({COMPLETE, FAILED, CANCELLED, STOPPED_AT_CHECKPOINT})
ACTIVE = (PENDING, RUNNING, PAUSED, CANCELLING)

# Default seconds per state; override with --duration instabase.RUNNING=5 or the outcome header.
DEFAULT_DURATIONS = {PENDING: 2.0, RUNNING: 20.0, CANCELLING: 1.0}

COMMANDS = {
    "pause": {RUNNING: PAUSED},
    "resume": {PAUSED: RUNNING},
    "cancel": {PENDING: CANCELLING, RUNNING: CANCELLING, PAUSED: CANCELLING},
    "retry_all": {FAILED: PENDING, STOPPED_AT_CHECKPOINT: PENDING},
    "retry_step_failure": {FAILED: PENDING},
    "retry_checkpoint_failure": {STOPPED_AT_CHECKPOINT: PENDING},
}


def _graph(name: str, failure_state: str) -> Graph:
    return Graph(
        name=name,
        states=STATES,
        initial=PENDING,
        terminal=TERMINAL,
        timed={PENDING: Step(RUNNING, DEFAULT_DURATIONS[PENDING]),
               RUNNING: Step(COMPLETE, DEFAULT_DURATIONS[RUNNING]),
               CANCELLING: Step(CANCELLED, DEFAULT_DURATIONS[CANCELLING])},
        commands=COMMANDS,
        failure={"*": failure_state},
        # the other failure landing, so a `tour` of either graph ends once in each of them
        also_fails_to=frozenset({FAILED, STOPPED_AT_CHECKPOINT} - {failure_state}),
        hidden=frozenset({CANCELLING}),
        resumable=frozenset({RUNNING}),
    )


# A scripted failure lands in FAILED; `X-Emulator-Outcome: fail; at=RUNNING; to=STOPPED_AT_CHECKPOINT` stops
# the flow at a checkpoint instead (a validation failure). The second graph, whose failures land there, is kept
# so that snapshots of the first release, whose jobs name it, still load.
FLOW = _graph("instabase.flow", FAILED)
FLOW_CHECKPOINT = _graph("instabase.flow_checkpoint", STOPPED_AT_CHECKPOINT)
GRAPHS = {FLOW.name: FLOW, FLOW_CHECKPOINT.name: FLOW_CHECKPOINT}


def wire_state(job, state: str | None = None) -> str:
    """The state a client sees: CANCELLING shows as the state the job was cancelled from. (`state`: the
    job's state to read it for, default its current one; the list index asks for the one it left.)"""
    state = job.state if state is None else state
    if state != CANCELLING:
        return state
    for _, frm, to, _ in reversed(job.history):
        if to == CANCELLING and frm is not None:
            return frm
    return RUNNING
