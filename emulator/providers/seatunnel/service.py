"""What the SeaTunnel endpoints do with the engine: read a body, submit (with restore), stop, list with paging.

Handlers in routes.py call these; all timing goes through the session (submit / command), all wire shapes
through model.py.
"""

from __future__ import annotations

import json
from typing import Any

from ...core import validation
from ...core.errors import ApiError
from ...core.sharing import keep_body
from . import hocon, jobconfig, listing, model, multipart
from .lifecycle import ALL_STATES, TERMINAL, graph_for
from .provider import SeaTunnelCall as Call
from .state import ClusterState

# --- bodies ----------------------------------------------------------------------------------------------

def json_body(call: Call) -> Any:
    """The request body as JSON, with the engine's messages for an empty or malformed body."""
    return _json(call.raw, "body")


def _json(raw: bytes, where: str) -> Any:
    if not raw.strip():
        raise ApiError("invalid", "Request body is empty.", field=where)
    try:
        return validation.parse_json(raw)
    except ApiError:  # the engine's own wording, whatever the decoder disliked (syntax, NaN, depth)
        raise ApiError("invalid", "Invalid JSON format in request body.", field=where) from None


def config_body(call: Call) -> tuple[Any, dict]:
    """(spec as the job keeps it: the body's bytes or HOCON text as sent, job config as a dict) for
    `POST /submit-job`, per the `format` query parameter."""
    return config_from(call, call.raw, (call.args.get("format") or "json").lower(), "body")


def config_from(call: Call, raw: bytes, fmt: str, where: str) -> tuple[Any, dict]:
    """A job config from `raw` in `fmt` (json or hocon); `where` names the body or the uploaded file."""
    if fmt == "hocon" and call.provider.profile["hocon"]:
        if not raw.strip():
            raise ApiError("invalid", "Request body is empty.", field=where)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError("invalid", "HOCON body is not UTF-8 text", field=where) from None
        try:
            cfg = hocon.job_config(text)
        except hocon.HoconError as exc:
            raise ApiError("invalid", str(exc), field=where) from None
        validation.check_text(text, cfg)  # a \uD800 escape in a quoted string decodes to a lone surrogate
        return keep_body(text), cfg
    if fmt not in ("json", "hocon"):
        raise ApiError("invalid", f"format {fmt!r} is not supported by the emulator; use json or hocon",
                       field="format")
    # older engines ignore `format` and read JSON, so HOCON text fails as invalid JSON there (profile hocon off)
    return keep_body(raw), _json(raw, where)


# file name extension -> config format, as the engine's upload servlet picks it
UPLOAD_FORMATS = {".json": "json", ".conf": "hocon", ".config": "hocon", ".hocon": "hocon"}


def uploaded_config(call: Call) -> tuple[Any, dict]:
    """The job config of `POST /submit-job/upload`: the multipart part named `config_file`, in the format the
    `format` parameter names or else its file name's extension implies."""
    ctype = call.headers.get("Content-Type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiError("invalid", f"Content-Type must be multipart/form-data with a config_file part, got "
                                  f"{ctype or 'none'}", field="Content-Type")
    parts = multipart.form_parts(ctype, call.raw)
    part = parts.get("config_file")
    if part is None:
        names = ", ".join(parts) or "none"
        raise ApiError("invalid", f"the multipart body has no config_file part (parts: {names})", field="config_file")
    filename, data = part
    fmt = (call.args.get("format") or "").lower()
    if not fmt:
        ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if ext not in UPLOAD_FORMATS:
            raise ApiError("invalid", f"config_file {filename!r}: cannot tell its format from the name; use "
                                      f"{', '.join(UPLOAD_FORMATS)} or pass format=json|hocon", field="config_file")
        fmt = UPLOAD_FORMATS[ext]
    return config_from(call, data, fmt, "config_file")


# --- submit -----------------------------------------------------------------------------------------------

def _config_error(call: Call, err: ApiError) -> ApiError:
    """Config problems are 400 in the seed; the engine itself answers them with 500 (profile)."""
    if call.provider.profile["config_error_status"] == 500:
        return ApiError("internal", err.message, field=err.field, status=500)
    return err


def submit(call: Call, spec: Any, cfg: Any, params: dict) -> dict:
    """Validate, resolve id, name and restore point, plan the rows, and create the job. Returns the submit
    answer `{"jobId", "jobName"}`."""
    p = call.provider
    profile = p.profile
    cl = call.state
    session = call.session
    store = call.store
    try:
        info = jobconfig.validate(cfg, p.known_plugins)
        validation.check("seatunnel/job-config.request", cfg)  # the published types, after the engine's words
    except ApiError as err:
        raise _config_error(call, err) from None
    env = cfg["env"]
    start_sp = str(params.get("isStartWithSavePoint") or "").strip().lower() == "true"  # Boolean.parseBoolean
    jid: str | None = None
    if params.get("jobId") not in (None, ""):
        jid = str(jobconfig.parse_long(params["jobId"], "jobId"))
    elif profile["env_job_id"] and jobconfig.lookup(env, "job.id") not in (None, ""):
        jid = str(jobconfig.parse_long(jobconfig.lookup(env, "job.id"), "env.job.id"))
    if start_sp and jid is None:
        raise ApiError("invalid", "Please provide jobId when start with save point.", field="jobId")
    name = params.get("jobName") or jobconfig.lookup(env, "job.name") or jobconfig.DEFAULT_JOB_NAME
    name = str(name)

    existing = store.get(jid) if jid is not None else None
    if existing is not None and not existing.terminal:
        if profile["duplicate_live"] == "ok":
            return {"jobId": jid, "jobName": name}  # the engine treats it as already submitted: a silent success
        raise ApiError("conflict", f"Job already exists with same job.id {jid} (state {existing.state}); stop or "
                                   f"cancel the existing job before resubmitting", field="jobId")

    restored, base = _restore_point(call, cl, env, jid, start_sp, existing)

    mode = info["mode"]
    opts = p.opts
    rate = float(opts["rows_per_second"])
    n_sources = len(info["dag"]["sources"])
    if mode == "BATCH":
        weights = jobconfig.source_rows(cfg, info["parallelism"], int(opts["default_rows"]))
        batch_rows = sum(weights)
        base = min(base, batch_rows)
        total: int | None = batch_rows
    else:
        weights = [1] * n_sources
        total = None

    sources = [s["name"] for s in info["dag"]["sources"]]
    lifecycle = call.lifecycle(graph_for(mode), {"name": name, "jobName": name, "jobId": jid, "type": mode,
                                                 "jobMode": mode, "source": sources}, body=cfg)
    span: float | None = None
    if total is not None:  # BATCH
        # rows to read / rows per second, unless the fate or the configuration times RUNNING; planned with
        # the engine so its timer and the metrics agree exactly (no jitter)
        span = lifecycle.seconds("RUNNING", (total - base) / rate if rate > 0 else 0.0)
        lifecycle = lifecycle.planned({"RUNNING": span})

    if jid is None:
        jid = cl.next_id(call.now_ns, lambda i: i in store or i in cl.checkpoints)
    if existing is not None:
        store.remove(existing)  # a restart replaces the ended run; its checkpoint record stays
    interval = jobconfig.lookup(env, "checkpoint.interval")
    try:
        interval_s = float(interval) / 1000 if interval is not None else float(opts["checkpoint_interval_ms"]) / 1000
    except (TypeError, ValueError):
        raise _config_error(call, ApiError("invalid", f"env.checkpoint.interval must be milliseconds, got "
                                                      f"{interval!r}", field="env.checkpoint.interval")) from None
    bpr = jobconfig.bytes_per_row(cfg) or session.rng.randint(64, 512)
    # what the job keeps: its config as sent (env and DAG are derived again on read) and a compact plan
    data = model.Plan(name, (mode, total, rate, span, tuple(weights), bpr, interval_s), base, start_sp, restored)
    job = call.submit(lifecycle, jid, spec, data=data)
    model.remember(job, env, info["dag"])
    call.job_id = jid
    return {"jobId": jid, "jobName": name}


def _restore_point(call: Call, cl: ClusterState, env: dict, jid: str | None, start_sp: bool,
                   existing: Any) -> tuple[dict | None, int]:
    """Where a (re)submitted job starts: a savepoint path (seed: env restore.mode / savepoint.path), the
    job id's savepoint (isStartWithSavePoint), its last checkpoint (same id again), or nothing."""
    profile = call.provider.profile
    path = jobconfig.lookup(env, "savepoint.path")
    mode = str(jobconfig.lookup(env, "restore.mode") or "").lower()
    if profile["env_job_id"] and (path or mode == "savepoint"):
        if not path:
            raise ApiError("invalid", "env.savepoint.path is required when env.restore.mode is savepoint",
                           field="env.savepoint.path")
        rec = cl.savepoints.get(str(path))
        if rec is None:
            raise ApiError("invalid", f"Savepoint path not found: {path}", field="env.savepoint.path")
        return {"kind": "savepoint", "path": str(path), "jobId": rec["jobId"]}, rec["rows"]
    if jid is None:
        return None, 0
    rec = cl.checkpoints.get(jid)
    if rec is None:
        return None, 0  # nothing stored for this id: a fresh start, as the engine does
    if start_sp and rec["savepoint"]:
        return {"kind": "savepoint", "path": rec["savepoint"], "jobId": jid}, rec["rows"]
    if not start_sp and existing is not None and profile["resubmit_finished"] == "error":
        raise ApiError("internal", f"org.apache.seatunnel.engine.common.exception.JobException: The job id {jid} "
                                   f"has already been submitted and is not starting with a savepoint.",
                       field="jobId", status=500)
    return {"kind": "checkpoint", "path": None, "jobId": jid}, rec["rows"]


# --- stop -------------------------------------------------------------------------------------------------

def _truthy(v: Any) -> bool:
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


def stop(call: Call, item: Any) -> str:
    """Stop one job as `/stop-job` does; returns its id. Unknown or ended jobs: a silent no-op (the engine
    logs and answers 200); a savepoint of a job that is not RUNNING is not taken (also silent)."""
    if not isinstance(item, dict):
        raise ApiError("invalid", "Invalid JSON format in request body.", field="body")
    raw = item.get("jobId")
    if raw in (None, ""):
        raise ApiError("invalid", "jobId cannot be empty.", field="jobId")
    jid = str(jobconfig.parse_long(raw, "jobId"))
    for flag in ("isStopWithSavePoint", "force"):  # a boolean, or its text ("true"), as the schema says
        if flag in item and not isinstance(item[flag], (bool, str)):
            raise ApiError("invalid", f"{flag} must be true or false, got {json.dumps(item[flag])}", field=flag)
    job = call.store.get(jid)
    if job is None:
        return jid
    if _truthy(item.get("isStopWithSavePoint")):
        cmd = "savepoint"
    elif call.provider.profile["force_immediate"] and _truthy(item.get("force")):
        cmd = "force"
    else:
        cmd = "cancel"
    if call.session.allows(job, cmd):  # an ended job allows none of them: refused, silently
        call.session.command(job, cmd, "stopped by request" if cmd != "savepoint" else "stop with savepoint")
    return jid


# --- listing ----------------------------------------------------------------------------------------------

def paging(call: Call) -> tuple[int, int] | None:
    """(page, rows) when the client asked for a page and the profile pages; messages are the engine's."""
    if not call.provider.profile["page_envelope"]:
        return None
    q = call.request.query
    if "page" not in q:
        return None
    out = []
    for name, default in (("page", 1), ("rows", 10)):
        raw = q.get(name)
        if raw in (None, ""):
            out.append(default)
            continue
        out.append(int(raw))  # the route's Param pattern took only whole numbers from 1
    return out[0], out[1]


def running(call: Call) -> tuple[str, str]:
    """The group of every submitted, not yet ended job (PENDING ones too), in submit order."""
    return listing.LIVE, listing.LIVE


def finished(call: Call, state_name: str) -> tuple[str, str] | None:
    """The group of ended jobs in the order they ended, of one state (any case) or all (empty); None for a
    name that is not an end state (listed as empty)."""
    name = state_name.strip()
    if not name:
        return listing.ENDED, listing.ALL_ENDED
    st = next((s for s in ALL_STATES if s.lower() == name.lower()), None)
    if st is None or st not in TERMINAL:
        return None
    return listing.ENDED, st


def listed(call: Call, group: tuple[str, str] | None) -> Any:
    """The list answer: a bare array, or `{"data": [...], "total": N}` when paged."""
    store = call.store
    listing.ensure(store)
    pg = paging(call)
    total = store.group_size(*group) if group is not None else 0
    offset, rows = 0, None
    if pg is not None:
        page_no, rows = pg
        offset = (page_no - 1) * rows
        if offset > total:
            raise ApiError("invalid", "Page number exceeds total pages", field="page")
    page = store.page_group(*group, offset, rows)[0] if group is not None else []
    now = call.now_ns
    profile = call.provider.profile
    items = [model.job_info(j, now, profile) for j in page]
    call.shown = page
    return items if pg is None else {"data": items, "total": total}
