"""Route table and thin handlers of the Instabase Job API: parse -> ask the session/store -> model -> Reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from multidict import MultiDict

from ...core import validation
from ...core.clock import NS
from ...core.errors import ApiError
from ...core.sharing import shared_json
from ...core.store import Job, JobStore
from ...kit import Param, Reply, Route, finder, parse_args
from . import listing, model
from .auth import User
from .lifecycle import (
    CANCELLED,
    CANCELLING,
    FLOW,
    PAUSED,
    PENDING,
    RUNNING,
    STOPPED_AT_CHECKPOINT,
    wire_state,
)
from .provider import InstabaseCall as Call

API = "/api/v1"
WEEK = 7 * 86_400
OK = {"status": "OK"}
JOB_TYPES = ("flow", "refiner", "job", "async", "group")
RETRY_TYPES = ("all", "checkpoint_failure", "step_failure")
# list filter spelling -> wire states it selects (CHECKPOINT_FAILED is the seed's filter name)
STATE_FILTER = {"PENDING": {"PENDING"}, "RUNNING": {"RUNNING"}, "PAUSED": {"PAUSED"}, "COMPLETE": {"COMPLETE"},
                "FAILED": {"FAILED"}, "CANCELLED": {"CANCELLED"}, "CHECKPOINT_FAILED": {STOPPED_AT_CHECKPOINT},
                "STOPPED_AT_CHECKPOINT": {STOPPED_AT_CHECKPOINT}}
REVIEW_STATES = ("NONE", "IN_REVIEW", "COMPLETED", "NOT_COMPLETED")


# --- shared helpers -----------------------------------------------------------------------------------------
def _user(call: Call) -> User:
    return call.user


def _store(call: Call) -> JobStore:
    return call.store


def _job_id(call: Call) -> str:
    job_id = call.args.get("job_id")
    if not job_id:
        raise ApiError("invalid", "job_id is required", field="job_id")
    return job_id


def _job(call: Call, job_id: str, user: User) -> Job:
    """The job `job_id` as `user` may see it: jobs are scoped by user, so a non-admin asking for another
    user's job is answered as if it did not exist (closed mode; in open mode everyone is an admin)."""
    job = _store(call).get(job_id)
    if job is None or (not user.admin and job.data.get("username") != user.name):
        raise ApiError("not_found", f"job {job_id} not found", field="job_id")
    return job


def _form(call: Call, raw: bytes) -> Any:
    """POST variants of the GET actions may carry their parameters as a JSON object body [INF]."""
    if validation.is_blank(raw):
        return None
    body = validation.parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError("invalid", "request body must be a JSON object", field="body")
    return body


def _merge_body(call: Call) -> None:
    """Re-read the declared parameters with the JSON body's fields over the query string's."""
    if not isinstance(call.body, dict):
        return
    merged: MultiDict[str] = MultiDict(call.request.query)
    for k, v in call.body.items():
        if isinstance(v, (dict, bool)) or v is None:
            raise ApiError("invalid", f"{k} must be a string, a number or a list of strings", field=k)
        merged.popall(k, None)
        merged[k] = ",".join(str(x) for x in v) if isinstance(v, list) else str(v)
    call.args = parse_args(call.route.query, merged)


# --- job creation -------------------------------------------------------------------------------------------
async def run_binary_async(call: Call) -> Reply:
    """POST /api/v1/flow/run_binary_async: start a flow binary; answers the new job id and output folder."""
    user = _user(call)
    spec = call.body
    if spec is None:
        header = call.headers.get("Instabase-API-Args")  # some clients send the arguments in this header
        if not header:
            raise ApiError("invalid", "request body is empty; a JSON object with binary_path and input_dir is "
                                      "required", field="body")
        spec = validation.parse_json(header.encode())
        validation.check("instabase/run.request", spec)
    else:
        # jobs sent with the same small body share one parsed spec (read-only; it was ~800 B of a job's 2.8 KB)
        spec = shared_json(call.raw, spec)
    session = call.session
    job_id = session.ids.uuid4()
    prov = call.provider
    data = model.derive(spec, job_id, user.name, session.rng, prov.default_priority)
    # a scripted failure `to=STOPPED_AT_CHECKPOINT` stops the flow at a checkpoint instead of failing it
    tags = list(data["tags"])  # the stored tuple is shared between jobs; rules match lists
    lifecycle = call.lifecycle(FLOW, {"labels": tags, "tags": tags, "binary_path": spec["binary_path"],
                                      "input_dir": spec["input_dir"], "priority": data["priority"],
                                      "username": user.name})
    job = call.submit(lifecycle, job_id, spec, data=data)
    call.job_id = job.id
    return Reply(200, {"status": "OK", "data": {"job_id": job.id, "output_folder": data["output_folder"]}})


# --- reads --------------------------------------------------------------------------------------------------
def _status_job(call: Call) -> Job:
    return _job(call, _job_id(call), _user(call))


async def job_status(call: Call) -> Reply:
    """GET /api/v1/jobs/status: poll a job; `state` is PENDING until the job is done, then DONE + results."""
    job = call.read or _status_job(call)
    return Reply(200, model.status_json(job, call.now_ns, call.provider.done_states))


async def get_logs(call: Call) -> Reply:
    """GET /api/v1/jobs/get_logs: one page of the job's log records; `offset` is a page index."""
    job = _job(call, _job_id(call), _user(call))
    size = call.provider.log_page_size
    offset = call.args["offset"]
    records = model.log_records(job, call.now_ns)
    page = records[offset * size:(offset + 1) * size]
    # the seed's example answers next_offset 1 for a first, partial page: the next page index
    return Reply(200, {"logs": page, "next_offset": offset + 1 if page else offset})


def _window(call: Call) -> tuple[float, float]:
    now = call.now_ns / NS
    frm = call.args.get("from_timestamp")
    to = call.args.get("to_timestamp")
    return (now - WEEK if frm is None else frm), (now if to is None else to)


def _owner(call: Call, user: User) -> str | None:
    """The `user` filter after the admin rule: non-admins only ever reach their own jobs."""
    return call.args.get("user") if user.admin else user.name


async def list_jobs(call: Call) -> Reply:
    """GET /api/v1/jobs/list: newest first, every documented filter, offset pagination and `next_page`."""
    user = _user(call)
    a = call.args
    frm, to = _window(call)
    owner = _owner(call, user)
    states: set[str] | None = None
    if a["state"]:
        states = set()
        for s in a["state"]:
            key = s.strip().upper()
            if key not in STATE_FILTER:
                raise ApiError("invalid", f"state: unknown value {s!r}; use {', '.join(STATE_FILTER)}", field="state")
            states |= STATE_FILTER[key]
    reviews = None
    if a["review_state"]:
        reviews = {r.strip().upper().replace(" ", "_") for r in a["review_state"]}
        bad = reviews - set(REVIEW_STATES)
        if bad:
            raise ApiError("invalid", f"review_state: unknown value {min(bad)!r}; use NONE, IN REVIEW, "
                                      f"COMPLETED, NOT_COMPLETED", field="review_state")
    tags = set(a["tags"])
    pipelines = set(a["pipeline_ids"])
    ids = set(a["job_ids"])
    part = a["job_id"]
    now = call.now_ns

    def where(job: Job) -> bool:
        d = job.data
        start = job.created_ns / NS
        if not frm <= start <= to:
            return False
        if owner is not None and d["username"] != owner:
            return False
        if states is not None and wire_state(job) not in states:
            return False
        if a["priority"] is not None and d["priority"] != a["priority"]:
            return False
        if tags and not tags.intersection(d["tags"]):
            return False
        if pipelines and not pipelines.intersection(d["pipeline_ids"]):
            return False
        if ids and job.id not in ids:
            return False
        if part and part not in job.id:
            return False
        if reviews is not None or a["reviewer"]:
            reviewer, review_state = model.review(job)
            if reviews is not None and review_state not in reviews:
                return False
            if a["reviewer"] and reviewer != a["reviewer"]:
                return False
        return True

    limit, offset = a["limit"], a["offset"]
    store = _store(call)
    lo, hi = store.created_min, store.created_max
    if (states is not None and len(states) == 1 and len(tags) <= 1 and owner is None and reviews is None
            and not (a["priority"] is not None or pipelines or ids or part or a["reviewer"])
            and (lo is None or hi is None or (frm <= lo / NS and hi / NS <= to))):
        # the common filter (one state, at most one tag, a window holding every job): the list index
        page, more = listing.page(store, next(iter(states)), next(iter(tags), None), offset, limit)
    else:
        jobs, cursor = store.page(limit=offset + limit, where=where, reverse=True)
        page, more = jobs[offset:], cursor is not None
    next_page = ""
    if more:
        rest = "".join(f"&{k}={quote(v, safe=',*:')}" for k, v in call.request.query.items()
                       if k not in ("limit", "offset"))
        prefix = call.request.match_info.get("_session")
        base = f"/_session/{prefix}" if prefix else ""
        next_page = f"{base}{API}/jobs/list?limit={limit}&offset={offset + limit}{rest}"
    call.shown = page
    return Reply(200, {"jobs": [model.list_item(j, now) for j in page], "next_page": next_page})


# --- single-job actions -------------------------------------------------------------------------------------
def _refusal(command: str, job: Job) -> str:
    """Why `command` cannot run on `job` now, in words a user can act on."""
    state = wire_state(job)
    if job.state == CANCELLING:
        return f"job {job.id} is being cancelled; it cannot be {_PAST[command]}"
    if command == "resume" and job.state == CANCELLED:
        return f"job {job.id} is CANCELLED; a cancelled flow cannot be resumed"
    if command == "pause":
        return f"job {job.id} is {state}; only a RUNNING flow can be paused"
    if command == "resume":
        return f"job {job.id} is {state}; only a PAUSED flow can be resumed"
    if command == "cancel":
        return f"job {job.id} is {state}; only a PENDING, RUNNING or PAUSED flow can be cancelled"
    if command == "retry_checkpoint_failure":
        return (f"job {job.id} is {state}; retry type checkpoint_failure needs a flow STOPPED_AT_CHECKPOINT")
    if command == "retry_step_failure":
        return f"job {job.id} is {state}; retry type step_failure needs a FAILED flow"
    return f"job {job.id} is {state}; only a FAILED or STOPPED_AT_CHECKPOINT flow can be retried"


_PAST = {"pause": "paused", "resume": "resumed", "cancel": "cancelled again", "retry_all": "retried",
         "retry_step_failure": "retried", "retry_checkpoint_failure": "retried"}


def _apply(call: Call, job: Job, command: str) -> None:
    if not call.session.allows(job, command):
        raise ApiError("refused", _refusal(command, job), field="job_id")
    if command.startswith("retry") and not call.provider.retry_keeps_outcome:
        job.fate = None  # a scripted outcome describes the first run; the retried run succeeds
    call.session.command(job, command, _MESSAGES[command])


_MESSAGES = {"pause": "paused by user", "resume": "resumed by user", "cancel": "cancelled by user",
             "retry_all": "retry all", "retry_step_failure": "retry step_failure",
             "retry_checkpoint_failure": "retry checkpoint_failure"}


def _single(command: str | Callable[[Call], str]) -> Callable[[Call], Any]:
    async def handler(call: Call) -> Reply:
        _merge_body(call)
        job = _job(call, _job_id(call), _user(call))
        name = command(call) if callable(command) else command
        _apply(call, job, name)
        return Reply(200, dict(OK))
    handler.__doc__ = f"GET/POST /api/v1/jobs/{command if isinstance(command, str) else 'retry'}"
    return handler


def _retry_command(call: Call) -> str:
    return "retry_" + call.args["type"]


# --- bulk actions -------------------------------------------------------------------------------------------
def _bulk(command: str, from_states: tuple[str, ...]) -> Callable[[Call], Any]:
    async def handler(call: Call) -> Reply:
        _merge_body(call)
        user = _user(call)
        frm, to = _window(call)
        owner = _owner(call, user)
        tags = set(call.args["tags"])
        for job in _store(call).in_states(from_states):
            if not frm <= job.created_ns / NS <= to:
                continue
            if owner is not None and job.data["username"] != owner:
                continue
            if tags and not tags.intersection(job.data["tags"]):
                continue
            if job.graph.can(command, job.state):
                call.session.command(job, command, _MESSAGES[command])
        return Reply(200, dict(OK))
    handler.__doc__ = f"GET/POST /api/v1/jobs/{command}_all: {command} every matching job in {from_states}"
    return handler


# --- tags ---------------------------------------------------------------------------------------------------
async def update_tags(call: Call) -> Reply:
    """POST /api/v1/jobs/tags: replace a job's tags; omitting `names` deletes them."""
    user = _user(call)
    body = call.body
    job = _job(call, body["job_id"], user)
    names = model.as_list(body.get("names"))

    def retag() -> None:
        job.data["tags"] = names

    call.store.regrouped(job, retag)  # the state-and-tag list pages are keyed on the tags
    return Reply(200, {"status": "OK", "updated_tags": list(names)})


# --- table --------------------------------------------------------------------------------------------------
JOB_ID = Param("job_id", str, None, "job_id reported by the run call")
# GET calls name their job in the query (POST ones may put it in the JSON body instead)
NEEDS_JOB_ID = Param("job_id", str, None, "job_id reported by the run call", required=True, pattern=".",
                     message=lambda raw: "job_id is required")
WINDOW = (Param("from_timestamp", float, None, "10-digit Unix seconds (default: a week ago)"),
          Param("to_timestamp", float, None, "10-digit Unix seconds (default: now)"))
BULK = (*WINDOW, Param("user", str, None, "admins only: just this user's jobs"),
        Param("tags", list, None, "comma-separated; any of these tags"))
ERRS = {400: "instabase/error", 401: "instabase/error", 404: "instabase/error", 409: "instabase/error"}


def build() -> list[Route]:
    """Every route of the provider (actions answer GET, as documented, and POST, as some clients send)."""
    t = ("instabase",)
    routes = [
        Route("POST", f"{API}/flow/run_binary_async", run_binary_async, "Run a flow binary asynchronously",
              body="instabase/run.request", body_required=False,
              responses={200: "instabase/run.response", **ERRS}, tags=t),
        Route("GET", f"{API}/jobs/status", job_status, "Status of a job",
              query=(NEEDS_JOB_ID, Param("type", str, "flow", "job type", choices=JOB_TYPES, nocase=True)),
              responses={200: "instabase/status.response", **ERRS}, tags=t, reads=finder(_status_job)),
        Route("GET", f"{API}/jobs/get_logs", get_logs, "Logs of a job, one page",
              query=(NEEDS_JOB_ID, Param("offset", int, 0, "page offset", minimum=0)),
              responses={200: "instabase/logs.response", **ERRS}, tags=t),
        Route("GET", f"{API}/jobs/list", list_jobs, "List flow jobs",
              query=(Param("limit", int, 20, "jobs per page", minimum=0), Param("offset", int, 0, minimum=0),
                     *WINDOW, Param("state", list, None, "comma-separated states"), Param("user"),
                     Param("priority", int, None, "0-9", minimum=0, maximum=9,
                           message=lambda raw: f"priority must be 0-9, got {raw}"), Param("tags", list, None),
                     Param("pipeline_ids", list, None), Param("review_state", list, None),
                     Param("job_id", str, None, "full or partial job id"), Param("job_ids", list, None),
                     Param("reviewer")),
              responses={200: "instabase/list.response", **ERRS}, tags=t),
        Route("POST", f"{API}/jobs/tags", update_tags, "Replace (or delete) a job's tags",
              body="instabase/tags.request", responses={200: "instabase/tags.response", **ERRS}, tags=t),
    ]
    actions: list[tuple[str, Any, tuple[Param, ...], str]] = [
        ("pause", _single("pause"), (JOB_ID,), "Pause a running flow"),
        ("resume", _single("resume"), (JOB_ID,), "Resume a paused flow"),
        ("cancel", _single("cancel"), (JOB_ID,), "Cancel a running or paused flow (asynchronous)"),
        ("retry", _single(_retry_command),
         (JOB_ID, Param("type", str, "all", "which failures", choices=RETRY_TYPES, nocase=True)),
         "Retry a failed flow (asynchronous)"),
        ("pause_all", _bulk("pause", (RUNNING,)), BULK, "Pause matching running flows"),
        ("resume_all", _bulk("resume", (PAUSED,)), BULK, "Resume matching paused flows"),
        ("cancel_all", _bulk("cancel", (PENDING, RUNNING, PAUSED)), BULK, "Cancel matching running or paused flows"),
    ]
    for name, handler, params, summary in actions:
        for method in ("GET", "POST"):
            query = tuple(NEEDS_JOB_ID if p is JOB_ID and method == "GET" else p for p in params)
            routes.append(Route(method, f"{API}/jobs/{name}", handler, summary, body_format=_form,
                                body_required=False, query=query,
                                responses={200: "instabase/ok.response", **ERRS}, tags=t))
    return routes

