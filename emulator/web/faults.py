"""Applying a fault rule the session's fault book chose for a request: its latency (wall time, what the client
feels), its dropped connection; an error status is rendered by the pipeline like any other error."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ..core.faults import FaultRule
from ..kit import Call
from .observe import job_of, plain_path


async def apply_fault(call: Call, fault: FaultRule) -> web.StreamResponse | None:
    """Sleep the rule's latency; close the connection when it says drop (returns the response to give up on)."""
    session = call.session
    request = call.request
    delay = session.faults.latency_s(fault)
    session.journal.record("fault", session.clock.now_ns(), provider=call.provider.key if call.provider else None,
                           rule=fault.id, method=request.method, path=plain_path(request),
                           job=job_of(call), status=fault.status, drop=fault.drop,
                           latency_ms=round(delay * 1000, 3))
    if delay:
        await asyncio.sleep(delay)  # injected latency is wall time by design: it is what the client feels
    if fault.drop:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=503)
    return None
