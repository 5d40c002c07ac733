"""What a request leaves behind besides its answer: its journal entry (opened on arrival, completed on
reply), its log line, and the session's coverage of the states and errors the answer showed."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from ..core.faults import FaultRule
from ..core.store import Job
from ..kit import Call, Reply

log = logging.getLogger("emulator")


def plain_path(request: web.Request) -> str:
    """The request path without a /_session/{key} prefix."""
    key = request.match_info.get("_session")
    return request.path[len(key) + 10:] if key else request.path


def job_of(call: Call) -> str | None:
    """The job a provider request is about, as its provider finds it (the control API's calls name none)."""
    return call.provider.job_id_of(call) if call.provider is not None else None


def journal_arrival(call: Call) -> dict | None:
    """Journal a request when it arrives, so it precedes the transitions it causes; completed on reply."""
    request = call.request
    journal = call.session.journal
    if not journal.capacity:
        return None
    return journal.request(call.session.clock.now_ns(), call.provider.key if call.provider else None,
                           request.method, plain_path(request), request.query_string, request.raw_headers)


def journal_done(call: Call, entry: dict | None, reply: Reply, fault: FaultRule | None) -> None:
    # whole microseconds over a thousand: the milliseconds to three places; round(x, 3) on the float was 2 % of
    # a served status poll (py-spy, wrk at 64 connections)
    elapsed_ms = (time.perf_counter_ns() - call.started) // 1000 / 1000
    job = call.job_id or job_of(call)  # (the id the handler resolved, the usual case, without a call)
    if entry is not None:
        journal = call.session.journal
        if call.raw:
            journal.add_body(entry, call.raw)
        entry["status"] = reply.status
        entry["duration_ms"] = elapsed_ms
        entry["job"] = job
        if fault is not None:
            entry["fault"] = fault.id
        journal.publish(entry)  # complete: status, body, job
    if log.isEnabledFor(logging.INFO):
        log.info("request method=%s path=%s status=%d ms=%.2f provider=%s job=%s session=%s", call.request.method,
                 plain_path(call.request), reply.status, elapsed_ms, call.provider.key if call.provider else "-",
                 job or "-", call.session.key)


def cover(call: Call[Any], reply: Reply, read: Job | None, error: str | None,
          fault: FaultRule | None) -> None:
    """Feed the session's coverage with what this response showed the client: the state of the job it read
    (or of the jobs a list or history showed), the error kind it answered, the fault it carried."""
    session = call.session
    provider = call.provider
    key = provider.key
    if fault is not None:
        session.coverage.fault(key, f"status {fault.status}" if fault.status else "latency")
    if error is not None and (fault is None or not fault.status):
        session.coverage.error(key, error)
    if reply.status >= 400:
        return
    if read is not None:
        session.shown(read, provider.shown_state(read), read=True)
    if call.shown:
        for item in call.shown:
            if isinstance(item, tuple):
                session.shown(item[0], item[1])
            else:
                session.shown(item, provider.shown_state(item))
