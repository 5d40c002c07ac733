"""Bacalhau wire model: the Job, its executions, its history and its results, derived from the engine's job.

Everything random (ids, nodes, outputs, checksums) is drawn at submit and kept in `job.data` (a compact
`Drawn`); reads only derive. `job.spec` is the request body exactly as the client sent it (bytes): the Job
object is rebuilt from it on read (parse + normalize, a few microseconds), and a small LRU keeps the most
recently read ones, so a job costs about its request body plus ~200 bytes instead of ~6 KB of dicts.
Execution events are placed between the job's own transitions: created with the job, bidding during
Pending, BidAccepted when the job starts Running, and Completed/Failed/Cancelled when the job ends.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shlex
from collections.abc import Callable, Iterable
from typing import Any

from ...core import fakes
from ...core.clock import iso_utc
from ...core.listing import candidates, hits
from ...core.readcache import View, constant, version
from ...core.sharing import share
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


_S3_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"
_CID_CHARS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def draw_result(publisher: dict, session_rng: Any) -> str | None:
    """The random part of what a publisher reports for one execution (an S3 version id, an IPFS CID), drawn
    at submit; None for publishers whose result is fully derived."""
    ptype = publisher.get("Type", "")
    if ptype == "s3":
        return "".join(session_rng.choice(_S3_CHARS) for _ in range(32))
    if ptype == "ipfs":
        return "Qm" + "".join(session_rng.choice(_CID_CHARS) for _ in range(44))
    return None


def published_result(publisher: dict, job_id: str, exec_id: str, node: str, drawn: str | None) -> dict:
    """The SpecConfig a publisher reports for one execution (`drawn`: what `draw_result` drew for it)."""
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
            "ChecksumSHA256": base64.b64encode(digest).decode(), "VersionID": drawn}}
    if ptype == "local":
        return {"Type": "local", "Params": {"URL": f"http://127.0.0.1:6001/{exec_id}.tar.gz"}}
    if ptype == "ipfs":
        return {"Type": "ipfs", "Params": {"CID": drawn}}
    if ptype == "noop":
        return {"Type": "", "Params": None}  # the noop publisher publishes nothing: an empty SpecConfig
    return {"Type": ptype, "Params": None}


# --- what a job keeps -----------------------------------------------------------------------------------------
def _uuid_int(text: str) -> int:
    return int(text.replace("-", ""), 16)


def _uuid_str(n: int) -> str:
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def flat_labels(labels: Any) -> tuple:
    """Labels as a shared flat tuple (k1, v1, k2, v2, ...) of shared strings; what list filters read."""
    if not isinstance(labels, dict) or not labels:
        return ()
    out: list[Any] = []
    for k, v in labels.items():
        out.append(share(k) if isinstance(k, str) else k)
        out.append(share(v) if isinstance(v, str) and len(v) <= 64 else v)
    try:
        return share(tuple(out))
    except TypeError:  # an unhashable value (the schema forbids it; keep it anyway)
        return tuple(out)


class Drawn:
    """What submit drew for one job and what list filters need without parsing the request: the evaluation
    and execution ids (16 bytes each, in one bytes object), per execution (node, stdout or None when the task
    only echoes, the publisher's random part or None) as one flat tuple (shared by jobs that drew the same),
    the namespace and the labels (a shared flat tuple), the requester node."""

    __slots__ = ("execs", "ids", "labels", "namespace", "requester")

    def __init__(self, ids: bytes, execs: tuple, namespace: str, labels: tuple, requester: str) -> None:
        self.ids = ids
        self.execs = execs
        self.namespace = namespace
        self.labels = labels
        self.requester = requester

    @property
    def eval_id(self) -> str:
        return _uuid_str(int.from_bytes(self.ids[:16], "big"))

    def executions(self) -> list[tuple[str, str, str | None, str | None]]:
        """(execution id, node, stdout or None, publisher draw or None) per execution."""
        ex, ids = self.execs, self.ids
        return [("e-" + _uuid_str(int.from_bytes(ids[16 + 16 * k:32 + 16 * k], "big")), ex[i], ex[i + 1], ex[i + 2])
                for k, i in enumerate(range(0, len(ex), 3))]

    def count(self) -> int:
        return len(self.execs) // 3

    def labels_dict(self) -> dict:
        lab = self.labels
        return dict(zip(lab[::2], lab[1::2], strict=False))

    def label_keys(self) -> list[tuple[str, str]]:
        lab = self.labels
        return [(k, v) for k, v in zip(lab[::2], lab[1::2], strict=False) if isinstance(v, str)]

    def __snapshot__(self) -> dict:
        return {"eval": self.eval_id, "namespace": self.namespace, "labels": self.labels_dict(),
                "requester": self.requester,
                "executions": [{"id": i, "node": n, "stdout": o, "drawn": d} for i, n, o, d in self.executions()]}

    @classmethod
    def __restore__(cls, state: dict, session: Any) -> Drawn:
        ids = [_uuid_int(state["eval"])]
        execs: list[Any] = []
        for ex in state["executions"]:
            ids.append(_uuid_int(ex["id"][2:]))
            execs += [ex["node"], ex["stdout"], ex["drawn"]]
        return cls(_pack(ids), share(tuple(execs)), state["namespace"], flat_labels(state["labels"]),
                   state["requester"])


def _pack(uuids: list[int]) -> bytes:
    return b"".join(n.to_bytes(16, "big") for n in uuids)


def draw(session: Any, task: dict, count: int, nodes: list[str], namespace: str, labels: Any,
         requester: str) -> Drawn:
    """Draw the evaluation id and the ids, nodes, outputs and published-result parts of `count` executions
    (in this order: the seed fixes every byte)."""
    ids = [_uuid_int(session.ids.uuid4())]
    execs: list[Any] = []
    echo = echo_output(task)
    publisher = task.get("Publisher") or {}
    for i in range(count):
        ids.append(_uuid_int(session.ids.uuid4()))
        node = nodes[i % len(nodes)]
        stdout = None if echo is not None else fakes.output_lines(session.rng, 1 + session.rng.randrange(3))
        execs += [node, stdout, draw_result(publisher, session.rng)]
    ns = share(namespace) if isinstance(namespace, str) else namespace
    return Drawn(_pack(ids), share(tuple(execs)), ns, flat_labels(labels), requester)


def build_wire(job_id: str, spec: dict, requester: str) -> dict:
    """The stored Job object (without State, Revision and times) from the submitted `Job`."""
    meta = {k: v for k, v in (spec.get("Meta") or {}).items() if not k.startswith(RESERVED_META)}
    meta["bacalhau.org/requester.id"] = requester
    return {
        "ID": job_id, "Name": spec.get("Name") or job_id, "Namespace": spec.get("Namespace") or "default",
        "Type": spec["Type"], "Priority": spec.get("Priority", 0), "Count": spec.get("Count", 0),
        "Constraints": spec.get("Constraints") or [], "Meta": meta, "Labels": spec.get("Labels") or {},
        "Tasks": [normalize_task(spec["Tasks"][0])], "Version": 0,
    }


def _parse(job: Job) -> tuple[dict, dict]:
    spec = job.spec
    body = json.loads(spec) if isinstance(spec, (bytes, str)) else spec
    sub = body["Job"]
    return build_wire(job.id, sub, job.data.requester), sub["Tasks"][0]


# (stored Job object without state, submitted first task): derived from the submission alone, so kept for the
# job's lifetime (within the read cache's bound) and rebuilt from the kept bytes after eviction
_PARSED: View[tuple[dict, dict]] = View("bacalhau.parsed", constant, _parse)


def remember(job: Job, wire: dict, task: dict) -> None:
    """Keep what submit already parsed, so the first read does not parse the body again."""
    _PARSED.seed(job, (wire, task))


def _parsed(job: Job) -> tuple[dict, dict]:
    """(stored Job object without state, submitted first task) of `job`."""
    return _PARSED(job)


try:  # a search reads thousands of names per request: orjson parses a submitted body ~4x faster
    import orjson

    _loads: Callable[[Any], Any] = orjson.loads
except ImportError:
    _loads = json.loads


def name_of(job: Job) -> str:
    """The job's Name (its ID when it was given none), parsed from the kept body without going through the
    read cache: a listing's search reads many jobs once, which must not push the recently read ones out."""
    spec = job.spec
    body = _loads(spec) if isinstance(spec, (bytes, str)) else spec
    return body["Job"].get("Name") or job.id


def search_jobs(jobs: list[Job], needle: str) -> list[bool]:
    """Per job, whether `needle` (casefolded) is in its ID or its name_of, casefolded, parsing few bodies:
    an ASCII body without a backslash holds its Name verbatim, so when the needle is ASCII (casefolding is
    then lower case) a body whose lower case lacks it has no Name that holds it (a job without a Name is
    named by its ID, searched anyway). Only the bodies that may hold it are parsed."""
    out = hits([j.id for j in jobs], needle)
    specs = [j.spec for j in jobs]
    maybe: Iterable[int] = range(len(jobs))
    if needle.isascii() and all(type(s) is bytes for s in specs):
        raw = b"".join(specs)
        if raw.isascii() and b"\\" not in raw:
            maybe = candidates(specs, needle.encode())
    for k in maybe:
        if not out[k]:
            out[k] = needle in name_of(jobs[k]).casefold()
    return out


def wire_base(job: Job) -> dict:
    """The stored Job object (shared: copy before changing it)."""
    return _parsed(job)[0]


def executions_of(job: Job) -> list[tuple[str, str, str, dict]]:
    """(execution id, node, stdout, published result) per execution."""
    _, task = _parsed(job)
    publisher = task.get("Publisher") or {}
    out = []
    echo = None
    for exec_id, node, stdout, drawn in job.data.executions():
        if stdout is None:
            if echo is None:
                echo = echo_output(task)
            stdout = echo
        out.append((exec_id, node, stdout, published_result(publisher, job.id, exec_id, node, drawn)))
    return out


def state_of(job: Job) -> dict:
    return {"StateType": job.state, "Message": job.message}


def job_wire(job: Job) -> dict:
    """The Job object as GET /jobs/:id returns it."""
    wire = dict(_parsed(job)[0])
    wire["State"] = state_of(job)
    wire["Revision"] = len(job.history)
    wire["CreateTime"] = job.created_ns
    wire["ModifyTime"] = job.modified_ns
    return wire


# GET /jobs/:id without includes, encoded: a poll of an unchanged job sends the last poll's bytes (every part
# of job_wire is the submission's or changes with a transition)
_GET_BODY: View[dict] = View("bacalhau.get", version, lambda job: {"Job": job_wire(job)})


def get_body_json(job: Job) -> bytes:
    """{"Job": job_wire(job)} encoded, as GET /jobs/:id answers without `include`."""
    return _GET_BODY.json(job)


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
    for i in range(job.data.count()):
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
            # end_state is set whenever end is (both come from the job's last transition)
            new = {COMPLETED: EX_COMPLETED, FAILED: EX_FAILED}.get(end_state, EX_CANCELLED)  # type: ignore[arg-type]
            if end_state == COMPLETED and last != EX_BID_ACCEPTED:
                new = EX_COMPLETED
            ev.append((max(end + i * 1000, ev[-1][0]), last, new))
        per_exec.append(ev)
    return per_exec


def executions_wire(job: Job, now_ns: int) -> list[dict]:
    out = []
    message = _timeline(job)[4]
    namespace = job.data.namespace
    for (exec_id, node, stdout, result), events in zip(executions_of(job), execution_events(job, now_ns), strict=False):
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
            run_output = {"stdout": stdout, "stdouttruncated": False, "stderr": "", "stderrtruncated": False,
                          "exitCode": 0, "runnerError": ""}
        elif state == EX_FAILED and job.entered(RUNNING) is not None:
            run_output = {"stdout": "", "stdouttruncated": False, "stderr": (message or "error") + "\n",
                          "stderrtruncated": False, "exitCode": 1, "runnerError": ""}
        published = result if state == EX_COMPLETED and not _results_missing(job) \
            else {"Type": "", "Params": None}
        out.append({
            "ID": exec_id, "Namespace": namespace, "EvalID": "", "Name": "", "NodeID": node,
            "JobID": job.id, "AllocatedResources": {"Tasks": {}}, "DesiredState": desired,
            "ComputeState": {"StateType": state, "Message": compute_msg}, "PublishedResult": published,
            "RunOutput": run_output, "PreviousExecution": "", "NextExecution": "", "FollowupEvalID": "",
            "Revision": len(events), "CreateTime": events[0][0], "ModifyTime": t_last,
        })
    return out


def _results_missing(job: Job) -> bool:
    return bool(job.fate and job.fate.results_missing)


_JOB_COMMENTS = {PENDING: "Job created", QUEUED: "Job queued", RUNNING: "Job running", COMPLETED: "Job completed"}


def history_wire(job: Job, now_ns: int, with_event: bool = False) -> list[dict]:
    """Job-level and execution-level events in time order, as GET /jobs/:id/history returns them."""
    return [e for _, e in history_events(job, now_ns, with_event)]


# execution state -> the message of its v1.4 `Event` (the emulator's wording; the topic is the real one's kind)
_EXEC_MESSAGES = {EX_NEW: "Execution created", EX_ASK: "Asked node to bid", EX_ASK_OK: "Node accepted to bid",
                  EX_BID_ACCEPTED: "Running", EX_COMPLETED: "Execution completed", EX_FAILED: "Execution failed",
                  EX_CANCELLED: "Execution stopped"}


def history_events(job: Job, now_ns: int, with_event: bool = False) -> list[tuple[int, dict]]:
    """(time in ns, event) pairs of the job's history, in time order; `with_event` adds v1.4's `Event`
    {Message, Topic, Timestamp, Details}."""
    events: list[tuple[int, int, dict]] = []
    for rev, (t, prev, new, msg) in enumerate(job.history, start=1):
        state = {"New": new} if prev is None else {"Previous": prev, "New": new}
        comment = msg or _JOB_COMMENTS.get(new, "")
        item: dict[str, Any] = {"Type": "JobLevel", "JobID": job.id, "NodeID": "", "ExecutionID": "", "JobState": state,
                "ExecutionState": None, "NewRevision": rev, "Comment": comment, "Time": iso_utc(t)}
        if with_event:
            item["Event"] = _event(comment, "Submission" if prev is None else "State Update", t)
        events.append((t, 0, item))
    for idx, (ex, evs) in enumerate(zip(job.data.executions(), execution_events(job, now_ns), strict=False)):
        for ex_rev, (ex_t, ex_prev, ex_new) in enumerate(evs, start=1):
            item = {"Type": "ExecutionLevel", "JobID": job.id, "NodeID": ex[1], "ExecutionID": ex[0],
                    "JobState": None, "ExecutionState": {"Previous": ex_prev, "New": ex_new},
                    "NewRevision": ex_rev, "Comment": "", "Time": iso_utc(ex_t)}
            if with_event:
                item["Event"] = _event(_EXEC_MESSAGES.get(ex_new, ""), "Execution", ex_t)
            events.append((ex_t, 1 + idx, item))
    events.sort(key=lambda e: (e[0], e[1]))
    return [(e[0], e[2]) for e in events]


def _event(message: str, topic: str, t_ns: int) -> dict:
    return {"Message": message, "Topic": topic, "Timestamp": iso_utc(t_ns), "Details": {}}


def results_wire(job: Job, now_ns: int, with_empty: bool = False) -> list[dict]:
    """Published results of completed executions; an empty one (the noop publisher's) only `with_empty`."""
    return [ex["PublishedResult"] for ex in executions_wire(job, now_ns)
            if ex["ComputeState"]["StateType"] == EX_COMPLETED and (with_empty or ex["PublishedResult"]["Type"])]
