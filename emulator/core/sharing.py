"""One object for equal immutable values, so a million jobs submitted from one template hold one copy of
their request body (as bytes, or parsed, read-only), namespace or label set. Bounded: when the table is full
it starts over."""

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


def shared_json(raw: bytes | str | None, parsed: Any) -> Any:
    """`parsed`, the JSON value of request body `raw`; or, when an earlier small body had exactly these bytes,
    the value parsed from it. A job holding the result must treat it as read-only (it may be shared)."""
    if raw is None or len(raw) > BODY_SHARE_MAX or not isinstance(parsed, (dict, list)):
        return parsed
    key = ("json", bytes(raw) if isinstance(raw, (bytearray, memoryview)) else raw)
    got = _SHARED.get(key)
    if got is not None:
        return got
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    _SHARED[key] = parsed
    return parsed
