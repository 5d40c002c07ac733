"""Streams wire model: instances, uploaded bundles and jobs -> the JSON the Streams REST API returns.

Everything a job shows is derived from what submit recorded (`job.spec`, the request bytes as sent;
`job.data`, a compact `Record`) and from `job.history`; nothing is drawn on read. Links are built from the
scheme, host and path generation the client called (`/streams`, `/streams/rest` or `/streams/v1`), so they
resolve on this emulator however it is reached.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from ...core.clock import iso_utc
from ...core.readcache import View
from ...core.sharing import share
from ...core.store import Job
from ...kit import Call
from .lifecycle import CANCELED, CANCELING, RUNNING_STATES, UNKNOWN, status_of

PREFIXES = ("/streams/rest", "/streams/v1", "/streams")  # longest first, for prefix_of
DOMAIN_ID = "emulator"
# links of a job resource (reference 1.3) -> the sub-collection path each one resolves to
JOB_COLLECTIONS = {
    "operators": "operators", "pes": "pes", "views": "views", "activeViews": "activeviews", "hosts": "hosts",
    "operatorConnections": "operatorconnections", "peConnections": "peconnections",
    "resourceAllocations": "resourceallocations",
}


@dataclass
class Bundle:
    """An uploaded application bundle, kept in memory (never written to disk)."""

    id: str
    size: int
    application_name: str
    uploaded_ns: int
    data: bytes = b""


@dataclass
class Instance:
    """Per-instance state of one session: its bundles, its job-id counter and its live job names."""

    id: str
    bundles: dict[str, Bundle] = field(default_factory=dict)
    bundle_bytes: int = 0
    next_job: int = 0
    names: dict[str, str] = field(default_factory=dict)  # job name -> job id, for live (not canceled) jobs


def bundle_id(raw: bytes) -> str:
    """56 lower-case hex digits derived from the content (SHA-224, the length of the documented ids), so the
    same bundle always gets the same id."""
    return hashlib.sha224(raw).hexdigest()


def application_name_from_bundle(raw: bytes) -> str:
    """The SPL main composite of a .sab (a zip holding `<namespace>.<Main>.adl`), e.g. `com.acme::Main`;
    `Main` when the bytes are not such a zip (tests often upload a few arbitrary bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            for name in zf.namelist():
                if name.endswith(".adl"):
                    return _spl_name(name.rsplit("/", 1)[-1][: -len(".adl")])
    except (zipfile.BadZipFile, ValueError, OSError):
        pass
    return "Main"


def application_name_from_url(url: str) -> str:
    """`https://myserver.com/com.acme.Main.sab` -> `com.acme::Main`; `sample.sab` -> `sample`."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    stem = last.removesuffix(".sab")
    return _spl_name(stem) if stem else "Main"


def _spl_name(stem: str) -> str:
    # bundle and ADL files are named <namespace>.<composite>; SPL spells that <namespace>::<composite>
    if "." in stem and re.fullmatch(r"[A-Za-z_][\w.]*", stem):
        ns, main = stem.rsplit(".", 1)
        return f"{ns}::{main}"
    return stem


def prefix_of(call: Call) -> str:
    """The path generation the client called: `/streams`, `/streams/rest` or `/streams/v1`."""
    path = call.route.path
    for p in PREFIXES:
        if path.startswith(p + "/"):
            return p
    return "/streams"


def root_url(call: Call) -> str:
    return call.base_url() + prefix_of(call)


def instance_url(call: Call, instance_id: str) -> str:
    return f"{root_url(call)}/instances/{quote(instance_id, safe='')}"


def job_url(call: Call, instance_id: str, job_id: str) -> str:
    return f"{instance_url(call, instance_id)}/jobs/{job_id}"


APPLICATION_VERSION = "1.0.0"
APPLICATION_SCOPE = "Default"
SHARE_MAX = 256  # characters: longer strings a job keeps (an odd URL) are kept as they are, not shared


def _shared(text: str) -> str:
    return share(text) if len(text) <= SHARE_MAX else text


class Record:
    """What a Streams job keeps besides its request bytes: where it runs and what it runs, with everything the
    resource shows that follows from those (job id, paths, ADL file, submit time) built on read. Values many
    jobs have in common (instance, user, application, group, region widths) are shared objects. The dict this
    replaces (21 keys, its paths and a regions dict per job) made a Streams job cost 2,603 B at 100k jobs
    (bench 2026-11-23)."""

    __slots__ = ("app", "app_name", "data_dir", "group", "instance", "name", "params", "regions", "started_by",
                 "submit_ms", "updates")

    def __init__(self, instance: str, app: str, app_name: str, regions: dict[str, int], *, started_by: str,
                 name: str | None = None, data_dir: str | None = None, group: str = "default",
                 params: tuple[tuple[str, str], ...] = ()) -> None:
        self.instance = share(instance)
        self.app = _shared(app)             # the bundle id, or the application URL (recorded, never fetched)
        self.app_name = _shared(app_name)
        self.name = name                    # None: the default `<applicationName>_<id>`
        self.data_dir = data_dir            # None: the default under the job's path
        self.group = _shared(group)
        self.started_by = share(started_by)
        self.params = share(params)         # submission parameters as (name, value) pairs, in order
        self.regions = share(tuple(regions.items()))  # (region, width) in declaration order; PATCH replaces it
        self.updates: list[dict[str, Any]] | None = None  # each PATCH as sent: {"time": ms, overlay}
        self.submit_ms: int | None = None   # None: the job's creation time (a record restored from a dict)

    @property
    def from_url(self) -> bool:
        return "://" in self.app

    def widths(self) -> dict[str, int]:
        return dict(self.regions)

    def set_widths(self, widths: dict[str, int]) -> None:
        self.regions = share(tuple(widths.items()))

    def record_update(self, time_ms: int, overlay: Any) -> None:
        if self.updates is None:
            self.updates = []
        self.updates.append({"time": time_ms, "jobConfigurationOverlay": overlay})

    def __snapshot__(self) -> dict[str, Any]:
        return {"instance": self.instance, "app": self.app, "app_name": self.app_name, "name": self.name,
                "data_dir": self.data_dir, "group": self.group, "started_by": self.started_by,
                "params": [list(p) for p in self.params], "regions": [list(r) for r in self.regions],
                "updates": self.updates, "submit_ms": self.submit_ms}

    @classmethod
    def __restore__(cls, state: dict[str, Any], session: Any) -> Record:
        rec = cls(state["instance"], state["app"], state["app_name"], dict(state["regions"]),
                  started_by=state["started_by"], name=state["name"], data_dir=state["data_dir"],
                  group=state["group"], params=tuple(tuple(p) for p in state["params"]))
        rec.updates = state["updates"]
        rec.submit_ms = state["submit_ms"]
        return rec


def record(job: Job) -> Record:
    """The job's Record; a job restored from a snapshot written before the record existed (its data the dict
    of `instance`, `jobId`, `name`, `submitTime`, ... paths, `regions`, `updates`) gets one on first use."""
    d = job.data
    if isinstance(d, dict):
        d = job.data = _from_dict(job, d)
    return d


def _from_dict(job: Job, d: dict[str, Any]) -> Record:
    inst, jid, app_name = d["instance"], d["jobId"], d["applicationName"]
    app = d["url"] if d.get("source") == "url" else d["bundleId"]
    rec = Record(inst, app, app_name, d["regions"], started_by=d["startedBy"], group=d["jobGroup"],
                 params=tuple((p["name"], p["value"]) for p in d["submitParameters"]))
    rec.name = None if d["name"] == f"{app_name}_{jid}" else d["name"]
    rec.data_dir = None if d["dataPath"] == f"{_job_path(inst, jid)}/data" else d["dataPath"]
    rec.updates = d.get("updates") or None
    rec.submit_ms = None if d["submitTime"] == job.created_ns // 1_000_000 else d["submitTime"]
    return rec


def _job_path(instance: str, jid: str) -> str:
    return f"/streams/instances/{instance}/jobs/{jid}"


def job_id(job: Job) -> str:
    """The job's id within its instance (the store keys jobs `<instance>/<id>`)."""
    return job.id[len(record(job).instance) + 1:]


def job_name(job: Job) -> str:
    rec = record(job)
    return rec.name if rec.name is not None else f"{rec.app_name}_{job_id(job)}"


def job_names(jobs: list[Job]) -> list[str]:
    """job_name of each of `jobs` (the listing's search reads thousands at once)."""
    out = []
    for job in jobs:
        rec = job.data
        if isinstance(rec, dict):
            rec = record(job)
        out.append(rec.name if rec.name is not None else f"{rec.app_name}_{job.id[len(rec.instance) + 1:]}")
    return out


def instance_of(job: Job) -> str:
    return record(job).instance


def health_of(job: Job) -> str:
    """The job's health: its state while running; while canceling, the health it had before."""
    if job.state in RUNNING_STATES:
        return job.state
    for _, old, to, _ in reversed(job.history):
        if to == CANCELING and old in RUNNING_STATES:
            return old
    return UNKNOWN


def widths(job: Job) -> dict[str, int]:
    """Current width of each parallel region, in declaration order (a fresh dict)."""
    return record(job).widths()


def operator_names(job: Job) -> list[tuple[str, str | None, int | None]]:
    """(name, parallel region, channel) of every operator: a source, one operator per region channel, a sink."""
    ops: list[tuple[str, str | None, int | None]] = [("Source", None, None)]
    for region, width in widths(job).items():
        ops.extend((f"{region}[{ch}]", region, ch) for ch in range(width))
    ops.append(("Sink", None, None))
    return ops


def pe_count(job: Job) -> int:
    """One PE for each region channel (channels are isolated) plus one for the operators outside regions."""
    return 1 + sum(widths(job).values())


def _resource_key(job: Job, call: Call) -> tuple:
    # valid at the same version (every transition bumps it), with the same regions (a PATCH) and asked for
    # under the same base URL (the links)
    return job.version, root_url(call), record(job).regions


_RESOURCE: View[dict[str, Any]] = View("streams.job", _resource_key, lambda job, call: _job_resource(job, call))


def job_resource(job: Job, call: Call) -> dict[str, Any]:
    """The full job resource of reference 1.3 (plus `parallelRegions`, `operatorCount`, `peCount`); a poll of
    an unchanged job reuses the dict."""
    return _RESOURCE(job, call)


def job_resource_json(job: Job, call: Call) -> bytes:
    """`job_resource` encoded (GET of one job: the bytes of the last poll while the job is unchanged)."""
    return _RESOURCE.json(job, call)


def _job_resource(job: Job, call: Call) -> dict[str, Any]:
    d = record(job)
    inst = d.instance
    jid = job_id(job)
    path = _job_path(inst, jid)
    url = job_url(call, inst, jid)
    app_path = d.app if d.from_url else f"/streams/instances/{inst}/applicationbundles/{d.app}"
    body: dict[str, Any] = {
        "id": jid,
        "restid": jid,
        "resourceType": "job",
        "name": job_name(job),
        "status": status_of(job.state),
        "health": health_of(job),
        "submitTime": d.submit_ms if d.submit_ms is not None else job.created_ns // 1_000_000,
        "startedBy": d.started_by,
        "applicationName": d.app_name,
        "applicationVersion": APPLICATION_VERSION,
        "applicationScope": APPLICATION_SCOPE,
        "applicationPath": app_path,
        "adlFile": f"{d.app_name.replace('::', '.')}.adl",
        "dataPath": d.data_dir or f"{path}/data",
        "outputPath": f"{path}/output",
        "checkpointPath": f"{path}/checkpoint",
        "jobGroup": d.group,
        "submitParameters": [{"name": n, "value": v} for n, v in d.params],
        "self": url,
        "instance": instance_url(call, inst),
        "domain": f"{root_url(call)}/domains/{DOMAIN_ID}",
        "applicationLogTrace": f"{url}/applicationlogtrace",
    }
    for key, sub in JOB_COLLECTIONS.items():
        body[key] = f"{url}/{sub}"
    body["parallelRegions"] = [{"name": n, "width": w} for n, w in widths(job).items()]
    body["operatorCount"] = len(operator_names(job))
    body["peCount"] = pe_count(job)
    return body


def job_list(jobs: list[Job], call: Call) -> dict[str, Any]:
    return {"jobs": [job_resource(j, call) for j in jobs], "total": len(jobs), "resourceType": "jobList"}


ELEMENT_COLLECTIONS = ("operators", "pes", "operatorconnections", "peconnections")
LOG_ARCHIVE_TYPE = "application/x-compressed"
# collection path -> the key its list is under: streamsx reads both connection lists as `connections`
COLLECTION_KEYS = {"operatorconnections": "connections", "peconnections": "connections"}
COLLECTION_TYPES = {"operatorconnections": "operatorConnectionList", "peconnections": "peConnectionList"}


def collection(job: Job, call: Call, name: str) -> dict[str, Any]:
    """A job sub-collection (`operators`, `pes`, ...): `{<key>: [...], "total": N, "resourceType": ...}`.
    Every element carries the `self` link streamsx caches it by, and that link resolves (`element`)."""
    items = _elements(job, call, name)
    key = COLLECTION_KEYS.get(name) or next((k for k, v in JOB_COLLECTIONS.items() if v == name), name)
    kind = COLLECTION_TYPES.get(name) or f"{key.removesuffix('s')}List"
    return {key: items, "total": len(items), "resourceType": kind}


def element(job: Job, call: Call, name: str, element_id: str) -> dict[str, Any] | None:
    """One element of a job sub-collection by its id (what an element's `self` link answers), or None."""
    return next((e for e in _elements(job, call, name) if e["id"] == element_id), None)


def _elements(job: Job, call: Call, name: str) -> list[dict[str, Any]]:
    url = job_url(call, instance_of(job), job_id(job))
    base = f"{url}/{name}"
    health = health_of(job)
    running = job.state not in (CANCELING, CANCELED)
    ops = operator_names(job)
    if name == "operators":
        items = []
        for i, (op, region, ch) in enumerate(ops):
            item: dict[str, Any] = {"id": str(i), "name": op, "resourceType": "operator", "indexWithinJob": i,
                                    "self": f"{base}/{i}", "job": url,
                                    "operatorKind": "spl.relational::Functor" if region else
                                    ("spl.adapter::FileSource" if op == "Source" else "spl.adapter::FileSink")}
            if region is not None:
                item["parallelRegion"] = region
                item["channel"] = ch
            items.append(item)
        return items
    if name == "pes":
        status = "running" if running else "stopping"
        return [{"id": str(i), "resourceType": "pe", "indexWithinJob": i, "self": f"{base}/{i}", "job": url,
                 "operators": members, "status": status, "health": health, "launchCount": 1}
                for i, members in enumerate(_pe_groups(ops))]
    if name == "operatorconnections":
        # Source feeds every region channel, every channel feeds Sink
        inside = [i for i, o in enumerate(ops) if o[1] is not None]
        pairs = [(0, i) for i in inside] + [(i, len(ops) - 1) for i in inside] if inside else [(0, len(ops) - 1)]
        return [_connection("operatorConnection", base, url, n, running, src=ops[a][0], dst=ops[b][0])
                for n, (a, b) in enumerate(pairs)]
    if name == "peconnections":
        # PE 0 holds Source and Sink; each region channel's PE is fed by it and feeds it back
        channel_pes = range(1, len(_pe_groups(ops)))
        pairs = [(0, p) for p in channel_pes] + [(p, 0) for p in channel_pes]
        return [_connection("peConnection", base, url, n, running, src=str(a), dst=str(b))
                for n, (a, b) in enumerate(pairs)]
    return []


def _pe_groups(ops: list[tuple[str, str | None, int | None]]) -> list[list[str]]:
    return [[o[0] for o in ops if o[1] is None]] + [[o[0]] for o in ops if o[1] is not None]


def _connection(kind: str, base: str, job: str, n: int, running: bool, src: str, dst: str) -> dict[str, Any]:
    return {"id": str(n), "resourceType": kind, "self": f"{base}/{n}", "job": job, "required": True,
            "status": "connected" if running else "disconnected", "source": src, "destination": dst}


def bundle_resource(bundle: Bundle, call: Call, instance_id: str) -> dict[str, Any]:
    """What upload answers: `bundleId` (streamsx 2.x reads it) and `application` (older clients read it)."""
    return {"bundleId": bundle.id, "application": bundle.id, "resourceType": "applicationBundle",
            "applicationName": bundle.application_name, "size": bundle.size,
            "self": f"{instance_url(call, instance_id)}/applicationbundles/{bundle.id}",
            "instance": instance_url(call, instance_id)}


def instance_resource(inst_id: str, call: Call, job_count: int) -> dict[str, Any]:
    url = instance_url(call, inst_id)
    return {"id": inst_id, "restid": inst_id, "resourceType": "instance", "status": "running",
            "health": "healthy", "self": url, "jobs": f"{url}/jobs",
            "applicationBundles": f"{url}/applicationbundles",
            "domain": f"{root_url(call)}/domains/{DOMAIN_ID}", "jobCount": job_count}


def log_archive(job: Job, now_ns: int) -> bytes:
    """The job's application log and trace as the gzip-compressed tar streamsx saves (`job_<id>.tar.gz`):
    one `job_<id>/application.log` with the job's transitions, stamped with the emulated time, so the same
    job at the same moment gives the same bytes."""
    jid = job_id(job)
    lines = [f"{iso_utc(t, 3)} job {jid} {old or '-'} -> {to}{': ' + msg if msg else ''}"
             for t, old, to, msg in job.history]
    text = ("\n".join(lines) + "\n").encode()
    mtime = now_ns // 1_000_000_000
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(f"job_{jid}/application.log")
        info.size, info.mtime, info.mode = len(text), mtime, 0o644
        tar.addfile(info, io.BytesIO(text))
    return gzip.compress(buf.getvalue(), mtime=mtime)
