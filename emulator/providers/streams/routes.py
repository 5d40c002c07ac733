"""Streams routes and thin handlers. Every resource is served under the seed's `/streams/instances/...` and
again under `/streams/rest/...` and `/streams/v1/...`, the paths older clients use (reference 1.1)."""

from __future__ import annotations

from typing import Any

from ...core import validation
from ...core.errors import ApiError
from ...core.sharing import keep_body
from ...core.store import Job, JobStore
from ...kit import Reply, Route, finder
from . import model
from .errors import not_found
from .lifecycle import CANCELED, JOB, RUNNING_STATES
from .model import Instance
from .provider import StreamsCall as Call

BUNDLE_TYPES = ("application/x-jar", "application/octet-stream", "application/zip", "application/java-archive")


# --- shared steps -----------------------------------------------------------------------------------------
def _json_body(call: Call, raw: bytes) -> Any:
    return None if validation.is_blank(raw) else validation.parse_json(raw)


def _instance(call: Call) -> tuple[Instance, JobStore]:
    """Resolve the path's instance (404 when instances are configured and it is not one) and let canceled
    jobs leave the instance's job list."""
    inst_id = call.path["instanceId"]
    allowed = call.provider.opts["instances"]
    if allowed and inst_id not in allowed:
        raise not_found("instance", inst_id)
    insts = call.state.instances
    inst = insts.get(inst_id)
    if inst is None:
        inst = insts[inst_id] = Instance(inst_id, next_job=call.provider.opts["first_job_id"])
    store = call.store
    store.add_index("instance", _instance_key)  # once per store: an instance's list costs its own jobs only
    _sweep(store, insts)
    return inst, store


def _instance_key(job: Job) -> list[str]:
    return [model.instance_of(job)]


def _sweep(store: JobStore, insts: dict[str, Instance]) -> None:
    # a canceled job leaves the jobs collection (4.x docs list running jobs only) and frees its name
    if not store.count_in(CANCELED):  # the usual case, on every request of an instance (2 % of a served poll)
        return
    for job in store.in_states([CANCELED]):
        inst = insts.get(model.instance_of(job))
        name = model.job_name(job)
        if inst is not None and inst.names.get(name) == model.job_id(job):
            del inst.names[name]
        store.remove(job)


def _job(call: Call, inst: Instance, store: JobStore) -> Job:
    job_id = call.path["jobId"]
    job = store.get(f"{inst.id}/{job_id}")
    if job is None:
        raise not_found("job", job_id)
    call.job_id = job.id  # the journal's job key is the store's, "<instance>/<id>"
    return job


# --- bundles ------------------------------------------------------------------------------------------------
async def upload_bundle(call: Call) -> Reply:
    """Keep the raw bundle in memory; answer its content-derived 56-hex id."""
    inst, _ = _instance(call)
    ctype = call.request.content_type
    if call.headers.get("Content-Type") and ctype not in BUNDLE_TYPES:
        raise ApiError("unsupported_media", f"Content-Type {ctype} is not supported for an application bundle; "
                                            "send the .sab bytes as application/x-jar.", field="Content-Type")
    raw: bytes = call.body or b""
    if not raw:
        raise ApiError("invalid", "The request body is empty; send the application bundle (.sab) bytes.",
                       field="body")
    bid = model.bundle_id(raw)
    bundle = inst.bundles.get(bid)
    if bundle is None:
        limit = call.provider.opts["bundle_limit"]
        if inst.bundle_bytes + len(raw) > limit:
            raise ApiError("too_large", f"The application bundle of {len(raw)} bytes does not fit: instance "
                                        f"{inst.id} keeps at most {limit} bytes of bundles and holds "
                                        f"{inst.bundle_bytes}.", field="body")
        bundle = model.Bundle(bid, len(raw), model.application_name_from_bundle(raw), call.now_ns, raw)
        inst.bundles[bid] = bundle
        inst.bundle_bytes += len(raw)
    body = model.bundle_resource(bundle, call, inst.id)
    return Reply(call.provider.profile["upload_status"], body, headers={"Location": body["self"]})


async def get_bundle(call: Call) -> Reply:
    inst, _ = _instance(call)
    bundle = inst.bundles.get(call.path["bundleId"])
    if bundle is None:
        raise not_found("applicationbundle", call.path["bundleId"])
    return Reply(200, model.bundle_resource(bundle, call, inst.id))


# --- jobs ---------------------------------------------------------------------------------------------------
def _application(call: Call, inst: Instance, app: str) -> dict[str, Any]:
    """Where the job's application comes from: an uploaded bundle, or a URL that is recorded, never fetched."""
    text = app.strip()
    if not text:
        raise ApiError("invalid", "application must not be empty: give bundleId:<id>, a bundle id or the URL "
                                  "of a .sab file.", field="application")
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ApiError("invalid", f"application URL {text} must use http or https.", field="application")
        return {"app": text, "applicationName": model.application_name_from_url(text)}
    bid = text[len("bundleId:"):].strip() if text.startswith("bundleId:") else text
    bundle = inst.bundles.get(bid)
    if bundle is None:
        raise not_found("applicationbundle", bid)
    return {"app": bid, "applicationName": bundle.application_name}


def _first_overlay(overlay: dict | None) -> dict:
    # Streams honours only the first element of jobConfigOverlays
    items = (overlay or {}).get("jobConfigOverlays") or [{}]
    return items[0]


def _adjustments(first: dict) -> list[tuple[int, str, int]]:
    out = []
    for i, adj in enumerate(((first.get("configInstructions") or {}).get("adjustmentSection")) or []):
        tpr = adj.get("targetParallelRegion")
        if tpr is not None:
            out.append((i, tpr["regionName"], tpr["newWidth"]))
    return out


async def submit_job(call: Call) -> Reply:
    """Submit a job: 201 with the full job resource and a Location header (200 and nothing kept if preview)."""
    inst, _ = _instance(call)
    body = call.body
    src = _application(call, inst, body["application"])
    first = _first_overlay(body.get("jobConfigurationOverlay"))
    cfg = first.get("jobConfig") or {}
    regions = dict(call.provider.default_regions)
    for _, name, width in _adjustments(first):
        regions[name] = width  # at submit the overlay declares the bundle's regions; any name is taken
    jid = str(inst.next_job)
    name = cfg.get("jobName") or f"{src['applicationName']}_{jid}"
    if name in inst.names:
        raise ApiError("conflict", f"The job name {name} is already used by job {inst.names[name]} in instance "
                                   f"{inst.id}; job names must be unique in an instance.", field="jobName")
    now = call.now_ns
    group = cfg.get("jobGroup") or "default"
    data = model.Record(inst.id, src["app"], src["applicationName"], regions, started_by=call.provider.opts["user"],
                        name=None if name == f"{src['applicationName']}_{jid}" else name,
                        data_dir=cfg.get("dataDirectory") or None, group=group,
                        params=tuple((p["name"], p["value"]) for p in cfg.get("submissionParameters") or []))
    key = f"{inst.id}/{jid}"
    if body.get("preview"):
        # a preview shows the job that would be made; nothing is kept and the id is not used up
        return Reply(200, model.job_resource(Job(key, call.provider.key, JOB, body, data, None, now), call))
    lifecycle = call.lifecycle(JOB, {"name": name, "applicationName": src["applicationName"], "instance": inst.id,
                                     "jobGroup": group})
    # the job keeps the body as sent (bytes, shared between identical submits); nothing reads it back
    kept = keep_body(call.raw) if call.raw else body
    job = call.submit(lifecycle, key, kept, data=data)
    call.job_id = job.id
    inst.next_job += 1
    inst.names[name] = jid
    wire = model.job_resource(job, call)
    call.shown = [job]
    return Reply(201, wire, headers={"Location": wire["self"]})


async def list_jobs(call: Call) -> Reply:
    inst, store = _instance(call)
    jobs, _ = store.page_at(0, None, index="instance", key=inst.id)
    call.shown = jobs
    return Reply(200, model.job_list(jobs, call))


async def get_job(call: Call) -> Reply:
    job = call.read or _job(call, *_instance(call))
    return Reply(200, model.job_resource_json(job, call))


async def update_job(call: Call) -> Reply:
    """Update operators: change parallel-region widths; health dips to partiallyHealthy and recovers."""
    inst, store = _instance(call)
    job = _job(call, inst, store)
    jid = model.job_id(job)
    if job.state not in RUNNING_STATES:
        raise ApiError("refused", f"Job {jid} is {job.state}; it cannot be updated.", field=jid)
    overlay = call.body["jobConfigurationOverlay"]
    first = _first_overlay(overlay)
    regions = model.widths(job)
    changes = []
    for i, name, width in _adjustments(first):
        if name not in regions:
            where = (f"jobConfigurationOverlay.jobConfigOverlays[0].configInstructions.adjustmentSection[{i}]"
                     ".targetParallelRegion.regionName")
            raise ApiError("invalid", f"{where}: job {jid} has no parallel region named {name}; "
                                      f"its regions are {', '.join(regions) or 'none'}.", field=where)
        changes.append((name, width))
    changed = [(n, w) for n, w in changes if regions[n] != w]
    for n, w in changes:
        regions[n] = w
    rec = model.record(job)
    rec.set_widths(regions)
    rec.record_update(call.now_ns // 1_000_000, overlay)
    if changed and JOB.can("update", job.state):
        call.session.command(job, "update", "; ".join(f"{n} width {w}" for n, w in changed))
    return Reply(200, model.job_resource(job, call))


async def cancel_job(call: Call) -> Reply:
    """Cancel: 204; the job is `canceling`, then leaves the list. A job already canceling or gone is a 404."""
    inst, store = _instance(call)
    job = _job(call, inst, store)
    if job.state not in RUNNING_STATES:
        raise not_found("job", model.job_id(job))
    call.session.command(job, "cancel", "canceled by request")
    return Reply(204, None)


async def job_collection(call: Call) -> Reply:
    """The job's linked collections (operators, pes, views, ...), so every link on a job resolves."""
    inst, store = _instance(call)
    job = _job(call, inst, store)
    name = call.path["collection"]
    if name not in model.JOB_COLLECTIONS.values():
        raise not_found(name, model.job_id(job))
    return Reply(200, model.collection(job, call, name))


async def job_element(call: Call) -> Reply:
    """One operator, PE or connection of a job: what each listed element's `self` link answers."""
    inst, store = _instance(call)
    job = _job(call, inst, store)
    name = call.path["collection"]
    if name not in model.ELEMENT_COLLECTIONS:
        raise not_found(name, model.job_id(job))
    found = model.element(job, call, name, call.path["elementId"])
    if found is None:
        raise not_found(name.removesuffix("s"), call.path["elementId"])
    return Reply(200, found)


async def log_trace(call: Call) -> Reply:
    """The application log trace link: a gzip-compressed tar holding the job's log (what streamsx saves)."""
    inst, store = _instance(call)
    job = _job(call, inst, store)
    return Reply(200, model.log_archive(job, call.now_ns), content_type=model.LOG_ARCHIVE_TYPE)


# --- instances, root resources ------------------------------------------------------------------------------
def _instance_ids(call: Call) -> list[str]:
    configured = call.provider.opts["instances"]
    if configured:
        return list(configured)
    ids = [call.provider.opts["default_instance"]]
    ids.extend(i for i in call.state.instances if i not in ids)
    return ids


def _job_counts(call: Call) -> dict[str, int]:
    counts: dict[str, int] = {}
    for job in call.store:
        inst = model.instance_of(job)
        counts[inst] = counts.get(inst, 0) + 1
    return counts


async def list_instances(call: Call) -> Reply:
    _sweep(call.store, call.state.instances)
    counts = _job_counts(call)
    items = [model.instance_resource(i, call, counts.get(i, 0)) for i in _instance_ids(call)]
    return Reply(200, {"instances": items, "total": len(items), "resourceType": "instanceList"})


async def get_instance(call: Call) -> Reply:
    inst, store = _instance(call)
    count = len(store.page_at(0, None, index="instance", key=inst.id)[0])
    return Reply(200, model.instance_resource(inst.id, call, count))


async def resources(call: Call) -> Reply:
    """The root resource document older clients read first to find the instances collection."""
    root = model.root_url(call)
    listed = [{"name": "instances", "resource": f"{root}/instances"}]
    if call.provider.profile["root_lists_domains"]:
        # a `domains` entry is how streamsx recognises Streams 4.x, whose path uploads nothing (streamtool)
        listed.append({"name": "domains", "resource": f"{root}/domains"})
    return Reply(200, {"resources": listed})


def _domain(call: Call) -> dict:
    root = model.root_url(call)
    return {"id": model.DOMAIN_ID, "restid": model.DOMAIN_ID, "resourceType": "domain",
            "self": f"{root}/domains/{model.DOMAIN_ID}", "instances": f"{root}/instances"}


async def list_domains(call: Call) -> Reply:
    return Reply(200, {"domains": [_domain(call)], "total": 1, "resourceType": "domainList"})


async def get_domain(call: Call) -> Reply:
    if call.path["domainId"] != model.DOMAIN_ID:
        raise not_found("domain", call.path["domainId"])
    return Reply(200, _domain(call))


# --- the route table ----------------------------------------------------------------------------------------
def routes() -> list[Route]:
    """Every route under each path generation: `/streams`, `/streams/rest`, `/streams/v1`."""
    out: list[Route] = []
    S = "streams/"
    for p in ("/streams", "/streams/rest", "/streams/v1"):
        i = f"{p}/instances/{{instanceId}}"
        j = f"{i}/jobs/{{jobId}}"
        t = ("streams",)
        out += [
            Route("GET", f"{p}/resources", resources, "Root resource document (older clients start here)",
                  responses={200: S + "resources.response"}, tags=t),
            Route("GET", f"{p}/domains", list_domains, "The emulator's one domain",
                  responses={200: S + "domain-list.response"}, tags=t),
            Route("GET", f"{p}/domains/{{domainId}}", get_domain, "A domain",
                  responses={200: S + "domain"}, tags=t),
            Route("GET", f"{p}/instances", list_instances, "Instances",
                  responses={200: S + "instance-list.response"}, tags=t),
            Route("GET", i, get_instance, "An instance", responses={200: S + "instance"}, tags=t),
            Route("POST", f"{i}/applicationbundles", upload_bundle, "Upload an application bundle (.sab bytes)",
                  body_format="raw", responses={200: S + "bundle", 201: S + "bundle"}, tags=t),
            Route("GET", f"{i}/applicationbundles/{{bundleId}}", get_bundle, "An uploaded bundle",
                  responses={200: S + "bundle"}, tags=t),
            Route("POST", f"{i}/jobs", submit_job, "Submit a job from a bundle id or a bundle URL",
                  body=S + "job-submit.request", body_format=_json_body,
                  responses={201: S + "job", 200: S + "job"}, tags=t),
            Route("GET", f"{i}/jobs", list_jobs, "Jobs of the instance", responses={200: S + "job-list.response"},
                  tags=t),
            Route("GET", j, get_job, "A job", responses={200: S + "job"}, tags=t,
                  reads=finder(lambda call: _job(call, *_instance(call)))),
            Route("PATCH", j, update_job, "Update operators (parallel-region width)",
                  body=S + "job-update.request", body_format=_json_body, responses={200: S + "job"}, tags=t),
            Route("DELETE", j, cancel_job, "Cancel a job", responses={204: None}, tags=t),
            Route("GET", f"{j}/applicationlogtrace", log_trace,
                  "The job's application log and trace: a gzip-compressed tar (application/x-compressed)",
                  responses={200: S + "log.response"}, tags=t),
            Route("GET", f"{j}/{{collection}}", job_collection, "A job's operators, pes, views, ...",
                  responses={200: S + "collection.response"}, tags=t),
            Route("GET", f"{j}/{{collection}}/{{elementId}}", job_element,
                  "One operator, PE, operator connection or PE connection of a job (its `self` link)",
                  responses={200: S + "element"}, tags=t),
        ]
    return out
