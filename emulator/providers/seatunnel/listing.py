"""The store groups behind running-jobs and finished-jobs: the live jobs in submit order, and the ended
ones in the order they ended (all together, and per end state). A page costs its own rows at any depth;
running-jobs used to sort every live job per request (49 ms at 100,000 jobs, python -m bench.engine) and
a deep finished-jobs page walked every row before it (126 ms at row 50,000).
"""

from __future__ import annotations

from typing import Any

from ...core.store import Group, Job, JobStore
from .lifecycle import LIVE as LIVE_STATES
from .lifecycle import TERMINAL

LIVE, ENDED = "live", "ended"
ALL_ENDED = "*"
_LIVE = frozenset(LIVE_STATES)


def _live(job: Job, state: str) -> tuple[str, ...]:
    return (LIVE,) if state in _LIVE else ()


def _ended(job: Job, state: str) -> tuple[str, ...]:
    return (state, ALL_ENDED) if state in TERMINAL else ()


def _end_order(job: Job) -> tuple[Any, int]:
    return (job.finished_ns, job.seq)


# both groups' keys follow the state alone: the store looks them up per state instead of calling them
GROUPS = (Group(LIVE, _live, by_state=True), Group(ENDED, _ended, _end_order, by_state=True))


def ensure(store: JobStore) -> None:
    """Group a store that was made without the provider's store options (declared there, they cost no build)."""
    for g in GROUPS:
        store.add_group(g.name, g.keys, g.order, g.by_state)
