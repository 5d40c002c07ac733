"""Wire model: an emulated flow job -> the JSON the Instabase Job API returns.

Everything random (file names, record counts, the reviewer, the trace id) is drawn once in `derive()` at
submit time from the session's seeded generator; the rest is computed from `job.history`, `job.spec`,
`job.data` and the clock, so the same seed and requests give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from typing import Any

from ...core import fakes
from ...core.clock import NS
from ...core.readcache import View
from ...core.sharing import share
from ...core.store import Job
from .lifecycle import (
    CANCELLED,
    CANCELLING,
    COMPLETE,
    FAILED,
    PAUSED,
    PENDING,
    RUNNING,
    STOPPED_AT_CHECKPOINT,
    TERMINAL,
    wire_state,
)

MS = 1_000_000
FLOW_TYPE = "single_flow"  # every job is one flow run (the same for all: not stored per job)


# --- submit -------------------------------------------------------------------------------------------------
def as_list(value: Any) -> list[str]:
    """Tags / pipeline ids as clients send them: a JSON list, or one comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    return [str(v) for v in value]


def output_folder(spec: dict, job_id: str) -> str:
    """`<input_dir>/out` (reference B.4); with settings.output_has_run_id the run id is appended [INF]."""
    base = spec["input_dir"].rstrip("/") + "/out"
    settings = spec.get("settings") or {}
    if settings.get("output_has_run_id"):
        base += "-" + job_id
    return base


def derive(spec: dict, job_id: str, username: str, rng: random.Random, default_priority: int) -> dict:
    """What the emulator decides for a new job; every random value is drawn here, at submit."""
    settings = spec.get("settings") or {}
    tags = as_list(spec.get("tags", settings.get("tags")))
    pipelines = as_list(spec.get("pipeline_ids", settings.get("pipeline_ids")))
    priority = spec.get("priority", settings.get("priority", default_priority))
    n_files = rng.randint(1, 6)
    n_records = n_files * rng.randint(1, 25)
    # Strings and sequences that repeat between jobs (user, folder, tags, file and reviewer names) are shared
    # and the dict stays at 10 keys (an 11th doubles its table): with the shared spec this took a job from
    # 2,762 B to ~1,300 B at 100k (bench.engine), the 1M-jobs-in-1.5-GiB target.
    return {
        "username": share(username),
        "output_folder": share(output_folder(spec, job_id)),
        "tags": share(tuple(tags)),
        "pipeline_ids": share(tuple(pipelines)),
        "priority": priority,
        "files": share(tuple(share(fakes.file_name(rng, "pdf")) for _ in range(n_files))),
        "num_records": n_records,
        "num_bad": rng.randint(1, n_records),
        "reviewer": share(fakes.user_name(rng)),
        "trace_id": f"{rng.getrandbits(64):016x}",
    }


# --- time and progress --------------------------------------------------------------------------------------
def _attempts(job: Job) -> list[list[tuple[int, str | None, str, str]]]:
    """History split into runs: each starts where the job (re-)entered PENDING."""
    runs: list[list] = []
    for h in job.history:
        if h[2] == PENDING or not runs:
            runs.append([])
        runs[-1].append(h)
    return runs


def _run_spans(entries: list, end_ns: int) -> list[tuple[int, int]]:
    """(start, end) of each RUNNING stretch in one attempt, the last open one cut at `end_ns`."""
    spans = []
    for i, (t, _, to, _) in enumerate(entries):
        if to == RUNNING:
            stop = entries[i + 1][0] if i + 1 < len(entries) else end_ns
            spans.append((t, max(t, stop)))
    return spans


def _unspent(job: Job, now_ns: int) -> int | None:
    """Run time the current attempt still needs: the RUNNING timer, or what a pause/cancel kept of it."""
    if job.state == RUNNING:
        if job.timer is None:
            return None  # a hung job never finishes
        return max(0, job.timer[0] - now_ns)
    left = job.unspent(RUNNING)
    return int(left) if left is not None else 0


def _run_totals(job: Job, entries: list, current: bool, now_ns: int) -> tuple[list, int, int | None]:
    spans = _run_spans(entries, now_ns)
    ran = sum(b - a for a, b in spans)
    if not current:
        return spans, ran, ran
    if job.state in (RUNNING, PAUSED, CANCELLING, CANCELLED):
        left = _unspent(job, now_ns)
        return spans, ran, None if left is None else ran + left
    return spans, ran, ran


def progress(job: Job, now_ns: int) -> float:
    """curProgress: share of the current attempt's run time already spent (paused time does not count)."""
    if job.state == COMPLETE:
        return 1.0
    if job.state == PENDING:
        return 0.0
    entries = _attempts(job)[-1]
    _, ran, total = _run_totals(job, entries, True, now_ns)
    if not total:
        return 1.0 if job.state in TERMINAL and job.state != CANCELLED else 0.0
    return round(min(1.0, ran / total), 4)


def _finish_ns(job: Job) -> int | None:
    return job.finished_ns if job.state in TERMINAL else None


# --- messages and summaries ---------------------------------------------------------------------------------
def cur_msg(job: Job, now_ns: int) -> str:
    """curMsg / msg: what the flow is doing, in the seed's wording where it gives one."""
    state = job.state
    data = job.data
    if state == PENDING:
        return "Waiting for resources"
    if state == RUNNING:
        n = len(data["files"])
        done = min(n, int(progress(job, now_ns) * n))
        return f"Running {FLOW_TYPE}: processed {done} of {n} files"
    if state == PAUSED:
        return f"Paused {FLOW_TYPE}"
    if state == CANCELLING:
        return f"Cancelling {FLOW_TYPE}"
    if state == CANCELLED:
        return f"Cancelled {FLOW_TYPE}"
    if state == COMPLETE:
        return f"Completed {FLOW_TYPE}"
    if state == FAILED:
        return job.message or "Error in step process_files"
    return f"Stopped at checkpoint: {job.message or 'validation failed'}"


def review(job: Job) -> tuple[str, str]:
    """(reviewer, review_state): files stopped at a checkpoint go to Flow Review [INF]; a job retried with
    checkpoint_failure after that review counts as reviewed."""
    data = job.data
    if job.state == STOPPED_AT_CHECKPOINT:
        return data["reviewer"], "IN_REVIEW"
    if any(h[2] == STOPPED_AT_CHECKPOINT for h in job.history):
        return data["reviewer"], "COMPLETED"
    return "", "NONE"


def run_summary(job: Job, now_ns: int) -> dict:
    """run_summary: records so far, and the failed records grouped by message once the run failed."""
    data = job.data
    state = job.state
    total = data["num_records"]
    bad = data["num_bad"]
    errors = checkpoint = 0
    with_msg: dict[str, int] = {}
    if state == FAILED:
        errors = bad
        with_msg[f"Error <{job.message or 'step failed'}> in step process_files"] = bad
    elif state == STOPPED_AT_CHECKPOINT:
        checkpoint = bad
        with_msg[f"Validation failed <{job.message or 'checkpoint'}> at checkpoint"] = bad
    records = total if state in TERMINAL and state != CANCELLED else int(progress(job, now_ns) * total)
    files = len(data["files"])
    if state not in TERMINAL or state == CANCELLED:
        files = min(files, int(progress(job, now_ns) * files))
    return {"numRecords": records, "numRuntimeErrors": errors, "numCheckpointFailed": checkpoint,
            "numFiles": files, "recordsWithMsg": with_msg}


def results(job: Job) -> list[dict]:
    """`results` of a finished (or paused) job; clients read results[0]."""
    if job.fate is not None and job.fate.results_missing:
        return []
    state = job.state
    if state == FAILED:
        return [{"status": "ERROR", "msg": job.message or "Error in step process_files"}]
    if state == CANCELLED:
        return [{"status": "ERROR", "msg": "Job was cancelled"}]
    return [{"status": "OK", "output_folder": job.data["output_folder"]}]


# --- responses ----------------------------------------------------------------------------------------------
def _status_key(job: Job, now_ns: int, done_states: frozenset[str]) -> tuple:
    # the same version and progress (always so between transitions on the manual clock, and in every
    # non-running state) and the same profile's done states: the same body
    return job.version, progress(job, now_ns), done_states


_STATUS: View[dict] = View("instabase.status", _status_key, lambda job, now_ns, done: _status_body(job, now_ns, done))


def status_json(job: Job, now_ns: int, done_states: frozenset[str]) -> bytes:
    """GET /api/v1/jobs/status, encoded: the seed's envelope with `cur_status` as a JSON-encoded string (the
    bytes reused while the job is unchanged)."""
    return _STATUS.json(job, now_ns, done_states)


def _status_body(job: Job, now_ns: int, done_states: frozenset[str]) -> dict:
    state = wire_state(job)
    done = job.state in done_states
    finish = _finish_ns(job)
    reviewer, review_state = review(job)
    msg = cur_msg(job, now_ns)
    cur = {
        "job_id": job.id,
        "flow_index": 0,
        "status": state,
        "finish_timestamp": finish,
        "curProgress": progress(job, now_ns),
        "curMsg": msg,
        "reviewer": reviewer,
        "review_state": review_state,
        "flow_job_metrics": None,
        "flow_review_metrics": None,
        "run_summary": run_summary(job, now_ns),
    }
    body: dict[str, Any] = {
        "status": "OK",
        "msg": msg,
        "state": "DONE" if done else "PENDING",
        "is_waiting_for_resources": job.state == PENDING,
        "job_id": job.id,
    }
    if done:
        body["results"] = results(job)
    body["cur_status"] = json.dumps(cur)  # Python's default separators, as the seed's example shows
    if finish is not None:
        body["finish_timestamp"] = finish
    body["binary_mode"] = True
    return body


def list_item(job: Job, now_ns: int) -> dict:
    """One entry of GET /api/v1/jobs/list (field names as the seed's example, including its quirks)."""
    spec = job.spec
    data = job.data
    reviewer, review_state = review(job)
    start = job.created_ns
    finish = _finish_ns(job)
    item: dict[str, Any] = {
        "curMsg": cur_msg(job, now_ns),
        "state": wire_state(job),
        "tags": list(data["tags"]),
        "flow_path": spec["binary_path"],
        "job_id": job.id,
        "input_folder": spec["input_dir"],
        "output_folder": data["output_folder"],
        "flow_type": FLOW_TYPE,
        "is_flow_v3": True,
        "start_timestamp": start / NS,
    }
    if finish is not None:
        item["finish_timestamp"] = finish / NS
    item.update({
        "runtime_sec": ((finish if finish is not None else now_ns) - start) / NS,
        "username": data["username"],
        "priority": data["priority"],
        "source_path": spec["binary_path"],
        "run_summary": run_summary(job, now_ns),
        "reviewer": reviewer,
        "review_state": review_state,
        "flow_pipeline_infos": [{"pipeline_id": p, "pipeline_name": f"Pipeline {p}"} for p in data["pipeline_ids"]],
        "flow_job_metrics": None,
        "flow_review_metrics": None,
    })
    return item


# --- logs ---------------------------------------------------------------------------------------------------
def log_ts(t_ns: int) -> str:
    """`2022-12-07 23:27:54,636` (UTC, milliseconds after a comma), as the seed's log records show."""
    secs, rest = divmod(t_ns, NS)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(secs)) + f",{rest // MS:03d}"


def _span_id(job: Job, attempt: int) -> str:
    # derived, not drawn: one span per attempt, fixed by the job's trace id
    return hashlib.sha256(f"{job.data['trace_id']}:{attempt}".encode()).hexdigest()[:16]


_ENTRY_LINES = {
    PAUSED: ("INFO", "Paused flow"),
    CANCELLING: ("INFO", "Cancel requested"),
    CANCELLED: ("INFO", "Flow cancelled"),
}


def log_records(job: Job, now_ns: int) -> list[dict]:
    """Every log record the job has produced by `now_ns`, oldest first: lines for each state change, and one
    per input file as the run's progress passes it (so logs grow while the job runs)."""
    lines: list[tuple[int, int, str, str]] = []
    files = job.data["files"]
    name = job.spec["binary_path"].rstrip("/").rsplit("/", 1)[-1]
    runs = _attempts(job)
    order = 0
    for a, entries in enumerate(runs):
        current = a == len(runs) - 1
        for t, _frm, to, msg in entries:
            order += 1
            if to == PENDING:
                if a == 0:
                    lines.append((t, order, "INFO", "Starting Task"))
                else:
                    lines.append((t, order, "INFO", f"Retrying job (attempt {a + 1})"))
                lines.append((t, order + 1, "INFO", "Initialized flow datastore"))
                order += 1
            elif to == RUNNING:
                resumed = any(h[2] == PAUSED and h[0] <= t for h in entries)
                lines.append((t, order, "INFO", f"Resumed flow {name}" if resumed else f"Running flow {name}"))
            elif to in _ENTRY_LINES:
                lvl, text = _ENTRY_LINES[to]
                lines.append((t, order, lvl, text))
            elif to == COMPLETE:
                lines.append((t, order + 10_000, "INFO", f"Completed {FLOW_TYPE}"))
            elif to == FAILED:
                lines.append((t, order + 10_000, "ERROR", f"Error <{msg or 'step failed'}> in step process_files"))
            elif to == STOPPED_AT_CHECKPOINT:
                lines.append((t, order + 10_000, "WARNING",
                              f"Stopped at checkpoint: {msg or 'validation failed'}"))
        spans, ran, total = _run_totals(job, entries, current, now_ns)
        if total:
            for i, fname in enumerate(files):
                offset = total * (i + 1) // (len(files) + 1)
                if offset > ran:
                    break
                lines.append((_at_run_offset(spans, offset), 5_000 + order + i, "INFO", f"Processing file {fname}"))
    lines.sort(key=lambda x: (x[0], x[1]))
    task = f"{job.id}-Stage1"
    trace = job.data["trace_id"]
    out = []
    attempt_starts = [e[0][0] for e in runs]
    for t, _, level, text in lines:
        if t > now_ns:
            continue
        attempt = max(i for i, s in enumerate(attempt_starts) if s <= t) if attempt_starts else 0
        out.append({"job-id": job.id, "task-id": task, "level": level, "ts": log_ts(t), "trace_id": trace,
                    "span_id": _span_id(job, attempt), "log": text})
    return out


def _at_run_offset(spans: list[tuple[int, int]], offset: int) -> int:
    """The clock time at which `offset` ns of run time had been spent, walking the RUNNING stretches."""
    for a, b in spans:
        if offset <= b - a:
            return a + offset
        offset -= b - a
    return spans[-1][1] if spans else 0
