"""A session: one isolated world of jobs with its own clock, seed, scheduler and stores.

Everything a test can touch lives in a session, so reset, snapshot and isolation between parallel test
workers walk one structure. The default session serves clients that send no session key.

The lifecycle runtime lives here too: submitting a job, applying due transitions, commands, manual stepping
and advancing the clock. Providers call these; they never handle a timer.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from .clock import MAX_NS, NS, Clock
from .coverage import Coverage
from .errors import ApiError, CommandRefused
from .fates import MAX_FLAPS, MIN_FLAP_EVERY, Fate, LifecycleInput, decide, seconds  # noqa: F401  (bounds re-exported)
from .faults import FaultBook
from .ids import IdSource
from .journal import DEFAULT_MAX_BYTES as DEFAULT_JOURNAL_BYTES
from .journal import Journal
from .lifecycle import Graph
from .scenarios import ScenarioBook
from .scheduler import Scheduler
from .stepping import StepReads
from .store import Job, JobStore

_NONE: dict[str, float] = {}
DEFAULT_FAIL_AFTER = 1.0  # seconds in a state with no timed step before a scripted failure lands
# A clock advance fires at most this many transitions per slice; between slices the clock stands at the
# instant reached (reads stay consistent) and the server answers other requests. The real and scaled clocks'
# catch-up (the session's timer, or a request finding a backlog) fires at most this many per slice as well.
ADVANCE_SLICE = 10_000

TransitionHook = Callable[["Session", Job, str | None, str, int, str], None]


class Tenant(Protocol):
    """What the engine needs of a provider to keep its per-session state and call its one transition hook
    (emulator.kit.Provider meets it; core knows no provider)."""

    on_transition: TransitionHook | None

    def new_state(self, session: Session) -> Any: ...

    def state_to_snapshot(self, state: Any) -> Any: ...

    def state_from_snapshot(self, value: Any, session: Session) -> Any: ...


class Session:
    """Jobs, clock, seed and timers of one tenant of the emulator."""

    def __init__(self, key: str, *, seed: int = 0, clock: Clock | None = None,
                 durations: dict[str, dict[str, float]] | None = None, jitter: float = 0.0,
                 store_options: dict[str, dict] | None = None, journal_size: int = 10_000,
                 journal_bytes: int = DEFAULT_JOURNAL_BYTES, tenants: Mapping[str, Tenant] | None = None) -> None:
        self.key = key
        self.seed = seed
        self.clock = clock or Clock("real")
        self.rng = random.Random(seed)
        self.ids = IdSource(self.rng)
        self.scheduler = Scheduler()
        self.durations = durations or {}
        self.jitter = jitter
        self.store_options = store_options or {}
        self.stores: dict[str, JobStore] = {}
        # each provider's per-session state, made by its tenant on first use; its hook, for the providers that
        # have one (looked up per transition, so only those pay for it)
        self.tenants: Mapping[str, Tenant] = tenants or {}
        self._states: dict[str, Any] = {}
        self._hooks: dict[str, TransitionHook] = {k: t.on_transition for k, t in self.tenants.items()
                                                  if t.on_transition is not None}
        self.transitions = 0
        self._seed_text: tuple[int, str] | None = None
        self.scenarios = ScenarioBook()
        self.faults = FaultBook(seed=seed)
        self.journal = Journal(journal_size, journal_bytes)
        self.coverage = Coverage()
        self.step_reads = StepReads()
        # set by whoever keeps time for this session (the app's per-session timer): called after the clock
        # changed mode, speed or time, so a wake-up armed for the old clock is re-armed
        self.wake: Callable[[], None] | None = None
        self.retired = False  # dropped from (or replaced in) its Sessions: its timer stops

    # --- stores -------------------------------------------------------------------------------------------
    @property
    def seed_text(self) -> str:
        """The seed as every response's X-Emulator-Seed header carries it."""
        text = self._seed_text
        if text is None or text[0] != self.seed:
            text = self._seed_text = (self.seed, str(self.seed))
        return text[1]

    def store(self, provider: str) -> JobStore:
        st = self.stores.get(provider)
        if st is None:
            st = self.stores[provider] = JobStore(provider, **self.store_options.get(provider, {}))
        return st

    def state(self, provider: str) -> Any:
        """Provider `provider`'s state in this session, made by its tenant's `new_state` on first use (so a
        session no request of that provider touched holds none and snapshots none)."""
        try:
            return self._states[provider]
        except KeyError:
            pass
        tenant = self.tenants.get(provider)
        if tenant is None:
            raise KeyError(f"no provider {provider!r} in this session (providers: {', '.join(self.tenants)})")
        made = self._states[provider] = tenant.new_state(self)
        return made

    def export_states(self) -> dict[str, Any]:
        """Every provider state made so far, as each provider snapshots it (for the snapshot codec)."""
        return {k: self.tenants[k].state_to_snapshot(v) for k, v in self._states.items()}

    def import_states(self, values: Mapping[str, Any] | None) -> None:
        """Install provider states from a snapshot (`export_states`' output, decoded), after its jobs are back.
        ValueError naming the enabled providers for a state of one that is not enabled."""
        for key, value in (values or {}).items():
            tenant = self.tenants.get(key)
            if tenant is None:
                raise ValueError(f"snapshot holds state of provider {key!r}, which is not enabled "
                                 f"(enabled: {', '.join(self.tenants)})")
            if value is not None:
                self._states[key] = tenant.state_from_snapshot(value, self)

    def job_count(self) -> dict[str, int]:
        return {k: len(s) for k, s in self.stores.items()}

    def reset(self, provider: str | None = None) -> None:
        """Drop every job (of one provider, or all) and their timers; the clock and seed stay."""
        keys = [provider] if provider else list(self.stores)
        for k in keys:
            if k in self.stores:
                self.stores[k].clear()
            self._states.pop(k, None)
        if provider is None:
            self.scheduler.clear()
            self._states.clear()
            self.scenarios = ScenarioBook()
            self.faults = FaultBook(seed=self.seed)
            self.journal.clear()
            self.coverage.clear()
            self.step_reads.clear()
        else:
            self.coverage.providers.pop(provider, None)

    # --- time ---------------------------------------------------------------------------------------------
    def now_ns(self) -> int:
        return self.clock.now_ns()

    def tick(self, limit: int | None = None, *, split: bool = False, until_ns: int | None = None) -> int:
        """Apply every transition due at the clock's now (or at `until_ns`, if earlier), and expire finished
        jobs past retention. With `limit`, about that many: the rest of the last instant fired completes;
        with `split` too, at most `limit` (the real and scaled clocks' catch-up, see emulator.timers)."""
        now = self.clock.now_ns()
        if until_ns is not None and until_ns < now:
            now = until_ns
        fired = self.scheduler.run_due(now, self._fire, limit, split)
        for st in self.stores.values():
            if fired:
                st.settle()
            if st.retain_ns is not None:
                st.expire(now)
        return fired

    def advance(self, seconds: float) -> int:
        """Move the clock forward and apply what fell due, each transition at its own due time."""
        return sum(self.advance_in_slices(seconds))

    def advance_in_slices(self, seconds: float, size: int = ADVANCE_SLICE) -> Iterator[int]:
        """Advance the clock by `seconds` in slices of at most `size` transitions (plus the rest of the
        instant the slice ended in), yielding each slice's count. Between slices the clock stands at the last
        instant fired, so every transition due by then has been applied: a caller may serve reads there."""
        target = self.clock.now_ns() + round(seconds * NS)
        if seconds < 0 or target > MAX_NS:
            self.clock.advance(seconds)  # raises the clock's own ValueError
        while True:
            fired = self.scheduler.run_due(target, self._fire, limit=size)
            nxt = self.scheduler.next_due()
            if nxt is None or nxt > target:
                self.clock.advance_to(target)
                fired += self.tick()
                self.clock_changed()
                yield fired
                return
            self.clock.advance_to(self.scheduler.last_due)
            yield fired

    def advance_until(self, job: Job, state: str, max_seconds: float = 86_400 * 365) -> float:
        """Move the clock just far enough for `job` to reach `state`; returns the seconds moved.
        Raises ApiError('refused') when the job cannot get there by timers alone."""
        start = self.clock.now_ns()
        limit = start + int(max_seconds * NS)
        self.tick()
        moved = False
        try:
            for _ in range(100_000):
                if job.state == state:
                    return (self.clock.now_ns() - start) / NS
                if job.timer is None:
                    raise ApiError("refused", f"job {job.id} is {job.state} and has no pending transition; "
                                              f"it will not reach {state} unless a command moves it", field=job.id)
                due = job.timer[0]
                if due > limit:
                    raise ApiError("refused", f"job {job.id} would not reach {state} within {max_seconds:g} s",
                                   field=job.id)
                self.clock.advance_to(due)
                moved = True
                self.tick()
            raise ApiError("refused", f"job {job.id} did not reach {state}", field=job.id)
        finally:
            if moved:
                self.clock_changed()

    def clock_changed(self) -> None:
        """Journal the clock as it now is (mode, speed, time) after a change through the control API, and wake
        the session's timer so that it is armed for the new clock."""
        clock = self.clock
        self.journal.record("clock", clock.now_ns(), mode=clock.mode, speed=clock.speed)
        if self.wake is not None:
            self.wake()

    # --- reads (coverage and the step clock) ---------------------------------------------------------------
    def before_read(self, job: Job) -> None:
        """A client is about to read `job`'s state (on the step clock this may move time to its next step)."""
        if self.clock.mode == "step":
            self.step_reads.before_read(self, job)

    def shown(self, job: Job, state: str, read: bool = False) -> None:
        """A response the client received showed `job` in `state` (as the provider shows it); `read` when it
        was a read of that one job's state."""
        self.coverage.observed(job.provider, state)
        if read and self.clock.mode == "step":
            self.step_reads.after_read(job)

    # --- lifecycle ----------------------------------------------------------------------------------------
    def decide(self, provider: str, graph: Graph, header: str | None, body: Any,
               facts: dict[str, Any]) -> LifecycleInput:
        """The lifecycle input of a job of `graph` about to be submitted, decided once: its fate is the outcome
        header's (400 when it names a state the graph lacks), else the first scenario rule that matches
        `facts` / `body` and fits the graph, else none."""
        rules = self.scenarios.fate_for if self.scenarios.rules else None
        fate = decide(provider, graph, header, rules, body, facts)
        return LifecycleInput(provider, graph, fate, self.durations.get(provider, {}))

    def submit(self, provider: str, graph: Graph, job_id: str, spec: Any, *, data: Any = None,
               fate: Fate | None = None, initial: str | None = None) -> Job:
        """Create a job in the graph's initial state (or `initial`) and arm its first timer. Providers submit
        through `launch` with the input `decide` made; engine tests may give a graph and a fate directly."""
        now = self.clock.now_ns()
        job = Job(job_id, provider, graph, spec, data, fate, now)
        if initial is not None:
            job.state = initial
            job.history[0] = (now, None, initial, "")
        if job.terminal:
            job.finished_ns = now
        self.store(provider).add(job)
        hook = self._hooks.get(provider)
        if hook is not None:
            hook(self, job, None, job.state, now, "")
        self.journal.transition(provider, job_id, None, job.state, now, "")
        self._arm(job, now)
        return job

    def launch(self, lifecycle: LifecycleInput, job_id: str, spec: Any, *, data: Any = None,
               initial: str | None = None) -> Job:
        """Submit a job whose graph and fate are the ones `lifecycle` settled (see `decide`)."""
        return self.submit(lifecycle.provider, lifecycle.graph, job_id, spec, data=data, fate=lifecycle.fate,
                           initial=initial)

    def command(self, job: Job, name: str, message: str = "") -> str:
        """Apply lifecycle command `name` (stop, pause, ...) now; refused if the state does not allow it."""
        to = job.graph.commands.get(name, {}).get(job.state)
        self.coverage.command(job.provider, name, job.state, to is not None)
        if to is None:
            raise CommandRefused(name, job.id, job.state)
        self.move(job, to, self.clock.now_ns(), message)
        return to

    def allows(self, job: Job, name: str) -> bool:
        """Whether command `name` may run in the job's state; a provider that answers a refusal its own way
        (or ignores it) asks this first, so coverage still counts the refused command."""
        if job.graph.can(name, job.state):
            return True
        self.coverage.command(job.provider, name, job.state, False)
        return False

    def step(self, job: Job) -> str:
        """Apply the job's pending timed transition now (manual stepping)."""
        if job.timer is None:
            raise ApiError("refused", f"job {job.id} is {job.state} and has no pending transition", field=job.id)
        to, msg = job.timer[1], job.timer[2]
        if len(job.timer) > 3:  # a flap step
            job.flips += 1
        self.move(job, to, self.clock.now_ns(), msg)
        return to

    def set_state(self, job: Job, state: str, message: str = "") -> str:
        """Put the job in a named state now, whatever the graph says (manual stepping)."""
        st = job.graph.resolve_state(state)
        if st is None:
            raise ApiError("invalid", f"state {state!r} is not one of {', '.join(job.graph.states)}",
                           field="state")
        self.move(job, st, self.clock.now_ns(), message)
        return st

    def move(self, job: Job, to: str, t_ns: int, message: str = "") -> None:
        """Record a transition of `job` to `to` at `t_ns` and arm the timer out of the new state."""
        old = job.state
        timer = job.timer
        job.history.append((t_ns, old, to, message))
        job.state = to
        job.entered_ns = t_ns
        job.modified_ns = t_ns
        job.version += 1
        job.message = message
        if timer is not None and old in job.graph.resumable and to not in job.graph.terminal:
            # keep the unspent time of an interrupted state (pause/resume continues, it does not restart)
            left = job.data.setdefault("_left", {})
            left[old] = max(0, timer[0] - t_ns)
        job.finished_ns = t_ns if to in job.graph.terminal else None
        self.transitions += 1
        self.coverage.transition(job.provider, old, to)
        self.store(job.provider).moved(job, old)
        if self._hooks:
            hook = self._hooks.get(job.provider)
            if hook is not None:
                hook(self, job, old, to, t_ns, message)
        self.journal.transition(job.provider, job.id, old, to, t_ns, message)
        self._arm(job, t_ns)

    def duration(self, job: Job, state: str, default: float) -> float:
        """Seconds `job` spends in `state` (`fates.seconds`: the fate's, then configuration, then `default`),
        jittered unless the fate sets it."""
        fate = job.fate
        secs = seconds(fate, self.durations.get(job.provider, _NONE), state, default)
        if self.jitter and secs > 0 and (fate is None or state not in fate.durations):
            secs *= 1.0 + self.rng.uniform(-self.jitter, self.jitter)
        return secs

    def _arm(self, job: Job, t_ns: int) -> None:
        job.timer = None
        state = job.state
        graph = job.graph
        fate = job.fate
        step = graph.timed.get(state)
        target: str | None = None
        message = ""
        secs = 0.0
        flap = False
        if fate is not None and fate.kind != "succeed":
            if fate.kind == "hang" and fate.at == state:
                return
            if fate.kind == "flap" and ((state == fate.at and job.flips < 2 * fate.times)
                                        or (state == fate.to and job.flips % 2 == 1)):
                # once in `at`, go to `to` and back, `times` times, `every` seconds apart
                target = fate.to if state == fate.at else fate.at
                secs = fate.every
                flap = True
            elif fate.kind == "fail" and fate.at == state and state not in graph.terminal:
                target = fate.to or graph.failure_state(state)
                message = fate.message
                secs = self.duration(job, state, step.after if step else DEFAULT_FAIL_AFTER)
            elif fate.kind == "tour" and fate.path and state in fate.path[:-1]:
                target = fate.path[fate.path.index(state) + 1]
                if target == graph.failure_state(state) or target in graph.also_fails_to:
                    message = fate.message or f"scripted failure in {state} (tour)"
                secs = self.duration(job, state, step.after if step else DEFAULT_FAIL_AFTER)
            elif fate.kind == "fail" and step is not None and fate.at == step.to and step.to in graph.terminal:
                # failing "at" a terminal success state: fail instead of reaching it
                target = fate.to or graph.failure_state(state)
                message = fate.message
                secs = self.duration(job, state, step.after)
        if target is None:
            if step is None:
                return
            target = step.to
            secs = self.duration(job, state, step.after)
        left = job.data.get("_left") if graph.resumable else None
        due = t_ns + int(secs * NS)
        if left and state in left:
            due = t_ns + left.pop(state)
        # (due, to, message), plus a marker when the step is a flap's, so only those count as flips
        job.timer = (due, target, message, True) if flap else (due, target, message)
        self.scheduler.schedule(job, due)

    def _fire(self, job: Job, due_ns: int) -> None:
        timer = job.timer
        assert timer is not None  # the scheduler fires only jobs whose timer it holds (stale ones are skipped)
        if len(timer) > 3:
            job.flips += 1
        self.move(job, timer[1], due_ns, timer[2])

    # --- snapshot -----------------------------------------------------------------------------------------
    def rearm_all(self, jobs: Iterable[Job]) -> None:
        """Rebuild the heap from the jobs' own timers (after a snapshot import)."""
        self.scheduler.clear()
        for job in jobs:
            if job.timer is not None:
                self.scheduler.schedule(job, job.timer[0])


class Sessions:
    """Every session of one emulator process. The default session always exists; others are made by
    `create(key)` (POST /_emulator/sessions, or a request naming an unknown key when auto-creation is on).
    At most `limit` sessions are kept: creating one past that drops the least recently used session that
    holds no jobs (never the default); when every session holds jobs the creation is refused, so no job is
    ever dropped silently."""

    DEFAULT = "default"

    def __init__(self, factory: Callable[[str], Session], limit: int = 1000) -> None:
        self.factory = factory
        self.limit = max(limit, 1)
        self._all: dict[str, Session] = {}

    def get(self, key: str | None = None) -> Session:
        """The session `key` (the default one for None), created when missing."""
        if not key:  # (most requests) the default is never dropped, so its place in the recency order is moot
            s = self._all.get(self.DEFAULT)
            if s is not None:
                return s
            key = self.DEFAULT
        s = self.find(key)
        return s if s is not None else self.create(key)

    def find(self, key: str) -> Session | None:
        """The session `key` if it exists (marked most recently used), else None; never creates one."""
        s = self._all.pop(key, None)
        if s is None:
            if key != self.DEFAULT:
                return None
            s = self.factory(key)
        self._all[key] = s  # most recently used last
        return s

    def create(self, key: str) -> Session:
        """A new empty session `key`, replacing any of that key; refused (ApiError 'refused') at the bound
        when no session can be dropped without dropping jobs."""
        old = self._all.pop(key, None)
        if old is not None:
            _retire(old)
        while len(self._all) >= self.limit:
            idle = next((k for k, v in self._all.items() if k != self.DEFAULT and not any(v.stores.values())),
                        None)
            if idle is None:
                raise ApiError("refused", f"session limit of {self.limit} reached and every session holds jobs; "
                                          "delete one (DELETE /_emulator/sessions/{key}) or raise --max-sessions",
                               field="X-Emulator-Session")
            _retire(self._all.pop(idle))
        s = self._all[key] = self.factory(key)
        return s

    def put(self, session: Session) -> None:
        """Install `session` under its key, replacing what was there (snapshot import)."""
        old = self._all.pop(session.key, None)
        if old is not None and old is not session:
            _retire(old)
        self._all[session.key] = session

    def drop(self, key: str) -> None:
        old = self._all.pop(key, None)
        if old is not None:
            _retire(old)

    def __contains__(self, key: str) -> bool:
        return key in self._all

    def __iter__(self):
        return iter(list(self._all.values()))

    def __len__(self) -> int:
        return len(self._all)


def _retire(session: Session) -> None:
    """A session leaves its Sessions: mark it, end its event streams and let its timer cancel itself."""
    session.retired = True
    session.journal.close_subscribers()
    if session.wake is not None:
        session.wake()
