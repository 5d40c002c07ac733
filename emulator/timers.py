"""On-time transitions: one asyncio timer per session, armed for the session's earliest due transition.

On the real and scaled clocks a job must move when its transition falls due, not only when the next request
arrives, so that observers (the event stream, the dashboard) see it happen on time. Each session gets one
`loop.call_at` handle for the earliest live entry of its scheduler: when it fires, the session ticks and the
handle is re-armed for the next one. The scheduler calls back only when an entry is scheduled earlier than
the armed one, so a sweep of a million transitions does not re-arm a million times. On the manual and step
clocks nothing is armed: time moves only when told. There is never a task or a timer per job.

A backlog (a burst of transitions due at once, a scaled clock at high speed, a loop that fell behind) is
fired in slices of at most TICK_SLICE transitions, each in its own turn of the event loop: one wake-up fires
one slice and re-arms at once for the rest, and a request that finds more than a slice due (`catch_up`)
fires the rest slice by slice, yielding between slices, before it answers. An instant may be split between
slices here (unlike a manual clock's advance): the clock does not stand at the last instant fired, and any
read in between catches up to its own now first, so what it shows is still consistent.

The engine (core/) knows nothing of asyncio: it exposes `Scheduler.next_due()`, `Scheduler.armed` /
`on_earlier` and `Session.tick()` / `Session.wake`, and this module keeps time with them.
"""

from __future__ import annotations

import asyncio

from .core.clock import NS
from .core.scheduler import NEVER, UNARMED
from .core.session import ADVANCE_SLICE, Session, Sessions

TICK_SLICE = ADVANCE_SLICE  # transitions fired per turn of the event loop on the real and scaled clocks


class SessionTimer:
    """The one wake-up of one session; `wake()` re-arms it for the session's clock and earliest due time."""

    __slots__ = ("handle", "session")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.handle: asyncio.TimerHandle | asyncio.Handle | None = None
        session.wake = self.wake
        session.scheduler.on_earlier = self._earlier
        self.wake()

    def _earlier(self, due_ns: int) -> None:
        self.wake()

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def wake(self) -> None:
        """Cancel the armed wake-up and arm one for the earliest due transition (none on a still clock)."""
        session = self.session
        scheduler = session.scheduler
        self.cancel()
        if not self._live():
            return
        clock = session.clock
        if clock.still:
            scheduler.armed = NEVER
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no server running yet (a state file loaded at start-up): armed on start-up
            scheduler.armed = UNARMED
            return
        due = scheduler.next_due()
        if due is None:
            scheduler.armed = UNARMED
            return
        scheduler.armed = due
        delay = max(0.0, (due - clock.now_ns()) / NS / clock.speed)
        self.handle = loop.call_at(loop.time() + delay, self._fire)

    def _live(self) -> bool:
        # a dropped session, or one given a newer timer (its state rebuilt in place), ends this one
        return not self.session.retired and self.session.wake == self.wake

    def _fire(self) -> None:
        self.handle = None
        if not self._live():
            return
        self.session.tick(limit=TICK_SLICE, split=True)
        self.wake()  # the rest of a backlog: due already, so the next wake-up is the loop's next turn


async def catch_up(session: Session) -> int:
    """Before a request is served: apply every transition due at the session's now, TICK_SLICE at a time,
    letting the event loop serve other requests between slices; returns how many fired. A slice or less is
    applied without yielding (the usual case: nothing or a few due)."""
    size = TICK_SLICE
    target = session.clock.now_ns()  # the request's instant: a fast scaled clock never makes this endless
    fired = session.tick(limit=size, split=True, until_ns=target)
    total = fired
    while fired >= size:
        await asyncio.sleep(0)
        fired = session.tick(limit=size, split=True, until_ns=target)
        total += fired
    return total


def attach(session: Session) -> Session:
    """Give `session` its timer (a new session, or one whose state was rebuilt in place)."""
    SessionTimer(session)
    return session


def wake_all(sessions: Sessions) -> None:
    """Arm every session's timer (at start-up, once the event loop runs)."""
    for session in sessions:
        if session.wake is not None:
            session.wake()


def stop_all(sessions: Sessions) -> None:
    """Cancel every session's wake-up (at shutdown, so no callback outlives the server)."""
    for session in sessions:
        timer = getattr(session.wake, "__self__", None)
        if isinstance(timer, SessionTimer):
            timer.cancel()
