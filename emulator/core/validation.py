"""JSON Schemas from the package `emulator.schemas`, loaded and compiled once, and one structured error for a
failed check.

The schemas live in schemas/ at the top of the source tree; setup.py maps that folder to the package
`emulator.schemas`, so a wheel, an sdist build and an editable install all find them through
importlib.resources. Schemas are named `<provider>/<file stem>` (e.g. `bacalhau/job-submit.request`). `$ref`s
between files of a provider resolve by file name. jsonschema is imported on first use so start-up does not
pay for it. `require(names)` checks at start-up that every schema the routes name can be loaded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ApiError

SCHEMA_PACKAGE = "emulator.schemas"


class SchemasMissing(ValueError):
    """The JSON Schemas (or some of them) cannot be loaded: the emulator cannot validate requests and must not
    start. The message is one line naming what is missing."""


@cache
def schema_dir() -> Path:
    """The folder of the installed package `emulator.schemas` (the source tree's schemas/)."""
    try:
        root = resources.files(SCHEMA_PACKAGE)
    except ModuleNotFoundError:
        raise SchemasMissing(f"JSON Schemas missing: the package {SCHEMA_PACKAGE} is not installed (reinstall "
                             "job-api-emulator; from a source checkout: pip install -e .)") from None
    path = Path(str(root))
    if not path.is_dir():  # e.g. imported from a zip archive: the loaders below read plain files
        raise SchemasMissing(f"JSON Schemas missing: {SCHEMA_PACKAGE} is not a folder on disk ({root})")
    return path


# schema folder name (a provider key) -> a folder outside the package holding that provider's schemas
_FOLDERS: dict[str, Path] = {}


def mount(name: str, folder: Path) -> None:
    """Serve the schemas named `<name>/<stem>` from `folder` (`<folder>/<stem>.json`) instead of the package's
    schemas/<name>/: a provider defined outside the package brings its own. Compiled validators are rebuilt."""
    folder = Path(folder)
    if _FOLDERS.get(name) == folder:
        return
    _FOLDERS[name] = folder
    _forget()


def unmount(name: str) -> None:
    """Undo `mount(name, ...)`."""
    if _FOLDERS.pop(name, None) is not None:
        _forget()


def _forget() -> None:
    load_schema.cache_clear()
    validator.cache_clear()
    _registry.cache_clear()


def schema_folder(name: str) -> Path:
    """Where the schemas `<name>/...` live: a mounted folder, else the package's schemas/<name>/."""
    return _FOLDERS.get(name) or schema_dir() / name


@cache
def load_schema(name: str) -> dict:
    """The parsed schema file `name` (`<provider>/<file stem>`); SchemasMissing if it is absent or broken."""
    folder, _, stem = name.partition("/")
    path = schema_folder(folder) / f"{stem}.json"
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise SchemasMissing(f"JSON Schema {name} missing: {path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise SchemasMissing(f"JSON Schema {name} cannot be read from {path}: {exc}") from None


def require(names: Iterable[str]) -> None:
    """Load every schema in `names` and every file they `$ref`, or raise SchemasMissing naming the missing
    ones in one line. Called when the application is built, so an emulator that cannot validate never
    starts (and never reports itself healthy)."""
    todo, seen, missing = sorted(set(names)), set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            schema = load_schema(name)
        except SchemasMissing as exc:
            missing.append((name, str(exc)))
            continue
        todo.extend(_file_refs(schema, name) - seen)
    if len(missing) == 1:
        raise SchemasMissing(missing[0][1])
    if missing:
        names_ = ", ".join(sorted(n for n, _ in missing))
        raise SchemasMissing(f"{len(missing)} JSON Schemas missing from {schema_dir()}: {names_}")


def ref_name(name: str, target: str) -> str:
    """The schema name a relative file reference `target` (e.g. `../control/clock.response.json`) in schema
    `name` points at."""
    parts: list[str] = []
    for part in (PurePosixPath(name).parent / target).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    joined = "/".join(parts)
    return joined[:-len(".json")] if joined.endswith(".json") else joined


def _file_refs(node: Any, name: str) -> set[str]:
    """Names of the schema files `node` (part of schema `name`) refers to with relative `$ref`s."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            target = ref.partition("#")[0] if isinstance(ref, str) else ""
            if target.endswith(".json") and "://" not in target:
                found.add(ref_name(name, target))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource

    entries = []
    base = schema_dir()
    files = [(p.relative_to(base).as_posix(), p) for p in sorted(base.rglob("*.json"))
             if p.relative_to(base).parts[0] not in _FOLDERS]
    for name, folder in sorted(_FOLDERS.items()):
        files += [(f"{name}/{p.relative_to(folder).as_posix()}", p) for p in sorted(folder.rglob("*.json"))]
    for rel, _ in files:
        entries.append((rel, Resource.from_contents(load_schema(rel[:-len(".json")]),
                                                    default_specification=_draft())))
    return Registry().with_resources(entries)


def _draft() -> Any:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


@cache
def validator(name: str) -> Any:
    """A compiled Draft 2020-12 validator for schema `name`."""
    from jsonschema import Draft202012Validator

    schema = dict(load_schema(name))
    schema.setdefault("$id", f"{name}.json")
    return Draft202012Validator(schema, registry=_registry(), format_checker=None)


def field_path(path: Any) -> str:
    """`Job.Tasks[0].Name` from a jsonschema error path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def errors_of(name: str, instance: Any) -> list[tuple[str, str]]:
    """Every violation of schema `name` as (field, message), most specific first."""
    found = []
    for err in sorted(validator(name).iter_errors(instance), key=lambda e: (list(e.absolute_path), e.message)):
        path = list(err.absolute_path)
        if err.validator == "required":
            # name the missing field itself, not its parent
            missing = err.message.split("'")[1] if "'" in err.message else ""
            path = [*path, missing] if missing else path
            msg = f"{field_path(path)} is required"
        elif err.validator == "additionalProperties":
            msg = err.message
        else:
            where = field_path(path) or "body"
            msg = f"{where}: {err.message}"
        found.append((field_path(path), msg))
    return found


def check(name: str, instance: Any) -> None:
    """Raise one ApiError('invalid') naming the first offending field when `instance` breaks `name`."""
    errs = errors_of(name, instance)
    if errs:
        fld, msg = errs[0]
        raise ApiError("invalid", msg, field=fld or None, details=[{"field": f, "message": m} for f, m in errs])


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text} is out of range")
    return value


def parse_json(raw: bytes | str) -> Any:
    """Decode a request body, or raise ApiError('invalid') saying where the JSON breaks. NaN, Infinity and
    numbers beyond a double's range are refused (strict JSON has none of them), and so is nesting too deep
    to walk, and text that cannot be encoded again (a lone UTF-16 surrogate)."""
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise ApiError("invalid", "request body is nested too deeply", field="body") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError("invalid", f"request body is not valid JSON: {exc}", field="body") from None
    check_text(raw, value)
    return value


# A surrogate can only enter through a \uD800-\uDFFF escape or (bytes decoded with surrogatepass, as
# json.loads does) its raw UTF-8 form, so the walk below runs only for bodies containing one of those.
_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_text(raw: bytes | str, value: Any) -> None:
    """Raise ApiError('invalid') naming the first field of `value` (decoded from `raw`) whose text cannot be
    encoded as UTF-8; such a value, once stored, would make every later read of it fail."""
    found = _SURROGATE_BYTES.search(raw) if isinstance(raw, (bytes, bytearray)) else _SURROGATE_TEXT.search(raw)
    if found is None:
        return
    where = unencodable(value)
    if where is not None:
        raise ApiError("invalid", f"{where or 'body'}: text is not valid Unicode (a lone surrogate)",
                       field=where or "body")


def unencodable(value: Any, path: str = "") -> str | None:
    """The path (`a.b[2]`) of the first string, key or value, in `value` that UTF-8 cannot encode, else None."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return where
        elif isinstance(item, dict):
            for k, v in item.items():
                sub = f"{where}.{k}" if where else str(k)
                if isinstance(k, str) and _LONE_SURROGATE.search(k):
                    return where or "body"
                stack.append((sub, v))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# what bad_text refuses, in one search: the request pipeline tries it on every path segment
UNUSABLE_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# The JSON Schema of what a path parameter can be: one non-empty segment without C0 controls or DEL (which
# bad_text refuses) and without braces (which the router never matches): what the OpenAPI documents say of
# every path parameter a route does not narrow.
PATH_TEXT: dict = {"type": "string", "minLength": 1, "pattern": "^[^\\u0000-\\u001f\\u007f{}]+$"}


# How query booleans are spelled (any case): clients send true/True/1, and some an empty value for false
TRUE_TEXT = ("true", "1", "yes", "y", "t")
FALSE_TEXT = ("false", "0", "no", "n", "f", "")


def is_blank(raw: bytes) -> bool:
    """No body: nothing but JSON's own whitespace (a form feed is not one, so it is a malformed body)."""
    return not raw.strip(b" \t\r\n")


def anycase_pattern(words: Iterable[str], *, padded: bool = False) -> str:
    """A JSON Schema pattern matching exactly one of `words` in any letter case (JSON Schema has no
    case-insensitive flag); `padded` also allows the surrounding whitespace str.strip() removes."""
    def letters(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.upper() != c.lower()
                       else ("\\" + c if c in ".^$*+?()[]{}|\\/" else c) for c in word)
    body = "|".join(letters(w) for w in words)
    pad = "\\s*" if padded else ""
    return f"^{pad}(?:{body}){pad}$"


def bad_text(text: str) -> str | None:
    """Why `text` (a path segment or header value) cannot be taken: a control character or text that
    cannot be encoded; None when it is fine."""
    if _CONTROL.search(text):
        return "contains a control character"
    if _LONE_SURROGATE.search(text):
        return "is not valid UTF-8"
    return None
