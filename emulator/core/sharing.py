"""One object for equal immutable values, so a million jobs submitted from one template hold one copy of
their request body, namespace or label set. Bounded: when the table is full it starts over."""

from __future__ import annotations

from typing import Any

_SHARED: dict[Any, Any] = {}
_SHARED_MAX = 8192
BODY_SHARE_MAX = 4096  # bytes: larger request bodies are kept as they are


def share(value: Any) -> Any:
    """The first-seen object equal to `value` (which must be hashable and immutable)."""
    got = _SHARED.get(value)
    if got is not None:
        return got
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    _SHARED[value] = value
    return value


def keep_body(raw: bytes | str) -> bytes | str:
    """A request body as a job keeps it: shared with an identical earlier body when small."""
    raw = bytes(raw) if isinstance(raw, (bytearray, memoryview)) else raw
    return share(raw) if len(raw) <= BODY_SHARE_MAX else raw
