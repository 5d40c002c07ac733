"""One error type for the whole engine. Providers render it in their own wire format.

`kind` says what went wrong in terms every API shares; each provider maps kinds to its own status codes and
bodies (Bacalhau v1.1 answers an unknown job with 500, SeaTunnel with 200 and a bare id, Task API with a 404
problem document). `field` names the offending field or id, so a client sees exactly what to fix.
"""

from __future__ import annotations

from typing import Any

# kind -> the status most APIs use; a provider's renderer may choose differently.
DEFAULT_STATUS = {
    "invalid": 400,          # malformed body, wrong type, missing field, bad query value
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,         # duplicate id or name
    "refused": 409,          # a command the job's current state does not allow
    "too_large": 413,
    "unsupported_media": 415,
    "unprocessable": 422,
    "too_many": 429,         # a per-session bound on concurrent use (event-stream subscribers)
    "ambiguous": 400,        # a short id that matches more than one job
    "internal": 500,
    "unavailable": 503,
}


class ApiError(Exception):
    """A client-visible failure: `kind` (see DEFAULT_STATUS), a human message, and the field or id at fault.

    `status` overrides the provider's mapping when the situation dictates one (an injected fault, say);
    `details` carries structured extras (for example each invalid parameter of a Task API request).
    """

    def __init__(self, kind: str, message: str, *, field: str | None = None, status: int | None = None,
                 details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        if kind not in DEFAULT_STATUS:
            raise ValueError(f"unknown error kind {kind!r}")
        self.kind = kind
        self.message = message
        self.field = field
        self.status = status if status is not None else DEFAULT_STATUS[kind]
        self.details = details
        self.code = code

    def __repr__(self) -> str:
        return f"ApiError({self.kind!r}, {self.message!r}, field={self.field!r}, status={self.status})"


class CommandRefused(ApiError):
    """A lifecycle command (stop, pause, ...) sent to a job whose state does not allow it."""

    def __init__(self, command: str, job_id: str, state: str) -> None:
        super().__init__("refused", f"cannot {command} job {job_id} in state {state}", field=job_id)
        self.command = command
        self.state = state
