"""The step clock: each poll of a job moves time to that job's next transition, so a client polling on its
own timer sees every state in order, and a command sent between polls finds the state it last saw."""

import pytest

from emulator.core.clock import DEFAULT_MANUAL_START_NS
from tests.control.drivers import DRIVERS, HAPPY, RUNNING

ENDED = {"bacalhau": "Stopped", "seatunnel": "CANCELED", "streams": "canceled", "instabase": "CANCELLED",
         "taskapi": "cancelled"}


async def step_clock(emu, **extra) -> dict:
    resp = await emu.post("/_emulator/clock", json={"mode": "step", **extra})
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def poll_until_same(drv, emu, ref, limit=12) -> list[str]:
    """Poll until two polls in a row show the same state (the job has nowhere left to go by itself)."""
    seen = [await drv.state(emu, ref)]
    for _ in range(limit):
        seen.append(await drv.state(emu, ref))
        if seen[-1] == seen[-2]:
            break
    return list(dict.fromkeys(seen))


@pytest.mark.parametrize("key", sorted(HAPPY))
async def test_a_polling_client_sees_every_state_of_its_happy_path_in_order(emu, key):
    clock = await step_clock(emu)
    assert clock["mode"] == "step" and clock["reads"] == 1 and clock["now_ns"] == DEFAULT_MANUAL_START_NS
    drv = DRIVERS[key]
    ref = await drv.submit(emu)
    assert await poll_until_same(drv, emu, ref) == HAPPY[key]
    # time moved only as far as the job's own transitions took it
    job = await (await emu.get(drv.control(ref))).json()
    now = (await (await emu.get("/_emulator/clock")).json())["now_ns"]
    assert now == job["history"][-1]["t_ns"]


@pytest.mark.parametrize("key", sorted(HAPPY))
async def test_a_cancel_sent_after_the_first_running_poll_always_cancels(emu, key):
    await step_clock(emu)
    drv = DRIVERS[key]
    ref = await drv.submit(emu)
    state = await drv.state(emu, ref)
    while state != RUNNING[key]:
        state = await drv.state(emu, ref)
    # however long the client waits before it cancels, nothing moves: it finds the job as it saw it
    assert (await (await emu.get(drv.control(ref))).json())["state"].lower() == RUNNING[key].lower()
    await drv.cancel(emu, ref)
    assert await drv.state(emu, ref) != HAPPY[key][-1]
    for _ in range(3):  # the client keeps polling on its timer; a canceled Streams job leaves (404)
        await emu.get(drv.control(ref))
        if key != "streams":
            await drv.state(emu, ref)
        else:
            await emu.post("/_emulator/clock/advance", json={"seconds": 5})
    cov = await (await emu.get("/_emulator/coverage")).json()
    ends = {t["to"] for t in cov["providers"][key]["transitions"]}
    assert ENDED[key] in ends and HAPPY[key][-1] not in ends


async def test_reads_sets_how_many_polls_show_each_state(emu):
    assert (await step_clock(emu, reads=2))["reads"] == 2
    drv = DRIVERS["taskapi"]
    ref = await drv.submit(emu)
    seen = [await drv.state(emu, ref) for _ in range(6)]
    assert seen == ["requested", "requested", "in progress", "in progress", "succeeded", "succeeded"]


async def test_other_jobs_move_with_the_stepped_clock(emu):
    await step_clock(emu)
    drv = DRIVERS["bacalhau"]
    polled = await drv.submit(emu)
    other = await drv.submit(emu)
    assert [await drv.state(emu, polled) for _ in range(2)] == ["Pending", "Running"]
    # the clock moved 2 s for the polled job; the other one, submitted at the same instant, moved too
    assert (await (await emu.get(drv.control(other))).json())["state"] == "Running"


async def test_session_can_start_on_the_step_clock_and_reads_is_checked(emu):
    resp = await emu.post("/_emulator/sessions", json={"key": "stepper", "clock": "step", "reads": 3})
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["clock"]["reads"] == 3
    bad = await emu.post("/_emulator/clock", json={"mode": "step", "reads": 0})
    assert bad.status == 400
    assert (await bad.json())["error"]["field"] == "reads"
    snap = await (await emu.get("/_emulator/snapshot", headers={"X-Emulator-Session": "stepper"})).json()
    assert snap["clock"]["mode"] == "step" and snap["clock"]["reads"] == 3
