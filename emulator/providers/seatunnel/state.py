"""Per-session SeaTunnel state the job store does not keep: the finished-job index in finish order, the
checkpoint and savepoint storage (which outlives expired jobs, as the engine's checkpoint storage does), the
flake-id generator and the emulated cluster member.

One `ClusterState` per session is the provider's state (made by the engine on first use); the provider's
transition hook hands it every SeaTunnel transition, so the finished index is kept by state as jobs end
(listing never scans all jobs).
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable

from ...core import fakes
from ...core.session import Session
from ...core.store import Job, JobStore
from . import model
from .lifecycle import TERMINAL

HAZELCAST_PORT = 5801
PROVIDER_KEY = "seatunnel"  # whose store the state indexes (the provider class says the same key)
MAX_CHECKPOINTS = 10_000  # checkpoint/savepoint records kept per session (bounded memory)


class ClusterState:
    """What one session's emulated SeaTunnel cluster remembers besides its jobs."""

    def __init__(self, session: Session, epoch_ms: int) -> None:
        self.session = session
        self.epoch_ms = epoch_ms
        # a generator of its own, seeded from the session seed: cluster facts must not depend on call order
        # and must not consume the session's generator (that would shift every later job id)
        rng = random.Random(f"seatunnel-cluster:{session.seed}")
        self.host = fakes.ipv4(rng)
        self.node = f"{self.host}:{HAZELCAST_PORT}"
        self.cluster_name = f"seatunnel-{rng.randint(100000, 999999)}"
        self.member_id = rng.getrandbits(16)
        self.git_commit = f"{rng.getrandbits(28):07x}"
        self.processors = rng.choice((4, 8, 16))
        self.memory_gb = rng.choice((16, 32, 64))
        self._last_ms = -1
        self._seq = 0
        # (job, finished_ns) in the order jobs ended: per end state, and all together
        self.finished: dict[str, list[tuple[Job, int]]] = {}
        self.finished_all: list[tuple[Job, int]] = []
        self.checkpoints: OrderedDict[str, dict] = OrderedDict()   # job id -> {"rows", "savepoint"}
        self.savepoints: OrderedDict[str, dict] = OrderedDict()    # path -> {"jobId", "rows"}

    # --- snapshot -----------------------------------------------------------------------------------------
    def __snapshot__(self) -> dict:
        """JSON-safe state for a session snapshot (jobs are referred to by id)."""
        return {"epoch_ms": self.epoch_ms, "last_ms": self._last_ms, "seq": self._seq,
                "finished": {s: [[j.id, t] for j, t in lst] for s, lst in self.finished.items()},
                "finished_all": [[j.id, t] for j, t in self.finished_all],
                "checkpoints": list(self.checkpoints.items()), "savepoints": list(self.savepoints.items())}

    @classmethod
    def __restore__(cls, state: dict, session: Session) -> ClusterState:
        """Rebuild from `__snapshot__` once the session's jobs are back."""
        obj = cls(session, state["epoch_ms"])
        obj._last_ms, obj._seq = state["last_ms"], state["seq"]
        store = obj.store

        def entries(pairs: list) -> list[tuple[Job, int]]:
            return [(job, t) for jid, t in pairs if (job := store.get(jid)) is not None]

        obj.finished = {s: entries(lst) for s, lst in state["finished"].items()}
        obj.finished_all = entries(state["finished_all"])
        obj.checkpoints = OrderedDict((k, v) for k, v in state["checkpoints"])
        obj.savepoints = OrderedDict((k, v) for k, v in state["savepoints"])
        return obj

    @property
    def store(self) -> JobStore:
        """The session's SeaTunnel jobs."""
        return self.session.store(PROVIDER_KEY)

    # --- ids ----------------------------------------------------------------------------------------------
    def next_id(self, now_ns: int, taken: Callable[[str], bool]) -> str:
        """A Hazelcast flake id: 41-bit ms since the epoch start, 6-bit sequence, 16-bit member id. More than 64
        ids in one millisecond borrow the next millisecond, as Hazelcast does; ids are strictly increasing."""
        ms = max(now_ns // 1_000_000 - self.epoch_ms, 0)
        while True:
            if ms > self._last_ms:
                self._last_ms, self._seq = ms, 0
            else:
                self._seq += 1
                if self._seq >= 64:
                    self._last_ms, self._seq = self._last_ms + 1, 0
            jid = str((self._last_ms << 22) | (self._seq << 16) | self.member_id)
            if not taken(jid):
                return jid

    # --- transitions --------------------------------------------------------------------------------------
    def on_transition(self, job: Job, old: str | None, new: str, t_ns: int, message: str) -> None:
        """Keep the finished index, the savepoint path and the checkpoint storage up to date."""
        if new == "DOING_SAVEPOINT":
            job.data.savepoint = f"/seatunnel/checkpoint/savepoint/{job.id}/{t_ns // 1_000_000}"
        if new in TERMINAL:
            entry = (job, t_ns)  # one tuple in both indexes
            self.finished.setdefault(new, []).append(entry)
            self.finished_all.append(entry)
            rows = model.checkpoint_rows(job, t_ns)
            record = {"rows": rows, "state": new, "savepoint": None}
            if new == "SAVEPOINT_DONE":
                path = job.data.savepoint
                record["savepoint"] = path
                self.savepoints[path] = {"jobId": job.id, "rows": rows}
                self._cap(self.savepoints)
            self.checkpoints[job.id] = record
            self.checkpoints.move_to_end(job.id)
            self._cap(self.checkpoints)
            # entries of expired or replaced jobs are skipped on read; compact when they outnumber the live ones
            if len(self.finished_all) > 2 * len(self.store) + 1024:
                self.compact()

    @staticmethod
    def _cap(od: OrderedDict) -> None:
        while len(od) > MAX_CHECKPOINTS:
            od.popitem(last=False)

    def finished_iter(self, state: str | None):
        """Finished jobs (of one end state, or all) in the order they ended, skipping stale index entries."""
        for job, t in (self.finished_all if state is None else self.finished.get(state, ())):
            if valid(job, t, state):
                yield job

    def compact(self) -> None:
        """Drop index entries of jobs that expired, were replaced by a restart, or left their end state."""
        self.finished = {s: [e for e in lst if valid(e[0], e[1], s)] for s, lst in self.finished.items()}
        self.finished_all = [e for e in self.finished_all if valid(e[0], e[1], None)]


def valid(job: Job, t_ns: int, state: str | None) -> bool:
    """An index entry still describes the job: not expired or replaced, and still in the end it reached then."""
    return not job.evicted and job.finished_ns == t_ns and (job.state == state if state else job.terminal)
