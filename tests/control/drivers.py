"""One plain HTTP client per provider, as a user's code would poll it: submit a job, read its state from the
provider's own status response, cancel it. Shared by the coverage, tour and step-clock tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

TASK = "/compute/orgs/8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70/geostatistics/kriging"
TOKEN = {"Authorization": "Bearer any-token"}
IB_AUTH = {"Authorization": "Bearer tok-jaydoe"}
IB_RUN = {"binary_path": "jaydoe/my-repo/fs/Instabase Drive/flow/single.ibflowbin",
          "input_dir": "jaydoe/my-repo/fs/Instabase Drive/flow", "settings": {}}
BACALHAU_JOB = {"Job": {"Name": "etl", "Type": "batch", "Count": 1, "Tasks": [{"Name": "main", "Engine": {
    "Type": "docker", "Params": {"Image": "ubuntu", "Entrypoint": ["echo", "hi"]}}}]}}
SEATUNNEL_JOB = {"env": {"job.name": "etl", "job.mode": "BATCH"},
                 "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 1000,
                             "schema": {"fields": {"id": "int"}}}],
                 "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}


async def _ok(resp, *statuses: int) -> Any:
    text = await resp.text()
    assert resp.status in (statuses or (200,)), f"{resp.status}: {text}"
    return json.loads(text) if text else None


@dataclass
class Driver:
    """Submit, poll and cancel one provider's jobs over its own API, in a session given by header."""

    key: str

    async def submit(self, emu, headers: dict | None = None) -> str:
        h = dict(headers or {})
        if self.key == "bacalhau":
            return (await _ok(await emu.put("/api/v1/orchestrator/jobs", json=BACALHAU_JOB, headers=h)))["JobID"]
        if self.key == "seatunnel":
            return (await _ok(await emu.post("/submit-job", json=SEATUNNEL_JOB, headers=h)))["jobId"]
        if self.key == "streams":
            body = await _ok(await emu.post("/streams/instances/inst1/jobs",
                                            json={"application": "https://example.com/app.sab"}, headers=h), 201)
            return body["id"]
        if self.key == "instabase":
            body = await _ok(await emu.post("/api/v1/flow/run_binary_async", json=IB_RUN, headers={**IB_AUTH, **h}))
            return body["data"]["job_id"]
        resp = await emu.post(TASK, json={"parameters": {"source": "grade"}}, headers={**TOKEN, **h},
                              allow_redirects=False)
        await _ok(resp, 303)
        return resp.headers["Location"].rsplit("/", 2)[-2]

    def control(self, ref: str) -> str:
        """The job's path in the control API (/_emulator/jobs/{provider}/{id})."""
        return f"/_emulator/jobs/{self.key}/" + (f"inst1%2F{ref}" if self.key == "streams" else str(ref))

    async def state(self, emu, ref: str, headers: dict | None = None) -> str:
        """Poll the job's status the way a client does and return the state the response shows."""
        h = dict(headers or {})
        if self.key == "bacalhau":
            body = await _ok(await emu.get(f"/api/v1/orchestrator/jobs/{ref}", headers=h))
            return body["Job"]["State"]["StateType"]
        if self.key == "seatunnel":
            return (await _ok(await emu.get(f"/job-info/{ref}", headers=h)))["jobStatus"]
        if self.key == "streams":
            body = await _ok(await emu.get(f"/streams/instances/inst1/jobs/{ref}", headers=h))
            return body["health"] if body["status"] == "running" else body["status"]
        if self.key == "instabase":
            body = await _ok(await emu.get(f"/api/v1/jobs/status?job_id={ref}", headers={**IB_AUTH, **h}))
            return json.loads(body["cur_status"])["status"]
        return (await _ok(await emu.get(f"{TASK}/{ref}/status", headers={**TOKEN, **h}), 200, 202))["status"]

    async def cancel(self, emu, ref: str, headers: dict | None = None) -> None:
        h = dict(headers or {})
        if self.key == "bacalhau":
            await _ok(await emu.delete(f"/api/v1/orchestrator/jobs/{ref}", headers=h))
        elif self.key == "seatunnel":
            await _ok(await emu.post("/stop-job", json={"jobId": ref}, headers=h))
        elif self.key == "streams":
            await _ok(await emu.delete(f"/streams/instances/inst1/jobs/{ref}", headers=h), 204)
        elif self.key == "instabase":
            await _ok(await emu.get(f"/api/v1/jobs/cancel?job_id={ref}", headers={**IB_AUTH, **h}))
        else:
            await _ok(await emu.delete(f"{TASK}/{ref}", headers={**TOKEN, **h}), 204)


DRIVERS = {key: Driver(key) for key in ("bacalhau", "seatunnel", "streams", "instabase", "taskapi")}
# what a client of each sees on the happy path, and the state it polls for before it cancels
HAPPY = {"bacalhau": ["Pending", "Running", "Completed"], "seatunnel": ["PENDING", "RUNNING", "FINISHED"],
         "streams": ["unknown", "partiallyHealthy", "healthy"], "instabase": ["PENDING", "RUNNING", "COMPLETE"],
         "taskapi": ["requested", "in progress", "succeeded"]}
RUNNING = {"bacalhau": "Running", "seatunnel": "RUNNING", "streams": "partiallyHealthy", "instabase": "RUNNING",
           "taskapi": "in progress"}
