"""JSON Schemas from schemas/, loaded and compiled once, and one structured error for a failed check.

Schemas are named `<provider>/<file stem>` (e.g. `bacalhau/job-submit.request`). `$ref`s between files of a
provider resolve by file name. jsonschema is imported on first use so start-up does not pay for it.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from .errors import ApiError

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "schemas"
_PKG_SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def schema_dir() -> Path:
    """Where schemas/ lives: the source tree's top level, or inside the installed package."""
    return SCHEMA_DIR if SCHEMA_DIR.is_dir() else _PKG_SCHEMA_DIR


@cache
def load_schema(name: str) -> dict:
    path = schema_dir() / f"{name}.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource

    resources = []
    base = schema_dir()
    for path in sorted(base.rglob("*.json")):
        rel = path.relative_to(base).as_posix()
        with open(path, encoding="utf-8") as fh:
            contents = json.load(fh)
        resources.append((rel, Resource.from_contents(contents, default_specification=_draft())))
    return Registry().with_resources(resources)


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
    pattern = _SURROGATE_BYTES if isinstance(raw, (bytes, bytearray)) else _SURROGATE_TEXT
    if pattern.search(raw) is None:
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


def bad_text(text: str) -> str | None:
    """Why `text` (a path segment or header value) cannot be taken: a control character or text that
    cannot be encoded; None when it is fine."""
    if _CONTROL.search(text):
        return "contains a control character"
    if _LONE_SURROGATE.search(text):
        return "is not valid UTF-8"
    return None
