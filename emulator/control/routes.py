"""Control basics: health, reset, clock, advance. Every call acts on the caller's session
(the X-Emulator-Session header or the /_session/{key} prefix), the default session otherwise."""

from __future__ import annotations

import asyncio

from .. import __version__
from ..core.errors import ApiError
from ..kit import Call, Param, Reply, Route

P = "/_emulator"


def render_error(err: ApiError, call: Call) -> Reply:
    body = {"error": {"kind": err.kind, "message": err.message}}
    if err.field:
        body["error"]["field"] = err.field
    return Reply(err.status, body)


async def health(call: Call) -> Reply:
    app = call.request.app
    session = call.session
    counts = {key: len(session.store(key)) for key in app["providers"]}
    return Reply(200, {
        "status": "ok",
        "version": __version__,
        "session": session.key,
        "seed": session.seed,
        "providers": list(app["providers"]),
        "clock": session.clock.describe(),
        "jobs": sum(counts.values()),
        "jobs_by_provider": counts,
    })


async def reset(call: Call) -> Reply:
    body = call.body or {}
    provider = body.get("provider") or call.args.get("provider")
    if provider is not None and provider not in call.request.app["providers"]:
        raise ApiError("invalid", f"provider {provider!r} is not enabled", field="provider")
    call.session.reset(provider)
    hooks = call.request.app.get("reset_hooks", [])
    for hook in hooks:
        hook(call.session, provider)
    return Reply(200, {"status": "ok", "session": call.session.key, "provider": provider})


async def get_clock(call: Call) -> Reply:
    return Reply(200, call.session.clock.describe())


async def set_clock(call: Call) -> Reply:
    body = call.body
    clock = call.session.clock
    mode = body.get("mode", clock.mode)
    speed = body.get("speed")
    if speed is not None and "mode" not in body:
        mode = "scaled"
    try:
        clock.set_mode(mode, speed, body.get("reads"))
    except ValueError as exc:
        msg = str(exc)
        raise ApiError("invalid", msg, field=next((f for f in ("speed", "reads") if f in msg), "mode")) from None
    call.session.tick()
    call.session.clock_changed()
    return Reply(200, clock.describe())


async def advance(call: Call) -> Reply:
    seconds = call.body["seconds"]
    fired = 0
    try:
        for count in call.session.advance_in_slices(seconds):
            fired += count
            if count:
                await asyncio.sleep(0)  # let other sessions' requests in between slices
    except ValueError as exc:
        raise ApiError("invalid", str(exc), field="seconds") from None
    return Reply(200, {**call.session.clock.describe(), "transitions": fired})


def routes() -> list[Route]:
    return [
        Route("GET", f"{P}/health", health, "Status, enabled providers, clock and job counts",
              responses={200: "control/health.response"}, tags=("control",)),
        Route("POST", f"{P}/reset", reset, "Drop all jobs (of one provider with ?provider=)",
              body="control/reset.request", body_required=False, query=(Param("provider"),),
              responses={200: "control/reset.response"}, tags=("control",)),
        Route("GET", f"{P}/clock", get_clock, "The session's clock", responses={200: "control/clock.response"},
              tags=("control",)),
        Route("POST", f"{P}/clock", set_clock, "Set clock mode (real, scaled, manual, step), speed and reads",
              body="control/clock.request", responses={200: "control/clock.response"}, tags=("control",)),
        Route("POST", f"{P}/clock/advance", advance, "Move the clock forward and apply due transitions",
              body="control/advance.request", responses={200: "control/advance.response"}, tags=("control",)),
    ]
