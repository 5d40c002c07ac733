"""SeaTunnel (Zeta engine) job states and the two lifecycle graphs: BATCH (finishes when its sources are
exhausted) and STREAMING (runs until stopped).

State names are the engine's `JobStatus` enum (note `CANCELED` with one L). What REST clients can observe:
PENDING -> RUNNING -> FINISHED; stop: -> CANCELING -> CANCELED; stop with savepoint: RUNNING -> DOING_SAVEPOINT
-> SAVEPOINT_DONE; a failure: -> FAILING -> FAILED. The RUNNING time of a BATCH job is set per job (rows to
read / rows per second) through the job's fate durations, so the graph's default is only a fallback.
"""

from __future__ import annotations

from ...core.lifecycle import Graph, Step

# Every JobStatus name, in enum order (finished-jobs/{state} compares against these, case-insensitively).
ALL_STATES = ("INITIALIZING", "CREATED", "PENDING", "SCHEDULED", "RUNNING", "FAILING", "FAILED", "DOING_SAVEPOINT",
              "SAVEPOINT_DONE", "CANCELING", "CANCELED", "FINISHED", "UNKNOWABLE")
TERMINAL = frozenset({"FAILED", "SAVEPOINT_DONE", "CANCELED", "FINISHED", "UNKNOWABLE"})
LIVE = tuple(s for s in ALL_STATES if s not in TERMINAL)

# Default seconds in each timed state (override with --duration seatunnel.PENDING=3 and so on).
PENDING_SECONDS = 1.0
CANCELING_SECONDS = 1.0
SAVEPOINT_SECONDS = 2.0
FAILING_SECONDS = 0.5
BATCH_RUNNING_FALLBACK = 10.0

_COMMANDS = {
    # graceful stop (the engine's cancelJob): pipelines are cancelled, the job ends CANCELED
    "cancel": {"PENDING": "CANCELING", "RUNNING": "CANCELING", "DOING_SAVEPOINT": "CANCELING"},
    # stop with savepoint: only a RUNNING job takes one
    "savepoint": {"RUNNING": "DOING_SAVEPOINT"},
    # the seed's `force: true`: immediate termination, no CANCELING phase
    "force": {"PENDING": "CANCELED", "RUNNING": "CANCELED", "CANCELING": "CANCELED", "DOING_SAVEPOINT": "CANCELED",
              "FAILING": "CANCELED"},
}


def _graph(name: str, batch: bool) -> Graph:
    timed = {"PENDING": Step("RUNNING", PENDING_SECONDS), "CANCELING": Step("CANCELED", CANCELING_SECONDS),
             "DOING_SAVEPOINT": Step("SAVEPOINT_DONE", SAVEPOINT_SECONDS), "FAILING": Step("FAILED", FAILING_SECONDS)}
    if batch:
        timed["RUNNING"] = Step("FINISHED", BATCH_RUNNING_FALLBACK)
    return Graph(name=name, states=ALL_STATES, initial="PENDING", terminal=TERMINAL, timed=timed,
                 commands=_COMMANDS, failure={"*": "FAILING", "FAILING": "FAILED"})


BATCH = _graph("seatunnel.batch", batch=True)
STREAMING = _graph("seatunnel.streaming", batch=False)
GRAPHS = {BATCH.name: BATCH, STREAMING.name: STREAMING}


def graph_for(mode: str) -> Graph:
    """The graph for `env.job.mode` (BATCH or STREAMING)."""
    return BATCH if mode == "BATCH" else STREAMING
