"""Per-session Bacalhau state the job store does not keep: the emulated compute nodes and the requester node
(ids drawn from the session's generator as jobs first need them), and the open log streams waiting for a job's
next transition (not snapshotted: a stream lives only as long as its connection)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ...core.ids import IdSource


def _node_id(ids: IdSource) -> str:
    return "Qm" + ids.base58(44)


@dataclass
class BacalhauState:
    """One session's emulated cluster and its log-stream waiters (job id -> events to set on a transition)."""

    nodes: list[str] = field(default_factory=list)
    requester: str | None = None
    watchers: dict[str, set[asyncio.Event]] = field(default_factory=dict)

    def cluster(self, ids: IdSource, n: int) -> tuple[list[str], str]:
        """The node pool, grown to at least `n` (and 3) nodes, and the requester node. Nodes are drawn before
        the requester, as they always were, so a seed gives the same ids as before."""
        while len(self.nodes) < max(n, 3):
            self.nodes.append(_node_id(ids))
        if self.requester is None:
            self.requester = _node_id(ids)
        return self.nodes, self.requester

    def watch(self, job_id: str) -> asyncio.Event:
        """An event set at the job's next transition; give it back with `unwatch`."""
        event = asyncio.Event()
        self.watchers.setdefault(job_id, set()).add(event)
        return event

    def unwatch(self, job_id: str, event: asyncio.Event) -> None:
        waiting = self.watchers.get(job_id)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self.watchers[job_id]

    def moved(self, job_id: str) -> None:
        """The job moved: wake every stream waiting on it."""
        for event in self.watchers.get(job_id, ()):
            event.set()

    def to_snapshot(self) -> dict[str, object]:
        """What a snapshot keeps (the cluster; open streams do not survive a restore)."""
        return {"nodes": self.nodes, "requester": self.requester}
