"""GET /_emulator/events: the session's journal as Server-Sent Events, live.

Each event is one journal entry once it is complete — a transition, an injected fault or a clock change when
it happens, a request when it is answered — as `id: <event number>`, `event: <kind>`, `data: <the entry as
GET /_emulator/requests shows it>`. Filters: `provider`, `job`, `kind` (comma lists). A client resumes with
the `Last-Event-ID` header (browsers' EventSource sends it by itself) or `?last_event_id=`: the entries
after that number still held by the journal are sent first.

Bounds: a subscriber's queue holds at most BUFFER events; a subscriber that falls that far behind gets one
`overflow` event naming the last event it was sent, and the stream ends, so the client reconnects with that
id and the rest comes from the journal (whatever the ring buffer still holds). At most MAX_SUBSCRIBERS
streams per session (429 beyond). A comment line every HEARTBEAT seconds keeps proxies from closing an idle
stream, and lets the server notice a client that went away.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from aiohttp import web

from ..core.errors import ApiError
from ..core.journal import KINDS, Journal, view
from ..core.jsonbytes import dumps
from ..core.session import Session
from ..kit import Call, Param, Reply, Route

P = "/_emulator"
BUFFER = 1000          # events queued per subscriber before it is cut off with an `overflow` event
MAX_SUBSCRIBERS = 64   # concurrent streams per session
HEARTBEAT = 15.0       # wall seconds between keep-alive comments on an idle stream
STREAMS = web.AppKey("event_streams", set)


class Subscriber:
    """One open stream: its filter, its bounded queue, and the event that wakes its writer."""

    __slots__ = ("closed", "job", "kinds", "last", "overflowed", "providers", "queue", "ready")

    def __init__(self, providers: set[str] | None, job: str | None, kinds: set[str] | None) -> None:
        self.providers = providers
        self.job = job
        self.kinds = kinds
        self.queue: deque[dict] = deque()
        self.ready = asyncio.Event()
        self.overflowed = False
        self.closed = False
        self.last = 0  # number of the last event written

    def wants(self, entry: dict) -> bool:
        return ((self.kinds is None or entry["kind"] in self.kinds)
                and (self.providers is None or entry.get("provider") in self.providers)
                and (self.job is None or entry.get("job") == self.job))

    def push(self, entry: dict) -> None:
        """Journal subscriber: queue a matching entry, or mark the subscriber as overflowed."""
        if self.overflowed or not self.wants(entry):
            return
        if len(self.queue) >= BUFFER:
            self.overflowed = True
        else:
            self.queue.append(entry)
        self.ready.set()

    def close(self) -> None:
        self.closed = True
        self.ready.set()


def frame(entry: dict) -> bytes:
    """One entry as an SSE frame."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (entry["event"], entry["kind"].encode(), dumps(view(entry)))


def _set(values: list[str], choices: tuple[str, ...] | None, name: str) -> set[str] | None:
    if not values:
        return None
    if choices is not None:
        bad = [v for v in values if v not in choices]
        if bad:
            raise ApiError("invalid", f"query parameter {name}: {bad[0]!r} is not one of {', '.join(choices)}",
                           field=name)
    return set(values)


def _last_event_id(call: Call) -> int | None:
    raw = call.request.headers.get("Last-Event-ID")
    if raw is None:
        return call.args["last_event_id"]
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("invalid", f"Last-Event-ID must be an event number, got {raw!r}",
                       field="Last-Event-ID") from None
    if value < 0:
        raise ApiError("invalid", f"Last-Event-ID must be >= 0, got {raw!r}", field="Last-Event-ID")
    return value


async def events(call: Call) -> Reply:
    providers = _set(call.args["provider"], tuple(call.request.app["providers"]), "provider")
    kinds = _set(call.args["kind"], KINDS, "kind")
    last = _last_event_id(call)
    if call.request.method == "HEAD":
        return Reply(200, b"", content_type="text/event-stream")
    streams = call.request.app[STREAMS]
    session = call.session
    if sum(1 for s in streams if s[0] is session) >= MAX_SUBSCRIBERS:
        raise ApiError("too_many", f"session {session.key!r} already has {MAX_SUBSCRIBERS} event streams open",
                       field="session")
    sub = Subscriber(providers, call.args["job"], kinds)

    async def write(request: web.Request, headers: dict[str, str]) -> web.StreamResponse:
        return await _serve(request, headers, session, sub, last, streams)

    return Reply(200, stream=write)


async def _serve(request: web.Request, headers: dict[str, str], session: Session, sub: Subscriber,
                 last: int | None, streams: set) -> web.StreamResponse:
    journal: Journal = session.journal
    # registered before anything is written: once a client has read the first line, nothing is missed
    backlog = [e for e in journal.since_event(last) if sub.wants(e)] if last is not None else []
    journal.subscribers.append(sub)
    handle = (session, sub)
    streams.add(handle)
    resp = web.StreamResponse(status=200, headers={
        **headers, "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    try:
        await resp.prepare(request)
        await resp.write(b"retry: 1000\n\n")
        if backlog:
            await resp.write(b"".join(frame(e) for e in backlog))
            sub.last = backlog[-1]["event"]
        while not sub.closed:
            if not sub.queue and not sub.overflowed:
                sub.ready.clear()
                try:
                    await asyncio.wait_for(sub.ready.wait(), HEARTBEAT)
                except TimeoutError:
                    await resp.write(b": keep-alive\n\n")
                continue
            batch = list(sub.queue)
            sub.queue.clear()
            if batch:
                await resp.write(b"".join(frame(e) for e in batch))
                sub.last = batch[-1]["event"]
            if sub.overflowed:
                await resp.write(b"event: overflow\ndata: {\"last_event\": %d, \"buffer\": %d}\n\n"
                                 % (sub.last, BUFFER))
                break
    except ConnectionError:
        pass  # the client went away: nothing to answer
    finally:
        with contextlib.suppress(ValueError):
            journal.subscribers.remove(sub)
        streams.discard(handle)
    return resp


async def close_all(app: web.Application) -> None:
    """On shutdown: end every open stream, so stopping the server does not wait for idle subscribers."""
    streams = app[STREAMS]
    for _, sub in list(streams):
        sub.close()


def routes() -> list[Route]:
    return [
        Route("GET", f"{P}/events", events, "The session's journal as Server-Sent Events: transitions, requests, "
              "faults and clock changes; resume with Last-Event-ID",
              query=(Param("provider", list, None, "provider keys (comma list)"),
                     Param("job", str, None, "job id"),
                     Param("kind", list, None, "request, transition, fault, clock (comma list)"),
                     Param("last_event_id", int, None, "resume after this event number (as Last-Event-ID)",
                           minimum=0)),
              responses={200: "control/events.response"}, tags=("control",)),
    ]
