"""Wire model: a job -> the JSON the Task API returns, and the results a finished job reports.

Everything random (object ids, result names) is drawn once at submit time (`make_results`) and kept in
`job.data`; reads only format what is stored plus the clock-derived progress, so a seed fixes the bytes.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from ...core import fakes
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


def job_url(base: str, job: Job) -> str:
    """The job's results URL under the scheme and host the client called."""
    d = job.data
    return base + job_path(d["org_id"], d["topic"], d["task"], job.id)


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
        return int(job.data.get("progress_at_cancel", 0))
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


def pending_results_body(job: Job, base: str, one_l: bool = False) -> dict:
    """What GET results answers (202) while the job is ongoing: its status and where to cancel or watch it."""
    url = job_url(base, job)
    return {"status": spelled(job.state, one_l), "links": {"cancel": url, "status": url + "/status"}}


def results_body(job: Job, one_l: bool = False) -> dict:
    """`CompletedJobResponse`: status, results (when succeeded) and error (when failed)."""
    results = None
    if job.state == SUCCEEDED and not (job.fate is not None and job.fate.results_missing):
        results = copy.deepcopy(job.data.get("results"))
    return {"status": spelled(job.state, one_l), "results": results, "error": job_error(job)}


def make_results(rng: random.Random, ids: Any, org_id: str, topic: str, task: str,
                 parameters: dict, template: dict | None) -> dict:
    """The results object a succeeded job will report, drawn now from the session's seed.

    A catalogue task's declared results are returned as declared. Otherwise the shape evo-compute's task
    results use (`message` plus the `target` object and attribute written), echoing the target the client
    named in its parameters when it gave one.
    """
    if template is not None:
        return copy.deepcopy(template)
    target = parameters.get("target") if isinstance(parameters.get("target"), dict) else {}
    attr = target.get("attribute") if isinstance(target.get("attribute"), dict) else {}
    ws = ids.uuid4()
    obj = ids.uuid4()
    reference = target.get("object") if isinstance(target.get("object"), str) else (
        f"{OBJECT_HOST}/geoscience-object/orgs/{org_id}/workspaces/{ws}/objects/{obj}?version={ids.digits(10)}")
    attr_name = attr.get("name") if isinstance(attr.get("name"), str) else f"{task}_{fakes.faker(rng).word()}"
    return {
        "message": f"{topic}/{task} completed: {rng.randint(1_000, 2_000_000)} locations estimated",
        "target": {
            "reference": reference,
            "name": f"{fakes.faker(rng).word().capitalize()} {rng.choice(('grid', 'block model', 'pointset'))}",
            "description": None,
            "schema_id": rng.choice(_TARGET_SCHEMAS),
            "attribute": {"reference": f"locations.attributes[?name=='{attr_name}']", "name": attr_name},
        },
    }


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
