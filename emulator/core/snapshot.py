"""Export and import a whole session as JSON: jobs (with their timers and history), provider state (uploaded
bundles, counters), the clock, every random generator's state, scenarios and faults. After an import the same
requests give the same responses."""

from __future__ import annotations

import base64
import dataclasses
import importlib
from typing import Any

from .clock import Clock
from .faults import FaultBook
from .lifecycle import Graph
from .scenarios import ScenarioBook
from .session import Session
from .store import Job

FORMAT = "job-emulator-snapshot/1"


def to_json(value: Any) -> Any:
    """JSON-safe copy: bytes become {"__bytes__": base64}, sets {"__set__": [...]}, a dataclass instance
    {"__dataclass__": "module:Class", "fields": {...}} (providers keep per-session state in dataclasses)."""
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


def _class(path: str) -> Any:
    """The class a snapshot names: only a dataclass or a class with `__restore__`, from the emulator's own
    core or providers. Anything else (a function, a class that writes files...) is refused."""
    module, _, name = path.partition(":")
    if not module.startswith(("emulator.providers.", "emulator.core.")) or not name.isidentifier():
        raise ValueError(f"snapshot names a class outside the emulator: {path}")
    try:
        cls = getattr(importlib.import_module(module), name, None)
    except ImportError:
        raise ValueError(f"snapshot names {path}, whose module does not exist") from None
    if not isinstance(cls, type) or not (dataclasses.is_dataclass(cls) or hasattr(cls, "__restore__")):
        raise ValueError(f"snapshot names {path}, which is not restorable state")
    return cls


def from_json(value: Any, session: Session | None = None) -> Any:
    """Inverse of to_json. Objects saved through `__snapshot__()` are rebuilt by their class's
    `__restore__(state, session)`, after the session's jobs are back (they may refer to jobs)."""
    if isinstance(value, dict):
        if set(value) == {"__object__", "state"}:
            return _class(value["__object__"]).__restore__(from_json(value["state"], session), session)
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        if set(value) == {"__set__"}:
            return {from_json(v, session) for v in value["__set__"]}
        if set(value) == {"__dataclass__", "fields"}:
            cls = _class(value["__dataclass__"])
            return cls(**{k: from_json(v, session) for k, v in value["fields"].items()})
        return {k: from_json(v, session) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v, session) for v in value]
    return value


def export(session: Session) -> dict:
    """The session as one JSON-safe document."""
    jobs = {}
    for key, store in session.stores.items():
        jobs[key] = {"next_seq": store._next_seq, "jobs": [to_json(j.to_dict()) for j in store]}
    st = session.rng.getstate()
    return {
        "format": FORMAT,
        "session": session.key,
        "seed": session.seed,
        "clock": session.clock.to_dict(),
        "rng": [st[0], list(st[1]), st[2]],
        "ids": {"flake_seq": session.ids._flake_seq},
        "jitter": session.jitter,
        "transitions": session.transitions,
        "jobs": jobs,
        "extras": to_json(session.export_states()),
        "scenarios": session.scenarios.to_dict(),
        "faults": session.faults.to_dict(),
    }


def restore(session: Session, data: dict, graphs: dict[str, dict[str, Graph]]) -> None:
    """Replace the session's state with a snapshot. `graphs` maps provider key -> graph name -> Graph."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a snapshot of format {FORMAT}")
    session.reset()
    session.seed = data["seed"]
    session.clock = Clock.from_dict(data["clock"])
    v, internal, gauss = data["rng"]
    session.rng.setstate((v, tuple(internal), gauss))
    session.ids._flake_seq = data["ids"]["flake_seq"]
    session.jitter = data.get("jitter", session.jitter)
    session.transitions = data.get("transitions", 0)
    session.scenarios = ScenarioBook.from_dict(data["scenarios"])
    session.faults = FaultBook.from_dict(data["faults"])
    all_jobs = []
    for key, block in data["jobs"].items():
        if key not in graphs:
            raise ValueError(f"snapshot holds jobs of provider {key!r}, which is not enabled")
        store = session.store(key)
        for raw in block["jobs"]:
            d = from_json(raw)
            d["history"] = [tuple(h) for h in d["history"]]
            job = Job.from_dict(d, graphs[key])
            store.restore(job)
            all_jobs.append(job)
        store._next_seq = max(store._next_seq, block["next_seq"])
    session.rearm_all(all_jobs)
    session.import_states(from_json(data["extras"], session))


def save_file(sessions: Any, path: str) -> None:
    """Write every session to `path` (atomically: a crash never leaves half a file)."""
    import json
    import os

    doc = {"format": FORMAT, "sessions": {s.key: export(s) for s in sessions}}
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, separators=(",", ":"))
    os.replace(tmp, path)


def load_file(sessions: Any, path: str, graphs: dict[str, dict[str, Graph]]) -> int:
    """Load the sessions saved in `path` (a missing file is a fresh start); returns how many were loaded."""
    import json
    import os

    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError("not a job-emulator state file")
    if not isinstance(doc.get("sessions"), dict):
        raise ValueError("it holds no sessions object")
    built = []
    for key, snap in doc["sessions"].items():
        try:
            built.append(build(sessions.factory(key), snap, graphs))
        except ValueError as exc:
            raise ValueError(f"session {key}: {exc}") from None
    for session in built:  # installed only once every session in the file loaded
        sessions.put(session)
    return len(built)


def build(session: Session, data: Any, graphs: dict[str, dict[str, Graph]], *, schema_checked: bool = False
          ) -> Session:
    """`session` (fresh) holding snapshot `data`, checked before and read back after the restore; raises
    ValueError naming what is wrong, and then nothing has been installed anywhere. `schema_checked`: the
    caller already validated `data` against control/snapshot.response."""
    from . import validation
    from .errors import ApiError
    from .snapshot_check import check

    if not schema_checked:
        try:
            validation.check("control/snapshot.response", data)
        except ApiError as err:
            raise ValueError(err.message) from None
    check(data, graphs)
    try:
        restore(session, data, graphs)
        session.clock.describe()
        session.tick()
    except (KeyError, ValueError, TypeError, OverflowError, AttributeError, IndexError) as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    return session
