"""The emulator's own API under /_emulator/. Each module here contributes `routes()`; `render_error` is
shared. Modules: routes (health, reset, clock), toolkit (sessions, scenarios, faults, journal, snapshot,
stepping), jobs (the cross-provider jobs listing), coverage (states observed), events (the Server-Sent
Events stream), openapi (contract documents)."""

from __future__ import annotations

import importlib

MODULES = ("routes", "toolkit", "jobs", "coverage", "events", "openapi")


def all_routes() -> list:
    found = []
    for name in MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        found.extend(module.routes())
    return found
