"""Reading a request body: bounded in bytes (inflated, for a compressed body) and in wall time, then parsed
the way its route says (JSON validated against its schema, raw bytes, or the provider's own reader)."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.http_exceptions import PayloadEncodingError

from ..core import validation
from ..core.errors import ApiError
from ..kit import Call, Route


async def read_body(call: Call, route: Route, limit: int) -> None:
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
