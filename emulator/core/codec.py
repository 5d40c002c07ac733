"""The one codec between the engine's live state and JSON: values (bytes, sets, provider state objects),
random generator states, and a provider's jobs. `/_emulator/snapshot`, the `--state-file` and the sandbox
preload all encode and decode through here, so a job or a provider's state has one JSON form everywhere.

A snapshot may name classes to rebuild (`{"__dataclass__": "module:Class"}`, `{"__object__": ...}`); only
dataclasses and classes with `__restore__` from the emulator's core and from registered providers' packages
are ever imported (`allow_package`), so a document cannot make the server import or call anything else.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .lifecycle import Graph
from .store import Job

if TYPE_CHECKING:
    from .store import JobStore

# Module prefixes whose classes a document may name; the provider registry adds each provider's package.
_PACKAGES: set[str] = {"emulator.core", "emulator.providers"}


def allow_package(package: str) -> None:
    """Let documents name restorable classes of modules under `package` (a provider's package)."""
    _PACKAGES.add(package.rstrip("."))


def disallow_package(package: str) -> None:
    """Undo `allow_package` (a provider registered for a while, as tests do)."""
    _PACKAGES.discard(package.rstrip("."))


# --- values ---------------------------------------------------------------------------------------------------
def to_json(value: Any) -> Any:
    """JSON-safe copy: bytes become {"__bytes__": base64}, sets {"__set__": [...]}, a dataclass instance
    {"__dataclass__": "module:Class", "fields": {...}}, an object with `__snapshot__()`
    {"__object__": "module:Class", "state": ...} (providers keep per-session state in such objects)."""
    if hasattr(value, "__snapshot__") and not isinstance(value, type):
        cls = type(value)
        return {"__object__": f"{cls.__module__}:{cls.__qualname__}", "state": to_json(value.__snapshot__())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        return {"__dataclass__": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (set, frozenset)):
        return {"__set__": sorted(to_json(v) for v in value)}
    return value


def restorable_class(path: str) -> type:
    """The class a document names (`module:Class`): only a dataclass or a class with `__restore__`, from the
    emulator's core or a registered provider. Anything else (a function, a class that writes files...) is
    refused with ValueError."""
    module, _, name = path.partition(":")
    inside = any(module == p or module.startswith(p + ".") for p in _PACKAGES)
    if not inside or not name.isidentifier():
        raise ValueError(f"snapshot names a class outside the emulator: {path}")
    try:
        cls = getattr(importlib.import_module(module), name, None)
    except ImportError:
        raise ValueError(f"snapshot names {path}, whose module does not exist") from None
    if not isinstance(cls, type) or not (dataclasses.is_dataclass(cls) or hasattr(cls, "__restore__")):
        raise ValueError(f"snapshot names {path}, which is not restorable state")
    return cls


def from_json(value: Any, session: Any = None) -> Any:
    """Inverse of to_json. Objects saved through `__snapshot__()` are rebuilt by their class's
    `__restore__(state, session)`, after the session's jobs are back (they may refer to jobs)."""
    if isinstance(value, dict):
        if set(value) == {"__object__", "state"}:
            cls: Any = restorable_class(value["__object__"])
            return cls.__restore__(from_json(value["state"], session), session)
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        if set(value) == {"__set__"}:
            return {from_json(v, session) for v in value["__set__"]}
        if set(value) == {"__dataclass__", "fields"}:
            cls = restorable_class(value["__dataclass__"])
            return cls(**{k: from_json(v, session) for k, v in value["fields"].items()})
        return {k: from_json(v, session) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v, session) for v in value]
    return value


def class_names(value: Any, where: str) -> list[tuple[str, str]]:
    """(where, "module:Class") of every object an encoded fragment asks to rebuild (checked before a restore)."""
    found = []
    stack = [(where, value)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, dict):
            for marker in ("__dataclass__", "__object__"):
                if marker in item:
                    name = item[marker]
                    if not isinstance(name, str):
                        raise ValueError(f"{at}.{marker} must be a string, not {type(name).__name__}")
                    found.append((at, name))
            stack.extend((f"{at}.{k}", v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{at}[{i}]", v) for i, v in enumerate(item))
    return found


# --- random generators ----------------------------------------------------------------------------------------
def rng_to_json(rng: random.Random) -> list:
    """A generator's state as JSON: [version, [625 ints], gauss]."""
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def rng_from_json(rng: random.Random, data: list) -> None:
    """Put `rng` in the state `rng_to_json` wrote."""
    version, internal, gauss = data
    rng.setstate((version, tuple(internal), gauss))


# --- jobs -----------------------------------------------------------------------------------------------------
def encode_store(store: JobStore) -> dict:
    """A provider's jobs of one session: {"next_seq", "jobs": [job, ...]} in creation order."""
    return {"next_seq": store.next_seq, "jobs": [to_json(job.to_dict()) for job in store]}


def decode_job(raw: dict, graphs: dict[str, Graph], session: Any = None) -> Job:
    """One encoded job, on its provider's graph; ValueError for a graph not in `graphs`."""
    if raw["graph"] not in graphs:
        raise ValueError(f"job {raw['id']} uses graph {raw['graph']!r}, which is not one of {', '.join(graphs)}")
    return Job.from_dict(from_json(raw, session), graphs)


def restore_store(store: JobStore, block: dict, graphs: dict[str, Graph], session: Any = None) -> list[Job]:
    """Put the jobs of an `encode_store` block into `store` (keeping their sequence numbers); returns them so
    the caller arms their timers."""
    jobs = [decode_job(raw, graphs, session) for raw in block["jobs"]]
    for job in jobs:
        store.restore(job)
    store.continue_from(int(block["next_seq"]))
    return jobs


def arm(session: Any, jobs: Iterable[Job]) -> None:
    """Schedule the pending timer of each restored job on the session's heap."""
    for job in jobs:
        if job.timer is not None:
            session.scheduler.schedule(job, job.timer[0])
