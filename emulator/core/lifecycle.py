"""Declarative state graphs and the fates (outcomes) a job can be given.

A provider declares each of its job kinds as a `Graph`: its states, which are terminal, the timed transition
out of each state (with a default duration), the commands allowed in each state and where they lead, and
where a failure lands. The engine (`emulator.core.session`) walks the graph on the clock; the provider never
handles a timer itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

FATE_KINDS = ("succeed", "fail", "hang", "flap")


@dataclass(frozen=True)
class Step:
    """A timed transition: after `after` seconds in a state, move to `to`."""

    to: str
    after: float


@dataclass(frozen=True)
class Graph:
    """A job kind's lifecycle.

    - `states`: every state name, in the order a job usually meets them.
    - `terminal`: states a job never leaves on its own (commands such as retry may still move it).
    - `timed`: state -> Step; a state without one waits for a command (a streaming job runs until stopped).
    - `commands`: command -> {from_state: to_state}; a command absent for the current state is refused.
    - `failure`: state -> where a failure in that state lands (`"*"` is the default).
    - `resumable`: states whose unspent time is kept when a command interrupts them (pause, then resume).
    - `on_enter`: optional provider hook `(job, state, t_ns)` to record what that system records on entry
      (an execution's node, a savepoint path). It must not schedule anything itself.
    - `also_fails_to`: further states a failure may land in (Instabase's STOPPED_AT_CHECKPOINT); a `tour`
      visits them as endings of their own.
    - `hidden`: engine-internal states no response ever shows (Instabase's CANCELLING shows as the state it
      was cancelled from); they are not counted as documented states by coverage.
    """

    name: str
    states: tuple[str, ...]
    initial: str
    terminal: frozenset[str]
    timed: Mapping[str, Step] = field(default_factory=dict)
    commands: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    failure: Mapping[str, str] = field(default_factory=dict)
    resumable: frozenset[str] = frozenset()
    on_enter: Callable | None = None
    also_fails_to: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        known = set(self.states)
        named = {self.initial, *self.terminal, *self.failure.values(), *self.also_fails_to, *self.hidden}
        for st, step in self.timed.items():
            named.update((st, step.to))
        for moves in self.commands.values():
            for a, b in moves.items():
                named.update((a, b))
        unknown = named - known - {"*"}
        if unknown:
            raise ValueError(f"graph {self.name}: states not declared: {sorted(unknown)}")

    def failure_state(self, state: str) -> str | None:
        return self.failure.get(state, self.failure.get("*"))

    def can(self, command: str, state: str) -> bool:
        return state in self.commands.get(command, {})

    def edges(self) -> list[tuple[str, str]]:
        """Every move a job of this graph can make, without duplicates: timed steps, commands, failures (from
        each non-terminal state) and detours into optional states. An optional state is one nothing leads
        into but whose timed step joins the main line (Bacalhau's Queued -> Running): it is entered from any
        state whose own timed step goes to the same place (Pending -> Queued)."""
        out: dict[tuple[str, str], None] = {}
        for st, step in self.timed.items():
            out[(st, step.to)] = None
        for moves in self.commands.values():
            for a, b in moves.items():
                out[(a, b)] = None
        for st in self.states:
            if st in self.terminal:
                continue
            for to in (self.failure_state(st), *sorted(self.also_fails_to)):
                if to is not None and to != st:
                    out[(st, to)] = None
        entered = {b for _, b in out} | {self.initial}
        for opt, step in self.timed.items():
            if opt not in entered:
                for st, other in self.timed.items():
                    if st != opt and other.to == step.to:
                        out[(st, opt)] = None
        return list(out)

    def reachable(self) -> tuple[str, ...]:
        """The states a job can be in, starting from `initial` (in declaration order)."""
        nxt: dict[str, list[str]] = {}
        for a, b in self.edges():
            nxt.setdefault(a, []).append(b)
        seen = {self.initial}
        todo = [self.initial]
        while todo:
            for b in nxt.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return tuple(s for s in self.states if s in seen)

    def resolve_state(self, name: str) -> str | None:
        """The declared state spelled `name`, compared case-insensitively (control API input)."""
        low = name.lower()
        for st in self.states:
            if st.lower() == low:
                return st
        return None


def states_of(graphs: Iterable[Graph]) -> tuple[str, ...]:
    """The states reachable in any of `graphs` that a client can be shown (not `hidden`), first-seen order."""
    out: dict[str, None] = {}
    for g in graphs:
        for st in g.reachable():
            if st not in g.hidden:
                out[st] = None
    return tuple(out)


@dataclass(slots=True)
class Fate:
    """What a test wants to happen to one job.

    - `succeed` (default): follow the graph.
    - `fail`: after its time in state `at`, move to the graph's failure state with `message`.
    - `hang`: stay in state `at` forever (until a command moves it).
    - `flap`: once in `at`, go to `to` and back `times` times, `every` seconds apart, then carry on.
    `durations` overrides the time spent in given states; `results_missing` asks the provider to report no
    results for a finished job.
    """

    kind: str = "succeed"
    at: str | None = None
    to: str | None = None
    message: str = ""
    durations: dict[str, float] = field(default_factory=dict)
    times: int = 0
    every: float = 1.0
    results_missing: bool = False
    rule_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FATE_KINDS:
            raise ValueError(f"outcome must be one of {', '.join(FATE_KINDS)}, not {self.kind!r}")

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("kind", "at", "to", "message", "durations", "times", "every",
                                              "results_missing", "rule_id")}

    @classmethod
    def from_dict(cls, data: dict) -> Fate:
        return cls(**data)
