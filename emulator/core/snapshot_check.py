"""Checks a snapshot must pass before any of it is installed, beyond its schema (control/snapshot.response):
the providers, graphs and states it names exist, and every class it names is restorable state of the
emulator. An import is all-or-nothing: these run first, then the state is built in a fresh session, then read
back once; only a session that survived all three replaces the old one."""

from __future__ import annotations

from typing import Any

from .lifecycle import Graph


def check(data: dict, graphs: dict[str, dict[str, Graph]]) -> None:
    """Raise ValueError naming the first thing in `data` (a schema-valid snapshot) that cannot be restored."""
    from .snapshot import _class

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
    for where, path in _class_names(data.get("extras"), "extras"):
        try:
            _class(path)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


def _class_names(value: Any, where: str) -> list[tuple[str, str]]:
    """(where, "module:Class") of every object a snapshot fragment asks to rebuild."""
    found = []
    stack = [(where, value)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, dict):
            for marker in ("__dataclass__", "__object__"):
                if marker in item:
                    name = item[marker]
                    if not isinstance(name, str):
                        raise ValueError(f"{at}.{marker} must be a string, not {type(name).__name__}")
                    found.append((at, name))
            stack.extend((f"{at}.{k}", v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{at}[{i}]", v) for i, v in enumerate(item))
    return found
