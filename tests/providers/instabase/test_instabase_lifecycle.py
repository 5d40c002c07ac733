"""Pause, resume, cancel and retry walked in every state, allowed and refused, on the manual clock."""

import pytest
from instabase_helpers import AUTH, action, run, state, status


async def _running(emu) -> str:
    job_id = await run(emu)
    await emu.advance(3)  # PENDING 2 s
    assert await state(emu, job_id) == "RUNNING"
    return job_id


async def _paused(emu) -> str:
    job_id = await _running(emu)
    assert await action(emu, "pause", job_id=job_id) == (200, {"status": "OK"})
    return job_id


async def _cancelled(emu) -> str:
    job_id = await _running(emu)
    assert await action(emu, "cancel", job_id=job_id) == (200, {"status": "OK"})
    await emu.advance(1)
    assert await state(emu, job_id) == "CANCELLED"
    return job_id


async def _failed(emu, to: str | None = None) -> str:
    outcome = "fail; at=RUNNING; message=Unable to connect to OCR" + (f"; to={to}" if to else "")
    job_id = await run(emu, headers={"X-Emulator-Outcome": outcome})
    await emu.advance(30)
    return job_id


async def _complete(emu) -> str:
    job_id = await run(emu)
    await emu.advance(30)
    assert await state(emu, job_id) == "COMPLETE"
    return job_id


async def test_pause_then_resume_keeps_progress_and_unspent_time(emu):
    job_id = await _running(emu)
    await emu.advance(7)  # 8 of 20 s run
    before = (await status(emu, job_id))["cur"]["curProgress"]
    assert before == 0.4
    assert await action(emu, "pause", job_id=job_id) == (200, {"status": "OK"})
    await emu.advance(100)
    paused = await status(emu, job_id)
    assert paused["cur"]["status"] == "PAUSED" and paused["cur"]["curProgress"] == 0.4
    # the seed lists PAUSED among terminal states that carry results
    assert paused["state"] == "DONE" and paused["results"][0]["status"] == "OK"
    assert await action(emu, "resume", job_id=job_id) == (200, {"status": "OK"})
    await emu.advance(11.5)
    assert await state(emu, job_id) == "RUNNING"
    await emu.advance(0.5)
    done = await status(emu, job_id)
    assert done["cur"]["status"] == "COMPLETE" and done["state"] == "DONE"


async def test_paused_reports_pending_when_paused_is_done_is_off(emulator_factory):
    emu = await emulator_factory(options={"instabase": {"paused_is_done": "false"}})
    job_id = await _paused(emu)
    body = await status(emu, job_id)
    assert body["state"] == "PENDING" and "results" not in body and body["cur"]["status"] == "PAUSED"


async def test_cancel_is_asynchronous_and_cannot_be_resumed(emu):
    job_id = await _paused(emu)
    assert await action(emu, "cancel", job_id=job_id) == (200, {"status": "OK"})
    # still PAUSED on the wire until the cancellation lands
    body = await status(emu, job_id)
    assert body["cur"]["status"] == "PAUSED" and body["msg"] == "Cancelling single_flow"
    code, err = await action(emu, "resume", job_id=job_id)
    assert code == 409 and err == {"status": "ERROR", "msg": f"job {job_id} is being cancelled; it cannot be resumed"}
    await emu.advance(1)
    body = await status(emu, job_id)
    assert body["cur"]["status"] == "CANCELLED" and body["state"] == "DONE"
    assert body["results"] == [{"status": "ERROR", "msg": "Job was cancelled"}]
    code, err = await action(emu, "resume", job_id=job_id)
    assert code == 409
    assert err == {"status": "ERROR", "msg": f"job {job_id} is CANCELLED; a cancelled flow cannot be resumed"}


async def test_cancel_pending_job(emu):
    job_id = await run(emu)
    assert await action(emu, "cancel", job_id=job_id) == (200, {"status": "OK"})
    await emu.advance(1)
    body = await status(emu, job_id)
    assert body["cur"]["status"] == "CANCELLED" and body["cur"]["curProgress"] == 0.0


async def test_header_scripted_failure_is_reported_as_instabase_reports_failures(emu):
    job_id = await _failed(emu)
    body = await status(emu, job_id)
    assert body["state"] == "DONE"
    assert body["msg"] == "Unable to connect to OCR"
    assert body["results"] == [{"status": "ERROR", "msg": "Unable to connect to OCR"}]
    cur = body["cur"]
    assert cur["status"] == "FAILED" and cur["curMsg"] == "Unable to connect to OCR"
    errors = cur["run_summary"]["numRuntimeErrors"]
    assert errors > 0
    assert cur["run_summary"]["recordsWithMsg"] == {"Error <Unable to connect to OCR> in step process_files": errors}
    logs = (await (await emu.get(f"/api/v1/jobs/get_logs?job_id={job_id}", headers=AUTH)).json())["logs"]
    assert logs[-1]["level"] == "ERROR"
    assert logs[-1]["log"] == "Error <Unable to connect to OCR> in step process_files"


async def test_checkpoint_stop_goes_to_review_and_checkpoint_retry_continues(emu):
    job_id = await _failed(emu, to="STOPPED_AT_CHECKPOINT")
    body = await status(emu, job_id)
    cur = body["cur"]
    assert cur["status"] == "STOPPED_AT_CHECKPOINT" and body["state"] == "DONE"
    assert cur["review_state"] == "IN_REVIEW" and cur["reviewer"] != ""
    assert cur["run_summary"]["numCheckpointFailed"] > 0
    code, err = await action(emu, "retry", job_id=job_id, type="step_failure")
    assert code == 409 and "step_failure needs a FAILED flow" in err["msg"]
    assert await action(emu, "retry", job_id=job_id, type="checkpoint_failure") == (200, {"status": "OK"})
    assert await state(emu, job_id) == "PENDING"  # retry is asynchronous: the job queues again
    await emu.advance(30)
    body = await status(emu, job_id)
    assert body["cur"]["status"] == "COMPLETE" and body["cur"]["review_state"] == "COMPLETED"
    logs = (await (await emu.get(f"/api/v1/jobs/get_logs?job_id={job_id}", headers=AUTH)).json())["logs"]
    assert "Retrying job (attempt 2)" in [r["log"] for r in logs]


@pytest.mark.parametrize("rtype", ["all", "step_failure", None])
async def test_retry_failed_job_runs_again(emu, rtype):
    job_id = await _failed(emu)
    params = {"job_id": job_id, **({"type": rtype} if rtype else {})}
    assert await action(emu, "retry", **params) == (200, {"status": "OK"})
    await emu.advance(3)
    assert await state(emu, job_id) == "RUNNING"
    await emu.advance(20)
    body = await status(emu, job_id)
    assert body["cur"]["status"] == "COMPLETE" and body["cur"]["run_summary"]["numRuntimeErrors"] == 0


async def test_retry_keeps_outcome_option_fails_again(emulator_factory):
    emu = await emulator_factory(options={"instabase": {"retry_keeps_outcome": "true"}})
    job_id = await _failed(emu)
    assert await action(emu, "retry", job_id=job_id) == (200, {"status": "OK"})
    await emu.advance(30)
    assert await state(emu, job_id) == "FAILED"


async def test_retry_checkpoint_failure_refused_on_failed_job(emu):
    job_id = await _failed(emu)
    code, err = await action(emu, "retry", job_id=job_id, type="checkpoint_failure")
    assert code == 409
    assert err["msg"] == (f"job {job_id} is FAILED; retry type checkpoint_failure needs a flow "
                          f"STOPPED_AT_CHECKPOINT")


# every command in every state: (state maker, command, params, allowed)
WALK = [
    ("pending", "pause", {}, False), ("pending", "resume", {}, False), ("pending", "cancel", {}, True),
    ("pending", "retry", {}, False),
    ("running", "pause", {}, True), ("running", "resume", {}, False), ("running", "cancel", {}, True),
    ("running", "retry", {}, False),
    ("paused", "pause", {}, False), ("paused", "resume", {}, True), ("paused", "cancel", {}, True),
    ("paused", "retry", {}, False),
    ("complete", "pause", {}, False), ("complete", "resume", {}, False), ("complete", "cancel", {}, False),
    ("complete", "retry", {}, False),
    ("failed", "pause", {}, False), ("failed", "resume", {}, False), ("failed", "cancel", {}, False),
    ("failed", "retry", {}, True),
    ("cancelled", "pause", {}, False), ("cancelled", "resume", {}, False), ("cancelled", "cancel", {}, False),
    ("cancelled", "retry", {}, False),
    ("checkpoint", "pause", {}, False), ("checkpoint", "resume", {}, False), ("checkpoint", "cancel", {}, False),
    ("checkpoint", "retry", {"type": "checkpoint_failure"}, True),
]
EXPECT = {"pause": "PAUSED", "resume": "RUNNING", "cancel": None, "retry": "PENDING"}


@pytest.mark.parametrize("maker,command,params,allowed", WALK)
async def test_command_in_every_state(emu, maker, command, params, allowed):
    makers = {"pending": lambda: run(emu), "running": lambda: _running(emu), "paused": lambda: _paused(emu),
              "complete": lambda: _complete(emu), "failed": lambda: _failed(emu),
              "cancelled": lambda: _cancelled(emu), "checkpoint": lambda: _failed(emu, "STOPPED_AT_CHECKPOINT")}
    job_id = await makers[maker]()
    before = await state(emu, job_id)
    code, body = await action(emu, command, job_id=job_id, **params)
    if allowed:
        assert (code, body) == (200, {"status": "OK"})
        after = await state(emu, job_id)
        if command == "cancel":
            await emu.advance(1)
            after = await state(emu, job_id)
            assert after == "CANCELLED"
        else:
            assert after == EXPECT[command]
    else:
        assert code == 409 and body["status"] == "ERROR"
        assert job_id in body["msg"] and before in body["msg"]
        assert await state(emu, job_id) == before


async def test_actions_also_accept_post_with_json_body(emu):
    job_id = await _running(emu)
    resp = await emu.post("/api/v1/jobs/pause", json={"job_id": job_id}, headers=AUTH)
    assert resp.status == 200 and await resp.json() == {"status": "OK"}
    assert await state(emu, job_id) == "PAUSED"
