"""Lifecycle paths on the manual clock: scripted failure, hang, missing results, cancel in every state,
configured durations, the one-L profile, session prefixes and byte-for-byte determinism."""

import json

import pytest

ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
CREATE = f"/compute/orgs/{ORG}/geostatistics/kriging"


@pytest.fixture
async def emu(emulator_factory):
    """Only this provider, so the tests do not depend on the others being loadable."""
    return await emulator_factory(providers=["taskapi"])


async def create(emu, path=CREATE, headers=None, parameters=None):
    resp = await emu.post(path, json={"parameters": parameters or {"x": 1}}, headers=headers or {},
                          allow_redirects=False)
    assert resp.status == 303, await resp.text()
    return resp.headers["Location"].rsplit("/", 2)[-2]


async def status(emu, job_id, path=CREATE):
    resp = await emu.get(f"{path}/{job_id}/status")
    return resp.status, await resp.json()


@pytest.mark.parametrize("at", ["in progress", "in_progress", "In-Progress", "running"])
async def test_header_scripted_failure_is_reported_as_failed_with_problem_error(emu, at):
    job_id = await create(emu, headers={"X-Emulator-Outcome": f"fail; at={at}; message=kriging matrix is singular"})
    await emu.advance(1)
    code, body = await status(emu, job_id)
    assert (code, body["status"]) == (202, "in progress")
    await emu.advance(10)
    code, body = await status(emu, job_id)
    error = {"type": "https://seequent.com/error-codes/compute/task-failed", "title": "Task Failed",
             "status": 500, "detail": "kriging matrix is singular"}
    assert code == 200
    assert body == {"status": "failed", "progress": 100, "message": "Job failed", "error": error,
                    "links": {"results": f"http://127.0.0.1:{emu.server.port}{CREATE}/{job_id}"}}
    resp = await emu.get(f"{CREATE}/{job_id}")
    assert resp.status == 200
    assert await resp.json() == {"status": "failed", "results": None, "error": error}


async def test_failure_at_requested_with_custom_duration(emu):
    job_id = await create(emu, headers={"X-Emulator-Outcome": "fail; at=requested; requested=5"})
    await emu.advance(4.9)
    assert (await status(emu, job_id))[1]["status"] == "requested"
    await emu.advance(0.1)
    code, body = await status(emu, job_id)
    assert (code, body["status"], body["error"]["detail"]) == (200, "failed", "The task failed while running")


async def test_hang_keeps_the_job_in_progress_until_cancelled(emu):
    job_id = await create(emu, headers={"X-Emulator-Outcome": "hang; at=in progress"})
    await emu.advance(86_400)
    code, body = await status(emu, job_id)
    assert (code, body["status"], body["progress"]) == (202, "in progress", 0)
    assert (await emu.delete(f"{CREATE}/{job_id}")).status == 204
    await emu.advance(1)
    code, body = await status(emu, job_id)
    assert (code, body["status"]) == (200, "cancelled")


async def test_results_missing_outcome_gives_null_results(emu):
    job_id = await create(emu, headers={"X-Emulator-Outcome": "succeed; results_missing=true"})
    await emu.advance(11)
    resp = await emu.get(f"{CREATE}/{job_id}")
    assert resp.status == 200
    assert await resp.json() == {"status": "succeeded", "results": None, "error": None}


async def test_cancel_while_requested_goes_cancelling_at_progress_zero(emu):
    job_id = await create(emu)
    assert (await emu.delete(f"{CREATE}/{job_id}")).status == 204
    code, body = await status(emu, job_id)
    assert (code, body["status"], body["progress"], body["message"]) == (202, "cancelling", 0, "Job cancelling")
    resp = await emu.get(f"{CREATE}/{job_id}")
    assert resp.status == 202 and (await resp.json())["status"] == "cancelling"


async def test_cancel_twice_while_cancelling_is_204_and_changes_nothing(emu):
    job_id = await create(emu)
    await emu.advance(1.5)
    assert (await emu.delete(f"{CREATE}/{job_id}")).status == 204
    await emu.advance(0.5)
    assert (await emu.delete(f"{CREATE}/{job_id}")).status == 204  # must not restart the cancel timer
    await emu.advance(0.5)
    code, body = await status(emu, job_id)
    assert (code, body["status"], body["progress"]) == (200, "cancelled", 5)


@pytest.mark.parametrize("outcome,final", [("", "succeeded"), ("fail; at=in progress", "failed")])
async def test_cancel_after_finishing_is_204_and_keeps_the_final_state(emu, outcome, final):
    job_id = await create(emu, headers={"X-Emulator-Outcome": outcome} if outcome else None)
    await emu.advance(11)
    before = await (await emu.get(f"{CREATE}/{job_id}")).json()
    resp = await emu.delete(f"{CREATE}/{job_id}")
    assert resp.status == 204 and await resp.read() == b""
    await emu.advance(5)
    code, body = await status(emu, job_id)
    assert (code, body["status"], body["progress"]) == (200, final, 100)
    assert await (await emu.get(f"{CREATE}/{job_id}")).json() == before


async def test_configured_durations_name_states_as_the_wire_does(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], durations={"taskapi": {"requested": 0, "in progress": 4}})
    job_id = await create(emu)
    code, body = await status(emu, job_id)
    assert (code, body["status"], body["progress"]) == (202, "in progress", 0)
    await emu.advance(1)
    assert (await status(emu, job_id))[1]["progress"] == 25
    await emu.advance(3)
    assert (await status(emu, job_id))[1]["status"] == "succeeded"


async def test_seed_profile_spells_cancel_states_with_one_l(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], profiles={"taskapi": "seed"})
    job_id = await create(emu)
    await emu.delete(f"{CREATE}/{job_id}")
    assert (await status(emu, job_id))[1]["status"] == "canceling"
    assert (await (await emu.get(f"{CREATE}/{job_id}")).json())["status"] == "canceling"
    await emu.advance(1)
    assert (await status(emu, job_id))[1]["status"] == "canceled"
    assert await (await emu.get(f"{CREATE}/{job_id}")).json() == {"status": "canceled", "results": None,
                                                                   "error": None}


async def test_session_prefix_is_kept_in_location_and_links(emu):
    assert (await emu.post("/_emulator/sessions", json={"key": "w1"})).status == 201
    prefixed = "/_session/w1" + CREATE
    resp = await emu.post(prefixed, json={"parameters": {}}, allow_redirects=False)
    loc = resp.headers["Location"]
    assert loc.startswith(f"http://127.0.0.1:{emu.server.port}/_session/w1/compute/orgs/{ORG}/")
    job_id = loc.rsplit("/", 2)[-2]
    code, body = await status(emu, job_id, prefixed)
    assert code == 202
    assert body["links"]["cancel"] == f"http://127.0.0.1:{emu.server.port}{prefixed}/{job_id}"
    assert (await emu.get(f"{CREATE}/{job_id}/status")).status == 404  # the default session has no such job


async def test_spec_is_kept_as_sent(emu):
    params = {"source": {"object": "o", "attribute": "grade"}, "search": {"max_samples": 20}, "list": [1, 2.5]}
    job_id = await create(emu, parameters=params)
    job = emu.session.store("taskapi").get(job_id)
    # the bytes the client sent (aiohttp's json= encodes with json.dumps), not a re-encoding of them
    assert job.spec == json.dumps({"parameters": params}).encode()


async def test_same_seed_and_requests_give_the_same_bytes(emulator_factory):
    outputs = []
    for _ in range(2):
        emu = await emulator_factory(providers=["taskapi"])
        job_id = await create(emu)
        await emu.advance(11)
        results = await (await emu.get(f"{CREATE}/{job_id}")).read()
        outputs.append((job_id, results))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == (await _first_id(emulator_factory))


async def _first_id(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"])
    return await create(emu)


async def test_outcome_header_sets_one_jobs_run_time(emu):
    slow = await create(emu, headers={"X-Emulator-Outcome": "succeed; in progress=120"})
    fast = await create(emu)
    await emu.advance(1 + 60)
    assert (await status(emu, fast))[1]["status"] == "succeeded"
    code, body = await status(emu, slow)
    assert (code, body["status"], body["progress"]) == (202, "in progress", 50)
    await emu.advance(60)
    assert (await status(emu, slow))[0] == 200
