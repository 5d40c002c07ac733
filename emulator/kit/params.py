"""Query parameters: the `Param` a route declares and `parse_args`, which reads them from a query string with
the checks the OpenAPI document publishes (one declaration, both uses)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDict, MultiDictProxy

from ..core import validation
from ..core.errors import ApiError


@dataclass(frozen=True)
class Param:
    """A query parameter: its name, type (str, int, float, bool, list), default and a description.
    `choices` restricts values (compared case-insensitively when `nocase`); `pattern` (a JSON Schema pattern:
    found anywhere in the text unless anchored) restricts a string's text. Each restriction is both checked
    here and published in the OpenAPI document, so the two agree. `message(raw)` gives the provider's own
    words for a value that fails any of them (default: the emulator's, naming the parameter).
    `choices_of(providers)` gives choices that depend on the served providers (their keys, their states):
    the document publishes them as an enum and the handler checks them itself (parse_args cannot see them)."""

    name: str
    type: type = str
    default: Any = None
    description: str = ""
    choices: tuple[str, ...] | None = None
    nocase: bool = False
    minimum: float | None = None
    required: bool = False
    maximum: float | None = None
    pattern: str | None = None
    message: Callable[[str], str] | None = None
    choices_of: Callable[[dict[str, Any]], tuple[str, ...]] | None = None
    # worked out once per declaration, not per request: re.search with a pattern string (its cache lookup)
    # and the choice map were half of parse_args for an Instabase status poll (timeit: 8.1 -> 3.6 us)
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)
    _choice_map: dict[str, str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.pattern is not None:
            object.__setattr__(self, "_regex", re.compile(self.pattern))
        if self.choices is not None:
            # how a given value compares -> its declared spelling
            object.__setattr__(self, "_choice_map",
                               {(c.lower() if self.nocase else c): c for c in self.choices})

    def refuse(self, raw: str | None, default: str) -> ApiError:
        """The 400 for a value of this parameter that fails a restriction."""
        text = self.message(raw if raw is not None else "") if self.message is not None else default
        return ApiError("invalid", text, field=self.name)


# what a request without a query string reads: aiohttp builds a fresh (empty) query mapping per request, which
# a status poll with no query has no use for
EMPTY_QUERY: MultiDictProxy[str] = MultiDictProxy(MultiDict())

_TRUE = validation.TRUE_TEXT
_FALSE = validation.FALSE_TEXT


def parse_args(params: tuple[Param, ...], query: Any) -> dict[str, Any]:
    """Read declared query parameters; a value of the wrong type is a 400 naming the parameter.
    Clients send booleans as true/True/1 and may send `None` for an absent string (the Bacalhau SDK does)."""
    out: dict[str, Any] = {}
    for p in params:
        if p.type is list:
            vals = query.getall(p.name, [])
            out[p.name] = [v for raw in vals for v in raw.split(",") if v != ""] if vals else (p.default or [])
            continue
        raw = query.get(p.name)
        if raw is None:
            if p.required:
                raise p.refuse(raw, f"query parameter {p.name} is required")
            out[p.name] = p.default
            continue
        if p._regex is not None and p._regex.search(raw) is None:
            raise p.refuse(raw, f"query parameter {p.name} must match {p.pattern}, got {raw!r}")
        if p.type is bool:
            low = raw.lower()  # unpadded, as the document says (Go ParseBool and Java parseBoolean trim nothing)
            if low in _TRUE:
                out[p.name] = True
            elif low in _FALSE:
                out[p.name] = False
            else:
                raise ApiError("invalid", f"query parameter {p.name} must be true or false, got {raw!r}",
                               field=p.name)
            continue
        if p.type in (int, float):
            try:
                if not raw.isascii():  # int() and float() also read Arabic-Indic and other Unicode digits
                    raise ValueError(raw)
                val = p.type(raw)
            except ValueError:
                kind = "an integer" if p.type is int else "a number"
                raise p.refuse(raw, f"query parameter {p.name} must be {kind}, got {raw!r}") from None
            if not math.isfinite(val):
                raise p.refuse(raw, f"query parameter {p.name} must be a finite number, got {raw!r}")
            if p.minimum is not None and val < p.minimum:
                raise p.refuse(raw, f"query parameter {p.name} must be >= {p.minimum:g}, got {raw}")
            if p.maximum is not None and val > p.maximum:
                raise p.refuse(raw, f"query parameter {p.name} must be <= {p.maximum:g}, got {raw}")
            out[p.name] = val
            continue
        choices = p._choice_map
        if choices is not None:
            cmp = raw.lower() if p.nocase else raw
            if cmp not in choices:
                raise ApiError("invalid", f"query parameter {p.name} must be one of {', '.join(choices.values())}, "
                                          f"got {raw!r}", field=p.name)
            raw = choices[cmp]
        out[p.name] = raw
    return out
