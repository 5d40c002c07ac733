"""Bacalhau routes: `/api/v1/orchestrator/jobs` and its sub-resources. Handlers stay thin: resolve the job,
ask the session, shape the answer with model.py."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from ...core.clock import NS
from ...core.errors import ApiError
from ...core.sharing import keep_body
from ...core.store import Job
from ...kit import Param, Reply, Route, finder
from . import logstream, model
from .lifecycle import COMPLETED, FAILED, STOPPED, graph_for
from .provider import BacalhauCall as Call
from .selector import SelectorError, matches, parse

BASE = "/api/v1/orchestrator/jobs"
JOB_TYPES = ("batch", "ops", "daemon", "service")
FULL_ID = re.compile(r"^(j-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
JOB_ORDER = {"": "created_at", "created_at": "created_at", "create_time": "created_at", "id": "id",
             "modified_at": "modified_at", "modify_time": "modified_at"}
EXEC_ORDER = {"": "modify_time", "modify_time": "modify_time", "modified_at": "modify_time",
              "create_time": "create_time", "created_at": "create_time", "id": "id", "state": "state"}
MAX_COUNT = 1000  # executions (and fake nodes) one job may ask for; each is kept in memory


def _none(value: str | None) -> str | None:
    """The Python SDK sends `None` for parameters it has no value for."""
    return None if value in (None, "", "None") else value


def _profile(call: Call) -> dict[str, Any]:
    return call.provider.profile


# --- job resolution -----------------------------------------------------------------------------------------
def resolve(call: Call, job_id: str) -> Job:
    """A job by full id, or by a unique prefix such as the short id `j-1a2b3c4d`."""
    store = call.store
    call.job_id = job_id
    job = store.get(job_id)
    if job is not None:  # a full id (the poll's case): one lookup, before the regular expression
        return job
    release = _profile(call)["release"]
    if FULL_ID.match(job_id):
        msg = f"job not found: {job_id}" if release != "v1.1" else f"Job not found. ID: {job_id}"
        raise ApiError("not_found", msg, field=job_id)
    found = store.with_prefix(job_id)
    if not found:
        msg = f"job not found: {job_id}" if release == "v1.5" else f"Job not found. ID: {job_id}"
        raise ApiError("not_found", msg, field=job_id)
    if len(found) > 1:
        ids = sorted(j.id for j in found)
        msg = (f"Duplicate jobs found for ID: {job_id}" if release == "v1.1"
               else f"Multiple jobs found for jobID prefix: {job_id}, matching jobIDs: [{' '.join(ids)}]")
        raise ApiError("ambiguous", msg, field=job_id)
    call.job_id = found[0].id
    return found[0]


# --- paging tokens ------------------------------------------------------------------------------------------
def encode_token(call: Call, order: str, reverse: bool, limit: int, offset: int) -> str:
    if _profile(call)["token"] == "offset":
        return str(offset)
    raw = f"{order}:{'Y' if reverse else 'N'}:{limit}:{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(call: Call, token: str) -> tuple[str | None, bool | None, int | None, int]:
    """(order_by, reverse, limit, offset) from a token; the first three are None for decimal tokens."""
    if token.isascii() and token.isdigit():  # str.isdigit alone also takes "٣" and "²"
        return None, None, None, int(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        order, rev, limit, offset = raw.split(":")
        return order, rev == "Y", int(limit), int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError("invalid", f"invalid paging token: {token}", field="next_token") from None


def page(call: Call, items: list, *, order: str, reverse: bool, limit: int, offset: int) -> tuple[list, str]:
    chunk = items[offset:offset + limit] if limit else items[offset:]
    more = bool(limit) and offset + limit < len(items)
    return chunk, encode_token(call, order, reverse, limit, offset + limit) if more else ""


def list_params(call: Call, default_order: str, orders: dict[str, str], strict: bool) -> tuple[str, bool, int, int]:
    args = call.args
    order_raw = (_none(args.get("order_by")) or "").strip()
    if order_raw not in orders:
        if strict:
            raise ApiError("invalid", f"invalid order_by: {order_raw}", field="order_by")
        order_raw = ""
    order, reverse, limit = orders[order_raw], bool(args.get("reverse")), args.get("limit")
    offset = 0
    token = _none(args.get("next_token"))
    if token:
        t_order, t_rev, t_limit, offset = decode_token(call, token)
        if t_order is not None:  # a token overrides the sort and the page size
            order, reverse, limit = orders.get(t_order, default_order), bool(t_rev), t_limit
    return order, reverse, int(limit or 0), offset


# --- handlers -----------------------------------------------------------------------------------------------
def _validate(job: Any, name_required: bool) -> list[str]:
    """The orchestrator's own validation messages (reference 2.3)."""
    errs = []
    if name_required and not job.get("Name"):
        errs.append("missing job name")
    jtype = job.get("Type")
    if not jtype:
        errs.append("missing job type")
    elif jtype not in JOB_TYPES:
        errs.append(f'invalid job type: "{jtype}"')
    count = job.get("Count", 0)
    if isinstance(count, float) and count.is_integer():  # JSON Schema's integer: 2.0 is 2
        count = job["Count"] = int(count)
    if isinstance(count, int) and count < 0:
        errs.append("job count must be >= 0")
    elif isinstance(count, int) and count > MAX_COUNT:
        errs.append(f"job count must be <= {MAX_COUNT}: the emulated network has no more nodes to place it on")
    tasks = job.get("Tasks")
    if not tasks:
        errs.append("missing job tasks")
    for task in tasks or []:
        name = task.get("Name") or ""
        terrs = []
        if not name:
            terrs.append("missing task name")
        if not (task.get("Engine") or {}).get("Type"):
            terrs.append("missing spec type")
        publisher = task.get("Publisher") or {}
        if task.get("ResultPaths") and not publisher.get("Type"):
            terrs.append("publisher is required if result paths are set")
        errs.extend(f"task {name} validation failed: {e}" for e in terrs)
    return errs


def submit_contract(schema: dict, name_required: bool) -> dict:
    """The submit body schema narrowed to what _validate takes, for the OpenAPI document (the schema file
    stays as lenient as the wire format, so a client gets the orchestrator's own messages from _validate)."""
    text = {"type": "string", "minLength": 1}
    typed = {"type": "object", "required": ["Type"], "properties": {"Type": text}}  # an Engine or a Publisher
    task = {"required": ["Name", "Engine"], "properties": {"Name": text, "Engine": typed},
            "if": {"required": ["ResultPaths"], "properties": {"ResultPaths": {"type": "array", "minItems": 1}}},
            "then": {"required": ["Publisher"], "properties": {"Publisher": typed}}}
    job = {"type": "object", "required": ["Type", "Tasks", *(["Name"] if name_required else [])],
           "properties": {"Type": {"enum": list(JOB_TYPES)}, "Count": {"minimum": 0, "maximum": MAX_COUNT},
                          "Tasks": {"type": "array", "minItems": 1, "items": task},
                          **({"Name": text} if name_required else {})}}
    return {"allOf": [schema, {"required": ["Job"], "properties": {"Job": job}}]}


def _warnings(job: dict) -> list[str]:
    warns = [text for fld, text in model.IGNORED_FIELDS if fld in job]
    if job.get("ID") and job.get("Type") in ("batch", "ops"):
        warns.insert(0, f"job ID is ignored when submitting a {job['Type']} job")
    for key in sorted(job.get("Meta") or {}):
        if key.startswith(model.RESERVED_META):
            warns.append(f'job meta key "{key}" is reserved and will be ignored')
    if len(job.get("Tasks") or []) > 1:
        warns.append("only one task is supported per job")
    return warns


async def submit(call: Call) -> Reply:
    body = call.body
    spec = body.get("Job") if isinstance(body, dict) else None
    if not spec:
        raise ApiError("invalid", "empty/nil job", field="Job")
    errs = _validate(spec, _profile(call)["name_required"])
    if errs:
        raise ApiError("invalid", "\n".join(errs), field="Job")
    jtype = spec["Type"]
    session = call.session
    store = call.store
    if jtype in ("daemon", "service") and spec.get("ID"):
        job_id = spec["ID"]
        if job_id in store:
            raise ApiError("conflict", f"job already exists: {job_id}", field="ID")
    else:
        job_id = "j-" + session.ids.uuid4()
    warnings = _warnings(spec)
    task = spec["Tasks"][0]
    count = spec.get("Count", 0)
    exec_count = max(count, 1)
    nodes, requester = call.state.cluster(session.ids, exec_count)
    wire = model.build_wire(job_id, spec, requester)
    data = model.draw(session, task, exec_count, nodes, wire["Namespace"], wire["Labels"], requester)
    graph = graph_for(jtype, _profile(call)["queued"])
    lifecycle = call.lifecycle(graph, {"name": wire["Name"], "labels": wire["Labels"], "type": jtype,
                                       "namespace": wire["Namespace"]})
    _indexed(store)
    # the job keeps the body as sent (bytes); the wire dict is rebuilt from it on read (an LRU keeps recent ones)
    kept = keep_body(call.raw) if call.raw else body
    job = call.submit(lifecycle, job_id, kept, data=data)
    model.remember(job, wire, task)
    call.job_id = job_id
    return Reply(200, {"JobID": job_id, "EvaluationID": data.eval_id, "Warnings": warnings or None})


def _label_keys(job: Job) -> list[tuple[str, str]]:
    return job.data.label_keys()


def _indexed(store: Any) -> Any:
    """The store with its label index ((key, value) -> jobs in creation order), added on first use."""
    if not store.has_index("label"):
        store.add_index("label", _label_keys)
    return store


async def list_jobs(call: Call) -> Reply:
    args = call.args
    namespace = _none(args.get("namespace")) or ""
    text = ",".join(v for v in args.get("labels") or [] if _none(v))
    try:
        reqs = parse(text) if text else []
    except SelectorError as exc:
        raise ApiError("invalid", f"invalid labels selector: {exc}", field="labels") from None
    order, reverse, limit, offset = list_params(call, "created_at", JOB_ORDER, strict=False)
    if "limit" not in call.request.query and not _none(args.get("next_token")):
        limit = 10  # the documented default page size

    def where(job: Job) -> bool:
        d = job.data
        if namespace not in ("", "*") and d.namespace != namespace:
            return False
        return not reqs or matches(reqs, d.labels_dict())

    store = _indexed(call.store)
    if order == "created_at" and namespace in ("", "*") and (not reqs or (len(reqs) == 1 and reqs[0].op == "=")):
        # creation order, no filter or one label equality: a slice of the store's order or of the label index
        if reqs:
            jobs, more = store.page_at(offset, limit or None, index="label", key=(reqs[0].key, reqs[0].values[0]),
                                       reverse=reverse)
        else:
            jobs, more = store.page_at(offset, limit or None, reverse=reverse)
        token = encode_token(call, order, reverse, limit, offset + limit) if more else ""
    elif order == "created_at" and offset == 0:
        jobs, _ = store.page(limit=limit + 1 if limit else None, where=where, reverse=reverse)
        more = bool(limit) and len(jobs) > limit
        jobs = jobs[:limit] if limit else jobs
        token = encode_token(call, order, reverse, limit, limit) if more else ""
    else:
        items = list(store.page(where=where, reverse=reverse)[0]) if order == "created_at" else \
            sorted((j for j in store if where(j)), key=(lambda j: j.id) if order == "id" else
                   (lambda j: (j.modified_ns, j.seq)), reverse=reverse)
        jobs, token = page(call, items, order=order, reverse=reverse, limit=limit, offset=offset)
    key = call.provider.list_key("Jobs")
    call.shown = jobs
    if not _profile(call)["list_token"]:
        token = ""  # the seed's era: a page is the page, with no token to the next one
    return Reply(200, {key: [model.job_wire(j) for j in jobs], "NextToken": token})


async def get_job(call: Call) -> Reply:
    job = call.read or resolve(call, call.path["id"])
    if not call.args.get("include"):  # the poll: bytes kept while the job is unchanged
        return Reply(200, model.get_body_json(job))
    body: dict[str, Any] = {"Job": model.job_wire(job)}
    include = {p.strip().lower() for v in call.args["include"] for p in v.split(",")}
    # `limit` is accepted and, as on the real orchestrator, not applied: the included lists are whole
    # (bacalhau-sdk always sends limit=10, and a cut history would lose its last transitions)
    if "history" in include:
        items = model.history_wire(job, call.now_ns, with_event=_profile(call)["history_event"])
        body["History"] = {"NextToken": "", call.provider.list_key("History"): items}
    if "executions" in include:
        items = model.executions_wire(job, call.now_ns)
        body["Executions"] = {"NextToken": "", call.provider.list_key("Executions"): items}
    return Reply(200, body)


async def stop_job(call: Call) -> Reply:
    job = resolve(call, call.path["id"])
    reason = _none(call.args.get("reason")) or ""
    if job.state == STOPPED:
        return Reply(200, {"EvaluationID": ""})
    if job.state == COMPLETED:
        raise ApiError("refused", f"cannot stop job in state {COMPLETED}", field=job.id)
    was_failed = job.state == FAILED
    call.session.command(job, "stop", reason or ("job stopped by user" if not was_failed else job.message))
    return Reply(200, {"EvaluationID": "" if was_failed else call.session.ids.uuid4()})


async def history(call: Call) -> Reply:
    job = resolve(call, call.path["id"])
    args = call.args
    since = args.get("since") or 0
    etype = args.get("event_type") or "all"
    exec_id = _none(args.get("execution_id"))
    node_id = _none(args.get("node_id"))
    events = [e for t, e in model.history_events(job, call.now_ns, with_event=_profile(call)["history_event"])
              if _event_ok(t, e, since, etype, exec_id, node_id)]
    _, _, limit, offset = list_params(call, "", {"": ""}, strict=False)
    chunk, token = page(call, events, order="", reverse=False, limit=limit, offset=offset)
    call.shown = [(job, e["JobState"]["New"]) for e in chunk if e["JobState"]]
    return Reply(200, {"NextToken": token, call.provider.list_key("History"): chunk})


def _event_ok(t_ns: int, e: dict, since: int, etype: str, exec_id: str | None, node_id: str | None) -> bool:
    if etype == "job" and e["Type"] != "JobLevel":
        return False
    if etype == "execution" and e["Type"] != "ExecutionLevel":
        return False
    if exec_id and not e["ExecutionID"].startswith(exec_id):
        return False
    if node_id and e["NodeID"] != node_id:
        return False
    return t_ns // NS >= since  # the server drops events whose Unix second is before `since`


async def executions(call: Call) -> Reply:
    job = resolve(call, call.path["id"])
    order, reverse, limit, offset = list_params(call, "modify_time", EXEC_ORDER, strict=True)
    items = model.executions_wire(job, call.now_ns)
    sort_key = {"modify_time": lambda e: e["ModifyTime"], "create_time": lambda e: e["CreateTime"],
                "id": lambda e: e["ID"], "state": lambda e: e["ComputeState"]["StateType"]}[order]
    items.sort(key=sort_key, reverse=reverse)
    chunk, token = page(call, items, order=order, reverse=reverse, limit=limit, offset=offset)
    return Reply(200, {"NextToken": token, call.provider.list_key("Executions"): chunk})


async def results(call: Call) -> Reply:
    job = resolve(call, call.path["id"])
    jtype = model.wire_base(job)["Type"]
    if jtype not in ("batch", "ops"):
        raise ApiError("refused", f"job type {jtype} does not support results", field=job.id)
    listed = model.results_wire(job, call.now_ns, with_empty=_profile(call)["empty_results"])
    return Reply(200, {"NextToken": "", call.provider.list_key("Results"): listed})


async def logs(call: Call) -> Reply:
    """The job's log stream: a WebSocket (see logstream). A plain GET is refused with a 400 that says so; an
    unknown job or execution is reported inside the stream, as the real server does after the upgrade."""
    if call.headers.get("Upgrade", "").lower() != "websocket":
        raise ApiError("invalid", "the logs endpoint is a WebSocket: connect with Upgrade: websocket "
                                  "(e.g. `bacalhau job logs`)", field="Upgrade")
    try:
        job = resolve(call, call.path["id"])
    except ApiError as err:
        text = err.message
        return Reply(101, websocket=lambda: logstream.only_error(text))
    exec_id = _none(call.args.get("execution_id"))
    follow = bool(call.args.get("follow"))
    state = call.state
    return Reply(101, websocket=lambda: logstream.stream(call.session, state, job, exec_id, follow))


LIST_QUERY = (Param("limit", int, None, "page size (0 = all)", minimum=0),
              Param("next_token", str, None, "token from the previous page"),
              Param("order_by", str, None, "sort key"),
              Param("reverse", bool, False, "reverse the order"))


def routes() -> list[Route]:
    job_responses = {200: "bacalhau/job-get.response"}
    ns = Param("namespace", str, None, "namespace; * for all")
    return [
        Route("PUT", BASE, submit, "Create a job", body="bacalhau/job-submit.request",
              responses={200: "bacalhau/job-submit.response"}),
        Route("POST", BASE, submit, "Create a job (POST form)", body="bacalhau/job-submit.request",
              responses={200: "bacalhau/job-submit.response"}),
        Route("GET", BASE, list_jobs, "List jobs",
              query=(ns, Param("labels", list, None, "Kubernetes label selector"), *LIST_QUERY),
              responses={200: "bacalhau/job-list.response"}),
        Route("GET", BASE + "/{id}", get_job, "Describe a job by full or short id",
              query=(ns, Param("include", list, None, "history, executions"),
                     Param("limit", int, None, "accepted, not applied: included lists are whole", minimum=0)),
              responses=job_responses, reads=finder(lambda call: resolve(call, call.path["id"]))),
        Route("DELETE", BASE + "/{id}", stop_job, "Stop a job", body=None, body_format="raw",
              query=(ns, Param("reason", str, None, "why the job is stopped")),
              responses={200: "bacalhau/job-stop.response"}),
        Route("GET", BASE + "/{id}/history", history, "Job history",
              query=(Param("since", int, 0, "unix seconds", minimum=0),
                     Param("event_type", str, "all", "all, job or execution", choices=("all", "job", "execution"),
                           nocase=True),
                     Param("execution_id", str, None, "execution id prefix"), Param("node_id", str, None, "node id"),
                     Param("limit", int, None, "page size", minimum=0), Param("next_token", str, None, "token")),
              responses={200: "bacalhau/job-history.response"}),
        Route("GET", BASE + "/{id}/executions", executions, "Job executions", query=(ns, *LIST_QUERY),
              responses={200: "bacalhau/job-executions.response"}),
        Route("GET", BASE + "/{id}/results", results, "Published results of a job",
              responses={200: "bacalhau/job-results.response"}),
        Route("GET", BASE + "/{id}/logs", logs,
              "Log stream (WebSocket): one text message per output line, then a normal close",
              query=(Param("execution_id", str, None, "execution id or prefix (default: the job's first)"),
                     Param("follow", bool, False, "wait for a running execution to end and send its output"),
                     Param("tail", bool, False, "accepted; the whole output is sent")),
              responses={101: None}),
    ]
