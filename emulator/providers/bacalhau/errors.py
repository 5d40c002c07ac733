"""Bacalhau's error bodies, per profile (reference 2.6).

<= v1.4 (default, v1.4): echo's debug handler. An HTTP error keeps its status with
`{"message": m, "error": "code=<status>, message=<m>"}`; any other Go error (unknown job, ambiguous short id,
stopping a completed job, duplicate id) is a 500 `{"message": "Internal Server Error", "error": <text>}`.
v1.5: `{"Status", "Message", "RequestID", "Code", "Component"}` with 404 for an unknown job, 409 for a duplicate.
"""

from __future__ import annotations

from ...core.errors import ApiError
from ...kit import Call, Reply

# kinds the <= v1.4 server reports as plain Go errors (500)
_GO_ERRORS = {"not_found", "ambiguous", "refused", "conflict", "internal"}
_CODES = {"invalid": ("BadRequest", 400), "not_found": ("NotFound", 404), "conflict": ("ResourceInUse", 409),
          "unauthorized": ("Unauthorized", 401), "forbidden": ("Forbidden", 403),
          "too_large": ("BadRequest", 413), "ambiguous": ("MultipleJobsFound", 500),
          "refused": ("ConflictJobState", 500), "internal": ("InternalError", 500),
          "unavailable": ("ServiceUnavailable", 503)}


def render_error(err: ApiError, call: Call, modern: bool) -> Reply:
    if modern:
        code, status = _CODES.get(err.kind, ("InternalError", err.status))
        if err.kind == "invalid" and err.status != 400:
            status = err.status
        body = {"Status": status, "Message": err.message,
                "RequestID": call.request.headers.get("X-Request-ID", ""), "Code": code,
                "Component": "JobStore" if err.kind in ("not_found", "conflict", "ambiguous") else "APIServer"}
        if err.kind == "ambiguous":
            body["Hint"] = "Use full job ID"
        return Reply(status, body)
    if err.kind in _GO_ERRORS and err.status >= 400 and err.kind != "invalid":
        status = 500 if err.status < 500 or err.kind == "internal" else err.status
        return Reply(status, {"message": "Internal Server Error", "error": err.message})
    status = err.status
    return Reply(status, {"message": err.message, "error": f"code={status}, message={err.message}"})
