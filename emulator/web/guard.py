"""Input no route may see: a path parameter with a control character or a header that is not UTF-8."""

from __future__ import annotations

from aiohttp import web

from ..core import validation
from ..core.errors import ApiError


def refuse_unusable_text(request: web.Request) -> ApiError | None:
    """A path parameter with a control character (it would end up in a Location header) or a header that is
    not UTF-8 (it would be stored and break every later read): refused before anything runs."""
    for name, value in request.match_info.items():
        # one combined search per segment; the reason is worked out only for a segment that fails it
        # (two searches per segment were 6-8% of a status poll's pipeline, py-spy in-process)
        if validation.UNUSABLE_TEXT.search(value) is not None:
            why = validation.bad_text(value)
            if why is not None:
                return ApiError("invalid", f"path parameter {name} {why}", field=name)
    for raw_name, raw_value in request.raw_headers:
        if not raw_value.isascii():
            try:
                raw_value.decode("utf-8")
            except UnicodeDecodeError:
                field = raw_name.decode("latin-1")
                return ApiError("invalid", f"header {field} is not valid UTF-8", field=field)
    return None
