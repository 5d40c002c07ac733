"""bacalhau-sdk 1.4.2 with bacalhau-apiclient 1.4.1 (the v1.4 profile: lists keyed `Items`), driven as its
users drive it: `Jobs().put`, `get` (with the included history and executions), `list` and its pages,
`executions`, `history`, `results`, `stop`; errors through the generated client's `ApiException` (the SDK
itself catches it, prints it and returns None: that is the SDK's behaviour against the real server too).
The log stream is a WebSocket, read with aiohttp as `bacalhau job logs` reads it."""

from __future__ import annotations

import asyncio
import json

import pytest

sdk_jobs = pytest.importorskip("bacalhau_sdk.jobs")
models = pytest.importorskip("bacalhau_apiclient.models")
rest = pytest.importorskip("bacalhau_apiclient.rest")

from tests.clients.polling import poll_states, poll_until  # noqa: E402

ENDS = ("Completed", "Failed", "Stopped")


def job_request(name="hello", count=1, publisher="noop", labels=None):
    task = models.Task(name="main", engine=models.SpecConfig(type="docker", params={
        "Image": "ubuntu:latest", "Entrypoint": ["echo", "hello world"]}),
        publisher=models.SpecConfig(type=publisher, params={}))
    job = models.Job(name=name, type="batch", count=count, labels=labels or {"env": "dev"}, tasks=[task])
    return models.ApiPutJobRequest(job=job)


@pytest.fixture
def bacalhau(emulator_for, monkeypatch, tmp_path):
    """The SDK pointed at a v1.4 emulator the way its docs say (BACALHAU_API_HOST/PORT); the session header
    goes on the generated client's default headers (the SDK builds URLs from host and port only)."""
    emu = emulator_for(profiles={"bacalhau": "v1.4"})
    monkeypatch.setenv("BACALHAU_API_HOST", "127.0.0.1")
    monkeypatch.setenv("BACALHAU_API_PORT", str(emu.server.port))
    monkeypatch.setenv("BACALHAU_DIR", str(tmp_path))
    jobs = sdk_jobs.Jobs()
    jobs.orchestrator_service.api_client.set_default_header("X-Emulator-Session", emu.session)
    return emu, jobs


def test_put_poll_every_state_and_read_results(bacalhau):
    emu, jobs = bacalhau
    put = jobs.put(job_request(count=2))
    assert put.job_id.startswith("j-") and put.warnings is None
    states = [jobs.get(put.job_id).job.state.state_type]
    for state in ("Running", "Completed"):
        emu.advance_until("bacalhau", put.job_id, state)
        states.append(jobs.get(put.job_id).job.state.state_type)
    assert states == ["Pending", "Running", "Completed"]
    # the SDK always sends limit=10 with include: the lists are whole (2 executions, 15 events)
    got = jobs.get(put.job_id, include="history,executions")
    history = got.history.items
    assert len(history) == 3 + 2 * 6 and len(got.executions.items) == 2
    last = [h.job_state for h in history if h.type == "JobLevel"][-1]
    assert (last.previous, last.new) == ("Running", "Completed")
    assert history[0].event.topic == "Submission" and history[0].event.message == "Job created"
    execs = jobs.executions(put.job_id, limit=5)
    assert [e.compute_state.state_type for e in execs.items] == [7, 7]
    # a client bug kept as the real server has it: the server writes RunOutput with lower-case keys
    # (`stdout`, `exitCode`), the 1.4.1 model reads `Stdout`/`ExitCode`, so they arrive as None
    assert [(e.run_output.stdout, e.run_output.exit_code) for e in execs.items] == [(None, None)] * 2
    assert all((e.published_result.type, e.published_result.params) == ("", None) for e in execs.items)
    assert jobs.results(put.job_id).items == []  # the noop publisher publishes nothing (v1.3+ lists none)


def test_a_failing_job_as_the_sdk_sees_it(bacalhau):
    emu, jobs = bacalhau
    emu.scenario("fail", "bacalhau", {"name": "etl"}, at="Running", message="OOM killed")
    job_id = jobs.put(job_request(name="etl")).job_id
    emu.advance_until("bacalhau", job_id, "Failed")
    state = jobs.get(job_id).job.state
    assert (state.state_type, state.message) == ("Failed", "OOM killed")
    [ex] = jobs.executions(job_id).items
    assert ex.compute_state.state_type == 8 and ex.run_output.stderr == "OOM killed\n"
    assert jobs.results(job_id).items == []


def test_s3_results_and_history_filter(bacalhau):
    emu, jobs = bacalhau
    req = job_request(publisher="s3")
    req.job.tasks[0].publisher.params = {"Bucket": "b", "Key": "out/{jobID}/", "Region": "eu-west-1"}
    job_id = jobs.put(req).job_id
    assert jobs.results(job_id).items == []
    emu.advance(10)
    [result] = jobs.results(job_id).items
    assert result.type == "s3" and result.params["Bucket"] == "b"
    assert result.params["Key"].startswith(f"out/{job_id}/")
    events = jobs.history(job_id, event_type="execution").items
    assert {e.type for e in events} == {"ExecutionLevel"} and events[-1].execution_state.new == 7


def test_list_and_page(bacalhau):
    _, jobs = bacalhau
    ids = [jobs.put(job_request(name=f"j{i}")).job_id for i in range(5)]
    first = jobs.list(limit=2)
    assert [j.id for j in first.items] == ids[:2] and first.next_token
    second = jobs.list(limit=2, next_token=first.next_token)
    third = jobs.list(limit=2, next_token=second.next_token)
    assert [j.id for j in second.items + third.items] == ids[2:] and third.next_token == ""
    newest = jobs.list(limit=1, reverse=True)
    assert [j.id for j in newest.items] == ids[-1:]


def test_stop_and_errors_through_api_exception(bacalhau, capsys):
    emu, jobs = bacalhau
    job_id = jobs.put(job_request()).job_id
    stopped = jobs.stop(job_id, reason="no longer needed")
    assert stopped.evaluation_id
    state = jobs.get(job_id).job.state
    assert (state.state_type, state.message) == ("Stopped", "no longer needed")
    # the SDK swallows ApiException (prints it, returns None); the generated client raises it
    assert jobs.get("j-00000000-0000-4000-8000-000000000000") is None
    printed = capsys.readouterr().out
    assert "OrchestratirApi->getJob (500)" in printed and "job not found: j-00000000" in printed
    api = jobs.orchestrator_service.endpoint
    with pytest.raises(rest.ApiException) as err:
        api.orchestratorget_job("j-00000000-0000-4000-8000-000000000000")
    assert err.value.status == 500
    assert json.loads(err.value.body) == {"message": "Internal Server Error",
                                          "error": "job not found: j-00000000-0000-4000-8000-000000000000"}
    done = jobs.put(job_request()).job_id
    emu.advance(10)
    with pytest.raises(rest.ApiException) as err:
        api.orchestratorstop_job(done, reason="late")
    assert err.value.status == 500 and "cannot stop job in state Completed" in err.value.body.decode()


def test_log_stream_as_bacalhau_job_logs_reads_it(bacalhau):
    aiohttp = pytest.importorskip("aiohttp")
    emu, jobs = bacalhau
    job_id = jobs.put(job_request()).job_id
    emu.advance(3)
    url = f"ws://127.0.0.1:{emu.server.port}/api/v1/orchestrator/jobs/{job_id}/logs?follow=true"

    async def follow() -> list[dict]:
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(url, headers={"X-Emulator-Session": emu.session}) as ws:
            await asyncio.to_thread(emu.advance, 10)  # the execution ends while the stream waits
            return [json.loads(m.data) async for m in ws]

    assert asyncio.run(follow()) == [{"value": {"Type": 1, "Line": "hello world\n"}}]


def state_of(jobs, job_id):
    return lambda: jobs.get(job_id).job.state.state_type


def test_step_clock_the_sdk_polling_on_its_own_sees_every_state_in_order(bacalhau):
    emu, jobs = bacalhau
    emu.set_clock("step")
    job_id = jobs.put(job_request()).job_id
    assert poll_states(state_of(jobs, job_id), ENDS) == ["Pending", "Running", "Completed"]


def test_step_clock_a_stop_after_the_first_running_poll_always_stops(bacalhau):
    emu, jobs = bacalhau
    emu.set_clock("step")
    job_id = jobs.put(job_request()).job_id
    assert poll_until(state_of(jobs, job_id), "Running") == ["Pending", "Running"]
    assert jobs.stop(job_id, reason="user abort").evaluation_id
    assert poll_states(state_of(jobs, job_id), ENDS) == ["Stopped"]
    assert jobs.get(job_id).job.state.message == "user abort"
