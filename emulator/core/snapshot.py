"""Export and import a whole session as one JSON document: jobs (with their timers and history), each
provider's per-session state, the clock, every random generator's state, scenarios and faults. After an
import the same requests give the same responses.

The document carries `"format": "job-emulator-snapshot"` and an integer `version` (VERSION). Documents of an
earlier version are migrated on import (MIGRATIONS, one step per version), so a snapshot or state file
written by the previous release restores; a newer or unknown version is refused naming the versions this
release reads. Values are encoded by core/codec.py, which the sandbox preload uses too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from . import codec
from .clock import Clock
from .faults import FaultBook
from .lifecycle import Graph
from .scenarios import ScenarioBook
from .session import Session

FORMAT = "job-emulator-snapshot"
VERSION = 2


# --- versions -------------------------------------------------------------------------------------------------
# Every document this module and the sandbox write is versioned the same way: `format` names the kind
# (FORMAT here, the sandbox's own name for its files) and `version` the layout.
def _from_1(doc: dict, fmt: str) -> dict:
    """Version 1 -> 2: the version moves to its own field, provider state `extras` is called `state`."""
    out = {"format": fmt, "version": 2, **{k: v for k, v in doc.items() if k not in ("format", "extras")}}
    if "extras" in doc:
        out["state"] = doc["extras"]
    return out


# version -> the function that turns a document of that version into one of the next version
MIGRATIONS: dict[int, Callable[[dict, str], dict]] = {1: _from_1}
SUPPORTED = (*sorted(MIGRATIONS), VERSION)


def version_of(doc: Any, fmt: str = FORMAT) -> int:
    """The version of a document of kind `fmt` (a snapshot, a state file, a sandbox file); ValueError
    naming the supported versions when it is not one this release reads."""
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    if doc.get("format") == f"{fmt}/1" and "version" not in doc:  # version 1 named its version in `format`
        return 1
    if doc.get("format") != fmt:
        raise ValueError(f"format: {doc.get('format')!r} is not {fmt!r} (with a version) or {fmt + '/1'!r}")
    version = doc.get("version")
    if isinstance(version, bool) or version not in SUPPORTED:
        raise ValueError(f"version: {fmt} version {version!r} is not supported; this release reads versions "
                         f"{', '.join(map(str, SUPPORTED))} (a newer emulator may have written it)")
    return version


def upgrade(doc: dict, fmt: str = FORMAT) -> dict:
    """`doc` migrated to the current VERSION (the same object when it already is)."""
    version = version_of(doc, fmt)
    while version < VERSION:
        doc = MIGRATIONS[version](doc, fmt)
        version += 1
    return doc


# --- one session ----------------------------------------------------------------------------------------------
def export(session: Session) -> dict:
    """The session as one JSON-safe document of the current version."""
    ids = session.ids.state()
    return {
        "format": FORMAT,
        "version": VERSION,
        "session": session.key,
        "seed": session.seed,
        "clock": session.clock.to_dict(),
        "rng": ids["rng"],
        "ids": {"flake_seq": ids["flake_seq"]},
        "jitter": session.jitter,
        "transitions": session.transitions,
        "jobs": {key: codec.encode_store(store) for key, store in session.stores.items()},
        "state": {key: codec.to_json(value) for key, value in provider_states(session).items()},
        "scenarios": session.scenarios.to_dict(),
        "faults": session.faults.to_dict(),
    }


def provider_states(session: Session) -> dict[str, Any]:
    """Each provider's per-session state as its provider snapshots it, by provider key (what the
    document's `state` holds, before encoding)."""
    return session.export_states()


def install_states(session: Session, states: dict[str, Any]) -> None:
    """Give the session its providers' states back (decoded; after its jobs: a state may refer to them)."""
    session.import_states(states)


def restore(session: Session, data: dict, graphs: dict[str, dict[str, Graph]]) -> None:
    """Replace the session's state with a snapshot of any supported version. `graphs` maps provider key ->
    graph name -> Graph."""
    data = upgrade(data)
    session.reset()
    session.seed = data["seed"]
    session.clock = Clock.from_dict(data["clock"])
    session.ids.set_state({"rng": data["rng"], "flake_seq": data["ids"]["flake_seq"]})
    session.jitter = data.get("jitter", session.jitter)
    session.transitions = data.get("transitions", 0)
    session.scenarios = ScenarioBook.from_dict(data["scenarios"])
    session.faults = FaultBook.from_dict(data["faults"])
    jobs = []
    for key, block in data["jobs"].items():
        if key not in graphs:
            raise ValueError(f"snapshot holds jobs of provider {key!r}, which is not enabled")
        jobs += codec.restore_store(session.store(key), block, graphs[key])
    session.rearm_all(jobs)
    install_states(session, {key: codec.from_json(value, session) for key, value in data["state"].items()})


def build(session: Session, data: Any, graphs: dict[str, dict[str, Graph]], *, schema_checked: bool = False
          ) -> Session:
    """`session` (fresh) holding snapshot `data` (any supported version), checked before and read back after
    the restore; raises ValueError naming what is wrong, and then nothing has been installed anywhere.
    `schema_checked`: the caller already validated `data` against control/snapshot.request."""
    from . import validation
    from .errors import ApiError
    from .snapshot_check import check

    if not schema_checked:
        try:
            validation.check("control/snapshot.request", data)
        except ApiError as err:
            raise ValueError(err.message) from None
    data = upgrade(data)
    check(data, graphs)
    try:
        restore(session, data, graphs)
        session.clock.describe()
        session.tick()
    except (KeyError, ValueError, TypeError, OverflowError, AttributeError, IndexError) as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    return session


# --- the state file -------------------------------------------------------------------------------------------
def save_file(sessions: Any, path: str) -> None:
    """Write every session to `path` (atomically: a crash never leaves half a file)."""
    doc = {"format": FORMAT, "version": VERSION, "sessions": {s.key: export(s) for s in sessions}}
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, separators=(",", ":"))
    os.replace(tmp, path)


def load_file(sessions: Any, path: str, graphs: dict[str, dict[str, Graph]]) -> int:
    """Load the sessions saved in `path` (a missing file is a fresh start; a file of an earlier version is
    migrated session by session); returns how many were loaded."""
    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    try:
        version_of(doc)
    except ValueError as exc:
        raise ValueError(f"not a job-emulator state file: {exc}") from None
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
