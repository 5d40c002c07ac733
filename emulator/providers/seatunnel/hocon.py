"""A small HOCON reader: the subset SeaTunnel job files use.

Supported: optional root braces, `key = value`, `key : value`, `key { ... }` (object without separator),
quoted and unquoted keys (an unquoted `a.b` is a path, so it nests, as HOCON says), strings in double or triple
quotes, unquoted strings, numbers, true/false/null, arrays, `#` and `//` comments, commas or newlines between
fields, and object merging for repeated keys. Not supported (answered with a clear error): substitutions
`${...}`, `include`, `+=`, value concatenation across types.

Objects are returned as `Obj`, an ordered list of (key, value) pairs, so that the caller can see repeated
keys (two `Console {}` sinks are two plugins in SeaTunnel, not one merged object). `to_plain` merges them the
way HOCON does for ordinary objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class HoconError(ValueError):
    """A syntax error, with the line it was found on."""


class Obj(list):
    """An object as ordered (key, value) pairs; repeated keys are kept."""


_PUNCT = set("{}[],:=\n")
MAX_DEPTH = 100  # nesting of objects and arrays; deeper input is refused before it can exhaust the stack


class _Reader:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.depth = 0

    @property
    def line(self) -> int:
        return self.s.count("\n", 0, self.i) + 1

    def fail(self, what: str) -> HoconError:
        return HoconError(f"HOCON syntax error at line {self.line}: {what}")

    def skip(self, newlines: bool = True) -> None:
        """Skip blanks and comments (and newlines when asked)."""
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t\r\ufeff" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" or s.startswith("//", self.i):
                while self.i < n and s[self.i] != "\n":
                    self.i += 1
            else:
                break

    def peek(self) -> str:
        return self.s[self.i] if self.i < self.n else ""

    def quoted(self) -> str:
        s = self.s
        if s.startswith('"""', self.i):
            end = s.find('"""', self.i + 3)
            if end < 0:
                raise self.fail("unterminated triple-quoted string")
            while s.startswith('"', end + 3):  # HOCON: extra quotes before the closing three belong to the string
                end += 1
            text = s[self.i + 3:end]
            self.i = end + 3
            return text
        self.i += 1
        out: list[str] = []
        while self.i < self.n:
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\n":
                break
            if c == "\\":
                self.i += 1
                e = s[self.i: self.i + 1]
                if e == "u":
                    out.append(chr(int(s[self.i + 1: self.i + 5], 16)))
                    self.i += 5
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(e, e))
                self.i += 1
                continue
            out.append(c)
            self.i += 1
        raise self.fail("unterminated string")

    def unquoted(self, stop: str) -> str:
        s = self.s
        start = self.i
        while self.i < self.n:
            c = s[self.i]
            if c in stop or c == "#" or s.startswith("//", self.i):
                break
            if s.startswith("${", self.i):
                raise self.fail("substitutions (${...}) are not supported by the emulator")
            self.i += 1
        return s[start:self.i].rstrip(" \t\r")

    # --- grammar ------------------------------------------------------------------------------------------
    def document(self) -> Obj:
        self.skip()
        if self.peek() == "{":
            self.i += 1
            obj = self.fields("}")
            self.skip()
        else:
            obj = self.fields("")
        if self.i < self.n:
            raise self.fail(f"unexpected {self.peek()!r}")
        return obj

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            if self.peek() == '"':
                parts.append(self.quoted())
            else:
                raw = self.unquoted(" \t{}[],:=\n\".")
                if not raw:
                    raise self.fail(f"expected a key, found {self.peek()!r}")
                parts.append(raw)
            if self.peek() == ".":
                self.i += 1
                continue
            return parts

    def fields(self, close: str) -> Obj:
        obj = Obj()
        while True:
            self.skip()
            c = self.peek()
            if c == "":
                if close:
                    raise self.fail(f"missing {close!r}")
                return obj
            if c == close:
                self.i += 1
                return obj
            if c == ",":
                self.i += 1
                continue
            if self.s.startswith("include ", self.i):
                raise self.fail("include is not supported by the emulator")
            path = self.key()
            if len(path) + self.depth > MAX_DEPTH:
                raise self.fail(f"key {'.'.join(path)[:40]!r}... nests deeper than {MAX_DEPTH} levels")
            self.skip(newlines=False)
            c = self.peek()
            if self.s.startswith("+=", self.i):
                raise self.fail("+= is not supported by the emulator")
            if c in "=:":
                self.i += 1
                self.skip()
                value = self.value()
            elif c == "{":
                value = self.value()
            else:
                raise self.fail(f"expected '=', ':' or '{{' after key {'.'.join(path)!r}")
            for part in reversed(path[1:]):
                value = Obj([(part, value)])
            obj.append((path[0], value))

    def value(self) -> Any:
        c = self.peek()
        if c and c in "{[":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"nested deeper than {MAX_DEPTH} levels")
            try:
                return self._container(c)
            finally:
                self.depth -= 1
        if c == '"':
            return self.quoted()
        raw = self.unquoted(",}]\n")
        if raw == "":
            raise self.fail(f"expected a value, found {c!r}")
        return _scalar(raw)

    def _container(self, c: str) -> Any:
        if c == "{":
            self.i += 1
            return self.fields("}")
        if c == "[":
            self.i += 1
            items: list[Any] = []
            while True:
                self.skip()
                c = self.peek()
                if c == "]":
                    self.i += 1
                    return items
                if c == ",":
                    self.i += 1
                    continue
                if c == "":
                    raise self.fail("missing ']'")
                items.append(self.value())


def _scalar(raw: str) -> Any:
    low = raw.lower()
    if low in ("true", "yes", "on") and raw == low:
        return True
    if low in ("false", "no", "off") and raw == low:
        return False
    if raw == "null":
        return None
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def parse(text: str) -> Obj:
    """Parse HOCON text into an `Obj` tree (repeated keys kept)."""
    return _Reader(text).document()


def to_plain(value: Any) -> Any:
    """An `Obj` tree as plain dicts and lists; repeated object keys merge, other repeats: last wins."""
    if isinstance(value, Obj):
        out: dict[str, Any] = {}
        for k, v in value:
            v = to_plain(v)
            if isinstance(v, dict) and isinstance(out.get(k), dict):
                out[k] = _merge(out[k], v)
            else:
                out[k] = v
        return out
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def flatten(d: dict, prefix: str = "") -> dict:
    """`{"job": {"mode": "BATCH"}}` -> `{"job.mode": "BATCH"}` (env blocks: SeaTunnel reads env keys as paths)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def job_config(text: str) -> dict:
    """A SeaTunnel HOCON job file as the JSON job config: `env` flattened to dotted keys; `source`,
    `transform`, `sink` blocks (`Name { ... }`) as arrays of plugin objects with `plugin_name`, in order,
    repeated plugin names kept as separate plugins."""
    tree = parse(text)
    cfg: dict[str, Any] = {}
    for key, value in tree:
        if key in ("source", "transform", "sink") and isinstance(value, Obj):
            plugins = cfg.setdefault(key, [])
            for name, body in value:
                if not isinstance(body, Obj):
                    raise HoconError(f"{key}.{name} must be an object, e.g. {name} {{ ... }}")
                plugins.append({"plugin_name": name, **to_plain(body)})
        elif key == "env" and isinstance(value, Obj):
            cfg["env"] = {**cfg.get("env", {}), **flatten(to_plain(value))}
        else:
            plain = to_plain(value)
            cfg[key] = _merge(cfg[key], plain) if isinstance(plain, dict) and isinstance(cfg.get(key), dict) else plain
    return cfg


def dump(tree: Obj) -> str:
    """An `Obj` document as HOCON text that `parse` reads back to the same tree (keys quoted, values as JSON,
    repeated keys kept, in order)."""
    return "\n".join(f"{json.dumps(k, ensure_ascii=False)} = {_dump(v, 0)}" for k, v in tree) + "\n"


def _dump(value: Any, indent: int) -> str:
    if isinstance(value, Obj):
        if not value:
            return "{}"
        pad = "  " * (indent + 1)
        inner = "\n".join(f"{pad}{json.dumps(k, ensure_ascii=False)} = {_dump(v, indent + 1)}" for k, v in value)
        return "{\n" + inner + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v, indent) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def redacted(text: str, is_secret: Callable[[str], bool], mark: str) -> str | None:
    """`text` with the value of every field `is_secret` names (at any depth) replaced by `mark`, written back
    by `dump` when something was replaced (else `text` itself); None when `text` is not HOCON."""
    try:
        tree = parse(text)
    except HoconError:
        return None
    changed = [False]

    def walk(value: Any) -> Any:
        if isinstance(value, Obj):
            out = Obj()
            for k, v in value:
                if is_secret(k) and v not in (None, ""):
                    out.append((k, mark))
                    changed[0] = True
                else:
                    out.append((k, walk(v)))
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    hidden = walk(tree)
    return dump(hidden) if changed[0] else text
