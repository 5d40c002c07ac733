"""The job list's index: jobs by the state a client sees, and by (that state, tag), kept by the store as
jobs move, so the list's most common request (`state` with at most one tag) pages at any offset for the
cost of the page. Without it each page filtered every job from the newest down to the page: 141 ms for a
page 50,000 rows deep at 100,000 jobs (python -m bench.engine); at a million jobs, seconds.
"""

from __future__ import annotations

from typing import Any

from ...core.store import Group, Job, JobStore
from .lifecycle import CANCELLING, wire_state

GROUP = "list"


def _keys(job: Job, state: str) -> list[Any]:
    # runs twice per transition: a list comprehension, not a generator unpacked into the list (the generator
    # was 11% of a clock advance's transition, py-spy of python -m bench.engine --advance); a job of no tag
    # or one tag, the usual, is built without the comprehension's frame (it still was 12 %, py-spy)
    seen = state if state != CANCELLING else wire_state(job, state)  # (the one state shown as another)
    tags = job.data["tags"]
    if len(tags) == 1:
        return [seen, (seen, tags[0])]
    if not tags:
        return [seen]
    return [seen] + [(seen, tag) for tag in tags]


GROUPS = (Group(GROUP, _keys),)


def page(store: JobStore, state: str, tag: str | None, offset: int, limit: int) -> tuple[list[Job], bool]:
    """Newest first: at most `limit` jobs a client sees in `state` (with `tag`, when given) from `offset`
    rows in, and whether more follow."""
    store.add_group(GROUP, _keys)  # (declared in the store options: nothing to build here)
    jobs, total = store.page_group(GROUP, state if tag is None else (state, tag), offset, limit, reverse=True)
    return jobs, 0 < offset + limit < total
