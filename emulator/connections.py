"""Connection-level bounds aiohttp does not give: a header timeout against slow clients (slowloris).

aiohttp closes a connection that stays idle past its keep-alive timeout, but a client that sends its request
line and headers a byte every few seconds keeps that timer from mattering for up to `--idle-timeout`, and
holds a connection and its buffers the whole time. Here each request's line and headers must be complete
within `--header-timeout` wall seconds of their first byte (for a new connection: of its opening); a client
that is slower gets `408 Request Timeout` and the connection is closed. Bodies have their own bound
(`--body-timeout`, in web/body.py, read_bounded).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Connection: close\r\nContent-Length: 44\r\n\r\n"
                    b"request headers did not arrive in time (408)")


class _HeaderTimedHandler(RequestHandler):
    """A RequestHandler that times each request's header phase.

    A header phase only notes when it began; one timer per connection, armed when a phase begins and none is
    armed, checks on firing whether the phase it watched is still running (cut), another one began since
    (wait for the rest of its time) or none is running (stop until the next one). Arming a timer at each
    request's first bytes and cancelling it when its headers were complete was 2 % of a served status poll
    (py-spy, wrk at 64 connections); a kept-alive connection now costs a clock read per request and a
    timer every `header_timeout` seconds."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = header_timeout
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_since: float | None = None  # loop time the running header phase began (None: none runs)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._begin()  # a connection that sends nothing is a header phase that never ends

    def data_received(self, data: bytes) -> None:
        before = self._request_count
        super().data_received(data)
        if self._request_count > before:  # the parser completed a request's headers
            self._header_since = None
        elif self._header_since is None and not self._request_in_progress:
            self._begin()  # the first bytes of the next request on a kept-alive connection

    def connection_lost(self, exc: BaseException | None) -> None:
        self._header_since = None
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

    def _begin(self) -> None:
        self._header_since = self._loop.time()
        if self._header_timer is None:
            self._header_timer = self._loop.call_later(self._header_timeout, self._expire)

    def _expire(self) -> None:
        self._header_timer = None
        since = self._header_since
        if since is None:
            return  # no header phase runs: the next one arms the timer again
        left = since + self._header_timeout - self._loop.time()
        if left > 0:  # a later phase than the one this timer was armed for: the rest of its time
            self._header_timer = self._loop.call_later(left, self._expire)
            return
        transport = self.transport
        if transport is None or self._request_in_progress:
            return
        transport.write(TIMEOUT_RESPONSE)
        self.force_close()


class _HeaderTimedServer(Server):
    header_timeout: float

    def __call__(self) -> RequestHandler:
        return _HeaderTimedHandler(self, loop=self._loop, header_timeout=self.header_timeout, **self._kwargs)


def bound_header_time(runner: web.BaseRunner, seconds: float) -> None:
    """After `runner.setup()`: every connection the runner's sites accept from now on must send each request's
    headers within `seconds` (else 408 and close)."""
    server = runner.server
    assert server is not None, "call after runner.setup()"
    server.__class__ = _HeaderTimedServer  # the runner built a plain Server; same state, one more behaviour
    server.header_timeout = seconds  # type: ignore[attr-defined]  # a _HeaderTimedServer since the line above
