"""Wire model: a job -> the JSON the Task API returns, and the results a finished job reports.

Everything random (object ids, result names) is drawn once at submit time (`draw`) and kept in `job.data`,
a compact `Drawn` record; reads only format what is stored plus the clock-derived progress, so a seed fixes
the bytes.
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from ...core import fakes
from ...core.readcache import View
from ...core.sharing import share
from ...core.store import Job
from .errors import problem
from .lifecycle import CANCELLED, CANCELLING, FAILED, IN_PROGRESS, ONGOING, REQUESTED, SUCCEEDED

MESSAGES = {
    REQUESTED: "Job requested",
    IN_PROGRESS: "Job in progress",
    CANCELLING: "Job cancelling",
    SUCCEEDED: "Job succeeded",
    FAILED: "Job failed",
    CANCELLED: "Job cancelled",
}
DEFAULT_FAILURE_DETAIL = "The task failed while running"
# Host of the geoscience-object references in generated results: that service is not emulated, and a
# reserved .test name can never resolve, so a client that dereferences one fails fast instead of calling out.
OBJECT_HOST = "https://hub.api.seequent.test"
# The schemas of geoscience objects a compute task typically writes its output attribute into.
_TARGET_SCHEMAS = ("/objects/regular-3d-grid/1.3.0/regular-3d-grid.schema.json",
                   "/objects/pointset/1.3.0/pointset.schema.json",
                   "/objects/regular-masked-3d-grid/1.3.0/regular-masked-3d-grid.schema.json")


def job_path(org_id: str, topic: str, task: str, job_id: str) -> str:
    return f"/compute/orgs/{org_id}/{topic}/{task}/{job_id}"


def record(job: Job) -> Drawn:
    """The job's Drawn record; a job restored from a snapshot written before the record existed (its data a
    dict of org_id, topic, task, results, progress_at_cancel) gets one on first use."""
    d = job.data
    if isinstance(d, dict):
        d = job.data = Drawn.__restore__({"results": d.get("results"), "progress_at_cancel": 0, **d}, None)
    return d


def job_url(base: str, job: Job) -> str:
    """The job's results URL under the scheme and host the client called."""
    d = record(job)
    return base + job_path(d.org_id, d.topic, d.task, job.id)


def spelled(state: str, one_l: bool) -> str:
    """The state as the wire spells it: double L (what the official client validates) unless the profile
    asks for the doc prose's one-L `canceling`/`canceled`."""
    if one_l:
        if state == CANCELLING:
            return "canceling"
        if state == CANCELLED:
            return "canceled"
    return state


def progress(job: Job, now_ns: int) -> int:
    """0-100: 0 while requested, rising with emulated time while in progress (capped at 99 until it
    finishes), frozen where it was when cancelled, 100 once succeeded or failed."""
    state = job.state
    if state in (SUCCEEDED, FAILED):
        return 100
    if state == IN_PROGRESS:
        if job.timer is None:  # held there on purpose (a `hang` outcome): no rising progress to show
            return 0
        return min(99, int(job.progress(now_ns) * 100))
    if state in (CANCELLING, CANCELLED):
        return record(job).progress_at_cancel
    return 0


def job_error(job: Job) -> dict | None:
    """The problem object of a failed job (the scripted message becomes its detail)."""
    if job.state != FAILED:
        return None
    return problem(500, "Task Failed", job.message or DEFAULT_FAILURE_DETAIL, "task-failed")


def links(base: str, job: Job) -> dict[str, str]:
    url = job_url(base, job)
    if job.state in ONGOING:
        return {"cancel": url}
    return {"results": url}


def status_body(job: Job, now_ns: int, base: str, one_l: bool = False) -> dict:
    """`JobStatusResponse`: status, progress, message, error, links."""
    return {
        "status": spelled(job.state, one_l),
        "progress": progress(job, now_ns),
        "message": MESSAGES[job.state],
        "error": job_error(job),
        "links": links(base, job),
    }


def _status_key(job: Job, now_ns: int, base: str, one_l: bool) -> tuple:
    # the same version (state, message), progress, base URL of the links and spelling: the same body
    return job.version, progress(job, now_ns), base, one_l


_STATUS: View[dict] = View("taskapi.status", _status_key, status_body)


def status_json(job: Job, now_ns: int, base: str, one_l: bool = False) -> bytes:
    """`status_body` encoded: a poll of an unchanged job sends the last poll's bytes."""
    return _STATUS.json(job, now_ns, base, one_l)


def pending_results_body(job: Job, base: str, one_l: bool = False) -> dict:
    """What GET results answers (202) while the job is ongoing: its status and where to cancel or watch it."""
    url = job_url(base, job)
    return {"status": spelled(job.state, one_l), "links": {"cancel": url, "status": url + "/status"}}


def results_body(job: Job, one_l: bool = False) -> dict:
    """`CompletedJobResponse`: status, results (when succeeded) and error (when failed)."""
    results = None
    if job.state == SUCCEEDED and not (job.fate is not None and job.fate.results_missing):
        results = record(job).results()
    return {"status": spelled(job.state, one_l), "results": results, "error": job_error(job)}


class Drawn:
    """What a Task API job keeps besides its request bytes: its org, topic and task, and the parts of its
    results drawn at submit (object ids packed in bytes, names shared between jobs), from which `results()`
    builds the wire object on read. The dict it replaces cost ~900 B a job, most of the 3.7 KB a job the
    Task API held at 100k jobs (bench 2026-11-23); this record is ~250 B."""

    __slots__ = ("attr", "count", "ids", "kind", "name", "org_id", "progress_at_cancel", "reference", "schema",
                 "task", "template", "topic", "version")

    def __init__(self, org_id: str, topic: str, task: str) -> None:
        self.org_id = share(org_id)
        self.topic = share(topic)
        self.task = share(task)
        self.template: Any = None   # a catalogue task's declared results (returned as declared)
        self.ids = b""              # workspace and object uuids of a generated reference (16 bytes each)
        self.version = 0            # the object reference's version
        self.reference: str | None = None  # the target object the client named, kept as given
        self.attr = ""
        self.count = 0
        self.name = ""
        self.kind = ""
        self.schema = ""
        self.progress_at_cancel = 0

    def object_reference(self) -> str:
        if self.reference is not None:
            return self.reference
        ws, obj = (str(uuid.UUID(bytes=self.ids[i:i + 16])) for i in (0, 16))
        return (f"{OBJECT_HOST}/geoscience-object/orgs/{self.org_id}/workspaces/{ws}/objects/{obj}"
                f"?version={self.version}")

    def results(self) -> dict:
        """The results object a succeeded job reports (a fresh copy: a caller may change it)."""
        if self.template is not None:
            return copy.deepcopy(self.template)
        return {
            "message": f"{self.topic}/{self.task} completed: {self.count} locations estimated",
            "target": {
                "reference": self.object_reference(),
                "name": f"{self.name} {self.kind}",
                "description": None,
                "schema_id": self.schema,
                "attribute": {"reference": f"locations.attributes[?name=='{self.attr}']", "name": self.attr},
            },
        }

    def __snapshot__(self) -> dict:
        return {"org_id": self.org_id, "topic": self.topic, "task": self.task, "results": self.results(),
                "progress_at_cancel": self.progress_at_cancel}

    @classmethod
    def __restore__(cls, state: dict, session: Any) -> Drawn:
        d = cls(state["org_id"], state["topic"], state["task"])
        d.template = state["results"]  # restored results are returned as saved, whatever drew them
        d.progress_at_cancel = state["progress_at_cancel"]
        return d


def draw(rng: random.Random, ids: Any, org_id: str, topic: str, task: str, parameters: dict,
         template: dict | None) -> Drawn:
    """The record of a new job, with the results it will report drawn now from the session's seed.

    A catalogue task's declared results are returned as declared. Otherwise the shape evo-compute's task
    results use (`message` plus the `target` object and attribute written), echoing the target the client
    named in its parameters when it gave one.
    """
    d = Drawn(org_id, topic, task)
    if template is not None:
        d.template = template  # shared with the catalogue: `results()` copies it on read
        return d
    found = parameters.get("target")
    target: dict[str, Any] = found if isinstance(found, dict) else {}
    found = target.get("attribute")
    attr: dict[str, Any] = found if isinstance(found, dict) else {}
    if isinstance(target.get("object"), str):
        d.reference = target["object"]
    else:
        ws = ids.uuid4()
        obj = ids.uuid4()
        d.ids = uuid.UUID(ws).bytes + uuid.UUID(obj).bytes
        d.version = int(ids.digits(10))  # digits() never starts with 0, so the int prints back the same
    d.attr = share(attr["name"]) if isinstance(attr.get("name"), str) else share(f"{task}_{fakes.faker(rng).word()}")
    d.count = rng.randint(1_000, 2_000_000)
    d.name = share(fakes.faker(rng).word().capitalize())
    d.kind = rng.choice(("grid", "block model", "pointset"))
    d.schema = rng.choice(_TARGET_SCHEMAS)
    return d


def task_entry(task: Any, details: bool) -> dict:
    """One task of the discovery listing; `details` adds its parameter schema and declared results."""
    topic, name = task.key.split("/", 1)
    entry: dict[str, Any] = {"key": task.key, "topic": topic, "name": name, "display_name": task.display_name,
                             "version": task.version}
    if task.description:
        entry["description"] = task.description
    if details:
        entry["parameters"] = copy.deepcopy(task.parameters) if task.parameters is not None else {"type": "object"}
        if task.results is not None:
            entry["results"] = copy.deepcopy(task.results)
    return entry
