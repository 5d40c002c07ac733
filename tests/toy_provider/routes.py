"""The toy's routes: thin handlers over the session's lifecycle runtime."""

from __future__ import annotations

from emulator.core.errors import ApiError
from emulator.core.store import Job
from emulator.kit import Param, Reply, Route, finder

from .lifecycle import JOB
from .provider import ToyCall as Call

BASE = "/toy/v1/jobs"


def _job(call: Call) -> Job:
    job = call.store.get(call.path["job_id"])
    if job is None:
        raise ApiError("not_found", f"no toy job {call.path['job_id']}", field="job_id")
    return job


def wire(job: Job) -> dict:
    return {"id": job.id, "name": job.spec["name"], "number": job.data["number"], "state": job.state,
            "message": job.message}


async def submit(call: Call) -> Reply:
    name = call.body["name"]
    state = call.state
    state.accepted += 1
    job_id = f"toy-{call.session.ids.hex(8)}"
    job = call.submit(call.lifecycle(JOB, {"name": name}), job_id, call.body, data={"number": state.accepted})
    call.job_id = job_id
    return Reply(201, wire(job))


async def get(call: Call) -> Reply:
    return Reply(200, wire(_job(call)))


async def cancel(call: Call) -> Reply:
    job = _job(call)
    call.session.command(job, "cancel", "cancelled by the client")
    return Reply(200, wire(job))


async def list_jobs(call: Call) -> Reply:
    jobs = [j for j in call.store if call.args["state"] in (None, j.state)]
    call.shown = jobs
    return Reply(200, {"jobs": [wire(j) for j in jobs]})


def routes() -> list[Route]:
    return [
        Route("POST", BASE, submit, "Submit a job", body="toy/job-submit.request", responses={201: "toy/job"}),
        Route("GET", BASE, list_jobs, "List jobs", responses={200: "toy/jobs"},
              query=(Param("state", str, None, choices=("QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED")),)),
        Route("GET", BASE + "/{job_id}", get, "Get a job", responses={200: "toy/job"}, reads=finder(_job)),
        Route("POST", BASE + "/{job_id}/cancel", cancel, "Cancel a job", responses={200: "toy/job"}),
    ]
