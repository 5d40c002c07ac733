"""Task API routes: create a job (303 + Location), poll its status and results (202 ongoing / 200 done),
cancel it (204). Handlers only check the request, ask the session, and format via model.py."""

from __future__ import annotations

import functools
import re
from typing import Any

from ...core import validation
from ...core.errors import ApiError
from ...core.sharing import keep_body
from ...core.store import Job
from ...kit import Param, Reply, Route, finder
from . import model
from .catalogue import invalid_parameters
from .lifecycle import JOB, TERMINAL
from .provider import TaskApiCall as Call

BASE = "/compute/orgs/{org_id}/{topic}/{task}"
JOB_PATH = BASE + "/{job_id}"


_UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_CANONICAL_UUID = re.compile(_UUID_PATTERN)
# What the OpenAPI document says of an org or job id: exactly the form _uuid takes.
UUID_PARAM = {"type": "string", "format": "uuid", "pattern": _UUID_PATTERN}


@functools.lru_cache(maxsize=4096)  # a status poll checks two segments; the pattern was 2 % of a served one
def _uuid(value: str, name: str) -> str:
    """The lower-case form of a UUID path segment (8-4-4-4-12 hex digits, any case), or a 422 naming the
    segment (the real API types org and job ids as `format: uuid`; its client sends this form only)."""
    if _CANONICAL_UUID.fullmatch(value):
        return value.lower()
    raise ApiError("invalid", f"{name} {value!r} is not a valid UUID", field=name,
                   details=[{"name": name, "reason": "value is not a valid uuid"}])


def _precheck(call: Call) -> tuple[str, str, str]:
    """The org and task of the path: (org_id, topic, task). Runs before the body is judged (auth runs before
    both, in the pipeline), so a client gets 401, then 404, before any complaint about its body."""
    prov = call.provider
    org_id = _uuid(call.path["org_id"], "org_id")
    if prov.orgs and org_id not in prov.orgs:
        raise ApiError("not_found", f"Organization {org_id} not found", field="org_id")
    topic, task = call.path["topic"], call.path["task"]
    if prov.catalogue_only and f"{topic}/{task}" not in prov.catalogue:
        raise ApiError("not_found", f"Task {topic}/{task} not found", field="task")
    return org_id, topic, task


def _job(call: Call) -> Job:
    """The job named by the path, which must belong to the path's org, topic and task (else 404)."""
    org_id, topic, task = _precheck(call)
    job_id = _uuid(call.path["job_id"], "job_id")
    job = call.store.get(job_id)
    d = model.record(job) if job is not None else None
    if job is None or d is None or (d.org_id, d.topic, d.task) != (org_id, topic, task):
        raise ApiError("not_found", f"Job {job_id} not found for task {topic}/{task} in organization {org_id}",
                       field="job_id")
    return job


def parse_create(call: Call, raw: bytes) -> Any:
    """Body reader of the create route: path and auth errors first, then JSON (schema check follows)."""
    _precheck(call)
    if validation.is_blank(raw):
        raise ApiError("invalid", "request body is empty; a JSON object with 'parameters' is required",
                       field="parameters", details=[{"name": "parameters", "reason": "field required"}])
    return validation.parse_json(raw)


async def create_job(call: Call) -> Reply:
    """POST /compute/orgs/{org_id}/{topic}/{task} {"parameters": {...}} -> 303, Location: .../{job_id}/status"""
    org_id, topic, task = _precheck(call)
    prov = call.provider
    parameters = call.body["parameters"]
    entry = prov.catalogue.get(f"{topic}/{task}")
    if entry is not None:
        bad = invalid_parameters(entry, parameters)
        if bad:
            raise ApiError("invalid", f"invalid parameters for task {topic}/{task}: "
                                      + "; ".join(f"{b['name']}: {b['reason']}" for b in bad),
                           field=bad[0]["name"], details=bad)
    session = call.session
    base = call.base_url()
    job_id = session.ids.uuid4()
    data = model.draw(session.rng, session.ids, org_id, topic, task, parameters, entry.results if entry else None)
    graph = entry.graph if entry else JOB
    lifecycle = call.lifecycle(graph, {"type": f"{topic}/{task}", "key": f"{topic}/{task}", "org_id": org_id,
                                       "topic": topic, "task": task, "parameters": parameters})
    # the job keeps the body as sent (bytes, shared between identical small bodies): the parsed dict was
    # ~1 KB of each Task API job's 3.7 KB, and nothing reads it back
    spec = keep_body(call.raw) if call.raw else call.body
    job = call.submit(lifecycle, job_id, spec, data=data)
    call.job_id = job.id
    return Reply(303, None, headers={"Location": model.job_url(base, job) + "/status"})


async def get_status(call: Call) -> Reply:
    """GET .../{job_id}/status -> 202 while ongoing, 200 once finished."""
    job = call.read or _job(call)
    body = model.status_json(job, call.now_ns, call.base_url(), call.provider.one_l)
    return Reply(200 if job.state in TERMINAL else 202, body)


async def get_results(call: Call) -> Reply:
    """GET .../{job_id} -> 202 {status, links} while ongoing, 200 {status, results, error} once finished."""
    job = call.read or _job(call)
    one_l = call.provider.one_l
    if job.state in TERMINAL:
        return Reply(200, model.results_body(job, one_l))
    return Reply(202, model.pending_results_body(job, call.base_url(), one_l))


async def cancel_job(call: Call) -> Reply:
    """DELETE .../{job_id} -> 204. An ongoing job goes cancelling, then cancelled; cancelling a job that is
    already cancelling or finished changes nothing and still answers 204 (undocumented; idempotent)."""
    job = _job(call)
    if call.session.allows(job, "cancel"):
        call.session.command(job, "cancel", "cancelled by request")
    return Reply(204, None)


async def list_tasks(call: Call) -> Reply:
    """GET /compute/orgs/{org_id}/tasks: the catalogue's tasks, by key, `limit`/`offset` paged (newer API;
    without a catalogue the list is empty, since any topic/task is then accepted)."""
    prov = call.provider
    org_id = _uuid(call.path["org_id"], "org_id")
    if prov.orgs and org_id not in prov.orgs:
        raise ApiError("not_found", f"Organization {org_id} not found", field="org_id")
    limit, offset = call.args["limit"], call.args["offset"]
    tasks = sorted(prov.catalogue.values(), key=lambda t: t.key)
    page = [model.task_entry(t, call.args["details"]) for t in tasks[offset:offset + limit]]
    return Reply(200, {"limit": limit, "offset": offset, "total": len(tasks), "count": len(page), "results": page})


def routes() -> list[Route]:
    """The Task API route table."""
    tags = ("taskapi",)
    org = {"org_id": UUID_PARAM}
    job = {"org_id": UUID_PARAM, "job_id": UUID_PARAM}
    return [
        Route("POST", BASE, create_job, "Create a job running a compute task", body="taskapi/create.request",
              body_format=parse_create, responses={303: None}, tags=tags, path_params=org),
        Route("GET", JOB_PATH + "/status", get_status, "Status of a job (202 ongoing, 200 finished)",
              responses={200: "taskapi/job-status.response", 202: "taskapi/job-status.response"}, tags=tags,
              reads=finder(_job), path_params=job),
        Route("GET", JOB_PATH, get_results, "Results of a job (202 ongoing, 200 finished)",
              responses={200: "taskapi/job-results.response", 202: "taskapi/job-pending.response"}, tags=tags,
              reads=finder(_job), path_params=job),
        Route("DELETE", JOB_PATH, cancel_job, "Cancel a job", responses={204: None}, tags=tags, path_params=job),
        Route("GET", "/compute/orgs/{org_id}/tasks", list_tasks, "The task catalogue (newer API; optional)",
              query=(Param("details", bool, False, "include each task's parameter schema and results"),
                     Param("limit", int, 100, "page size", minimum=1),
                     Param("offset", int, 0, "tasks to skip", minimum=0)),
              responses={200: "taskapi/tasks.response"}, tags=tags, path_params=org),
    ]
