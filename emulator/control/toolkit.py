"""The testing toolkit under /_emulator/: sessions, scenarios, faults, journal and per-job timelines, manual
stepping and advance-until, snapshots and the effective configuration.

All of it acts on the caller's session (X-Emulator-Session header or /_session/{key}/ prefix)."""

from __future__ import annotations

from typing import Any

from .. import timers
from ..config import ConfigError, check_durations, redact_options
from ..core import snapshot
from ..core.clock import NS, Clock
from ..core.errors import ApiError
from ..core.journal import KINDS
from ..core.scenarios import RuleTarget, check_rule
from ..core.store import Job
from ..kit import Call, Param, Reply, Route

P = "/_emulator"
T = ("control",)


def _providers(call: Call) -> dict:
    return call.request.app["providers"]


def _provider_key(call: Call, key: str | None, field: str = "provider") -> str | None:
    if key is not None and key not in _providers(call):
        raise ApiError("invalid", f"provider {key!r} is not enabled (enabled: {', '.join(_providers(call))})",
                       field=field)
    return key


# --- sessions -----------------------------------------------------------------------------------------------
def _session_view(s: Any) -> dict:
    return {"key": s.key, "seed": s.seed, "clock": s.clock.describe(), "jobs": sum(s.job_count().values())}


async def list_sessions(call: Call) -> Reply:
    return Reply(200, {"sessions": [_session_view(s) for s in call.request.app["sessions"]]})


async def create_session(call: Call) -> Reply:
    """Create (or replace) a session with its own seed and clock; answers its key and the URL prefix."""
    body = call.body or {}
    sessions = call.request.app["sessions"]
    key = body.get("key") or f"s-{next(call.request.app['session_counter'])}"
    sessions.drop(key)
    s = sessions.get(key)
    if "seed" in body:
        # re-made in place, so the Sessions entry and its timer keep the same object (mypy refuses __init__ here)
        s.__init__(key, seed=body["seed"], clock=s.clock, durations=s.durations, jitter=s.jitter,  # type: ignore[misc]
                   store_options=s.store_options, journal_size=s.journal.capacity,
                   journal_bytes=s.journal.max_bytes, tenants=s.tenants)
        timers.attach(s)  # its scheduler was rebuilt
    settings = call.request.app["settings"]
    if "durations" in body:
        try:
            extra = check_durations(body["durations"])
        except ConfigError as exc:
            sessions.drop(key)
            raise ApiError("invalid", str(exc).replace("--duration ", "durations: ", 1), field="durations") from None
        s.durations = {p: {**s.durations.get(p, {}), **d} for p, d in {**s.durations, **extra}.items()}
    mode = body.get("clock", settings.clock)
    speed = body.get("speed", settings.speed)
    try:
        s.clock = Clock(mode, speed, reads=body.get("reads", 1))
    except ValueError as exc:
        raise ApiError("invalid", str(exc), field="reads" if "reads" in str(exc) else "clock") from None
    s.clock_changed()
    return Reply(201, {**_session_view(s), "prefix": f"/_session/{key}"})


async def delete_session(call: Call) -> Reply:
    key = call.path["key"]
    sessions = call.request.app["sessions"]
    if key not in {s.key for s in sessions}:
        raise ApiError("not_found", f"no session {key!r}", field="key")
    sessions.drop(key)
    return Reply(204)


# --- scenarios and faults: two rule books with the same four endpoints ------------------------------------
def _book(call: Call, kind: str) -> Any:
    return call.session.scenarios if kind == "scenarios" else call.session.faults


def _check_fault(body: dict) -> None:
    if not (body.get("status") or body.get("drop") or body.get("latency_ms") or body.get("jitter_ms")):
        raise ApiError("invalid", "a fault needs at least one of status, drop, latency_ms, jitter_ms", field="status")


def _plan_tour(call: Call, rule: Any) -> None:
    """Seed a new tour rule from the session and make its plan for every graph it can match, so the rule's
    listing shows the whole tour before any job is submitted."""
    rule.tour.seed = f"{call.session.seed}:{rule.id}"
    keys = [rule.provider] if rule.provider else list(_providers(call))
    for key in keys:
        for graph in _providers(call)[key].graphs().values():
            rule.tour.plan_for(graph)


def rule_targets(app: Any) -> dict[str, RuleTarget]:
    """What a scenario rule may name, per enabled provider: its graphs' states and its match keys."""
    return {key: RuleTarget(tuple(p.graphs().values()), tuple(p.match_keys)) for key, p in app["providers"].items()}


def _check_scenario(call: Call, rule: Any) -> None:
    check_rule(rule, rule_targets(call.request.app))


def rule_routes(kind: str, summary: str, check: Any = None, check_rule: Any = None) -> list[Route]:
    """POST (add), GET (list with match/hit counts), DELETE one, DELETE all, for `kind` (scenarios/faults).
    `check(body)` refuses a body, `check_rule(call, rule)` a built rule, before it is added."""
    single = kind[:-1]

    async def add(call: Call) -> Reply:
        body = dict(call.body)
        _provider_key(call, body.get("provider"))
        if check is not None:
            check(body)
        book = _book(call, kind)
        bound = call.request.app["settings"].max_rules
        if len(book.rules) >= bound:
            raise ApiError("refused", f"session {call.session.key!r} already holds {bound} {kind} rules "
                                      f"(--max-rules); remove some first", field=kind)
        try:
            rule = book.add(body, None if check_rule is None else lambda r: check_rule(call, r))
        except (TypeError, ValueError) as exc:
            raise ApiError("invalid", str(exc), field="outcome" if kind == "scenarios" else "body") from None
        if getattr(rule, "tour", None) is not None:
            _plan_tour(call, rule)
        return Reply(201, rule.to_dict())

    async def listing(call: Call) -> Reply:
        return Reply(200, {kind: [r.to_dict() for r in _book(call, kind).rules]})

    async def remove(call: Call) -> Reply:
        if not _book(call, kind).remove(call.path["rule"]):
            raise ApiError("not_found", f"no {single} {call.path['rule']!r}", field="rule")
        return Reply(204)

    async def clear(call: Call) -> Reply:
        _book(call, kind).clear()
        return Reply(204)

    return [
        Route("POST", f"{P}/{kind}", add, f"Add a {single} rule: {summary}", body=f"control/{single}.request",
              responses={201: f"control/{single}.response"}, tags=T,
              links={"RemoveRule": (f"DELETE {P}/{kind}/{{rule}}", {"rule": "$response.body#/id"})}),
        Route("GET", f"{P}/{kind}", listing, f"The {single} rules and their counts",
              responses={200: f"control/{kind}.response"}, tags=T),
        Route("DELETE", f"{P}/{kind}", clear, f"Remove every {single} rule", responses={204: None}, tags=T),
        Route("DELETE", f"{P}/{kind}/{{rule}}", remove, f"Remove a {single} rule", responses={204: None}, tags=T),
    ]


# --- journal ------------------------------------------------------------------------------------------------
def _to_ns(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * NS)


async def journal(call: Call) -> Reply:
    a = call.args
    j = call.session.journal
    count, entries = j.page(kind=a["kind"], provider=a["provider"], method=a["method"], path=a["path"],
                            job=a["job"], status=a["status"], since_ns=_to_ns(a["since"]),
                            until_ns=_to_ns(a["until"]), limit=a["limit"], reveal=a["reveal"])
    return Reply(200, {"count": count, "entries": entries, "capacity": j.capacity, "dropped": j.dropped,
                       "bytes": j.bytes, "max_bytes": j.max_bytes})


async def clear_journal(call: Call) -> Reply:
    call.session.journal.clear()
    return Reply(204)


# --- jobs: inspect, step, set state, advance until ----------------------------------------------------------
def _job(call: Call) -> Job:
    key = call.path["provider"]
    _provider_key(call, key)
    job = call.session.store(key).get(call.path["job"])
    if job is None:
        raise ApiError("not_found", f"no {key} job {call.path['job']!r} in session {call.session.key!r}",
                       field="job")
    return job


def job_view(job: Job) -> dict:
    """The engine's view of a job (not any provider's wire shape)."""
    return {
        "provider": job.provider, "id": job.id, "state": job.state, "terminal": job.terminal,
        "message": job.message, "created_ns": job.created_ns, "modified_ns": job.modified_ns,
        "next": None if job.timer is None else {"state": job.timer[1], "at_ns": job.timer[0]},
        "history": [{"t_ns": t, "from": a, "to": b, "message": m} for t, a, b, m in job.history],
        "fate": job.fate.to_dict() if job.fate else None,
        "states": list(job.graph.states),
    }


async def get_job(call: Call) -> Reply:
    return Reply(200, job_view(_job(call)))


async def step_job(call: Call) -> Reply:
    job = _job(call)
    call.session.step(job)
    return Reply(200, job_view(job))


async def set_job_state(call: Call) -> Reply:
    job = _job(call)
    call.session.set_state(job, call.body["state"], call.body.get("message", ""))
    return Reply(200, job_view(job))


async def advance_until(call: Call) -> Reply:
    job = _job(call)
    state = job.graph.resolve_state(call.body["state"])
    if state is None:
        raise ApiError("invalid", f"state {call.body['state']!r} is not one of {', '.join(job.graph.states)}",
                       field="state")
    moved = call.session.advance_until(job, state, call.body.get("max_seconds", 86_400 * 365))
    return Reply(200, {**job_view(job), "advanced_seconds": moved, "clock": call.session.clock.describe()})


async def timeline(call: Call) -> Reply:
    job = _job(call)
    return Reply(200, {"provider": job.provider, "job": job.id, "state": job.state,
                       "entries": call.session.journal.timeline(job.provider, job.id)})


# --- snapshot and config ------------------------------------------------------------------------------------
def graphs_of(app: Any) -> dict:
    return {key: prov.graphs() for key, prov in app["providers"].items()}


async def export_snapshot(call: Call) -> Reply:
    return Reply(200, snapshot.export(call.session))


async def import_snapshot(call: Call) -> Reply:
    """Build the imported state in a fresh session and install it only when all of it loaded."""
    sessions = call.request.app["sessions"]
    blank = sessions.factory(call.session.key)
    try:
        fresh = snapshot.build(blank, call.body, graphs_of(call.request.app), schema_checked=True)
    except ValueError as exc:
        blank.retired = True  # never installed: its timer must not keep ticking a half-built session
        raise ApiError("invalid", f"cannot import snapshot: {exc}", field="body") from None
    sessions.put(fresh)
    fresh.clock_changed()
    return Reply(200, _session_view(fresh))


async def providers(call: Call) -> Reply:
    """The capabilities of every enabled provider (states, commands, match keys, durations, profiles,
    options), from the same declarations the configuration is checked against."""
    from ..providers.capabilities import describe

    return Reply(200, {"providers": {k: describe(type(p), p) for k, p in call.request.app["providers"].items()},
                       "bounds": bounds(call.request.app["settings"])})


def bounds(settings: Any) -> dict:
    """Every bound one client can reach, configured or fixed (docs/bounds-and-safety.md)."""
    from ..core import session as engine
    from ..core.clock import MAX_NS

    configured = ("max_body", "max_snapshot", "max_sessions", "max_rules", "journal_size", "journal_bytes",
                  "body_timeout", "idle_timeout", "header_timeout")
    return {**{name: getattr(settings, name) for name in configured}, "min_flap_every": engine.MIN_FLAP_EVERY,
            "max_flaps": engine.MAX_FLAPS, "advance_slice": engine.ADVANCE_SLICE, "max_clock_ns": MAX_NS}


async def config(call: Call) -> Reply:
    app = call.request.app
    reveal = call.args["reveal"]
    return Reply(200, {"settings": app["settings"].to_dict(reveal),
                       "providers": {k: {"profile": p.profile_name,
                                         "options": (lambda opts: opts if reveal else redact_options(opts))(
                                             {o: str(v) for o, v in p.opts.items()}),
                                         "title": p.title, "api_version": p.api_version}
                                     for k, p in app["providers"].items()}})


JOURNAL_QUERY = (
    Param("kind", str, None, "request, transition, fault or clock", choices=KINDS),
    Param("provider", str, None, "provider key"), Param("method", str, None, "HTTP method"),
    Param("path", str, None, "path glob, e.g. /api/v1/orchestrator/jobs/*"), Param("job", str, None, "job id"),
    Param("status", int, None, "response status"),
    Param("since", float, None, "emulated unix seconds", minimum=0, maximum=1e11),
    Param("until", float, None, "emulated unix seconds", minimum=0, maximum=1e11),
    Param("limit", int, None, "newest N only", minimum=1),
    Param("reveal", bool, False, "show secrets (needs --control-token)"),
)


def enabled_provider(keys: list[str]) -> dict:
    """The schema of a `{provider}` path parameter: one of the enabled providers (else a 400)."""
    return {"type": "string", "enum": keys}


def routes() -> list[Route]:
    job = f"{P}/jobs/{{provider}}/{{job}}"
    by_provider = {"provider": enabled_provider}
    return [
        Route("GET", f"{P}/sessions", list_sessions, "All sessions", responses={200: "control/sessions.response"},
              tags=T),
        Route("POST", f"{P}/sessions", create_session, "Create a session with its own seed and clock",
              body="control/session.request", body_required=False, responses={201: "control/session.response"},
              tags=T, links={"DropSession": (f"DELETE {P}/sessions/{{key}}", {"key": "$response.body#/key"})}),
        Route("DELETE", f"{P}/sessions/{{key}}", delete_session, "Drop a session", responses={204: None}, tags=T),
        *rule_routes("scenarios", "the fate of matching jobs", check_rule=_check_scenario),
        *rule_routes("faults", "latency, error status or dropped connection", _check_fault),
        Route("GET", f"{P}/requests", journal, "The journal, newest last, filtered", query=JOURNAL_QUERY,
              responses={200: "control/journal.response"}, tags=T),
        Route("DELETE", f"{P}/requests", clear_journal, "Clear the journal", responses={204: None}, tags=T),
        Route("GET", job, get_job, "The engine's view of a job", responses={200: "control/job.response"}, tags=T,
              path_params=by_provider),
        Route("POST", f"{job}/step", step_job, "Apply the job's next timed transition now",
              responses={200: "control/job.response"}, tags=T, path_params=by_provider),
        Route("POST", f"{job}/state", set_job_state, "Put the job in a named state now",
              body="control/job-state.request", responses={200: "control/job.response"}, tags=T,
              path_params=by_provider),
        Route("POST", f"{job}/advance-until", advance_until, "Advance the clock until the job reaches a state",
              body="control/advance-until.request", responses={200: "control/job.response"}, tags=T,
              path_params=by_provider),
        Route("GET", f"{job}/timeline", timeline, "Requests, transitions and faults of one job",
              responses={200: "control/timeline.response"}, tags=T, path_params=by_provider),
        Route("GET", f"{P}/snapshot", export_snapshot, "Export the session's whole state",
              responses={200: "control/snapshot.response"}, tags=T),
        Route("POST", f"{P}/snapshot", import_snapshot, "Import a snapshot into the session",
              body="control/snapshot.request", body_limit="max_snapshot", responses={200: "control/session.response"},
              tags=T),
        Route("GET", f"{P}/providers", providers, "Capabilities of the enabled providers",
              responses={200: "control/providers.response"}, tags=T),
        Route("GET", f"{P}/config", config, "The effective configuration (secrets redacted unless ?reveal=true)",
              query=(Param("reveal", bool, False, "show secrets (needs --control-token)"),),
              responses={200: "control/config.response"}, tags=T),
    ]
