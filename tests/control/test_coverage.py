"""GET /_emulator/coverage: the states a session's clients observed, per provider, and the ones they never did."""

import pytest

from emulator.core.coverage import merge
from tests.control.drivers import DRIVERS, HAPPY

S1 = {"X-Emulator-Session": "cov-1"}
S2 = {"X-Emulator-Session": "cov-2"}


async def coverage(emu, headers=None, **query) -> dict:
    resp = await emu.get("/_emulator/coverage", params=query, headers=headers or {})
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def poll_to_end(emu, key: str, headers=None) -> list[str]:
    """Submit a job, poll it after every clock step until it stops changing; the states seen."""
    drv = DRIVERS[key]
    ref = await drv.submit(emu, headers)
    seen = [await drv.state(emu, ref, headers)]
    for _ in range(6):
        await emu.post("/_emulator/clock/advance", json={"seconds": 30}, headers=headers or {})
        seen.append(await drv.state(emu, ref, headers))
    return list(dict.fromkeys(seen))


async def test_a_job_polled_to_completion_shows_its_states_and_the_failures_never_seen(emu):
    assert await poll_to_end(emu, "bacalhau") == ["Pending", "Completed"]  # 30 s steps jump over Running
    rep = await coverage(emu)
    bac = rep["providers"]["bacalhau"]
    assert bac["states"] == ["Pending", "Running", "Completed", "Failed", "Stopped"]
    assert bac["observed"] == {"Pending": 1, "Completed": 6}
    assert bac["never_observed"] == ["Running", "Failed", "Stopped"]
    assert (bac["covered"], bac["total"], bac["percent"]) == (2, 5, 40.0)
    # the transition happened even though no client saw Running
    assert {(t["from"], t["to"]) for t in bac["transitions"]} == {("Pending", "Running"), ("Running", "Completed")}
    assert list(rep["providers"]) == ["bacalhau"]  # providers nobody touched are not counted
    assert (rep["session"], rep["covered"], rep["total"]) == ("default", 2, 5)


@pytest.mark.parametrize("key", sorted(HAPPY))
async def test_every_provider_counts_the_states_its_status_reads_show(emu, key):
    drv = DRIVERS[key]
    ref = await drv.submit(emu)
    seen = []
    for _ in range(8):
        seen.append(await drv.state(emu, ref))
        job = await (await emu.get(drv.control(ref))).json()
        if job["next"] is None:
            break
        await emu.post(drv.control(ref) + "/step")
    assert seen == HAPPY[key]
    pr = (await coverage(emu))["providers"][key]
    expected = dict.fromkeys(HAPPY[key], 1)
    if key == "streams":
        expected["unknown"] += 1  # Streams' submit answers the job resource itself, showing its health
    assert pr["observed"] == expected
    assert set(pr["never_observed"]) == set(pr["states"]) - set(HAPPY[key])
    assert set(HAPPY[key]) <= set(pr["states"])


async def test_list_items_and_history_entries_count_as_observed(emu):
    drv = DRIVERS["bacalhau"]
    ref = await drv.submit(emu)
    await emu.advance(3)  # Running
    resp = await emu.get("/api/v1/orchestrator/jobs")
    assert resp.status == 200
    await emu.advance(10)  # Completed
    resp = await emu.get(f"/api/v1/orchestrator/jobs/{ref}/history?event_type=job")
    assert resp.status == 200
    bac = (await coverage(emu))["providers"]["bacalhau"]
    # the list showed Running; the history showed every state the job entered
    assert bac["observed"] == {"Running": 2, "Pending": 1, "Completed": 1}


async def test_commands_errors_and_faults_are_counted_with_their_states(emu):
    drv = DRIVERS["seatunnel"]
    ref = await drv.submit(emu)
    await emu.advance(2)  # RUNNING
    await drv.cancel(emu, ref)
    await emu.advance(5)  # CANCELED
    await drv.cancel(emu, ref)  # SeaTunnel answers a stop of an ended job with its id, changing nothing
    resp = await emu.get("/job-info/abc")
    assert resp.status == 400
    fault = await emu.post("/_emulator/faults", json={"provider": "seatunnel", "path": "/running-jobs",
                                                       "status": 503, "times": 1})
    assert fault.status == 201
    assert (await emu.get("/running-jobs")).status == 503
    st = (await coverage(emu))["providers"]["seatunnel"]
    assert st["commands"] == [{"command": "cancel", "state": "RUNNING", "accepted": 1, "refused": 0},
                              {"command": "cancel", "state": "CANCELED", "accepted": 0, "refused": 1}]
    assert st["errors"] == {"invalid": 1}
    assert st["faults"] == {"status 503": 1}
    assert [(t["from"], t["to"]) for t in st["transitions"]] == [
        ("PENDING", "RUNNING"), ("RUNNING", "CANCELING"), ("CANCELING", "CANCELED")]


async def test_instabase_hidden_cancelling_is_neither_documented_nor_observed(emu):
    drv = DRIVERS["instabase"]
    ref = await drv.submit(emu)
    await emu.advance(3)
    await drv.cancel(emu, ref)
    assert await drv.state(emu, ref) == "RUNNING"  # cancelling shows as the state it was cancelled from
    pr = (await coverage(emu))["providers"]["instabase"]
    assert "CANCELLING" not in pr["states"] and "CANCELLING" not in pr["observed"]
    assert pr["states"] == ["PENDING", "RUNNING", "PAUSED", "COMPLETE", "FAILED", "CANCELLED",
                            "STOPPED_AT_CHECKPOINT"]


async def test_sessions_are_separate_and_all_merges_them(emu):
    for key in ("cov-1", "cov-2"):
        assert (await emu.post("/_emulator/sessions", json={"key": key})).status == 201
    await poll_to_end(emu, "taskapi", S1)
    await poll_to_end(emu, "bacalhau", S2)
    one = await coverage(emu, S1)
    two = await coverage(emu, S2)
    assert list(one["providers"]) == ["taskapi"] and list(two["providers"]) == ["bacalhau"]
    both = await coverage(emu, all="1")
    assert both["session"] is None and both["sessions"] == 3  # the default session is one of them
    assert both["providers"] == merge([one, two])["providers"]
    assert both["total"] == one["total"] + two["total"]


async def test_reset_clears_coverage(emu):
    await poll_to_end(emu, "taskapi")
    assert (await coverage(emu))["providers"]
    assert (await emu.post("/_emulator/reset", json={})).status == 200
    assert (await coverage(emu))["providers"] == {}


async def test_bacalhau_v14_documents_queued(emulator_factory):
    emu = await emulator_factory(profiles={"bacalhau": "v1.4"})
    await DRIVERS["bacalhau"].submit(emu)
    assert (await emu.get("/api/v1/orchestrator/jobs")).status == 200
    pr = (await coverage(emu))["providers"]["bacalhau"]
    assert pr["states"] == ["Pending", "Queued", "Running", "Completed", "Failed", "Stopped"]


async def test_all_flag_is_a_boolean(emu):
    resp = await emu.get("/_emulator/coverage", params={"all": "maybe"})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "all"
