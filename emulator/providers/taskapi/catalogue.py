"""The optional task catalogue: which `topic/task` pairs exist, their parameter JSON Schema, their typical
duration and the results they return.

Given as the provider option `catalogue`: a JSON object (text, a path to a JSON file, or an already parsed
mapping from a config file), keyed `"topic/task"`:

    {"geostatistics/kriging": {
        "parameters": {"type": "object", "required": ["source"], "properties": {...}},   # JSON Schema 2020-12
        "duration": 30,                  # seconds `in progress` (default 10)
        "results": {"message": "..."},   # returned as-is when the job succeeds (default: generated)
        "description": "Ordinary kriging", "display_name": "Kriging", "version": "1.2.0"}}  # for the listing

Without a catalogue every `topic/task` is accepted with any parameters object.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.lifecycle import Graph
from .lifecycle import DEFAULT_RUN_SECONDS, make_graph


class CatalogueError(ValueError):
    """A catalogue that cannot be used; raised at start-up with a message naming the task at fault."""


@dataclass(frozen=True)
class Task:
    """One catalogue entry, its parameter validator compiled once at start-up."""

    key: str
    parameters: dict | None
    duration: float
    results: Any
    description: str
    graph: Graph
    validator: Any = None
    version: str = "1.0.0"
    display_name: str = ""


def _load_raw(value: Any) -> Mapping[str, Any]:
    if value in (None, ""):
        return {}
    if isinstance(value, Mapping):
        return value
    text = str(value).strip()
    if not text.startswith(("{", "[")):
        # a path: read once at start-up, never again
        try:
            with open(os.path.expanduser(text), encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise CatalogueError(f"taskapi catalogue: cannot read {text}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogueError(f"taskapi catalogue is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise CatalogueError("taskapi catalogue must be a JSON object keyed 'topic/task'")
    return data


def load_catalogue(value: Any) -> dict[str, Task]:
    """Parse and check the catalogue option; a bad catalogue is a start-up error (ValueError) naming the task."""
    raw = _load_raw(value)
    if not raw:
        return {}  # no catalogue: start-up does not pay for importing jsonschema
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    tasks: dict[str, Task] = {}
    for key, entry in raw.items():
        parts = key.split("/")
        if len(parts) != 2 or not all(parts):
            raise CatalogueError(f"taskapi catalogue: key {key!r} must be 'topic/task'")
        if not isinstance(entry, Mapping):
            raise CatalogueError(f"taskapi catalogue: {key} must be an object")
        params = entry.get("parameters")
        validator = None
        if params is not None:
            if not isinstance(params, Mapping):
                raise CatalogueError(f"taskapi catalogue: {key}.parameters must be a JSON Schema object")
            try:
                Draft202012Validator.check_schema(params)
            except SchemaError as exc:
                raise CatalogueError(f"taskapi catalogue: {key}.parameters is not a valid JSON Schema: "
                                 f"{exc.message}") from None
            validator = Draft202012Validator(dict(params))
        try:
            duration = float(entry.get("duration", DEFAULT_RUN_SECONDS))
        except (TypeError, ValueError):
            raise CatalogueError(f"taskapi catalogue: {key}.duration must be a number of seconds") from None
        if duration < 0:
            raise CatalogueError(f"taskapi catalogue: {key}.duration must be >= 0")
        results = entry.get("results")
        if results is not None and not isinstance(results, Mapping):
            raise CatalogueError(f"taskapi catalogue: {key}.results must be an object")
        tasks[key] = Task(key=key, parameters=dict(params) if params is not None else None, duration=duration,
                          results=results, description=str(entry.get("description", "")),
                          graph=make_graph(f"taskapi-task:{key}", duration), validator=validator,
                          version=str(entry.get("version", "1.0.0")),
                          display_name=str(entry.get("display_name") or parts[1].replace("-", " ").title()))
    return tasks


def invalid_parameters(task: Task, parameters: Any) -> list[dict[str, str]]:
    """Each violation of the task's parameter schema as an RFC 7807 `invalid-params` entry
    (`name` is the path inside the request body, e.g. `parameters.search.max_samples`)."""
    if task.validator is None:
        return []
    out = []
    for err in sorted(task.validator.iter_errors(parameters), key=lambda e: (list(e.absolute_path), e.message)):
        path = ["parameters", *[str(p) if not isinstance(p, int) else f"[{p}]" for p in err.absolute_path]]
        if err.validator == "required" and "'" in err.message:
            path.append(err.message.split("'")[1])
            reason = "field required"
        else:
            reason = err.message
        name = ".".join(path).replace(".[", "[")
        out.append({"name": name, "reason": reason})
    return out
