"""Wire model: an emulated job -> the JSON the SeaTunnel engine returns (running-job and finished-job objects,
metrics, logs, overview, system monitoring).

Metrics are a pure function of the job's history and of numbers fixed at submit time (rows to read, rate,
restored offset, row size), so the same seed, requests and clock give the same bytes.

A job keeps its config as sent (`job.spec`: the JSON bytes, or the HOCON text) and a compact `Plan` (name,
restore point, the numbers above, shared between jobs of the same config). `envOptions` and the plugin DAG are
derived from the config on read (a small LRU keeps the most recent), so a job costs its request plus ~100 bytes.
"""

from __future__ import annotations

import json
from typing import Any

from ...core.clock import NS, local_datetime
from ...core.readcache import View, constant, version
from ...core.sharing import share
from ...core.store import Job
from . import hocon, jobconfig
from .lifecycle import TERMINAL


class Plan:
    """What a SeaTunnel job keeps besides its config: its name, the restore point it started from (`base` rows,
    `restored` record), whether it started from a savepoint, its savepoint path once taken, and the row plan
    `numbers` = (mode, total rows or None, rows/s, planned RUNNING seconds or None, source weights, bytes per
    row, checkpoint interval s), one tuple shared by every job with the same plan."""

    __slots__ = ("base", "name", "numbers", "restored", "savepoint", "start_sp")

    def __init__(self, name: str, numbers: tuple, base: int, start_sp: bool, restored: dict | None,
                 savepoint: str | None = None) -> None:
        self.name = share(name) if len(name) <= 64 else name
        self.numbers = share((share(numbers[0]), *numbers[1:]))
        self.base = base
        self.start_sp = start_sp
        self.restored = restored
        self.savepoint = savepoint

    mode = property(lambda self: self.numbers[0])
    total = property(lambda self: self.numbers[1])
    rate = property(lambda self: self.numbers[2])
    span = property(lambda self: self.numbers[3])
    source_weights = property(lambda self: self.numbers[4])
    bytes_per_row = property(lambda self: self.numbers[5])
    checkpoint_interval_s = property(lambda self: self.numbers[6])

    def __snapshot__(self) -> dict:
        return {"name": self.name, "mode": self.mode, "total": self.total, "rate": self.rate, "span": self.span,
                "base": self.base, "source_weights": list(self.source_weights), "bytes_per_row": self.bytes_per_row,
                "checkpoint_interval_s": self.checkpoint_interval_s, "isStartWithSavePoint": self.start_sp,
                "restored": self.restored, "savepointPath": self.savepoint}

    @classmethod
    def __restore__(cls, state: dict, session: Any) -> Plan:
        numbers = (state["mode"], state["total"], state["rate"], state["span"], tuple(state["source_weights"]),
                   state["bytes_per_row"], state["checkpoint_interval_s"])
        return cls(state["name"], numbers, state["base"], state["isStartWithSavePoint"], state["restored"],
                   state["savepointPath"])


_BY_BODY: dict[Any, tuple[dict, dict]] = {}  # kept body -> (env, DAG): jobs submitted with the same config share them
_BY_BODY_MAX = 256


def _derive_config(job: Job) -> tuple[dict, dict]:
    """(env, plugin DAG) derived again from the config the job was submitted with; a body derived lately
    answers from memory (both are read only, and a function of the body alone), so a page of jobs that
    left the read cache does not parse and check the same config a hundred times."""
    spec = job.spec
    if isinstance(spec, (str, bytes)):
        hit = _BY_BODY.get(spec)
        if hit is None:
            if len(_BY_BODY) >= _BY_BODY_MAX:
                _BY_BODY.clear()
            hit = _BY_BODY[spec] = _derive_body(spec)
        return hit
    return _derive_body(spec)


def _derive_body(spec: Any) -> tuple[dict, dict]:
    if isinstance(spec, str):
        cfg = hocon.job_config(spec)
    elif isinstance(spec, (bytes, bytearray)):
        cfg = json.loads(spec)
    else:
        cfg = spec
    return cfg["env"], jobconfig.validate(cfg)["dag"]


# (env, plugin DAG): from the submission alone, kept for the job's lifetime within the read cache's bound
_CONFIG: View[tuple[dict, dict]] = View("seatunnel.config", constant, _derive_config)


def remember(job: Job, env: dict, dag: dict) -> None:
    """Keep what submit already derived, so the first read does not parse the config again."""
    _CONFIG.seed(job, (env, dag))


def config_of(job: Job) -> tuple[dict, dict]:
    """(env, plugin DAG) of a job."""
    return _CONFIG(job)


def running_seconds(job: Job, now_ns: int) -> float:
    """Emulated seconds this job has spent in RUNNING (data flows only there)."""
    total = 0
    start: int | None = None
    for t, _, to, _ in job.history:
        if start is not None:
            total += t - start
            start = None
        if to == "RUNNING":
            start = t
    if start is not None:
        total += max(0, now_ns - start)
    return total / NS


def rows_after(job: Job, ran: float) -> int:
    """Rows read (all sources) after `ran` seconds of RUNNING, counting the offset a restore started from."""
    d = job.data
    base = d.base
    total = d.total
    if total is not None:  # BATCH: read the rest evenly over the planned running span
        span = d.span
        if span <= 0:
            return total
        return base + int((total - base) * min(1.0, ran / span))
    return base + int(d.rate * ran)


def rows_now(job: Job, now_ns: int) -> int:
    """Rows read so far (exactly the planned total once a BATCH job is FINISHED)."""
    if job.state == "FINISHED" and job.data.total is not None:
        return job.data.total
    return rows_after(job, running_seconds(job, now_ns))


def checkpoint_rows(job: Job, now_ns: int) -> int:
    """Rows covered by the state a restart would restore: everything read for a graceful stop, a savepoint or
    a finished job; only what the last periodic checkpoint covered after a force cancel or a failure.
    (Called as every job ends: the RUNNING seconds are summed only when needed, not for a FINISHED batch job,
    whose rows are its total; py-spy: 3 % of a transition of a clock advance.)"""
    if job.state in ("FINISHED", "SAVEPOINT_DONE") or (job.state == "CANCELED" and _graceful(job)):
        return rows_now(job, now_ns)
    ran = running_seconds(job, now_ns)
    interval = job.data.checkpoint_interval_s
    done = (ran // interval) * interval if interval > 0 else ran
    return rows_after(job, done)


def _graceful(job: Job) -> bool:
    return any(to == "CANCELING" for _, _, to, _ in job.history)


def _split(total: int, weights: list[int]) -> list[int]:
    """Share `total` by `weights` (integers; the remainder to the first ones) so the parts add up exactly."""
    if not weights:
        return []
    wsum = sum(weights)
    if wsum <= 0:
        weights = [1] * len(weights)
        wsum = len(weights)
    parts = [total * w // wsum for w in weights]
    for i in range(total - sum(parts)):
        parts[i % len(parts)] += 1
    return parts


def metrics(job: Job, now_ns: int) -> dict[str, Any]:
    """The engine's metrics block: scalar values as strings, per-table maps keyed by table path. Rows only
    move while RUNNING, so in any other state the block is kept per job version (shared: do not change it)."""
    if job.state == "RUNNING":
        return _metrics(job, now_ns, config_of(job)[1])
    return _SETTLED_METRICS(job, now_ns)


def _metrics(job: Job, now_ns: int, dag: dict) -> dict[str, Any]:
    d = job.data
    rows = rows_now(job, now_ns)
    ran = running_seconds(job, now_ns)
    bpr = d.bytes_per_row
    per_source = _split(rows, list(d.source_weights))
    by_vertex = {s["vertexId"]: n for s, n in zip(dag["sources"], per_source, strict=False)}
    src_tables: dict[str, int] = {}
    for s, n in zip(dag["sources"], per_source, strict=False):
        for t, part in zip(s["tables"], _split(n, [1] * len(s["tables"])), strict=False):
            src_tables[t] = src_tables.get(t, 0) + part
    sink_tables: dict[str, int] = {}
    sink_rows = 0
    for sk in dag["sinks"]:
        n = sum(by_vertex.get(v, 0) for v in sk["from"])
        sink_rows += n
        for t, part in zip(sk["tables"], _split(n, [1] * len(sk["tables"])), strict=False):
            sink_tables[t] = sink_tables.get(t, 0) + part
    read_now = rows - d.base
    qps = read_now / ran if ran > 0 else 0.0
    sink_qps = qps * (sink_rows / rows) if rows else 0.0

    def rate(n: int) -> str:
        return f"{n / ran if ran > 0 else 0.0:.2f}"

    return {
        "SourceReceivedCount": str(rows),
        "SourceReceivedQPS": f"{qps:.2f}",
        "SourceReceivedBytes": str(rows * bpr),
        "SourceReceivedBytesPerSeconds": f"{qps * bpr:.2f}",
        "SinkWriteCount": str(sink_rows),
        "SinkWriteQPS": f"{sink_qps:.2f}",
        "SinkWriteBytes": str(sink_rows * bpr),
        "SinkWriteBytesPerSeconds": f"{sink_qps * bpr:.2f}",
        "TableSourceReceivedCount": {t: str(n) for t, n in src_tables.items()},
        "TableSourceReceivedBytes": {t: str(n * bpr) for t, n in src_tables.items()},
        "TableSourceReceivedQPS": {t: rate(n) for t, n in src_tables.items()},
        "TableSourceReceivedBytesPerSeconds": {t: f"{(n / ran if ran > 0 else 0.0) * bpr:.2f}"
                                               for t, n in src_tables.items()},
        "TableSinkWriteCount": {t: str(n) for t, n in sink_tables.items()},
        "TableSinkWriteBytes": {t: str(n * bpr) for t, n in sink_tables.items()},
        "TableSinkWriteQPS": {t: rate(n) for t, n in sink_tables.items()},
        "TableSinkWriteBytesPerSeconds": {t: f"{(n / ran if ran > 0 else 0.0) * bpr:.2f}"
                                          for t, n in sink_tables.items()},
    }


# outside RUNNING rows do not move: the block is the same until the next transition (a new version)
_SETTLED_METRICS: View[dict[str, Any]] = View(
    "seatunnel.metrics", version, lambda job, now_ns: _metrics(job, now_ns, config_of(job)[1]))


def job_dag(job: Job) -> dict:
    """The jobDag object (the same dict for every read of a job: do not change it)."""
    return _JOB_DAG(job)


def _job_dag(job: Job) -> dict:
    env, dag = config_of(job)
    return {"jobId": job.id, "pipelineEdges": dag["pipelineEdges"], "envOptions": env,
            "vertexInfoMap": dag["vertices"]}


_JOB_DAG: View[dict] = View("seatunnel.jobdag", constant, _job_dag)


def error_msg(job: Job) -> str | None:
    """The first failure message (the transition into FAILING carries it), or null."""
    if job.state != "FAILED":
        return None
    for _, _, to, msg in job.history:
        if to in ("FAILING", "FAILED") and msg:
            return msg
    return "org.apache.seatunnel.engine.common.exception.SeaTunnelEngineException: job failed"


def job_info(job: Job, now_ns: int, profile: dict) -> dict:
    """A running-job object (live states) or a finished-job object (end states), keys in the engine's order."""
    d = job.data
    if job.state in TERMINAL:
        out = {"jobId": job.id, "jobName": d.name, "jobStatus": job.state, "errorMsg": error_msg(job),
               "createTime": local_datetime(job.created_ns), "finishTime": local_datetime(job.finished_ns or now_ns),
               "jobDag": job_dag(job), "pluginJarsUrls": [], "metrics": metrics(job, now_ns)}
        if profile["savepoint_path"] and d.savepoint and job.state == "SAVEPOINT_DONE":
            out["savepointPath"] = d.savepoint
        return out
    return {"jobId": job.id, "jobName": d.name, "jobStatus": job.state, "envOptions": config_of(job)[0],
            "createTime": local_datetime(job.created_ns), "jobDag": job_dag(job), "pluginJarsUrls": [],
            "isStartWithSavePoint": d.start_sp, "metrics": metrics(job, now_ns)}


def _info_key(job: Job, now_ns: int, profile: dict) -> tuple:
    # rows move only while RUNNING: elsewhere the object is the same until the next transition (a new version;
    # the savepoint path is set by one)
    return job.version, now_ns if job.state == "RUNNING" else None, profile["savepoint_path"]


_INFO: View[dict] = View("seatunnel.info", _info_key, job_info)


def job_info_json(job: Job, now_ns: int, profile: dict) -> bytes:
    """`job_info` encoded, as GET /job-info/{jobId} answers: a poll of an unchanged job sends the last poll's
    bytes."""
    return _INFO.json(job, now_ns, profile)


def unknown_job(job_id: str) -> dict:
    """What job-info answers for an id the engine does not (or no longer) know."""
    return {"jobId": job_id}


# --- logs -------------------------------------------------------------------------------------------------

def _stamp(t_ns: int) -> str:
    return f"{local_datetime(t_ns)},{(t_ns // 1_000_000) % 1000:03d}"


def log_lines(job: Job, now_ns: int, node: str, cluster: str) -> list[str]:
    """Engine log lines for the job's life so far, in the engine's layout, derived from its history."""
    d = job.data
    dag = config_of(job)[1]
    name = d.name
    member = f"[{node.replace(':', ']:')} [{cluster}] [5.1]"
    coord = "INFO  [o.a.s.e.s.CoordinatorService  ] [hz.main.seaTunnel.task.thread-2]"
    master = "INFO  [o.a.s.e.s.m.JobMaster          ] [hz.main.seaTunnel.task.thread-2]"
    plan = "INFO  [o.a.s.e.s.d.p.PhysicalPlan    ] [hz.main.seaTunnel.task.thread-5]"
    lines: list[str] = []
    first = job.history[0][0]
    lines.append(f"{_stamp(first)} {coord} - {member} received submit job request, job id: {job.id}, "
                 f"job name: {name}, job mode: {d.mode}")
    if d.restored:
        r = d.restored
        lines.append(f"{_stamp(first)} {master} - {member} Job {name} ({job.id}) restore from "
                     f"{r['kind']} {r.get('path') or r['jobId']}, restored SourceReceivedCount {d.base}")
    lines.append(f"{_stamp(first)} {master} - {member} Job {name} ({job.id}) turned from state CREATED to PENDING.")
    for t, old, to, msg in job.history[1:]:
        if to == "RUNNING":
            lines.append(f"{_stamp(t)} {plan} - {member} Job {name} ({job.id}) turned from state SCHEDULED to "
                         f"RUNNING.")
            n_pipes = len(dag["pipelineEdges"]) or 1
            for vx in dag["vertices"]:
                lines.append(f"{_stamp(t)} {plan} - {member} Job {name} ({job.id}), Pipeline: "
                             f"[({_pipeline_of(dag, vx['vertexId'])}/{n_pipes})], task: [{vx['vertexName']}] "
                             f"turned from state DEPLOYING to RUNNING.")
            continue
        if to == "DOING_SAVEPOINT":
            lines.append(f"{_stamp(t)} {coord} - {member} savepoint triggered for job {job.id}")
        if to == "SAVEPOINT_DONE" and d.savepoint:
            lines.append(f"{_stamp(t)} {master} - {member} savepoint of job {job.id} completed, savepoint path: "
                         f"{d.savepoint}")
        if to == "FAILING":
            lines.append(f"{_stamp(t)} ERROR [o.a.s.e.s.d.p.PhysicalPlan    ] [hz.main.seaTunnel.task.thread-5] - "
                         f"{member} Job {name} ({job.id}) pipeline failed: {msg or 'unknown error'}")
        lines.append(f"{_stamp(t)} {plan} - {member} Job {name} ({job.id}) turned from state {old} to {to}.")
        if to in TERMINAL:
            lines.append(f"{_stamp(t)} {coord} - {member} Job {job.id} end with state {to}")
            lines.extend(_statistics(job, t))
    if job.state == "RUNNING":
        lines.append(f"{_stamp(now_ns)} INFO  [o.a.s.e.c.j.ClientJobProxy    ] [main] - Job {job.id} metrics: "
                     f"SourceReceivedCount={rows_now(job, now_ns)}")
    return lines


def _pipeline_of(dag: dict, vid: int) -> str:
    for num, edges in dag["pipelineEdges"].items():
        if any(e["inputVertexId"] == str(vid) or e["targetVertexId"] == str(vid) for e in edges):
            return num
    return "1"


def _statistics(job: Job, t_ns: int) -> list[str]:
    m = metrics(job, t_ns)
    start = job.entered("RUNNING") or job.created_ns
    secs = max(0, (t_ns - start) // NS)
    rows = [("Start Time", local_datetime(start)), ("End Time", local_datetime(t_ns)), ("Total Time(s)", secs),
            ("Total Read Count", m["SourceReceivedCount"]), ("Total Write Count", m["SinkWriteCount"]),
            ("Total Failed Count", 0)]
    stamp = _stamp(t_ns)
    head = f"{stamp} INFO  [s.c.s.s.c.ClientExecuteCommand] [main] - "
    out = [head, head + "*" * 50, head + "           Job Statistic Information", head + "*" * 50]
    out += [f"{head}{k:<26}: {v:>19}" for k, v in rows]
    out.append(head + "*" * 50)
    return out


def log_link(base_url: str, node: str, job_id: str) -> dict:
    """One entry of `GET /logs?format=json`."""
    return {"node": node, "logLink": f"{base_url}/logs/job-{job_id}.log", "logName": f"job-{job_id}.log"}
