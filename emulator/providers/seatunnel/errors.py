"""SeaTunnel's error bodies.

The engine's ExceptionHandlingFilter answers `{"status": "fail", "message": ...}`: 400 for an
IllegalArgumentException (bad id, empty body, bad JSON, bad paging), 500 for anything else (engine exceptions).
Newer engines prefix the message with the exception's short class name (profile switch `error_prefix`).
A failed Basic-auth check is answered by Jetty, not by that filter: 401, `WWW-Authenticate`, and Jetty's error
page (HTML, or Jetty's JSON error when the client accepts JSON).
"""

from __future__ import annotations

from ...core.errors import ApiError
from ...kit import Call, Reply

REALM = 'Basic realm="SeaTunnel Web UI"'

# what the engine's exception class would be, for the newer "<Class>: <message>" form
_CLASS = {"invalid": "IllegalArgumentException", "ambiguous": "IllegalArgumentException",
          "internal": "SeaTunnelEngineException", "conflict": "JobException", "refused": "JobException",
          "not_found": "IllegalArgumentException", "too_large": "IllegalArgumentException",
          "unsupported_media": "IllegalArgumentException", "unprocessable": "IllegalArgumentException"}

_JETTY_401 = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<title>Error 401 Unauthorized</title>
</head>
<body><h2>HTTP ERROR 401 Unauthorized</h2>
<table>
<tr><th>URI:</th><td>{path}</td></tr>
<tr><th>STATUS:</th><td>401</td></tr>
<tr><th>MESSAGE:</th><td>Unauthorized</td></tr>
<tr><th>SERVLET:</th><td>-</td></tr>
</table>
<hr/><a href="https://eclipse.org/jetty">Powered by Jetty:// 9.4.56.v20240826</a><hr/>

</body>
</html>
"""


def status_of(err: ApiError) -> int:
    """400 for the engine's IllegalArgument cases, 500 for engine exceptions, the error's own status else."""
    if err.kind in ("invalid", "ambiguous", "not_found", "unprocessable", "unsupported_media"):
        return 400 if err.status in (400, 404, 415, 422) else err.status
    if err.kind in ("conflict", "refused"):
        return err.status if err.status not in (409,) else 400
    return err.status


def render_error(err: ApiError, call: Call, prefix: bool = False) -> Reply:
    """`{"status":"fail","message":...}` with the engine's status; 401 as Jetty sends it."""
    if err.kind == "unauthorized":
        path = call.request.path
        headers = {"WWW-Authenticate": REALM}
        if "application/json" in call.headers.get("Accept", ""):
            return Reply(401, {"url": path, "status": "401", "message": "Unauthorized", "servlet": "-"},
                         headers=headers)
        return Reply(401, _JETTY_401.format(path=path), headers=headers, content_type="text/html")
    message = err.message
    if prefix:
        message = f"{_CLASS.get(err.kind, 'SeaTunnelEngineException')}: {message}"
    return Reply(status_of(err), {"status": "fail", "message": message})
