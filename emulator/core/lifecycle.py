"""Declarative state graphs and the fates (outcomes) a job can be given.

A provider declares each of its job kinds as a `Graph`: its states, which are terminal, the timed transition
out of each state (with a default duration), the commands allowed in each state and where they lead, and
where a failure lands. The engine (`emulator.core.session`) walks the graph on the clock; the provider never
handles a timer itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .fates import FATE_KINDS, Fate  # noqa: F401  (re-exported: a job's fate lives with its graph)


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
    - `aliases`: other spellings of states a test may use (lower case -> state), e.g. `running` for the
      Task API's `in progress`, because a space is awkward on a command line.
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
    aliases: Mapping[str, str] = field(default_factory=dict)
    also_fails_to: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        known = set(self.states)
        named = {self.initial, *self.terminal, *self.failure.values(), *self.also_fails_to, *self.hidden,
                 *self.aliases.values()}
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
        """The declared state spelled `name`, compared case-insensitively, or one of its aliases."""
        low = name.strip().lower()
        for st in self.states:
            if st.lower() == low:
                return st
        return self.aliases.get(low)


def states_of(graphs: Iterable[Graph]) -> tuple[str, ...]:
    """The states reachable in any of `graphs` that a client can be shown (not `hidden`), first-seen order."""
    out: dict[str, None] = {}
    for g in graphs:
        for st in g.reachable():
            if st not in g.hidden:
                out[st] = None
    return tuple(out)
