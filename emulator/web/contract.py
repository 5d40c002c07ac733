"""Contract mode (tests, --check-responses): every response must be declared for its status by its route and
match the declared schema; a mismatch is recorded as a violation the test then fails on."""

from __future__ import annotations

import json
from collections.abc import Callable

from aiohttp import web

from ..core import validation
from ..kit import Call, Reply, Route


def check_contract(app: web.Application, route: Route, reply: Reply, call: Call,
                    error_schema: Callable[[Call], str | None]) -> None:
    """Contract mode (tests): every response must be declared for its status and match its schema."""
    violations = app["contract_violations"]
    if reply.stream is not None:  # a stream's events are written by its own writer, not checked as one body
        return
    if reply.status >= 400 and reply.status not in route.responses:
        name = error_schema(call)
    elif reply.status in route.responses:
        name = route.responses[reply.status]
    else:
        violations.append(f"{route.method} {route.path}: status {reply.status} is not declared")
        return
    if name is None:
        if reply.body not in (None, b"", ""):
            violations.append(f"{route.method} {route.path}: status {reply.status} must have an empty body")
        return
    if isinstance(reply.body, (bytes, str)) and reply.content_type != "application/json":
        return
    body = reply.body
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    for _, msg in validation.errors_of(name, body):
        violations.append(f"{route.method} {route.path} -> {reply.status} breaks {name}: {msg}")
