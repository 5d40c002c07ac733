"""A user's own poll loop around a real client's status call, for the step clock's tests."""

from __future__ import annotations

from collections.abc import Callable


def poll_states(read: Callable[[], str], ends: tuple[str, ...], limit: int = 12) -> list[str]:
    """A client's own poll loop, back to back (on the step clock no poll needs to wait): the state of every
    read, until one shows an ending; a job that never ends within `limit` reads fails the test."""
    seen = [read()]
    while seen[-1] not in ends:
        assert len(seen) < limit, f"no ending in {ends} after {limit} polls: {seen}"
        seen.append(read())
    return seen


def poll_until(read: Callable[[], str], state: str, limit: int = 12) -> list[str]:
    """Poll until a read shows `state` (e.g. the first Running poll); every state read on the way."""
    return poll_states(read, (state,), limit)
