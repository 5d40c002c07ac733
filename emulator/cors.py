"""CORS for browser-based clients of the emulated APIs and the control API: off unless `--cors` lists origins.

When on, a preflight (OPTIONS with Origin and Access-Control-Request-Method) from a listed origin is answered
204 with the allowed methods and headers, before any route runs; every other response to a listed origin
carries Access-Control-Allow-Origin and exposes the headers clients read (the session and seed headers,
Location). An origin that is not listed gets no CORS header at all, so its browser refuses the response, as
the real service behind a CORS-less gateway would. Nothing is installed when CORS is off.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# what a browser client may send when its preflight does not say (it normally lists what it will send)
HEADERS = ("Content-Type, Authorization, X-Emulator-Session, X-Emulator-Outcome, X-Emulator-Control-Token, "
           "Last-Event-ID, Instabase-API-Args")
EXPOSE = "X-Emulator-Session, X-Emulator-Seed, Location, Retry-After, Allow"
MAX_AGE = "600"
ORIGIN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")


def parse_origins(value: str | list[str]) -> list[str]:
    """`--cors` (a comma list, or a list) as origins: `*`, or `scheme://host[:port]` each (a trailing slash
    dropped, scheme and host lower-cased, as browsers send them). ValueError naming a bad one."""
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for raw in items:
        origin = str(raw).strip().rstrip("/")
        if not origin:
            continue
        if origin != "*":
            scheme, sep, rest = origin.partition("://")
            origin = f"{scheme.lower()}{sep}{rest.lower()}"
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"--cors: an origin is * or scheme://host[:port] (e.g. http://localhost:3000), "
                                 f"got {raw!r}")
        if origin not in out:
            out.append(origin)
    return out


class Cors:
    """The allowed origins and the two hooks that apply them."""

    def __init__(self, origins: list[str]) -> None:
        self.any = "*" in origins
        self.origins = frozenset(origins)

    def allowed(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin value for a request from `origin`, or None."""
        if origin is None:
            return None
        if self.any:
            return "*"
        return origin if origin.lower() in self.origins else None

    @web.middleware
    async def preflight(self, request: web.Request,
                        handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """Answer a listed origin's preflight; anything else goes on to the routes."""
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            allow = self.allowed(request.headers.get("Origin"))
            if allow is not None:
                return web.Response(status=204, headers={
                    "Access-Control-Allow-Origin": allow,
                    "Access-Control-Allow-Methods": METHODS,
                    "Access-Control-Allow-Headers": request.headers.get("Access-Control-Request-Headers") or HEADERS,
                    "Access-Control-Max-Age": MAX_AGE,
                    **({} if self.any else {"Vary": "Origin"}),
                })
        return await handler(request)

    async def on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        """Before any response's headers go out (plain, streamed or WebSocket): the CORS headers for a
        listed origin."""
        allow = self.allowed(request.headers.get("Origin"))
        if allow is None or "Access-Control-Allow-Origin" in response.headers:
            return
        response.headers["Access-Control-Allow-Origin"] = allow
        response.headers["Access-Control-Expose-Headers"] = EXPOSE
        if not self.any:
            response.headers.add("Vary", "Origin")


def install(app: web.Application, origins: list[str]) -> None:
    """Turn CORS on for `origins` (no-op when the list is empty)."""
    if not origins:
        return
    cors = Cors(origins)
    app.middlewares.append(cors.preflight)
    app.on_response_prepare.append(cors.on_prepare)
