"""Checks a snapshot must pass before any of it is installed, beyond its schema (control/snapshot.request):
the providers, graphs and states it names exist, and every class it names is restorable state of the
emulator. An import is all-or-nothing: these run first, then the state is built in a fresh session, then read
back once; only a session that survived all three replaces the old one."""

from __future__ import annotations

from .codec import class_names, restorable_class
from .lifecycle import Graph


def check(data: dict, graphs: dict[str, dict[str, Graph]]) -> None:
    """Raise ValueError naming the first thing in `data` (a schema-valid snapshot, migrated to the current
    version) that cannot be restored."""
    for key, block in data["jobs"].items():
        provider_graphs = graphs.get(key)
        if provider_graphs is None:
            raise ValueError(f"jobs.{key}: provider {key!r} is not enabled (enabled: {', '.join(graphs)})")
        for i, job in enumerate(block["jobs"]):
            where = f"jobs.{key}.jobs[{i}]"
            if job["provider"] != key:
                raise ValueError(f"{where}.provider is {job['provider']!r}, but the job is filed under {key!r}")
            graph = provider_graphs.get(job["graph"])
            if graph is None:
                raise ValueError(f"{where}.graph {job['graph']!r} is not one of {', '.join(provider_graphs)}")
            states = set(graph.states)
            named = [("state", job["state"])] + [(f"history[{n}]", h[2]) for n, h in enumerate(job["history"])]
            if job["timer"] is not None:
                named.append(("timer", job["timer"][1]))
            for field, state in named:
                if state not in states:
                    raise ValueError(f"{where}.{field}: {state!r} is not a state of graph {graph.name} "
                                     f"({', '.join(graph.states)})")
    for where, path in class_names(data["state"], "state"):
        try:
            restorable_class(path)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
