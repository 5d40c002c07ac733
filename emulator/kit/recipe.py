"""A provider's sandbox recipe: the example requests `job-emulator fixtures` writes for it and replays to
make its sandbox job set. A provider keeps its recipe in its own folder (`sandbox.py`, a `RECIPE`), found
through `Provider.sandbox_recipe()`; a provider without one simply gets no fixtures."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def request(name: str, method: str, path: str, body: Any = None, *, query: dict | None = None,
            headers: dict | None = None, raw: bytes | None = None) -> dict:
    """One example request in the fixture format: `{"name", "method", "path", "query", "headers", "body" |
    "body_base64"}`."""
    req: dict[str, Any] = {"name": name, "method": method, "path": path, "query": query or {},
                           "headers": headers or {}}
    if raw is not None:
        req["body_base64"] = base64.b64encode(raw).decode()
    elif body is not None:
        req["body"] = body
    return req


def _no_setup() -> list[dict]:
    return []


@dataclass(frozen=True)
class Recipe:
    """How to make a provider's jobs: the seed's examples, Faker-made variety (`variety(rng, i)`), how to
    find a created job in a submit's answer (`job_ref(status, headers, body)`, what `cancel` needs) and how to
    cancel it; `setup` lists requests that must precede the examples (an upload)."""

    examples: Callable[[], list[dict]]
    variety: Callable[[random.Random, int], dict]
    job_ref: Callable[[int, Any, Any], str | None]
    cancel: Callable[[str], dict]
    setup: Callable[[], list[dict]] = field(default=_no_setup)
