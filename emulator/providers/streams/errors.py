"""Streams' error format: `{"message": "<ID> <text>", "id": "<ID>"}`.

The documented body (IBM Streams 4.2 "REST API responses") prefixes the text with a message id and repeats the
id; the Java client's `RESTErrorMessage` parses exactly those two fields. Only CDISW5000E (resource not found)
is a documented id; the others below are chosen by the emulator in the same CDISW....E family and are listed in
docs/providers/streams.md.
"""

from __future__ import annotations

from ...core.errors import ApiError
from ...kit import Call, Reply

NOT_FOUND = "CDISW5000E"
# kind -> (status, message id); ids other than CDISW5000E are the emulator's choice (see module docstring)
CODES: dict[str, tuple[int, str]] = {
    "invalid": (400, "CDISW5001E"),
    "ambiguous": (400, "CDISW5001E"),
    "unauthorized": (401, "CDISW5005E"),
    "forbidden": (403, "CDISW5006E"),
    "not_found": (404, NOT_FOUND),
    "conflict": (409, "CDISW5002E"),
    "refused": (409, "CDISW5007E"),
    "too_large": (413, "CDISW5004E"),
    "unsupported_media": (415, "CDISW5008E"),
    "unprocessable": (422, "CDISW5001E"),
    "internal": (500, "CDISW5010E"),
    "unavailable": (503, "CDISW5011E"),
}


def not_found(resource_type: str, restid: str) -> ApiError:
    """The documented 404: `The resource with the <type> resourceType and restid <id> cannot be found.`"""
    return ApiError("not_found", f"The resource with the {resource_type} resourceType and restid {restid} "
                                 "cannot be found.", field=restid, code=NOT_FOUND)


def render_error(err: ApiError, call: Call) -> Reply:
    """Render any ApiError as Streams' `{message, id}` body; an explicit `err.status` wins (injected faults)."""
    status = err.status  # the engine's per-kind default matches CODES; an explicit override wins
    code = err.code or CODES.get(err.kind, (status, "CDISW5010E"))[1]
    headers = {"WWW-Authenticate": 'Bearer realm="streams"'} if status == 401 else None
    return Reply(status, {"message": f"{code} {err.message}", "id": code}, headers=headers)
