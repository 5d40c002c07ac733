"""The control token: under --control-token every /_emulator/ route but the health check needs it, in its own
header or as a bearer token, compared in constant time."""

from __future__ import annotations

import hmac

from aiohttp import web

from ..core.errors import ApiError

CONTROL_TOKEN_HEADER = "X-Emulator-Control-Token"
CONTROL_OPEN = "/_emulator/health"  # stays open for health checks (it shows no secret)


def control_denied(request: web.Request, token: str) -> ApiError | None:
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
