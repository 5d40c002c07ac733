"""The thin web layer between aiohttp and the providers: route declarations, the call context a handler
receives, the reply it returns, and the one wrapper that runs every request the same way:

    session -> tick the clock -> parse and validate (schema) -> provider handler -> reply
    (an ApiError anywhere becomes the provider's own error body)

The route table is the single source for serving, for the contract check on responses and for OpenAPI.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.http_exceptions import PayloadEncodingError

from .core import validation
from .core.errors import ApiError
from .core.session import Session
from .core.store import Job
from .kit import Call, Param, Reply, Route

if TYPE_CHECKING:
    from .kit import Provider

log = logging.getLogger("emulator")

SESSION_HEADER = "X-Emulator-Session"
SESSION_KEY = re.compile(r"[A-Za-z0-9._~-]{1,64}")


def _dumps_std(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


try:  # orjson encodes a job ~10x faster than the standard library (measured: 2.4 us vs 31 us for a Bacalhau job)
    import orjson

    _ORJSON_OPTS = orjson.OPT_NON_STR_KEYS

    def dumps(body: Any) -> bytes:
        """The one JSON encoder for responses (compact, UTF-8; the same bytes as the standard library's)."""
        try:
            return orjson.dumps(body, option=_ORJSON_OPTS)
        except TypeError:  # what orjson refuses (an int beyond 64 bits, say) the standard library still writes
            return _dumps_std(body)
except ImportError:  # a platform without orjson wheels: the standard library, same output
    dumps = _dumps_std


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
        if p.pattern is not None and not re.search(p.pattern, raw):
            raise p.refuse(raw, f"query parameter {p.name} must match {p.pattern}, got {raw!r}")
        if p.type is bool:
            low = raw.strip().lower()
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
        if p.choices is not None:
            cmp = raw.lower() if p.nocase else raw
            choices = {(c.lower() if p.nocase else c): c for c in p.choices}
            if cmp not in choices:
                raise ApiError("invalid", f"query parameter {p.name} must be one of {', '.join(p.choices)}, "
                                          f"got {raw!r}", field=p.name)
            raw = choices[cmp]
        out[p.name] = raw
    return out


def make_handler(route: Route, provider: Provider | None, render_error: Callable[[ApiError, Call], Reply],
                 error_schema: Callable[[Call], str | None]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a provider handler in the request pipeline shared by every route:
    session -> tick -> fault rules -> query/body parsing and validation -> handler -> journal and log."""
    pkey = provider.key if provider is not None else None

    async def handle(request: web.Request) -> web.StreamResponse:
        app = request.app
        settings = app["settings"]
        if pkey is None and settings.control_token and route.path != CONTROL_OPEN:
            denied = _control_denied(request, settings.control_token)
            if denied is not None:
                session = app["sessions"].get(None)
                return _to_response(render_error(denied, Call(request, session, provider, route)), session)
        key = request.match_info.get("_session") or request.headers.get(SESSION_HEADER)
        if key is not None and not SESSION_KEY.fullmatch(key):
            session = app["sessions"].get(None)
            bad = ApiError("invalid", f"session key {key!r} must be 1-64 of A-Z a-z 0-9 . _ ~ -", field=SESSION_HEADER)
            return _to_response(render_error(bad, Call(request, session, provider, route)), session)
        session, missing = _session_of(app, key)
        if missing is not None:
            return _to_response(render_error(missing, Call(request, session, provider, route)), session)
        call = Call(request, session, provider, route)
        refused = _refuse_unusable_text(request)
        if refused is not None:
            if pkey is not None:
                session.coverage.error(pkey, refused.kind)
            return _to_response(render_error(refused, call), session)
        entry = _journal_arrival(call) if pkey is not None else None
        fault = None
        if pkey is not None and session.faults.rules:
            fault = session.faults.decide(pkey, request.method, _plain_path(request))
        read: Job | None = None
        error: str | None = None
        try:
            session.tick()
            if fault is not None:
                dropped = await _apply_fault(call, fault)
                if dropped is not None:
                    session.coverage.fault(pkey, "drop")  # type: ignore[arg-type]
                    return dropped
            if fault is not None and fault.status:
                reply = render_error(fault.error(), call)
            else:
                if provider is not None:
                    call.authenticated(provider.authenticate(call))
                call.args = parse_args(route.query, request.query) if route.query else {}
                if call.args.get("reveal") and not settings.control_token:
                    raise ApiError("forbidden", "reveal=true shows secrets and needs the emulator to run with "
                                                "--control-token", field="reveal")
                if route.body is not None or route.body_format != "json":
                    await _read_body(call, route, getattr(settings, route.body_limit))
                if route.reads is not None:
                    read = route.reads(call)
                    if read is not None:
                        session.before_read(read)
                reply = await route.handler(call)
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
            _check_contract(app, route, reply, call, error_schema)
        if pkey is not None:
            _journal_done(call, entry, reply, fault)
            _cover(call, reply, read, error, fault)
        if reply.websocket is not None:
            return await _websocket(request, reply, session)
        if reply.stream is not None:
            return await reply.stream(request, _session_headers(reply, session))
        return _to_response(reply, session)

    handle.__name__ = f"{route.method.lower()}_{route.path}"
    return handle


CONTROL_TOKEN_HEADER = "X-Emulator-Control-Token"
CONTROL_OPEN = "/_emulator/health"  # stays open for health checks (it shows no secret)


def _control_denied(request: web.Request, token: str) -> ApiError | None:
    """None when the request carries the control token (its own header, or Authorization: Bearer)."""
    given = request.headers.get(CONTROL_TOKEN_HEADER)
    if given is None:
        auth = request.headers.get("Authorization", "")
        given = auth[7:] if auth[:7].lower() == "bearer " else None
    if given is None:
        return ApiError("unauthorized", f"the control API needs the control token ({CONTROL_TOKEN_HEADER} or "
                                        "Authorization: Bearer)", field=CONTROL_TOKEN_HEADER)
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode()):
        return ApiError("forbidden", "wrong control token", field=CONTROL_TOKEN_HEADER)
    return None


def _session_of(app: web.Application, key: str | None) -> tuple[Session, ApiError | None]:
    """The session a request names, or (the default session, the error to answer) when it names none that
    exists: sessions are made by POST /_emulator/sessions, or on first use under --auto-sessions."""
    sessions = app["sessions"]
    if key is None:
        return sessions.get(None), None
    session = sessions.find(key)
    if session is not None:
        return session, None
    if app["settings"].auto_sessions:
        try:
            return sessions.create(key), None
        except ApiError as err:
            return sessions.get(None), err
    # kind "invalid" with a 404: every provider renders it as a client error (an unknown job id is a 500 in
    # some API versions, which would read as an emulator bug here)
    missing = ApiError("invalid", f"session {key!r} does not exist; create it with POST /_emulator/sessions "
                                  "(or serve with --auto-sessions)", field=SESSION_HEADER, status=404)
    return sessions.get(None), missing


def _refuse_unusable_text(request: web.Request) -> ApiError | None:
    """A path parameter with a control character (it would end up in a Location header) or a header that is
    not UTF-8 (it would be stored and break every later read): refused before anything runs."""
    for name, value in request.match_info.items():
        why = validation.bad_text(value)
        if why is not None:
            return ApiError("invalid", f"path parameter {name} {why}", field=name)
    for name, value in request.raw_headers:
        if not value.isascii():
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                field = name.decode("latin-1")
                return ApiError("invalid", f"header {field} is not valid UTF-8", field=field)
    return None


def _cover(call: Call, reply: Reply, read: Job | None, error: str | None, fault: Any) -> None:
    """Feed the session's coverage with what this response showed the client: the state of the job it read
    (or of the jobs a list or history showed), the error kind it answered, the fault it carried."""
    session = call.session
    provider = call.provider
    key = provider.key  # type: ignore[union-attr]
    if fault is not None:
        session.coverage.fault(key, f"status {fault.status}" if fault.status else "latency")
    if error is not None and (fault is None or not fault.status):
        session.coverage.error(key, error)
    if reply.status >= 400:
        return
    if read is not None:
        session.shown(read, provider.shown_state(read), read=True)  # type: ignore[union-attr]
    if call.shown:
        for item in call.shown:
            if isinstance(item, tuple):
                session.shown(item[0], item[1])
            else:
                session.shown(item, provider.shown_state(item))  # type: ignore[union-attr]


def _plain_path(request: web.Request) -> str:
    """The request path without a /_session/{key} prefix."""
    key = request.match_info.get("_session")
    return request.path[len(key) + 10:] if key else request.path


async def _apply_fault(call: Call, fault: Any) -> web.StreamResponse | None:
    """Sleep the rule's latency; close the connection when it says drop (returns the response to give up on)."""
    session = call.session
    request = call.request
    delay = session.faults.latency_s(fault)
    session.journal.record("fault", session.clock.now_ns(), provider=call.provider.key if call.provider else None,
                           rule=fault.id, method=request.method, path=_plain_path(request),
                           job=_job_of(call), status=fault.status, drop=fault.drop,
                           latency_ms=round(delay * 1000, 3))
    if delay:
        await asyncio.sleep(delay)  # injected latency is wall time by design: it is what the client feels
    if fault.drop:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=503)
    return None


def _job_of(call: Call) -> str | None:
    """The job a provider request is about, as its provider finds it (the control API's calls name none)."""
    return call.provider.job_id_of(call) if call.provider is not None else None


def _journal_arrival(call: Call) -> dict | None:
    """Journal a request when it arrives, so it precedes the transitions it causes; completed on reply."""
    request = call.request
    journal = call.session.journal
    if not journal.capacity:
        return None
    return journal.request(call.session.clock.now_ns(), call.provider.key if call.provider else None,
                           request.method, _plain_path(request), request.query_string, request.raw_headers)


def _journal_done(call: Call, entry: dict | None, reply: Reply, fault: Any) -> None:
    elapsed_ms = round((time.perf_counter() - call.started) * 1000, 3)
    job = _job_of(call)
    if entry is not None:
        if call.raw:
            call.session.journal.add_body(entry, call.raw)
        entry["status"] = reply.status
        entry["duration_ms"] = elapsed_ms
        entry["job"] = job
        if fault is not None:
            entry["fault"] = fault.id
        call.session.journal.answered(entry)
    if log.isEnabledFor(logging.INFO):
        log.info("request method=%s path=%s status=%d ms=%.2f provider=%s job=%s session=%s", call.request.method,
                 _plain_path(call.request), reply.status, elapsed_ms, call.provider.key if call.provider else "-",
                 job or "-", call.session.key)


async def _read_body(call: Call, route: Route, limit: int) -> None:
    request = call.request
    if request.content_length is not None and request.content_length > limit:
        raise ApiError("too_large", f"request body of {request.content_length} bytes exceeds the limit of "
                                    f"{limit} bytes", field="body")
    raw = await read_bounded(request, limit, request.app["settings"].body_timeout)
    call.raw = raw
    fmt = route.body_format
    if fmt == "raw":
        call.body = raw
        return
    absent = validation.is_blank(raw)  # no body at all; a JSON `null` is a body (which a schema may refuse)
    if callable(fmt):  # a provider's reader sees empty bodies too: its own checks may come first
        body = fmt(call, raw)
        if body is not None:
            validation.check_text(raw, body)
    else:
        body = None if absent else validation.parse_json(raw)
    if absent:
        if route.body_required and route.body is not None:
            raise ApiError("invalid", "request body is empty; a JSON object is required", field="body")
        call.body = None
        return
    if route.body is not None:
        validation.check(route.body, body)
    call.body = body


async def read_bounded(request: web.Request, limit: int, timeout: float | None = None) -> bytes:
    """The request body, counted against `limit` as it arrives: a compressed body (Content-Encoding gzip,
    deflate, br) is inflated chunk by chunk and refused as soon as its inflated size passes the limit. A body
    that takes longer than `timeout` wall seconds to arrive (a stalled or trickling client) is a 408."""
    if not request.body_exists:
        return b""
    parts = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.content.iter_any():
                parts += chunk
                if len(parts) > limit:
                    raise ApiError("too_large", f"request body exceeds the limit of {limit} bytes"
                                   + (" once inflated" if "Content-Encoding" in request.headers else ""),
                                   field="body")
    except TimeoutError:
        raise ApiError("invalid", f"request body did not arrive within {timeout:g} s (--body-timeout); "
                                  f"{len(parts)} bytes came", field="body", status=408) from None
    except web.HTTPException:
        raise ApiError("too_large", f"request body exceeds the limit of {limit} bytes", field="body") from None
    except PayloadEncodingError:
        raise ApiError("invalid", f"request body is not valid {request.headers.get('Content-Encoding')} data",
                       field="Content-Encoding") from None
    return bytes(parts)


async def _websocket(request: web.Request, reply: Reply, session: Session) -> web.StreamResponse:
    """Upgrade, send the reply's messages as text frames, close normally (1000). A client that closes or
    drops the connection ends the stream at once: its messages are read concurrently with the sending."""
    ws = web.WebSocketResponse()
    ws.headers["X-Emulator-Session"] = session.key
    await ws.prepare(request)
    messages = reply.websocket()  # type: ignore[misc]
    reader = asyncio.ensure_future(ws.receive())
    nxt: asyncio.Future | None = None
    try:
        while True:
            nxt = asyncio.ensure_future(anext(messages))
            done, _ = await asyncio.wait({nxt, reader}, return_when=asyncio.FIRST_COMPLETED)
            if nxt not in done:  # the client spoke first: a close (or anything else) ends the stream
                break
            try:
                text = nxt.result()
            except StopAsyncIteration:
                break
            await ws.send_str(text)
    finally:
        # also on cancellation (aiohttp cancels the handler when the client disconnects): stop the pending
        # step and close the iterator, so its own cleanup runs
        for task in (reader, nxt):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await task
        await messages.aclose()  # type: ignore[attr-defined]
    if not ws.closed:
        await ws.close()
    return ws


def _session_headers(reply: Reply, session: Session) -> dict[str, str]:
    headers = {"X-Emulator-Session": session.key, "X-Emulator-Seed": session.seed_text}
    if reply.headers:
        headers.update(reply.headers)
    return headers


def _to_response(reply: Reply, session: Session) -> web.Response:
    headers = _session_headers(reply, session)
    body = reply.body
    if body is None:
        return web.Response(status=reply.status, headers=headers)
    if isinstance(body, (bytes, str)):
        return web.Response(status=reply.status, body=body if isinstance(body, bytes) else body.encode(),
                            headers=headers, content_type=reply.content_type)
    return web.Response(status=reply.status, body=dumps(body), headers=headers, content_type=reply.content_type)


def _check_contract(app: web.Application, route: Route, reply: Reply, call: Call,
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
