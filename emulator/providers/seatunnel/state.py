"""Per-session SeaTunnel state the job store does not keep: the checkpoint and savepoint storage (which
outlives expired jobs, as the engine's checkpoint storage does), the flake-id generator and the emulated
cluster member. (The finished jobs in finish order are a group of the store: listing.py.)

One `ClusterState` per session is the provider's state (made by the engine on first use); the provider's
transition hook hands it every SeaTunnel transition, so checkpoints are recorded as jobs end.
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
        self.checkpoints: OrderedDict[str, dict] = OrderedDict()   # job id -> {"rows", "savepoint"}
        self.savepoints: OrderedDict[str, dict] = OrderedDict()    # path -> {"jobId", "rows"}

    # --- snapshot -----------------------------------------------------------------------------------------
    def __snapshot__(self) -> dict:
        """JSON-safe state for a session snapshot (jobs are referred to by id)."""
        return {"epoch_ms": self.epoch_ms, "last_ms": self._last_ms, "seq": self._seq,
                "checkpoints": list(self.checkpoints.items()), "savepoints": list(self.savepoints.items())}

    @classmethod
    def __restore__(cls, state: dict, session: Session) -> ClusterState:
        """Rebuild from `__snapshot__` once the session's jobs are back."""
        obj = cls(session, state["epoch_ms"])
        obj._last_ms, obj._seq = state["last_ms"], state["seq"]
        # (snapshots of earlier versions also hold "finished" lists: the store's groups rebuild that order
        # from the jobs themselves, so they are not read)
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
        """Keep the savepoint path and the checkpoint storage up to date (the finished lists are the
        store's groups: listing.py)."""
        if new == "DOING_SAVEPOINT":
            job.data.savepoint = f"/seatunnel/checkpoint/savepoint/{job.id}/{t_ns // 1_000_000}"
        if new in TERMINAL:
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

    @staticmethod
    def _cap(od: OrderedDict) -> None:
        while len(od) > MAX_CHECKPOINTS:
            od.popitem(last=False)

