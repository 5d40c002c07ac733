"""Bacalhau wire model: the Job, its executions, its history and its results, derived from the engine's job.

Everything random (ids, nodes, outputs, checksums) is drawn at submit and kept in `job.data`; reads only
derive. Execution events are placed between the job's own transitions: created with the job, bidding during
Pending, BidAccepted when the job starts Running, and Completed/Failed/Cancelled when the job ends.
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from typing import Any

from ...core import fakes
from ...core.clock import iso_utc
from ...core.store import Job
from .lifecycle import (
    COMPLETED,
    DESIRED_PENDING,
    DESIRED_RUNNING,
    DESIRED_STOPPED,
    EX_ASK,
    EX_ASK_OK,
    EX_BID_ACCEPTED,
    EX_CANCELLED,
    EX_COMPLETED,
    EX_FAILED,
    EX_NEW,
    FAILED,
    PENDING,
    QUEUED,
    RUNNING,
    STOPPED,
)

RESERVED_META = "bacalhau.org/"

IGNORED_FIELDS = (
    ("CreateTime", "job create time is ignored when submitting a job"),
    ("ModifyTime", "job modify time is ignored when submitting a job"),
    ("State", "job state is ignored when submitting a job"),
    ("Version", "job version is ignored when submitting a job"),
    ("Revision", "job revision is ignored when submitting a job"),
)


def normalize_task(task: dict) -> dict:
    """A task as the server stores it: every field present with its default."""
    engine = task.get("Engine") or {}
    publisher = task.get("Publisher") or {}
    return {
        "Name": task.get("Name", ""),
        "Engine": {"Type": engine.get("Type", ""), "Params": engine.get("Params") or {}},
        "Publisher": {"Type": publisher.get("Type", ""), "Params": publisher.get("Params") or {}},
        "Env": task.get("Env") or {},
        "Meta": task.get("Meta") or {},
        "InputSources": task.get("InputSources") or [],
        "ResultPaths": task.get("ResultPaths") or [],
        "Resources": {"CPU": "", "Memory": "", "Disk": "", "GPU": "", **(task.get("Resources") or {})},
        "Network": {"Type": "None", **(task.get("Network") or {})},
        "Timeouts": {"ExecutionTimeout": 1800, **(task.get("Timeouts") or {})},
    }


def echo_output(task: dict) -> str | None:
    """What the task prints if it only runs `echo` (directly or through `sh -c`/`bash -c`), else None."""
    params = (task.get("Engine") or {}).get("Params") or {}
    argv = list(params.get("Entrypoint") or []) + list(params.get("Parameters") or [])
    if not argv:
        return None
    if argv[0].rsplit("/", 1)[-1] in ("sh", "bash") and len(argv) == 3 and argv[1] == "-c":
        try:
            argv = shlex.split(argv[2])
        except ValueError:
            return None
        if any(tok in ("&&", "||", ";", "|", ">") for tok in argv):
            return None
    if argv and argv[0].rsplit("/", 1)[-1] == "echo":
        args = argv[1:]
        newline = "\n"
        if args and args[0] == "-n":
            args, newline = args[1:], ""
        return " ".join(args) + newline
    return None


def published_result(publisher: dict, job_id: str, exec_id: str, node: str, session_rng: Any) -> dict:
    """The SpecConfig a publisher reports for one execution."""
    ptype = publisher.get("Type", "")
    params = publisher.get("Params") or {}
    if ptype == "s3":
        key = str(params.get("Key", "")).replace("{jobID}", job_id).replace("{executionID}", exec_id) \
            .replace("{nodeID}", node)
        if not key or key.endswith("/"):
            key += f"{exec_id}.tar.gz"
        digest = hashlib.sha256(f"{job_id}/{exec_id}".encode()).digest()
        return {"Type": "s3", "Params": {
            "Bucket": params.get("Bucket", ""), "Key": key, "Region": params.get("Region", "us-east-1"),
            "ChecksumSHA256": base64.b64encode(digest).decode(),
            "VersionID": "".join(session_rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._")
                                 for _ in range(32))}}
    if ptype == "local":
        return {"Type": "local", "Params": {"URL": f"http://127.0.0.1:6001/{exec_id}.tar.gz"}}
    if ptype == "ipfs":
        return {"Type": "ipfs", "Params": {"CID": "Qm" + "".join(
            session_rng.choice("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") for _ in range(44))}}
    if ptype == "noop":
        return {"Type": "noop", "Params": None}
    return {"Type": ptype, "Params": None}


def make_executions(session: Any, job_id: str, task: dict, count: int, nodes: list[str]) -> list[dict]:
    """Draw the ids, nodes, outputs and published results of `count` executions."""
    out = []
    echo = echo_output(task)
    publisher = task.get("Publisher") or {}
    for i in range(count):
        exec_id = "e-" + session.ids.uuid4()
        node = nodes[i % len(nodes)]
        stdout = echo if echo is not None else fakes.output_lines(session.rng, 1 + session.rng.randrange(3))
        out.append({"id": exec_id, "node": node, "stdout": stdout,
                    "result": published_result(publisher, job_id, exec_id, node, session.rng)})
    return out


def state_of(job: Job) -> dict:
    return {"StateType": job.state, "Message": job.message}


def job_wire(job: Job) -> dict:
    """The Job object as GET /jobs/:id returns it."""
    wire = dict(job.data["job"])
    wire["State"] = state_of(job)
    wire["Revision"] = len(job.history)
    wire["CreateTime"] = job.created_ns
    wire["ModifyTime"] = job.modified_ns
    return wire


def _timeline(job: Job) -> tuple[int, int | None, int | None, str | None, str]:
    """(created, bid accepted, ended, end state, end message) of the job's executions."""
    created = job.created_ns
    running = job.entered(RUNNING)
    end = end_state = None
    message = ""
    if job.state in (COMPLETED, FAILED, STOPPED):
        end, end_state, message = job.finished_ns, job.state, job.message
        if job.state == STOPPED and job.history[-2][2] == FAILED:
            # a failed job later marked stopped: its executions ended when it failed
            end, end_state, message = job.history[-2][0], FAILED, job.history[-2][3]
    return created, running, end, end_state, message


def execution_events(job: Job, now_ns: int) -> list[list[tuple[int, int, int]]]:
    """Per execution, its (time, previous, new) compute-state events up to `now_ns`."""
    created, running, end, end_state, _ = _timeline(job)
    bid_end = running
    if bid_end is None and job.state in (PENDING, QUEUED) and job.timer is not None:
        bid_end = job.timer[0]
    if bid_end is None:
        bid_end = end if end is not None else created
    span = max(bid_end - created, 4)
    horizon = now_ns if end is None else min(now_ns, end)
    per_exec = []
    for i, _ in enumerate(job.data["executions"]):
        t0 = created + i * 1000  # executions are created a microsecond apart
        ev = [(t0, EX_NEW, EX_NEW)]
        seq = [(created + span // 4 + i * 1000, EX_NEW, EX_ASK), (created + span // 2 + i * 1000, EX_ASK, EX_ASK_OK),
               (created + 3 * span // 4 + i * 1000, EX_ASK_OK, EX_ASK_OK)]
        for t, a, b in seq:
            if t <= horizon:
                ev.append((t, a, b))
        if running is not None and running + i * 1000 <= horizon:
            ev.append((running + i * 1000, EX_ASK_OK, EX_BID_ACCEPTED))
        if end is not None and end <= now_ns:
            last = ev[-1][2]
            new = {COMPLETED: EX_COMPLETED, FAILED: EX_FAILED}.get(end_state, EX_CANCELLED)  # type: ignore[arg-type]
            if end_state == COMPLETED and last != EX_BID_ACCEPTED:
                new = EX_COMPLETED
            ev.append((max(end + i * 1000, ev[-1][0]), last, new))
        per_exec.append(ev)
    return per_exec


def executions_wire(job: Job, now_ns: int) -> list[dict]:
    out = []
    _, _, end, end_state, message = _timeline(job)
    namespace = job.data["job"]["Namespace"]
    for ex, events in zip(job.data["executions"], execution_events(job, now_ns)):
        t_last, _, state = events[-1]
        if state == EX_COMPLETED:
            desired = {"StateType": DESIRED_STOPPED, "Message": "execution completed"}
        elif state in (EX_FAILED, EX_CANCELLED):
            desired = {"StateType": DESIRED_STOPPED,
                       "Message": message or ("execution failed" if state == EX_FAILED else "job stopped")}
        elif state == EX_BID_ACCEPTED:
            desired = {"StateType": DESIRED_RUNNING, "Message": ""}
        else:
            desired = {"StateType": DESIRED_PENDING if state == EX_NEW else DESIRED_RUNNING, "Message": ""}
        compute_msg = message if state == EX_FAILED else ""
        run_output = None
        if state == EX_COMPLETED:
            run_output = {"stdout": ex["stdout"], "stdouttruncated": False, "stderr": "", "stderrtruncated": False,
                          "exitCode": 0, "runnerError": ""}
        elif state == EX_FAILED and job.entered(RUNNING) is not None:
            run_output = {"stdout": "", "stdouttruncated": False, "stderr": (message or "error") + "\n",
                          "stderrtruncated": False, "exitCode": 1, "runnerError": ""}
        published = ex["result"] if state == EX_COMPLETED and not _results_missing(job) \
            else {"Type": "", "Params": None}
        out.append({
            "ID": ex["id"], "Namespace": namespace, "EvalID": "", "Name": "", "NodeID": ex["node"],
            "JobID": job.id, "AllocatedResources": {"Tasks": {}}, "DesiredState": desired,
            "ComputeState": {"StateType": state, "Message": compute_msg}, "PublishedResult": published,
            "RunOutput": run_output, "PreviousExecution": "", "NextExecution": "", "FollowupEvalID": "",
            "Revision": len(events), "CreateTime": events[0][0], "ModifyTime": t_last,
        })
    return out


def _results_missing(job: Job) -> bool:
    return bool(job.fate and job.fate.results_missing)


_JOB_COMMENTS = {PENDING: "Job created", QUEUED: "Job queued", RUNNING: "Job running", COMPLETED: "Job completed"}


def history_wire(job: Job, now_ns: int) -> list[dict]:
    """Job-level and execution-level events in time order, as GET /jobs/:id/history returns them."""
    return [e for _, e in history_events(job, now_ns)]


def history_events(job: Job, now_ns: int) -> list[tuple[int, dict]]:
    """(time in ns, event) pairs of the job's history, in time order."""
    events: list[tuple[int, int, dict]] = []
    for rev, (t, prev, new, msg) in enumerate(job.history, start=1):
        state = {"New": new} if prev is None else {"Previous": prev, "New": new}
        events.append((t, 0, {
            "Type": "JobLevel", "JobID": job.id, "NodeID": "", "ExecutionID": "", "JobState": state,
            "ExecutionState": None, "NewRevision": rev, "Comment": msg or _JOB_COMMENTS.get(new, ""),
            "Time": iso_utc(t)}))
    for idx, (ex, evs) in enumerate(zip(job.data["executions"], execution_events(job, now_ns))):
        for rev, (t, prev, new) in enumerate(evs, start=1):
            events.append((t, 1 + idx, {
                "Type": "ExecutionLevel", "JobID": job.id, "NodeID": ex["node"], "ExecutionID": ex["id"],
                "JobState": None, "ExecutionState": {"Previous": prev, "New": new}, "NewRevision": rev,
                "Comment": "", "Time": iso_utc(t)}))
    events.sort(key=lambda e: (e[0], e[1]))
    return [(e[0], e[2]) for e in events]


def results_wire(job: Job, now_ns: int) -> list[dict]:
    """Published results of completed executions (results with an empty Type are skipped)."""
    return [ex["PublishedResult"] for ex in executions_wire(job, now_ns)
            if ex["ComputeState"]["StateType"] == EX_COMPLETED and ex["PublishedResult"]["Type"]]
