"""Which session a request belongs to: the `/_session/{key}` prefix or the X-Emulator-Session header, a key
that must be well formed and name a session that exists (or is made on first use under --auto-sessions)."""

from __future__ import annotations

import re

from aiohttp import web

from ..core.errors import ApiError
from ..core.session import Session

SESSION_HEADER = "X-Emulator-Session"
SESSION_KEY = re.compile(r"[A-Za-z0-9._~-]{1,64}")


def session_key(request: web.Request) -> tuple[str | None, ApiError | None]:
    """The session key a request names (None: the default session), or the 400 for a malformed one."""
    key = request.match_info.get("_session") or request.headers.get(SESSION_HEADER)
    if key is not None and not SESSION_KEY.fullmatch(key):
        return None, ApiError("invalid", f"session key {key!r} must be 1-64 of A-Z a-z 0-9 . _ ~ -",
                              field=SESSION_HEADER)
    return key, None


def session_of(app: web.Application, key: str | None) -> tuple[Session, ApiError | None]:
    """The session a request names, or (the default session, the error to answer) when it names none that
    exists: sessions are made by POST /_emulator/sessions, or on first use under --auto-sessions."""
    sessions = app["sessions"]
    if key is None:
        return sessions.get(None), None
    session = sessions.find(key)
    if session is not None:
        return session, None
    if app["settings"].auto_sessions:
        try:
            return sessions.create(key), None
        except ApiError as err:
            return sessions.get(None), err
    # kind "invalid" with a 404: every provider renders it as a client error (an unknown job id is a 500 in
    # some API versions, which would read as an emulator bug here)
    missing = ApiError("invalid", f"session {key!r} does not exist; create it with POST /_emulator/sessions "
                                  "(or serve with --auto-sessions)", field=SESSION_HEADER, status=404)
    return sessions.get(None), missing


def session_for(request: web.Request) -> tuple[Session, ApiError | None]:
    """The session a request belongs to, or (the default session, the error to answer): `session_key`, then
    `session_of`."""
    key, bad = session_key(request)
    if bad is not None:
        return request.app["sessions"].get(None), bad
    return session_of(request.app, key)
