"""Instabase's error envelope: `{"status": "ERROR", "msg": "<text>"}` (seed, tags endpoint).

The HTTP status of such errors is undocumented; public clients check both the status code and
`status == "ERROR"`, so the emulator answers 400 for bad input, 401 for a missing/unknown token (closed auth
mode), 404 for an unknown job id, 409 for a command the job's state refuses and 413 for an oversized body.
"""

from __future__ import annotations

from ...core.errors import ApiError
from ...kit import Call, Reply


def render_error(err: ApiError, call: Call) -> Reply:
    """Render any engine or provider error in Instabase's envelope."""
    headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
    return Reply(err.status, {"status": "ERROR", "msg": err.message}, headers=headers)
