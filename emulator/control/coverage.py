"""GET /_emulator/coverage: which documented job states the session's clients observed, per provider, with
the transitions, commands, errors and faults they met (`?all=1`: every session merged)."""

from __future__ import annotations

from ..core import coverage
from ..kit import Call, Param, Reply, Route


def documented(app) -> dict[str, tuple[str, ...]]:
    """Each enabled provider's documented (observable) states."""
    return {key: prov.documented_states() for key, prov in app["providers"].items()}


def all_sessions(app) -> dict:
    """Every session's coverage merged (the `?all=1` report)."""
    states = documented(app)
    return coverage.merge(s.coverage.report(states, s.key) for s in app["sessions"])


async def get_coverage(call: Call) -> Reply:
    app = call.request.app
    if call.args["all"]:
        return Reply(200, all_sessions(app))
    return Reply(200, call.session.coverage.report(documented(app), call.session.key))


def routes() -> list[Route]:
    return [
        Route("GET", "/_emulator/coverage", get_coverage, "States clients observed, per provider, and those never "
              "observed", query=(Param("all", bool, False, "merge every session"),),
              responses={200: "control/coverage.response"}, tags=("control",)),
    ]
