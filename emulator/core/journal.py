"""The request journal: every request, state change, injected fault and clock change of a session, in a ring
buffer.

Memory never grows without bound: the journal keeps the newest `capacity` entries and at most `max_bytes` of
them (it counts what it dropped). An entry's size is its text: path, query, headers and body, plus a fixed
overhead. A request keeps a bounded view of its headers (at most HEADER_COUNT, each value cut to HEADER_VALUE
bytes) and of its body (BODY_LIMIT bytes); a cut value ends in a marker saying how much was left out.
Recording is on every request's path, so an entry keeps cheap references (the raw header tuple, the raw query
string) and is turned into its JSON view (times, decoded headers and query) only when asked for; reading the
newest N entries builds N views.

Secrets never leave in a view unless asked for: header values of credentials (Authorization, cookies, API
keys, the control token) read `<redacted>`, and so do the values of fields named like secrets (password,
secret, token, access or api key...) at any depth of a body or of a JSON header value. A body is redacted as
its structure: JSON is parsed, redacted and re-encoded; another text format is handled by the provider's
registered redactor (SeaTunnel's HOCON, `register_text_redactor`); each part of a multipart body the same
way. A body that cannot be parsed (cut at BODY_LIMIT, malformed) and names a secret field is shown only up to
the line of the first such name, with a marker: never raw. The entry itself keeps what arrived (`reveal`).

The journal is also the source of the event stream: each entry is published once it is complete (a
transition, fault or clock change when recorded, a request when answered) with an event number that only
grows, so a subscriber can resume after the last number it saw (`since_event`); each of `subscribers` (the
event stream's open streams) gets every published entry by its `push(entry)`, and `close()` when the session
goes away.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import deque
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any, Protocol
from urllib.parse import parse_qsl

from .clock import iso_utc

BODY_LIMIT = 16 * 1024  # bytes of a request body kept in an entry
HEADER_COUNT = 64  # headers kept per request
HEADER_VALUE = 1024  # bytes of one header value kept
ENTRY_OVERHEAD = 200  # bytes an entry costs besides its text (the dict and its fixed fields)
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                            "x-auth-token", "x-emulator-control-token"})
KINDS = ("request", "transition", "fault", "clock")
SECRET_FIELD = re.compile(r"pass(word|wd|phrase)?|secret|token|(api|access|private|account)[-_.]?key|credential",
                          re.I)
# provider key -> its redactor of a text body format (None when the text does not parse in it)
_TEXT_REDACTORS: dict[str, Callable[[str], str | None]] = {}


def _cut(value: bytes, limit: int) -> bytes:
    if len(value) <= limit:
        return value
    return value[:limit] + b"...[%d more bytes]" % (len(value) - limit)


def bounded_headers(raw: tuple) -> tuple:
    """The raw header tuple as the journal keeps it: at most HEADER_COUNT headers of HEADER_VALUE bytes."""
    if len(raw) <= HEADER_COUNT and all(len(v) <= HEADER_VALUE for _, v in raw):
        return raw
    kept = tuple((k[:HEADER_VALUE], _cut(v, HEADER_VALUE)) for k, v in raw[:HEADER_COUNT])
    if len(raw) > HEADER_COUNT:
        kept += ((b"X-Emulator-Journal", b"%d more headers not kept" % (len(raw) - HEADER_COUNT)),)
    return kept


class Subscriber(Protocol):
    """What the journal hands published entries to (an open event stream)."""

    def push(self, entry: dict) -> None: ...

    def close(self) -> None: ...


class Journal:
    """Newest-last entries of kinds `request`, `transition`, `fault` and `clock`, bounded in count and in
    bytes."""

    def __init__(self, capacity: int = 10_000, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.entries: deque[dict] = deque(maxlen=capacity or None) if capacity else deque(maxlen=0)
        self.seq = 0
        self.dropped = 0
        self.bytes = 0
        self.events = 0  # number of the last published entry (never reset, so a resumed stream stays ordered)
        self.subscribers: list[Subscriber] = []

    def publish(self, entry: dict) -> None:
        """Number a completed entry and hand it to every subscriber."""
        self.events += 1
        entry["event"] = self.events
        for sub in self.subscribers:
            sub.push(entry)

    def close_subscribers(self) -> None:
        """The session is gone: end every open stream."""
        for sub in list(self.subscribers):
            sub.close()

    def since_event(self, event: int) -> list[dict]:
        """Published entries still held whose event number is above `event`, in publishing order."""
        found = [e for e in self.entries if e.get("event", 0) > event]
        found.sort(key=lambda e: e["event"])
        return found

    def __len__(self) -> int:
        return len(self.entries)

    def _make_room(self) -> None:
        """Before an append to a full ring: account for the entry the deque is about to drop."""
        old = self.entries[0]
        self.bytes -= old["_b"] or 0
        old["_b"] = None  # gone: a late body for it is not counted
        self.dropped += 1

    def _trim(self) -> None:
        entries = self.entries
        while self.bytes > self.max_bytes and len(entries) > 1:
            old = entries.popleft()
            self.bytes -= old["_b"] or 0
            old["_b"] = None
            self.dropped += 1

    def record(self, kind: str, t_ns: int, **fields: Any) -> dict | None:
        if not self.capacity:
            return None
        self.seq += 1
        if len(self.entries) == self.capacity:
            self._make_room()
        size = ENTRY_OVERHEAD + sum(len(str(v)) for v in fields.values())
        entry = {"seq": self.seq, "kind": kind, "t": t_ns, **fields, "_b": size}
        self.entries.append(entry)
        self.bytes += size
        if self.bytes > self.max_bytes:
            self._trim()
        self.publish(entry)
        return entry

    def request(self, t_ns: int, provider: str | None, method: str, path: str, query_string: str,
                raw_headers: tuple) -> dict | None:
        """A request as it arrives (completed with status, body and job when answered); on every request's
        path, so built inline."""
        if not self.capacity:
            return None
        self.seq += 1
        entries = self.entries
        if len(entries) == self.capacity:
            self._make_room()
        # one pass sizes the headers and checks them against the bounds (the common case: all within);
        # this was the costliest part of recording a request (py-spy, in-process status polls)
        size = ENTRY_OVERHEAD + len(path) + len(query_string)
        headers: tuple[Any, ...] | None = raw_headers
        if len(raw_headers) <= HEADER_COUNT:
            for k, v in raw_headers:
                n = len(v)
                if n > HEADER_VALUE:
                    headers = None
                    break
                size += len(k) + n
        else:
            headers = None
        if headers is None:
            headers = bounded_headers(raw_headers)
            size = ENTRY_OVERHEAD + len(path) + len(query_string) + sum(len(k) + len(v) for k, v in headers)
        entry = {"seq": self.seq, "kind": "request", "t": t_ns, "provider": provider, "method": method,
                 "path": path, "query_string": query_string, "raw_headers": headers, "body": "",
                 "body_truncated": False, "status": None, "duration_ms": None, "job": None, "fault": None,
                 "_b": size}
        entries.append(entry)
        self.bytes += size
        if self.bytes > self.max_bytes:
            self._trim()
        return entry

    def add_body(self, entry: dict, raw: bytes) -> None:
        """Keep a request's body (its first BODY_LIMIT bytes) in its entry, counted against `max_bytes`."""
        entry["body"], entry["body_truncated"] = body_text(raw)
        if entry["_b"] is None:  # the entry left the ring while its request ran
            return
        n = len(entry["body"])
        entry["_b"] += n
        self.bytes += n
        if self.bytes > self.max_bytes:
            self._trim()

    def transition(self, provider: str, job_id: str, old: str | None, new: str, t_ns: int, message: str) -> None:
        # on the path of every transition (a million of them when a clock advance sweeps a big store): inline
        if not self.capacity:
            return
        self.seq += 1
        entries = self.entries
        if len(entries) == self.capacity:
            self._make_room()
        size = ENTRY_OVERHEAD + len(job_id) + len(message)
        self.events += 1
        entry = {"seq": self.seq, "kind": "transition", "t": t_ns, "provider": provider, "job": job_id,
                 "from": old, "to": new, "message": message, "_b": size, "event": self.events}
        entries.append(entry)
        self.bytes += size
        if self.bytes > self.max_bytes:
            self._trim()
        if self.subscribers:
            for sub in self.subscribers:
                sub.push(entry)

    def query(self, *, kind: str | None = None, provider: str | None = None, method: str | None = None,
              path: str | None = None, job: str | None = None, status: int | None = None,
              since_ns: int | None = None, until_ns: int | None = None, limit: int | None = None,
              reveal: bool = False) -> list[dict]:
        """Entries matching every given filter (the newest `limit` of them), oldest first; `path` is a glob
        (`/api/v1/*/jobs/*`). `reveal` shows secrets instead of `<redacted>`."""
        return self.page(kind=kind, provider=provider, method=method, path=path, job=job, status=status,
                         since_ns=since_ns, until_ns=until_ns, limit=limit, reveal=reveal)[1]

    def page(self, *, kind: str | None = None, provider: str | None = None, method: str | None = None,
             path: str | None = None, job: str | None = None, status: int | None = None,
             since_ns: int | None = None, until_ns: int | None = None, limit: int | None = None,
             reveal: bool = False) -> tuple[int, list[dict]]:
        """(how many entries match, the views of the newest `limit` of them, oldest first). Without filters
        this is O(limit); a filter scans the entries' fields but builds views only for the page."""
        filters = (kind, provider, method, path, job, status, since_ns, until_ns)
        if all(f is None for f in filters):
            count = len(self.entries)
            picked = list(islice(reversed(self.entries), limit)) if limit is not None else list(self.entries)
            if limit is not None:
                picked.reverse()
            return count, [view(e, reveal) for e in picked]
        method_u = method.upper() if method is not None else None
        matched = []
        for e in self.entries:
            if kind is not None and e["kind"] != kind:
                continue
            if provider is not None and e.get("provider") != provider:
                continue
            if method_u is not None and e.get("method", "").upper() != method_u:
                continue
            if path is not None and not fnmatch.fnmatchcase(e.get("path", ""), path):
                continue
            if job is not None and e.get("job") != job:
                continue
            if status is not None and e.get("status") != status:
                continue
            if since_ns is not None and e["t"] < since_ns:
                continue
            if until_ns is not None and e["t"] > until_ns:
                continue
            matched.append(e)
        count = len(matched)
        if limit is not None:
            matched = matched[-limit:] if limit else []
        return count, [view(e, reveal) for e in matched]

    def timeline(self, provider: str, job_id: str, reveal: bool = False) -> list[dict]:
        """Requests, transitions and faults of one job, in order."""
        return [view(e, reveal) for e in self.entries if e.get("job") == job_id and e.get("provider") == provider]

    def clear(self) -> None:
        self.entries.clear()
        self.dropped = 0
        self.bytes = 0


def view(entry: dict, reveal: bool = False) -> dict:
    """The JSON form of an entry: its time in RFC 3339, a request's headers and query decoded, secrets
    redacted unless `reveal`."""
    out = dict(entry)
    out.pop("_b", None)
    out.pop("event", None)
    out["time"] = iso_utc(entry["t"], 6)
    raw = out.pop("raw_headers", None)
    if raw is not None:
        out["headers"] = headers_dict((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
        if not reveal:
            out["headers"] = {k: _header_shown(k, v) for k, v in out["headers"].items()}
    qs = out.pop("query_string", None)
    if qs is not None:
        out["query"] = dict(parse_qsl(qs, keep_blank_values=True))
        if not reveal:
            out["query"] = {k: REDACTED if SECRET_FIELD.search(k) else v for k, v in out["query"].items()}
    if not reveal and out.get("body") and SECRET_FIELD.search(out["body"]):
        out["body"] = redact_text(out["body"], entry.get("provider"))
    return out


def _header_shown(name: str, value: str) -> str:
    if name.lower() in SECRET_HEADERS:
        return REDACTED
    if value[:1] in "{[" and SECRET_FIELD.search(value):  # JSON carried in a header (Instabase-API-Args)
        return redact_text(value)
    return value


def register_text_redactor(provider: str, redactor: Callable[[str], str | None]) -> None:
    """Let the journal redact `provider`'s non-JSON request bodies structurally: `redactor(text)` answers the
    text with the values of secret-named fields (`is_secret_field`) replaced by REDACTED, or None when the
    text is not in its format."""
    _TEXT_REDACTORS[provider] = redactor


def is_secret_field(name: str) -> bool:
    """Whether a field of this name holds a secret (password, token, secret, access or api key...)."""
    return bool(SECRET_FIELD.search(name))


def redact(value: Any) -> Any:
    """A copy of a JSON value with every field named like a secret (password, token, api key...) redacted."""
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and SECRET_FIELD.search(k) and v not in (None, "")
                    else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


_MULTIPART = re.compile(r"--([^\r\n]{1,200})\r?\n")


def redact_text(text: str, provider: str | None = None) -> str:
    """A body's text with the values of secret-named fields redacted, parsed as what it is: JSON (re-encoded
    only when something was redacted), the provider's own text format, or a multipart body part by part.
    Text that parses as none of them is cut before the first line naming a secret, and marked."""
    shown = _redacted(text, provider)
    if shown is not None:
        return shown
    found = SECRET_FIELD.search(text)
    if found is None:
        return text
    cut = text.rfind("\n", 0, found.start()) + 1
    return text[:cut] + f"...[{len(text) - cut} more characters not shown: unparsed text naming a secret field]"


def _redacted(text: str, provider: str | None, depth: int = 0) -> str | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        hidden = redact(value)
        return text if hidden == value else json.dumps(hidden, ensure_ascii=False)
    own = _TEXT_REDACTORS.get(provider or "")
    if own is not None:
        try:
            shown = own(text)
        except (ValueError, RecursionError):
            shown = None
        if shown is not None:
            return shown
    start = _MULTIPART.match(text)
    if start is None or depth:
        return None
    delimiter = "--" + start.group(1)
    parts = text.split(delimiter)
    out = [parts[0]]
    for part in parts[1:]:
        head, sep, content = part.partition("\r\n\r\n") if "\r\n\r\n" in part else part.partition("\n\n")
        if not sep or not SECRET_FIELD.search(content):
            out.append(part)
            continue
        body, newline = (content[:-2], "\r\n") if content.endswith("\r\n") else (content, "")
        shown = _redacted(body, provider, depth + 1)
        if shown is None:
            return None
        out.append(head + sep + shown + newline)
    return delimiter.join(out)


def body_text(raw: bytes) -> tuple[str, bool]:
    """A request body as text for the journal (binary as a placeholder), and whether it was truncated."""
    cut = raw[:BODY_LIMIT]
    try:
        text = cut.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(raw) <= BODY_LIMIT or exc.start < len(cut) - 3:
            return f"<{len(raw)} bytes of binary data>", len(raw) > BODY_LIMIT
        text = cut[:exc.start].decode("utf-8")  # the cut split a character: keep the text before it
    return text, len(raw) > BODY_LIMIT


def headers_dict(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in items:
        out[k] = v if k not in out else out[k] + ", " + v
    return out
