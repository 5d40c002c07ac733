"""Who is calling: `Authorization: Bearer <token>` -> an Instabase username and whether it is an admin.

Open mode (no `tokens` option): any token is accepted and names a stable user (`user-` + 8 hex digits of the
token's SHA-256, so the same token is the same user in every run); a request without the header acts as
`default_user`; everyone is an admin, so bulk actions and filters are not restricted.
Closed mode (`tokens=tok1=alice|tok2=bob`, `admins=alice`): a missing or unknown token is a 401, and
non-admins' bulk actions and `user` filters only ever reach their own jobs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ...core.errors import ApiError


@dataclass(frozen=True)
class User:
    """The authenticated caller."""

    name: str
    admin: bool


def split_list(value: Any) -> list[str]:
    """An option list: a "|"-separated string (CLI), or already a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).split("|") if p.strip()]


def token_map(value: Any) -> dict[str, str]:
    """`tok1=alice|tok2=bob` (or a dict) -> {token: user}."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    out = {}
    for item in split_list(value):
        if "=" not in item:
            raise ValueError(f"instabase.tokens: expected token=user, got {item!r}")
        tok, user = item.split("=", 1)
        out[tok.strip()] = user.strip()
    return out


CACHE_SIZE = 1024  # distinct Authorization values remembered (a test suite uses a handful)


class Auth:
    """Resolves callers from the provider's `tokens`, `admins` and `default_user` options."""

    def __init__(self, tokens: Any, admins: Any, default_user: str) -> None:
        self.tokens = token_map(tokens)
        self.admins = set(split_list(admins))
        self.default_user = default_user
        # Authorization value -> User. Every request resolves its caller up to three times (the pipeline's
        # authenticate, the reads finder, the handler), each a SHA-256 in open mode: that was 21% of an
        # Instabase status poll's pipeline time (py-spy, in-process), so a known header is a dict hit.
        self._known: dict[str, User] = {}

    @property
    def closed(self) -> bool:
        return bool(self.tokens)

    def user(self, headers: Any) -> User:
        """The caller, or ApiError('unauthorized') in closed mode for a missing or unknown token."""
        header = headers.get("Authorization", "")
        known = self._known.get(header)
        if known is not None:
            return known
        found = self._resolve(header)  # a refusal raises and is not remembered
        if len(self._known) >= CACHE_SIZE:
            self._known.clear()
        self._known[header] = found
        return found

    def _resolve(self, header: str) -> User:
        token = None
        if header:
            scheme, _, rest = header.partition(" ")
            if scheme.lower() != "bearer" or not rest.strip():
                raise ApiError("unauthorized", "Authorization header must be 'Bearer <token>'",
                               field="Authorization")
            token = rest.strip()
        if not self.closed:
            if token is None:
                return User(self.default_user, True)
            return User("user-" + hashlib.sha256(token.encode()).hexdigest()[:8], True)
        if token is None:
            raise ApiError("unauthorized", "missing Authorization: Bearer <token> header", field="Authorization")
        name = self.tokens.get(token)
        if name is None:
            raise ApiError("unauthorized", "invalid or expired token", field="Authorization")
        return User(name, name in self.admins)
