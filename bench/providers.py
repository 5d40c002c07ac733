"""What the suite asks of each provider: how to submit a job, which URL polls its status, and (where the
API has one) which list request to time. One small table per provider; a provider missing here, or not
enabled in this build, is reported as "not measured" instead of failing the run.

`poll(status, headers, body)` turns the submit answer into the status URL a client polls; it gets the same
arguments over HTTP (bench.http) and in-process (bench.engine), so both measure the same request.
`lists` are the provider's list requests with their most common filter (each a `Listing`); `spread(i)`, when
set, is the submit path of the i-th job of an in-process fill (Streams spreads its jobs over instances, the
way a deployment holds them, so "an instance's list" is a page and not a million-row answer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TASK_ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
IB_AUTH = {"Authorization": "Bearer tok-bench"}


@dataclass(frozen=True)
class Listing:
    """One list request to time: `url` selects every job the suite submits (so a page is always full);
    `deep_page(offset)` is the query asking for a page `offset` rows deep, the way the API pages (its
    parameters replace those of `url` with the same name);
    `finished` lists are timed after the clock has run every job to its end."""

    label: str
    url: str
    deep_page: Callable[[int], str] | None = None
    finished: bool = False


@dataclass(frozen=True)
class Target:
    """The requests the suite makes against one provider."""

    key: str
    submit_method: str
    submit_path: str
    submit_body: Any
    poll: Callable[[int, dict, Any], str]
    headers: dict[str, str] = field(default_factory=dict)
    lists: tuple[Listing, ...] = ()
    spread: Callable[[int], str] | None = None

    def body_bytes(self) -> bytes:
        return json.dumps(self.submit_body).encode()


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1] if "://" in url else url


def _location(status: int, headers: dict, body: Any) -> str:
    loc = headers.get("Location") or headers.get("location")
    if not loc:
        raise ValueError(f"submit answered {status} without a Location header")
    return _path_of(loc)


STREAMS_PER_INSTANCE = 100


def _seatunnel_page(offset: int) -> str:
    return f"page={offset // 100 + 1}"


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target(
        "bacalhau", "PUT", "/api/v1/orchestrator/jobs",
        {"Job": {"Name": "bench", "Type": "batch", "Count": 1, "Labels": {"env": "bench", "team": "perf"},
                 "Tasks": [{"Name": "main", "Engine": {"Type": "docker", "Params": {
                     "Image": "ubuntu:latest", "Entrypoint": ["/bin/bash"],
                     "Parameters": ["-c", "echo hello world"]}}, "Publisher": {"Type": "", "Params": {}}}]}},
        lambda s, h, b: f"/api/v1/orchestrator/jobs/{b['JobID']}",
        lists=(Listing("labels env=bench", "/api/v1/orchestrator/jobs?labels=env%3Dbench&limit=100",
                       lambda offset: f"next_token={offset}"),),
    ),
    Target(
        "taskapi", "POST", f"/compute/orgs/{TASK_ORG}/geostatistics/kriging",
        {"parameters": {"source": {"object": {"reference": "bench", "attribute": "grade"}}}},
        _location, headers={"Authorization": "Bearer bench"},
        # the API has no job listing; its one list, the task catalogue, is timed to show it ignores job count
        lists=(Listing("task catalogue (no job list in the API)", f"/compute/orgs/{TASK_ORG}/tasks"),),
    ),
    Target(
        "streams", "POST", "/streams/instances/inst1/jobs",
        {"application": "https://bench.example.com/bench.sab"},
        lambda s, h, b: _path_of(b["self"]),
        # the job list has neither filter nor paging (it returns every job of the instance): the fill puts
        # STREAMS_PER_INSTANCE jobs in each instance and the figure is one instance's whole list
        lists=(Listing(f"one instance ({STREAMS_PER_INSTANCE} jobs)", "/streams/instances/inst0/jobs"),),
        spread=lambda i: f"/streams/instances/inst{i // STREAMS_PER_INSTANCE}/jobs",
    ),
    Target(
        "seatunnel", "POST", "/submit-job",
        {"env": {"job.name": "bench", "job.mode": "BATCH"},
         "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                     "schema": {"fields": {"id": "int", "name": "string"}}}],
         "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]},
        lambda s, h, b: f"/job-info/{b['jobId']}",
        lists=(Listing("running-jobs", "/running-jobs?page=1&rows=100", _seatunnel_page),
               Listing("finished-jobs/FINISHED", "/finished-jobs/FINISHED?page=1&rows=100", _seatunnel_page,
                       finished=True)),
    ),
    Target(
        "instabase", "POST", "/api/v1/flow/run_binary_async",
        {"binary_path": "bench/repo/fs/Instabase Drive/flow/single.ibflowbin",
         "input_dir": "bench/repo/fs/Instabase Drive/flow", "settings": {}, "tags": ["bench"]},
        lambda s, h, b: f"/api/v1/jobs/status?job_id={b['data']['job_id']}&type=flow",
        headers=IB_AUTH,
        lists=(Listing("state=PENDING tags=bench", "/api/v1/jobs/list?state=PENDING&tags=bench&limit=100",
                       lambda offset: f"offset={offset}"),
               Listing("state=COMPLETE tags=bench", "/api/v1/jobs/list?state=COMPLETE&tags=bench&limit=100",
                       lambda offset: f"offset={offset}", finished=True)),
    ),
)}
