"""A multipart/form-data body (already read, within the request size limit) -> its named parts. The standard
library's MIME parser does the work; a body it cannot split is the client's error, named."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from ...core.errors import ApiError


def form_parts(content_type: str, raw: bytes) -> dict[str, tuple[str, bytes]]:
    """{field name: (file name or "", bytes)} of a multipart/form-data body; the first part of a name wins."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("utf-8", "replace")
    msg = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    if not msg.is_multipart():
        raise ApiError("invalid", "the multipart/form-data body cannot be split into parts (check its boundary)",
                       field="body")
    out: dict[str, tuple[str, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in out:
            continue
        payload = part.get_payload(decode=True)
        out[name] = (part.get_filename() or "", payload if isinstance(payload, bytes) else b"")
    return out
