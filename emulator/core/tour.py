"""The `tour` outcome: successive matching jobs walk, in a seeded order, through every ending of their graph.

A tour's plan for one graph is a list of paths from the initial state to a terminal state: one per
reachable terminal state (the success, each failure landing, each state a command ends in), rerouted so
that together they also pass through every optional or transient state (Bacalhau's Queued, SeaTunnel's
savepoint, Instabase's pause). A path follows the graph's main line (its chain of timed steps) as far as
it can and branches off as late as possible, so each ending is met the way a real job usually meets it.
A path's moves that the graph makes only on a command or a failure are made by the job's own timer, after
the time it would normally spend in the state.
"""

from __future__ import annotations

import random
from collections import deque

from .lifecycle import Graph

Path = tuple[str, ...]


def plan(graph: Graph) -> list[Path]:
    """The tour of `graph`, in graph order (terminal states in declaration order, then detours)."""
    nxt: dict[str, list[str]] = {}
    for a, b in graph.edges():
        nxt.setdefault(a, []).append(b)
    terminal = graph.terminal

    def shortest(src: str, dst: str, avoid: set[str]) -> list[str] | None:
        """Shortest src..dst that touches no state of `avoid` and leaves no terminal state on the way."""
        back: dict[str, str | None] = {src: None}
        todo = deque([src])
        while todo:
            cur = todo.popleft()
            if cur == dst:
                out = [cur]
                while back[out[-1]] is not None:
                    out.append(back[out[-1]])  # type: ignore[arg-type]  # not None: the loop condition
                return out[::-1]
            if cur in terminal and cur != src:
                continue
            for b in nxt.get(cur, ()):
                if b not in back and b not in avoid:
                    back[b] = cur
                    todo.append(b)
        return None

    main = [graph.initial]
    while main[-1] not in terminal and main[-1] in graph.timed and graph.timed[main[-1]].to not in main:
        main.append(graph.timed[main[-1]].to)

    def from_main(dst: str) -> list[str] | None:
        """The main line as far as it goes before branching off to `dst` (as late as possible)."""
        for i in range(len(main) - 1, -1, -1):
            if main[i] == dst:
                return main[: i + 1]
            if main[i] in terminal:
                continue
            rest = shortest(main[i], dst, set(main[:i]))
            if rest is not None:
                return main[:i] + rest
        return None

    reachable = graph.reachable()
    endings = [s for s in reachable if s in terminal]
    paths = [p for p in (from_main(t) for t in endings) if p is not None]
    covered = {s for p in paths for s in p}
    for extra in reachable:
        if extra in covered or extra in terminal:
            continue
        head = from_main(extra)
        if head is None:
            continue
        # reroute an existing path through `extra`, keeping every state it covered: first one that leaves
        # `extra` by its own timed step, then any
        step = graph.timed.get(extra)
        for by_step in ((True, False) if step is not None else (False,)):
            done = False
            for k, old in enumerate(paths):
                if by_step:
                    rest = shortest(step.to, old[-1], set(head))  # type: ignore[union-attr]  # by_step: step set
                    tail = [extra, *rest] if rest else None
                else:
                    tail = shortest(extra, old[-1], set(head[:-1]))
                if tail is not None and set(head + tail[1:]) >= set(old):
                    paths[k] = head + tail[1:]
                    done = True
                    break
            if done:
                break
        else:
            tail = next((t for t in (shortest(extra, end, set(head[:-1])) for end in endings) if t), None)
            if tail is None:
                continue
            paths.append(head + tail[1:])
        covered = {s for p in paths for s in p}
    return [tuple(p) for p in paths]


class Tour:
    """One tour rule's progress: per graph, its plan in the seeded order and how many jobs it has served."""

    __slots__ = ("plans", "seed", "served")

    def __init__(self, seed: int | str = 0, plans: dict[str, list[list[str]]] | None = None,
                 served: dict[str, int] | None = None) -> None:
        self.seed = seed
        self.plans: dict[str, list[Path]] = {k: [tuple(p) for p in v] for k, v in (plans or {}).items()}
        self.served: dict[str, int] = dict(served or {})

    def plan_for(self, graph: Graph) -> list[Path]:
        """The graph's plan in this tour's order (made once, shuffled by the tour's seed)."""
        got = self.plans.get(graph.name)
        if got is None:
            got = plan(graph)
            random.Random(f"{self.seed}:{graph.name}").shuffle(got)
            self.plans[graph.name] = got
        return got

    def next_path(self, graph: Graph) -> Path | None:
        """The path of the next job of `graph`: the plan's entries in turn, starting over after the last."""
        entries = self.plan_for(graph)
        if not entries:
            return None
        n = self.served.get(graph.name, 0)
        self.served[graph.name] = n + 1
        return entries[n % len(entries)]

    def to_dict(self) -> dict:
        return {"seed": self.seed, "plans": {k: [list(p) for p in v] for k, v in self.plans.items()},
                "served": dict(self.served)}
