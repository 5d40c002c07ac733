"""The one wrapper that runs every request the same way:

    control token -> session -> unusable input -> journal -> tick the clock -> fault rule -> authenticate
    -> query and body (parsed and validated) -> the route's handler -> contract check -> journal, coverage
    -> response (an ApiError anywhere becomes the provider's own error body)

Each step is a module of this package; providers never see this one (they are written against emulator.kit).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from .. import timers
from ..core.errors import ApiError
from ..core.store import Job
from ..kit import Call, Provider, Reply, Route
from ..kit.params import EMPTY_QUERY, parse_args
from ..timers import TICK_SLICE
from .body import read_body
from .contract import check_contract
from .control_auth import CONTROL_OPEN, control_denied
from .faults import apply_fault
from .guard import refuse_unusable_text
from .observe import cover, journal_arrival, journal_done, plain_path
from .respond import session_headers, to_response, websocket
from .sessions import session_for

log = logging.getLogger("emulator")


def make_handler(route: Route, provider: Provider | None, render_error: Callable[[ApiError, Call], Reply],
                 error_schema: Callable[[Call], str | None]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a route's handler in the request pipeline shared by every route (see the module docstring).
    `provider` is None for the control API's routes."""
    # What a route needs is worked out here, once, so a request takes only the steps its route has (a status
    # poll's pipeline was a third of its served time: py-spy, python -m bench at 64 connections).
    pkey = provider.key if provider is not None else None
    token_checked = pkey is None and route.path != CONTROL_OPEN
    params = route.query
    with_body = route.body is not None or route.body_format != "json"
    body_limit = route.body_limit
    reads = route.reads
    handler = route.handler
    authenticate = provider.authenticate if provider is not None else None

    async def handle(request: web.Request) -> web.StreamResponse:
        app = request.app
        settings = app["settings"]
        if token_checked and settings.control_token:
            denied = control_denied(request, settings.control_token)
            if denied is not None:
                session = app["sessions"].get(None)
                return to_response(render_error(denied, Call(request, session, provider, route)), session)
        session, refused = session_for(request)
        if refused is not None:
            return to_response(render_error(refused, Call(request, session, provider, route)), session)
        call = Call(request, session, provider, route)
        refused = refuse_unusable_text(request)
        if refused is not None:
            if pkey is not None:
                session.coverage.error(pkey, refused.kind)
            return to_response(render_error(refused, call), session)
        entry = None
        fault = None
        if pkey is not None:
            entry = journal_arrival(call)
            if session.faults.rules:
                fault = session.faults.decide(pkey, request.method, plain_path(request))
        read: Job | None = None
        error: str | None = None
        try:
            if session.tick(limit=TICK_SLICE, split=True) >= TICK_SLICE:
                await timers.catch_up(session)  # a backlog: the rest in slices, other requests served in between
            if fault is not None:
                dropped = await apply_fault(call, fault)
                if dropped is not None:
                    if pkey is not None:  # (always: faults are only decided for provider routes)
                        session.coverage.fault(pkey, "drop")
                    return dropped
            if fault is not None and fault.status:
                reply = render_error(fault.error(), call)
            else:
                if authenticate is not None:
                    call.authenticated(authenticate(call))
                if params:
                    call.args = args = parse_args(params, request.query if request.query_string else EMPTY_QUERY)
                    if args.get("reveal") and not settings.control_token:
                        raise ApiError("forbidden", "reveal=true shows secrets and needs the emulator to run with "
                                                    "--control-token", field="reveal")
                if with_body:
                    await read_body(call, route, getattr(settings, body_limit))
                if reads is not None:
                    read = reads(call)
                    if read is not None:
                        if session.clock.mode == "step":  # the read moves time first: the handler resolves
                            session.before_read(read)     # again and sees what the step left (or removed)
                        else:
                            call.read = read
                reply = await handler(call)
        except ApiError as err:
            error = err.kind
            reply = render_error(err, call)
        except Exception as exc:  # a bug: answer in the provider's format and say so in the log
            log.exception("unhandled error in %s %s", request.method, request.path)
            error = "internal"
            reply = render_error(ApiError("internal", f"emulator bug: {type(exc).__name__}: {exc}"), call)
            if settings.check_responses:  # in tests a bug must fail the test, even if its 500 is well formed
                app["contract_violations"].append(f"{route.method} {route.path}: unhandled {type(exc).__name__}: {exc}")
        if settings.check_responses and (fault is None or not fault.status):
            check_contract(app, route, reply, call, error_schema)
        if pkey is not None:
            journal_done(call, entry, reply, fault)
            cover(call, reply, read, error, fault)
        if reply.websocket is not None:
            return await websocket(request, reply, session)
        if reply.stream is not None:
            return await reply.stream(request, session_headers(reply, session))
        return to_response(reply, session)

    handle.__name__ = f"{route.method.lower()}_{route.path}"
    return handle
