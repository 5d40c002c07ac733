"""GET /_emulator/jobs: every job of the session across the providers, newest first, paged by an opaque
cursor, filtered by provider, state and a search over id and name (the engine's listing: core/listing.py).
Each item is the engine's view the dashboard's table shows: provider, id, name, state, age, next transition."""

from __future__ import annotations

from typing import Any

from ..core import listing
from ..core.clock import NS
from ..core.errors import ApiError
from ..core.store import Job
from ..kit import Call, Param, Reply, Route

P = "/_emulator"


def provider_states(provider: Any) -> tuple[str, ...]:
    """Every state of the provider's graphs, first-seen order (what GET /_emulator/providers lists)."""
    out: dict[str, None] = {}
    for graph in provider.graphs().values():
        out.update(dict.fromkeys(graph.states))
    return tuple(out)


def all_states(providers: dict[str, Any]) -> tuple[str, ...]:
    """The states of every served provider, first-seen order (states are compared exactly: spellings differ
    between APIs, e.g. Bacalhau's `Failed` and SeaTunnel's `FAILED`)."""
    out: dict[str, None] = {}
    for prov in providers.values():
        out.update(dict.fromkeys(provider_states(prov)))
    return tuple(out)


def _filters(call: Call) -> listing.Filters:
    providers = call.request.app["providers"]
    chosen, state, q = call.args["provider"], call.args["state"], call.args["q"] or None
    if chosen is not None and chosen not in providers:
        raise ApiError("invalid", f"query parameter provider must be one of {', '.join(providers)}, got {chosen!r}",
                       field="provider")
    scope = [chosen] if chosen is not None else list(providers)
    if state is not None:
        valid = provider_states(providers[chosen]) if chosen is not None else all_states(providers)
        if state not in valid:
            whose = f"{chosen}'s states" if chosen is not None else "the states of the enabled providers"
            raise ApiError("invalid", f"query parameter state must be one of {whose}: {', '.join(valid)}; "
                                      f"got {state!r}", field="state")
        scope = [p for p in scope if state in provider_states(providers[p])]
    return listing.Filters(tuple(scope), state, q, chosen)


def _item(job: Job, name: str | None, now: int) -> dict:
    timer = job.timer
    return {
        "provider": job.provider, "id": job.id, "name": name, "state": job.state, "terminal": job.terminal,
        "created": job.created_ns / NS, "created_ns": job.created_ns, "age_seconds": (now - job.created_ns) / NS,
        "next": None if timer is None else {"state": timer[1], "at": timer[0] / NS, "at_ns": timer[0],
                                            "in_seconds": (timer[0] - now) / NS},
    }


async def list_jobs(call: Call) -> Reply:
    """Every job of the session across providers, newest first. `provider` and `state` filters (a state of
    the chosen provider, or of any when none is chosen) cost the page; `q` searches id and name, examining
    at most 10,000 jobs per request (a page may then be short and still have a next_cursor)."""
    providers = call.request.app["providers"]
    filters = _filters(call)

    def name_of(job: Job) -> str | None:
        return providers[job.provider].job_name(job)

    def matches(key: str, jobs: list[Job], needle: str) -> list[bool]:
        return providers[key].search_jobs(jobs, needle)  # (many jobs at once: see Provider.search_jobs)

    try:
        page = listing.page(call.session, filters, call.args["limit"], call.args["cursor"], name_of,
                            matches)
    except listing.CursorError as exc:
        raise ApiError("invalid", str(exc), field="cursor") from None
    now = call.now_ns
    return Reply(200, {"items": [_item(j, name_of(j), now) for j in page.jobs], "next_cursor": page.next_cursor,
                       "total": page.total, "limit": call.args["limit"], "examined": page.examined,
                       "now": now / NS})


QUERY = (
    Param("provider", str, None, "only this provider's jobs", choices_of=lambda ps: tuple(ps)),
    Param("state", str, None, "only jobs in this state (exact spelling; with provider, one of its states)",
          choices_of=all_states),
    Param("q", str, None, "case-insensitive substring of the job's id or name; examines at most "
                          f"{listing.MAX_EXAMINED} jobs per request"),
    Param("limit", int, listing.DEFAULT_LIMIT, f"jobs per page (at most {listing.MAX_LIMIT})", minimum=1,
          maximum=listing.MAX_LIMIT),
    Param("cursor", str, None, "next_cursor of the previous page (opaque; only with the same filters)"),
)


def routes() -> list[Route]:
    return [Route("GET", f"{P}/jobs", list_jobs, "Every job of the session across providers, newest first, paged",
                  query=QUERY, responses={200: "control/jobs.response"}, tags=("control",))]
