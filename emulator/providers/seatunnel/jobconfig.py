"""The job config a client submits (`env`, `source[]`, `transform[]`, `sink[]`): validation that names what is
wrong, the plugin graph (the engine's `jobDag`) and the row plan that drives the metrics.

Pure functions, no I/O and no randomness: the same config always gives the same DAG and plan.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.errors import ApiError
from .plugins import unknown_message

KINDS = ("source", "transform", "sink")
MODES = ("BATCH", "STREAMING")
DEFAULT_JOB_NAME = "SeaTunnel_Job"          # EnvCommonOptions.JOB_NAME default
FAKESOURCE_DEFAULT_ROWS = 5                  # FakeSource `row.num` default (rows per degree of parallelism)


def lookup(obj: dict, key: str, default: Any = None) -> Any:
    """`obj["row.num"]`, or the nested `obj["row"]["num"]` a HOCON file produces for the same key."""
    if key in obj:
        return obj[key]
    cur: Any = obj
    for part in key.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def _names(value: Any) -> list[str]:
    """plugin_input may be one name or a list of names."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _output(plugin: dict) -> str | None:
    out = plugin.get("plugin_output", plugin.get("result_table_name"))  # result_table_name: pre-2.3.8 spelling
    return str(out) if out not in (None, "") else None


def _inputs(plugin: dict) -> list[str]:
    return _names(plugin.get("plugin_input", plugin.get("source_table_name")))


_LONG = re.compile(r"[+-]?[0-9]+")


def parse_long(text: Any, what: str = "jobId") -> int:
    """A Java `Long.parseLong`: the engine's own message (`For input string: "abc"`) when it is not one."""
    if isinstance(text, bool):
        raise ApiError("invalid", f'For input string: "{str(text).lower()}"', field=what)
    s = str(text).strip() if isinstance(text, str) else str(text)
    # ASCII digits only (str.isdigit accepts "²"), and a Java long's range for numbers given as JSON too
    if not _LONG.fullmatch(s) or not -(2 ** 63) <= int(s) < 2 ** 63:
        raise ApiError("invalid", f'For input string: "{s}"', field=what)
    return int(s)


def validate(cfg: Any, known: dict[str, dict[str, str]] | None = None) -> dict:
    """Check a job config and return what the emulator derives from it. Raises ApiError('invalid') whose
    message names the section, index and key at fault. `known` (section -> lower-cased plugin names, from
    plugins.catalogue) also refuses a plugin_name the engine does not have; without it names are not checked
    (a stored job, validated when it was submitted)."""
    if not isinstance(cfg, dict):
        raise ApiError("invalid", f"job config must be a JSON object, got {type(cfg).__name__}", field="body")
    for key in ("env", "source", "sink"):
        if key not in cfg:
            raise ApiError("invalid", f"No configuration setting found for key '{key}'", field=key)
    env = cfg["env"]
    if not isinstance(env, dict):
        raise ApiError("invalid", "env must be an object", field="env")
    for kind in KINDS:
        plugins = cfg.get(kind, [])
        if not isinstance(plugins, list):
            raise ApiError("invalid", f"{kind} must be an array of plugin objects", field=kind)
        if kind != "transform" and not plugins:
            raise ApiError("invalid", f"{kind} must contain at least one plugin", field=kind)
        for i, p in enumerate(plugins):
            if not isinstance(p, dict):
                raise ApiError("invalid", f"{kind}[{i}] must be an object", field=f"{kind}[{i}]")
            name = p.get("plugin_name")
            if not isinstance(name, str) or not name.strip():
                raise ApiError("invalid", f"{kind}[{i}]: No configuration setting found for key 'plugin_name'",
                               field=f"{kind}[{i}].plugin_name")
            if known is not None and name.strip().lower() not in known[kind]:
                raise ApiError("invalid", unknown_message(kind, i, name, known[kind]),
                               field=f"{kind}[{i}].plugin_name")
    mode = lookup(env, "job.mode", "BATCH")
    if not isinstance(mode, str) or mode.upper() not in MODES:
        raise ApiError("invalid", f"env.job.mode must be BATCH or STREAMING, got {mode!r}", field="env.job.mode")
    parallelism = lookup(env, "parallelism", 1)
    if not isinstance(parallelism, int) or isinstance(parallelism, bool) or parallelism < 1:
        try:
            parallelism = int(str(parallelism))
            assert parallelism >= 1
        except (ValueError, AssertionError):
            raise ApiError("invalid", f"env.parallelism must be a positive integer, got {parallelism!r}",
                           field="env.parallelism") from None
    return {"mode": mode.upper(), "parallelism": parallelism, "dag": _dag(cfg)}


def _dag(cfg: dict) -> dict:
    """Vertices (1-based, sources then transforms then sinks) and edges from plugin_input/plugin_output.
    A plugin without plugin_input reads from the stage before it (the engine's implicit wiring)."""
    vertices: list[dict] = []
    producers: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    by_kind: dict[str, list[int]] = {k: [] for k in KINDS}
    label = {"source": "Source", "transform": "Transform", "sink": "Sink"}
    for kind in KINDS:
        for i, p in enumerate(cfg.get(kind, [])):
            vid = len(vertices) + 1
            by_kind[kind].append(vid)
            vertices.append({"vertexId": vid, "type": kind, "vertexName": f"{label[kind]}[{i}]-{p['plugin_name']}",
                             "tablePaths": [], "_plugin": p, "_index": i})
            if kind != "source":
                wanted = _inputs(p)
                if wanted:
                    for name in wanted:
                        if name not in producers:
                            known = ", ".join(sorted(producers)) or "none"
                            raise ApiError("invalid", f"{kind}[{i}] ({p['plugin_name']}): plugin_input '{name}' is "
                                                      f"not produced by any plugin_output before it (known: {known})",
                                           field=f"{kind}[{i}].plugin_input")
                        edges.append((producers[name], vid))
                else:
                    prev = by_kind["transform"][-2:-1] if kind == "transform" else by_kind["transform"][-1:]
                    if kind == "transform" and not prev:
                        prev = by_kind["source"]
                    if kind == "sink" and not prev:
                        prev = by_kind["source"]
                    edges.extend((u, vid) for u in prev)
            out = _output(p)
            if out is not None:
                producers[out] = vid
    # table paths: a source names its tables (table-names, schema.table) or its output; others inherit upstream
    ups: dict[int, list[int]] = {}
    for u, v in edges:
        ups.setdefault(v, []).append(u)
    for vx in vertices:
        p = vx["_plugin"]
        if vx["type"] == "source":
            tables = lookup(p, "table-names") or lookup(p, "table_list") or lookup(p, "schema.table")
            if isinstance(tables, list):
                names = [t if isinstance(t, str) else str(t.get("table", t)) if isinstance(t, dict) else str(t)
                         for t in tables]
            elif isinstance(tables, str):
                names = [tables]
            else:
                names = [_output(p) or p["plugin_name"].lower()]
            vx["tablePaths"] = names
        else:
            seen: list[str] = []
            for u in ups.get(vx["vertexId"], []):
                for t in vertices[u - 1]["tablePaths"]:
                    if t not in seen:
                        seen.append(t)
            vx["tablePaths"] = seen
    pipelines = _pipelines(len(vertices), edges)
    pipeline_edges: dict[str, list[dict]] = {str(n): [] for n in range(1, max(pipelines.values(), default=0) + 1)}
    for u, v in edges:
        pipeline_edges[str(pipelines[u])].append({"inputVertexId": str(u), "targetVertexId": str(v)})
    sources = [{"index": vx["_index"], "vertexId": vx["vertexId"], "name": vx["_plugin"]["plugin_name"],
                "tables": vx["tablePaths"]} for vx in vertices if vx["type"] == "source"]
    sinks = [{"vertexId": vx["vertexId"], "tables": vx["tablePaths"], "from": _upstream_sources(vx["vertexId"], ups,
                                                                                               vertices)}
             for vx in vertices if vx["type"] == "sink"]
    return {"vertices": [{k: v for k, v in vx.items() if not k.startswith("_")} for vx in vertices],
            "pipelineEdges": pipeline_edges, "sources": sources, "sinks": sinks}


def _upstream_sources(vid: int, ups: dict[int, list[int]], vertices: list[dict]) -> list[int]:
    """Source vertex ids that feed vertex `vid`, directly or through transforms."""
    found: list[int] = []
    stack = list(ups.get(vid, []))
    seen: set[int] = set()
    while stack:
        u = stack.pop()
        if u in seen:
            continue
        seen.add(u)
        if vertices[u - 1]["type"] == "source":
            found.append(u)
        stack.extend(ups.get(u, []))
    return sorted(found)


def _pipelines(n: int, edges: list[tuple[int, int]]) -> dict[int, int]:
    """Connected parts of the plugin graph, numbered from 1 in vertex order (the engine splits a job into one
    pipeline per connected part)."""
    parent = list(range(n + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        parent[find(u)] = find(v)
    numbers: dict[int, int] = {}
    out: dict[int, int] = {}
    for vid in range(1, n + 1):
        root = find(vid)
        if root not in numbers:
            numbers[root] = len(numbers) + 1
        out[vid] = numbers[root]
    return out


def source_rows(cfg: dict, parallelism: int, default_rows: int) -> list[int]:
    """Rows each source yields in a BATCH job: FakeSource `row.num` per degree of parallelism (default 5),
    any other bounded source `default_rows`."""
    out = []
    for p in cfg.get("source", []):
        par = lookup(p, "parallelism", parallelism)
        try:
            par = max(1, int(par))
        except (TypeError, ValueError):
            par = parallelism
        if p["plugin_name"].lower() == "fakesource":
            num = lookup(p, "row.num", FAKESOURCE_DEFAULT_ROWS)
            try:
                num = max(0, int(num))
            except (TypeError, ValueError):
                raise ApiError("invalid", f"FakeSource row.num must be an integer, got {num!r}",
                               field="source.row.num") from None
            out.append(num * par)
        else:
            out.append(default_rows)
    return out


def bytes_per_row(cfg: dict) -> int:
    """A plausible serialized row size from the first source's schema (fields and their types)."""
    sizes = {"tinyint": 1, "smallint": 2, "int": 4, "bigint": 8, "float": 4, "double": 8, "boolean": 1,
             "date": 4, "time": 8, "timestamp": 8, "string": 24, "bytes": 32}
    for p in cfg.get("source", []):
        fields = lookup(p, "schema.fields")
        if isinstance(fields, dict) and fields:
            total = 16
            for typ in fields.values():
                t = str(typ).lower() if not isinstance(typ, dict) else "string"
                total += sizes.get(t.split("(")[0], 16)
            return total
    return 0
