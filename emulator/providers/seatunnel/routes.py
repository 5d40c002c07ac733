"""SeaTunnel REST API v2 routes and their thin handlers.

Every handler checks Basic auth first (when enabled), so a 401 comes before any 400, as the engine's filter
chain does. Bodies are read raw and parsed here, to give the engine's own messages (`Request body is empty.`,
`Invalid JSON format in request body.`); the request schemas in schemas/seatunnel document them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape

from ...core import validation
from ...core.clock import NS
from ...core.errors import ApiError
from ...core.sharing import keep_body
from ...core.store import Job
from ...kit import Param, Reply, Route, finder
from . import jobconfig, model, service
from .lifecycle import LIVE
from .provider import SeaTunnelCall as Call

S = "seatunnel/"
_LOG_FILE = re.compile(r"^job-(\d+)\.log$")
# a job id in the path, as Long.parseLong takes it after trimming spaces (up to 18 digits documented: every
# id the emulator hands out fits)
_JOB_ID = {"jobId": {"type": "string", "pattern": "^ *[+-]?[0-9]{1,18} *$"}}
_PAGE_IGNORED = (Param("page", str, None, "ignored by this engine version"),
                 Param("rows", str, None, "ignored by this engine version"))
# empty (the default) or a whole number from 1 that fits a Java int, in ASCII digits, as the engine reads it
_POSITIVE_INT = "^(|\\+?0*[1-9][0-9]{0,8})$"


def _page_message(name: str) -> Callable[[str], str]:
    def message(raw: str) -> str:
        if re.fullmatch(r"[+-]?[0-9]+", raw) and len(raw.lstrip("+-0")) <= 9:
            return f"Parameter '{name}' must be greater than 0"
        return f"Parameter '{name}' must be an integer, but was: {raw}"
    return message


_PAGE = (Param("page", str, None, "page number from 1 (newer engines; the answer becomes {data,total})",
               pattern=_POSITIVE_INT, message=_page_message("page")),
         Param("rows", str, None, "rows per page (default 10)", pattern=_POSITIVE_INT, message=_page_message("rows")))
_JOB_ERR = {400: S + "error", 500: S + "error"}


async def submit_job(call: Call) -> Reply:
    spec, cfg = service.config_body(call)
    return Reply(200, service.submit(call, spec, cfg, call.args))


async def submit_job_upload(call: Call) -> Reply:
    """Submit the job config uploaded as the multipart part `config_file` (newer engines; the MCP client's
    submit_job_upload); the same query parameters as /submit-job."""
    spec, cfg = service.uploaded_config(call)
    return Reply(200, service.submit(call, spec, cfg, call.args))


async def submit_jobs(call: Call) -> Reply:
    body = service.json_body(call)
    if not isinstance(body, list):
        raise ApiError("invalid", "Request body must be a JSON array of job configs.", field="body")
    # check every config before submitting any, so one bad element does not leave half the batch running
    for i, item in enumerate(body):
        if not isinstance(item, dict):
            raise ApiError("invalid", f"[{i}] must be a job config object", field=f"[{i}]")
        try:
            config = {k: v for k, v in item.items() if k != "params"}
            jobconfig.validate(config, call.provider.known_plugins)
            validation.check("seatunnel/job-config.request", config)
        except ApiError as err:
            raise service._config_error(call, ApiError(err.kind, f"[{i}] {err.message}",
                                                       field=f"[{i}].{err.field}")) from None
    out = []
    for item in body:
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise ApiError("invalid", "params must be an object", field="params")
        cfg = {k: v for k, v in item.items() if k != "params"}
        # each job keeps its own element of the array, as compact JSON bytes (the same values, parsed again on read)
        kept = keep_body(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())
        out.append(service.submit(call, kept, cfg, params))
    return Reply(200, out)


async def stop_job(call: Call) -> Reply:
    return Reply(200, {"jobId": service.stop(call, service.json_body(call))})


async def stop_jobs(call: Call) -> Reply:
    body = service.json_body(call)
    if not isinstance(body, list):
        raise ApiError("invalid", "Request body must be a JSON array of {jobId, isStopWithSavePoint}.", field="body")
    # /stop-jobs answers each id as a JSON number (the engine casts it to Long), /stop-job as a string
    return Reply(200, [{"jobId": int(service.stop(call, item))} for item in body])


def _info_job(call: Call) -> Job | None:
    """The job /job-info/{jobId} names (None for an unknown id; a malformed id is a 400)."""
    raw = call.path.get("jobId", "")
    held = call.store.get(raw)
    if held is not None:  # the id as the engine wrote it (the poll's case): one lookup, no parsing (3 %)
        return held
    if not raw.strip():
        raise ApiError("invalid", "The jobId must not be empty.", field="jobId")
    return call.store.get(str(jobconfig.parse_long(raw, "jobId")))


async def job_info(call: Call) -> Reply:
    raw = call.path.get("jobId", "")
    job = call.read or _info_job(call)
    if job is None:
        # the engine answers an unknown (or expired) id with 200 and the bare id: "jobId not found in job-info"
        return Reply(200, model.unknown_job(raw.strip()))
    return Reply(200, model.job_info_json(job, call.now_ns, call.provider.profile))


async def running_jobs(call: Call) -> Reply:
    return Reply(200, service.listed(call, service.running(call)))


async def finished_jobs(call: Call) -> Reply:
    return Reply(200, service.listed(call, service.finished(call, call.path.get("state", ""))))


async def overview(call: Call) -> Reply:
    p = call.provider
    cl = call.state
    counts = call.store.count_by_state()
    live = sum(counts.get(s, 0) for s in LIVE)
    tags = p.worker_tags()
    # query parameters are a worker tag filter: a worker counts when it carries every requested tag
    match = all(tags.get(k) == v for k, v in call.request.query.items())
    slots = cl.processors if match else 0
    body = {"projectVersion": p.profile["project_version"], "gitCommitAbbrev": cl.git_commit,
            "totalSlot": str(slots), "unassignedSlot": str(max(0, slots - live)), "workers": "1" if match else "0",
            "runningJobs": str(live), "finishedJobs": str(counts.get("FINISHED", 0)),
            "failedJobs": str(counts.get("FAILED", 0)), "cancelledJobs": str(counts.get("CANCELED", 0))}
    if p.profile["pending_jobs"]:
        body["pendingJobs"] = str(counts.get("PENDING", 0))
    return Reply(200, body)


async def system_monitoring(call: Call) -> Reply:
    cl = call.state
    store = call.store
    now = call.now_ns
    live = len(store.in_states(LIVE))
    gb = cl.memory_gb
    heap_max = 4096
    heap_used = min(heap_max - 1, 180 + 35 * live + (now // NS) % 97)
    member = {
        "processors": str(cl.processors), "physical.memory.total": f"{gb}.0G",
        "physical.memory.free": f"{gb * 0.41:.1f}G", "swap.space.total": "0", "swap.space.free": "0",
        "heap.memory.used": f"{heap_used}M", "heap.memory.free": f"{heap_max - heap_used}M",
        "heap.memory.total": f"{heap_max}M", "heap.memory.max": f"{heap_max}M",
        "heap.memory.used/total": f"{100 * heap_used / heap_max:.2f}%",
        "heap.memory.used/max": f"{100 * heap_used / heap_max:.2f}%",
        "minor.gc.count": str(3 + (now // NS) // 60), "minor.gc.time": f"{40 + (now // NS) // 30}ms",
        "major.gc.count": "0", "major.gc.time": "0ms", "load.process": f"{min(99.0, 0.5 + 4.0 * live):.2f}%",
        "load.system": f"{min(99.0, 2.0 + 4.0 * live):.2f}%", "load.systemAverage": f"{0.2 + 0.3 * live:.2f}",
        "thread.count": str(96 + 8 * live), "thread.peakCount": str(110 + 8 * live),
        "cluster.timeMillis": str(now // 1_000_000), "event.q.size": "0", "executor.q.async.size": "0",
        "executor.q.client.size": "0", "executor.q.query.size": "0", "executor.q.scheduled.size": "0",
        "executor.q.io.size": "0", "executor.q.system.size": "0", "executor.q.operations.size": "0",
        "executor.q.priorityOperation.size": "0", "operations.completed.count": str(store.__len__() * 40),
        "executor.q.mapLoad.size": "0", "executor.q.mapLoadAllKeys.size": "0", "executor.q.cluster.size": "0",
        "executor.q.response.size": "0", "operations.running.count": str(live),
        "operations.pending.invocations.percentage": "0.00%", "operations.pending.invocations.count": "0",
        "proxy.count": "0", "clientEndpoint.count": "0", "connection.active.count": "0",
        "client.connection.count": "0", "connection.count": "0",
        "host": cl.host, "port": "5801", "isMaster": "true",
    }
    return Reply(200, [member])


async def logs(call: Call) -> Reply:
    """`/logs/{jobId}`: the job's engine log text (the seed's "last N lines"); `job-<id>.log`: the same file;
    `?format=json`: where the logs are; `/logs`: every job's log link (HTML, or JSON with format=json)."""
    cl = call.state
    store = call.store
    raw = call.path.get("jobId", "")
    want_json = (call.request.query.get("format") or "").lower() == "json"
    base = call.base_url()
    if not raw:
        jobs = list(store)
        if want_json:
            return Reply(200, [model.log_link(base, cl.node, j.id) for j in jobs])
        links = "".join(f'<li><a href="{escape(model.log_link(base, cl.node, j.id)["logLink"])}">job-{j.id}.log'
                        f"</a></li>" for j in jobs)
        return Reply(200, f"<html><body><h2>{escape(cl.node)}</h2><ul>{links}</ul></body></html>",
                     content_type="text/html")
    m = _LOG_FILE.match(raw)
    jid = m.group(1) if m else str(jobconfig.parse_long(raw, "jobId"))
    job = store.get(jid)
    if want_json:
        return Reply(200, [model.log_link(base, cl.node, jid)] if job is not None else [])
    if job is None:
        return Reply(200, "", content_type="text/plain")
    lines = model.log_lines(job, call.now_ns, cl.node, cl.cluster_name)
    tail = call.request.query.get("lines")
    if tail and tail.isdigit():
        lines = lines[-int(tail):]
    return Reply(200, "\n".join(lines) + "\n", content_type="text/plain")


def _job_links(pointer: str) -> dict[str, tuple[str, dict]]:
    """Where a submitted job's id leads (OpenAPI links of the submit routes; `pointer` finds the id)."""
    job_id = f"$response.body{pointer}"
    return {"GetJobInfo": ("GET /job-info/{jobId}", {"jobId": job_id}),
            "GetRunningJob": ("GET /running-job/{jobId}", {"jobId": job_id}),
            "GetJobLog": ("GET /logs/{jobId}", {"jobId": job_id}),
            "StopJob": ("POST /stop-job", {"requestBody": {"jobId": job_id}})}


def routes(paged: bool = True) -> list[Route]:
    """The route table (also the source of the OpenAPI document); `paged`: the profile reads page/rows
    (older engines ignore them, so any value is taken)."""
    page_q = _PAGE if paged else _PAGE_IGNORED
    submit_q = (Param("jobId", str, None, "job id to use (a long); the same id again restarts from its checkpoint"),
                Param("jobName", str, None, "job name; overrides env.job.name"),
                Param("isStartWithSavePoint", str, None, "true: restore jobId from its savepoint"),
                Param("format", str, "json", "body format: json (default) or hocon"))
    upload_q = (*submit_q[:3], Param("format", str, None, "json or hocon; default: from the file name's extension"))
    t = ("seatunnel",)
    return [
        Route("POST", "/submit-job", submit_job, "Submit a job config (JSON, or HOCON with format=hocon)",
              body=S + "job-config.request", body_format="raw", query=submit_q,
              responses={200: S + "submit.response", **_JOB_ERR}, tags=t, links=_job_links("#/jobId")),
        Route("POST", "/submit-job/upload", submit_job_upload,
              "Submit a job config file (multipart part config_file: .json, or .conf/.config HOCON)",
              body=S + "submit-upload.request", body_format="raw", query=upload_q,
              responses={200: S + "submit.response", **_JOB_ERR}, tags=t, links=_job_links("#/jobId")),
        Route("POST", "/submit-jobs", submit_jobs, "Submit an array of job configs (each with optional params)",
              body=S + "submit-jobs.request", body_format="raw",
              responses={200: S + "submit-jobs.response", **_JOB_ERR}, tags=t, links=_job_links("#/0/jobId")),
        Route("POST", "/stop-job", stop_job, "Stop a job (cancel, savepoint, or the seed's force)",
              body=S + "stop-job.request", body_format="raw",
              responses={200: S + "stop-job.response", **_JOB_ERR}, tags=t),
        Route("POST", "/stop-jobs", stop_jobs, "Stop several jobs", body=S + "stop-jobs.request",
              body_format="raw", responses={200: S + "stop-jobs.response", **_JOB_ERR}, tags=t),
        Route("GET", "/job-info/{jobId}", job_info, "One job: running or finished object, or the bare id",
              responses={200: S + "job-info.response", **_JOB_ERR}, tags=t, reads=finder(_info_job),
              path_params=_JOB_ID),
        Route("GET", "/job-info/", job_info, "Empty job id (400)", responses={200: S + "job-info.response",
                                                                               **_JOB_ERR}, tags=t),
        Route("GET", "/running-job/{jobId}", job_info, "Deprecated alias of /job-info/{jobId}",
              responses={200: S + "job-info.response", **_JOB_ERR}, tags=t, reads=finder(_info_job),
              path_params=_JOB_ID),
        Route("GET", "/running-jobs", running_jobs, "Jobs not yet ended", query=page_q,
              responses={200: S + "job-list.response", **_JOB_ERR}, tags=t),
        Route("GET", "/finished-jobs", finished_jobs, "Ended jobs, every state", query=page_q,
              responses={200: S + "job-list.response", **_JOB_ERR}, tags=t),
        Route("GET", "/finished-jobs/{state:[^/]*}", finished_jobs,
              "Ended jobs in one state (case-insensitive; empty = all), by finish time", query=page_q,
              responses={200: S + "job-list.response", **_JOB_ERR}, tags=t),
        Route("GET", "/overview", overview, "Cluster overview (values are strings); query params filter by tag",
              responses={200: S + "overview.response", **_JOB_ERR}, tags=t),
        Route("GET", "/system-monitoring-information", system_monitoring, "Per-member system metrics",
              responses={200: S + "system-monitoring.response", **_JOB_ERR}, tags=t),
        Route("GET", "/logs", logs, "Log links of every job (HTML, or JSON with format=json)",
              query=(Param("format", str, None, "json for a JSON list"),),
              responses={200: S + "logs.response", **_JOB_ERR}, tags=t),
        Route("GET", "/logs/{jobId}", logs, "A job's engine log (text), or its link with format=json",
              query=(Param("format", str, None, "json for a JSON list"),
                     Param("lines", str, None, "only the last N lines")),
              responses={200: S + "logs.response", **_JOB_ERR}, tags=t),
    ]
