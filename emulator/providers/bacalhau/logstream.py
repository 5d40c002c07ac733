"""The job log stream of v1.3+ (`GET /api/v1/orchestrator/jobs/{id}/logs`, a WebSocket, what `bacalhau job
logs` reads): one text message per output line, `{"value": {"Type": 1, "Line": "hello\\n"}}` (Type 1 stdout,
2 stderr), or one `{"error": "...", "value": {"Type": 0, "Line": ""}}` when the logs cannot be read; the
server then closes normally.

An emulated execution writes its output when it ends (what its RunOutput shows), so a stream sends the lines
of an ended execution at once; with `follow` it waits for a running one to end on the session's clock (woken
by the job's transitions, never by polling the manual clock) and then sends them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator

from ...core.clock import NS
from ...core.session import Session
from ...core.store import Job
from . import model
from .lifecycle import EX_CANCELLED, EX_COMPLETED, EX_FAILED
from .state import BacalhauState

STDOUT, STDERR = 1, 2
ENDED = (EX_COMPLETED, EX_FAILED, EX_CANCELLED)


def message(kind: int, line: str) -> str:
    return json.dumps({"value": {"Type": kind, "Line": line}}, separators=(",", ":"))


def error_message(text: str) -> str:
    return json.dumps({"error": text, "value": {"Type": 0, "Line": ""}}, separators=(",", ":"))


async def only_error(text: str) -> AsyncGenerator[str, None]:
    yield error_message(text)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) if text else []


def execution(job: Job, now_ns: int, execution_id: str | None) -> dict | None:
    """The execution a stream follows: the one asked for (full id or prefix), else the job's first."""
    execs = model.executions_wire(job, now_ns)
    if execution_id:
        return next((e for e in execs if e["ID"].startswith(execution_id)), None)
    return execs[0] if execs else None


async def stream(session: Session, state: BacalhauState, job: Job, execution_id: str | None,
                 follow: bool) -> AsyncGenerator[str, None]:
    """The messages of one execution's log; see the module docstring. `state` is the session's Bacalhau
    state, whose transition hook sets the stream's event when the job moves."""
    changed = state.watch(job.id)
    try:
        while True:
            session.tick()
            ex = execution(job, session.clock.now_ns(), execution_id)
            if ex is None:
                yield error_message(f"execution {execution_id} not found in job {job.id}")
                return
            if ex["ComputeState"]["StateType"] in ENDED:
                out = ex["RunOutput"] or {}
                for line in _lines(out.get("stdout") or ""):
                    yield message(STDOUT, line)
                for line in _lines(out.get("stderr") or ""):
                    yield message(STDERR, line)
                return
            if not follow:
                return
            changed.clear()
            await _until_changed(session, job, changed)
    finally:
        state.unwatch(job.id, changed)


async def _until_changed(session: Session, job: Job, changed: asyncio.Event) -> None:
    """Wait for the job's next transition. On the manual clock only a control call moves time, and its
    transitions wake the event; on the real and scaled clocks the job's own timer is also waited for (in wall
    time, at the clock's speed), since no request may come to apply it."""
    clock = session.clock
    timeout = None
    if clock.mode != "manual" and job.timer is not None:
        timeout = max(0.0, (job.timer[0] - clock.now_ns()) / NS / clock.speed)
    try:
        await asyncio.wait_for(changed.wait(), timeout)
    except TimeoutError:
        pass
