"""What the suite asks of each provider: how to submit a job, which URL polls its status, and (where the
API has one) which list request to time. One small table per provider; a provider missing here, or not
enabled in this build, is reported as "not measured" instead of failing the run.

`poll(status, headers, body)` turns the submit answer into the status URL a client polls; it gets the same
arguments over HTTP (bench.http) and in-process (bench.engine), so both measure the same request.
`list_filter` is a query string that selects every job the suite submits (so a page is always full);
`deep_page(offset)` the extra query that asks for a page `offset` rows deep, the way the API pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TASK_ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
IB_AUTH = {"Authorization": "Bearer tok-bench"}


@dataclass(frozen=True)
class Target:
    """The requests the suite makes against one provider."""

    key: str
    submit_method: str
    submit_path: str
    submit_body: Any
    poll: Callable[[int, dict, Any], str]
    headers: dict[str, str] = field(default_factory=dict)
    list_path: str | None = None
    list_filter: str = ""
    deep_page: Callable[[int], str] | None = None

    def body_bytes(self) -> bytes:
        return json.dumps(self.submit_body).encode()


def _location(status: int, headers: dict, body: Any) -> str:
    loc = headers.get("Location") or headers.get("location")
    if not loc:
        raise ValueError(f"submit answered {status} without a Location header")
    return "/" + loc.split("://", 1)[-1].split("/", 1)[1] if "://" in loc else loc


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target(
        "bacalhau", "PUT", "/api/v1/orchestrator/jobs",
        {"Job": {"Name": "bench", "Type": "batch", "Count": 1, "Labels": {"env": "bench", "team": "perf"},
                 "Tasks": [{"Name": "main", "Engine": {"Type": "docker", "Params": {
                     "Image": "ubuntu:latest", "Entrypoint": ["/bin/bash"],
                     "Parameters": ["-c", "echo hello world"]}}, "Publisher": {"Type": "", "Params": {}}}]}},
        lambda s, h, b: f"/api/v1/orchestrator/jobs/{b['JobID']}",
        list_path="/api/v1/orchestrator/jobs", list_filter="labels=env%3Dbench&limit=100",
        deep_page=lambda offset: f"next_token={offset}",
    ),
    Target(
        "taskapi", "POST", f"/compute/orgs/{TASK_ORG}/geostatistics/kriging",
        {"parameters": {"source": {"object": {"reference": "bench", "attribute": "grade"}}}},
        _location, headers={"Authorization": "Bearer bench"},
    ),
    Target(
        "streams", "POST", "/streams/instances/inst1/jobs",
        {"application": "https://bench.example.com/bench.sab"},
        lambda s, h, b: f"/streams/instances/inst1/jobs/{b['id']}",
        # no list figure: Streams' job list has neither filter nor paging (it returns every job)
    ),
    Target(
        "seatunnel", "POST", "/submit-job",
        {"env": {"job.name": "bench", "job.mode": "BATCH"},
         "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                     "schema": {"fields": {"id": "int", "name": "string"}}}],
         "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]},
        lambda s, h, b: f"/job-info/{b['jobId']}",
    ),
    Target(
        "instabase", "POST", "/api/v1/flow/run_binary_async",
        {"binary_path": "bench/repo/fs/Instabase Drive/flow/single.ibflowbin",
         "input_dir": "bench/repo/fs/Instabase Drive/flow", "settings": {}},
        lambda s, h, b: f"/api/v1/jobs/status?job_id={b['data']['job_id']}&type=flow",
        headers=IB_AUTH,
    ),
)}
