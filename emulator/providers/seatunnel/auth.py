"""SeaTunnel's Basic auth, as the engine's BasicAuthFilter checks it when enabled (option basic_auth)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ...core.errors import ApiError
from ...kit import Call


def check_auth(call: Call[Any]) -> None:
    """Basic auth as the engine's BasicAuthFilter does it, when enabled (option basic_auth)."""
    p = call.provider
    if not p.flag("basic_auth"):
        return
    header = call.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            user, _, pw = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, pw = None, None
        if user == str(p.opts["basic_auth_username"]) and pw == str(p.opts["basic_auth_password"]):
            return
    raise ApiError("unauthorized", "Unauthorized")
