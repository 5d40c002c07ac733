"""Task API errors as RFC 7807 problem details: `{"type", "title", "status", "detail", "invalid-params"?}`.

The documented statuses are 401, 404, 422 (validation) and 429; the engine's generic `invalid` kind
(malformed JSON, a missing field, a bad id) is therefore answered 422, the status the API documents for
validation. Seequent's type URIs look like `https://seequent.com/error-codes/<service>/<area>/<error>`; the
compute ones used here follow that pattern (not published, so an informed guess).
"""

from __future__ import annotations

from typing import Any

from ...core.errors import DEFAULT_STATUS, ApiError
from ...kit import Call, Reply

TYPE_BASE = "https://seequent.com/error-codes/compute"

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
# kind -> (status, type slug); the title is the status's
_KINDS = {
    "invalid": (422, "validation-error"), "unprocessable": (422, "validation-error"),
    "unauthorized": (401, "unauthorized"), "forbidden": (403, "forbidden"), "not_found": (404, "not-found"),
    "conflict": (409, "conflict"), "refused": (409, "conflict"), "too_large": (413, "payload-too-large"),
    "unsupported_media": (415, "unsupported-media-type"), "ambiguous": (400, "bad-request"),
    "internal": (500, "internal-error"), "unavailable": (503, "service-unavailable"),
}


def problem(status: int, title: str, detail: str, slug: str, invalid: list[dict[str, str]] | None = None) -> dict:
    """One problem-details object (also used for a failed job's `error`)."""
    body: dict[str, Any] = {"type": f"{TYPE_BASE}/{slug}", "title": title, "status": status, "detail": detail}
    if invalid:
        body["invalid-params"] = invalid
    return body


def _invalid_params(err: ApiError) -> list[dict[str, str]] | None:
    """`invalid-params` from the error's details (the engine's schema check gives {field, message}; the
    provider's own checks give {name, reason})."""
    details = err.details
    if not isinstance(details, list):
        return [{"name": err.field, "reason": err.message}] if err.field and err.kind == "invalid" else None
    out = []
    for d in details:
        if not isinstance(d, dict):
            continue
        name = d.get("name", d.get("field")) or "body"
        out.append({"name": str(name), "reason": str(d.get("reason", d.get("message", "")))})
    return out or None


def render_error(err: ApiError, call: Call) -> Reply:
    """The problem document for `err`; an explicit status on the error (an injected fault) wins."""
    status, slug = _KINDS.get(err.kind, (err.status, "error"))
    if err.status != DEFAULT_STATUS.get(err.kind):
        status = err.status
    title = _TITLES.get(status, "Error")
    headers = {"WWW-Authenticate": 'Bearer realm="compute"'} if status == 401 else None
    return Reply(status, problem(status, title, err.message, slug, _invalid_params(err)), headers=headers)
