"""evo-compute 0.0.6 (Seequent's Python client for the compute Task API, on evo-sdk-common's aiohttp
transport), driven as its users drive it: `JobClient.submit`, `get_status` through requested, in progress
and succeeded, `get_results`, `wait_for_results`, `cancel`, a failed job's `JobError`, a pending job's
`JobPendingError`, and API errors as evo's own exceptions. The session travels in the connector's
`additional_headers` (the client builds URLs from its base URL, which stays the server's root)."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

compute = pytest.importorskip("evo.compute")
pytest.importorskip("evo.aio")
from evo.aio import AioTransport  # noqa: E402
from evo.common import APIConnector  # noqa: E402
from evo.common.exceptions import (  # noqa: E402
    EvoAPIException,
    NotFoundException,
    UnknownResponseError,
)
from evo.compute.data import JobStatusEnum  # noqa: E402
from evo.compute.exceptions import JobError, JobPendingError  # noqa: E402
from evo.oauth import AccessTokenAuthorizer  # noqa: E402

ORG = UUID("8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70")


def connector(emu) -> APIConnector:
    return APIConnector(emu.base_url, AioTransport(user_agent="job-emulator-tests", max_attempts=1),
                        AccessTokenAuthorizer("t0ken"), additional_headers={"X-Emulator-Session": emu.session})


@pytest.fixture
def taskapi(emulator_for):
    emu = emulator_for()
    return emu, connector(emu)


def run(coro):
    return asyncio.run(coro)


def test_submit_poll_every_state_and_read_results(taskapi):
    emu, conn = taskapi

    async def scenario():
        job = await compute.JobClient.submit(conn, ORG, "geostatistics", "kriging", {"source": {"x": 1}})
        seen = [(await job.get_status()).status]
        with pytest.raises(JobPendingError):
            await job.get_results()
        for state in ("in progress", "succeeded"):
            await asyncio.to_thread(emu.advance_until, "taskapi", str(job.id), state)
            seen.append((await job.get_status()).status)
        return job, seen, await job.get_results()

    job, seen, results = run(scenario())
    assert seen == [JobStatusEnum.requested, JobStatusEnum.in_progress, JobStatusEnum.succeeded]
    assert job.url.endswith(f"compute/orgs/{ORG}/geostatistics/kriging/{job.id}/status")
    assert isinstance(results, dict) and results  # the task's results document, as the results link serves it
    status = emu.journal(method="GET", path=f"/compute/orgs/{ORG}/geostatistics/kriging/{job.id}")
    assert [e["status"] for e in status] == [202, 200]  # pending, then the results


def test_wait_for_results_polls_until_done(taskapi):
    emu, conn = taskapi

    async def scenario():
        job = await compute.JobClient.submit(conn, ORG, "geostatistics", "kriging", {"source": {"x": 1}})
        # the client waits polling_interval_seconds between polls (wall time, its own choice): 0 keeps it
        # polling back to back while another thread moves the emulated clock
        waiter = asyncio.ensure_future(job.wait_for_results(polling_interval_seconds=0))
        await asyncio.to_thread(emu.advance_until, "taskapi", str(job.id), "succeeded")
        return await waiter

    assert isinstance(run(scenario()), dict)


def test_failed_job_raises_job_error_with_the_problem(taskapi):
    emu, conn = taskapi
    emu.scenario("fail", "taskapi", {"task": "kriging"}, at="in progress", message="kriging matrix is singular")

    async def scenario():
        job = await compute.JobClient.submit(conn, ORG, "geostatistics", "kriging", {"source": {"x": 1}})
        await asyncio.to_thread(emu.advance_until, "taskapi", str(job.id), "failed")
        progress = await job.get_status()
        with pytest.raises(JobError) as err:
            await job.get_results()
        return progress, err.value

    progress, err = run(scenario())
    assert progress.status == JobStatusEnum.failed and progress.error is not None
    assert err.status == 500 and "kriging matrix is singular" in str(err)


def test_cancel(taskapi):
    emu, conn = taskapi

    async def scenario():
        job = await compute.JobClient.submit(conn, ORG, "geostatistics", "kriging", {"source": {"x": 1}})
        await asyncio.to_thread(emu.advance_until, "taskapi", str(job.id), "in progress")
        await job.cancel()
        await asyncio.to_thread(emu.advance_until, "taskapi", str(job.id), "cancelled")
        return (await job.get_status()).status

    assert run(scenario()) == JobStatusEnum.cancelled


def test_unknown_job_is_evos_not_found(taskapi):
    _, conn = taskapi
    job = compute.JobClient(conn, ORG, "geostatistics", "kriging", UUID("00000000-0000-4000-8000-000000000000"))
    with pytest.raises(NotFoundException) as err:
        run(job.get_status())
    assert isinstance(err.value, EvoAPIException) and err.value.status == 404


def watch_statuses(job) -> list:
    """Record the status of every poll the client's own loop makes (the method it calls, wrapped to look)."""
    seen: list = []
    get_status = job.get_status

    async def watched():
        status = await get_status()
        seen.append(status.status)
        return status

    job.get_status = watched
    return seen


def test_step_clock_wait_for_results_sees_every_state_in_order(taskapi):
    emu, conn = taskapi
    emu.set_clock("step")

    async def scenario():
        job = await compute.JobClient.submit(conn, ORG, "geostatistics", "kriging", {"source": {"x": 1}})
        seen = watch_statuses(job)
        # its own loop, nothing moving the clock but its polls; the interval is its own parameter (0: no
        # wall-clock wait between polls)
        return seen, await job.wait_for_results(polling_interval_seconds=0)

    seen, results = run(scenario())
    assert seen == [JobStatusEnum.requested, JobStatusEnum.in_progress, JobStatusEnum.succeeded]
    assert isinstance(results, dict) and results


def test_step_clock_a_cancel_after_the_first_in_progress_poll_always_cancels(taskapi):
    emu, conn = taskapi
    emu.set_clock("step")

    async def scenario():
        job = await compute.JobClient.submit(conn, ORG, "geostatistics", "kriging", {"source": {"x": 1}})
        seen = [(await job.get_status()).status]
        while seen[-1] != JobStatusEnum.in_progress:
            assert len(seen) < 12, seen
            seen.append((await job.get_status()).status)
        await job.cancel()
        after = watch_statuses(job)
        # its own loop stops at `cancelled`, then reads the results: a cancelled job has none (200,
        # "results": null, as the Task API documents it), which evo 0.0.6 rejects as an unknown response
        with pytest.raises(UnknownResponseError) as err:
            await job.wait_for_results(polling_interval_seconds=0)
        return seen, after, err.value

    seen, after, err = run(scenario())
    assert seen == [JobStatusEnum.requested, JobStatusEnum.in_progress]
    assert after == [JobStatusEnum.cancelling, JobStatusEnum.cancelled]
    assert "'status': 'cancelled', 'results': None" in str(err)
