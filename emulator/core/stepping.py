"""The `step` clock: time moves when a client polls, to the polled job's next due transition.

An unmodified client polling on its own timer then sees every state of its job in order, however fast or
slow it polls, and a command it sends between two polls finds the job in the state the last poll showed
(time stands still between reads). A read that shows a job in a state for the `reads`-th time lets the next
read of that job first move the session's clock to the job's next due transition; every other job of the
session moves with that clock as usual.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Session
    from .store import Job


class StepReads:
    """Per job, how many reads have shown it at its current version (weakly keyed: a job that leaves the
    store takes its count with it)."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[Job, tuple[int, int]] = weakref.WeakKeyDictionary()

    def before_read(self, session: Session, job: Job) -> None:
        """A client is about to read `job`: if it has already been shown `reads` times as it is, move the
        clock to its next due transition first."""
        seen = self._seen.get(job)
        if seen is None or seen[0] != job.version or seen[1] < session.clock.reads or job.timer is None:
            return
        session.clock.advance_to(job.timer[0])
        session.tick()

    def after_read(self, job: Job) -> None:
        """A response showed `job` to the client."""
        seen = self._seen.get(job)
        self._seen[job] = (job.version, seen[1] + 1 if seen is not None and seen[0] == job.version else 1)

    def clear(self) -> None:
        self._seen.clear()
