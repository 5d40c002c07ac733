"""The `tour` outcome: successive matching jobs meet every ending of their graph, once each, in a seeded order."""

import pytest

from emulator.core.tour import plan
from emulator.providers.bacalhau.lifecycle import GRAPHS as BACALHAU
from emulator.providers.instabase.lifecycle import FLOW
from emulator.providers.seatunnel.lifecycle import BATCH
from emulator.providers.streams.lifecycle import JOB as STREAMS
from emulator.providers.taskapi.lifecycle import JOB as TASKAPI
from tests.control.drivers import DRIVERS

# the graph each driver's jobs walk, and that graph's reachable terminal states
GRAPH = {"bacalhau": BACALHAU["batch"], "seatunnel": BATCH, "streams": STREAMS, "instabase": FLOW,
         "taskapi": TASKAPI}
ENDINGS = {"bacalhau": {"Completed", "Failed", "Stopped"},
           "seatunnel": {"FINISHED", "FAILED", "CANCELED", "SAVEPOINT_DONE"},
           "streams": {"canceled"},
           "instabase": {"COMPLETE", "FAILED", "CANCELLED", "STOPPED_AT_CHECKPOINT"},
           "taskapi": {"succeeded", "failed", "cancelled"}}


async def add_tour(emu, key: str, headers=None) -> dict:
    resp = await emu.post("/_emulator/scenarios", json={"provider": key, "outcome": "tour"}, headers=headers or {})
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def endings_of(emu, key: str, n: int) -> list[str]:
    """Submit `n` jobs, run the clock out, and return the terminal state each job ended in (submit order)."""
    drv = DRIVERS[key]
    refs = [await drv.submit(emu) for _ in range(n)]
    await emu.advance(600)
    journal = await (await emu.get("/_emulator/requests", params={"kind": "transition"})).json()
    last = {}
    for e in journal["entries"]:
        last[e["job"]] = e["to"]
    return [last[drv.control(r).rsplit("/", 1)[-1].replace("%2F", "/")] for r in refs]


@pytest.mark.parametrize("key", sorted(ENDINGS))
async def test_a_tour_over_n_jobs_reaches_each_terminal_state_once(emu, key):
    rule = await add_tour(emu, key)
    entries = rule["tour"]["plans"][GRAPH[key].name]
    assert {p[-1] for p in entries} == ENDINGS[key]
    ended = await endings_of(emu, key, len(entries))
    assert sorted(ended) == sorted(ENDINGS[key] if key != "streams" else ["canceled"])
    assert ended == [p[-1] for p in entries]  # in the listed (seeded) order
    # every state a job of this graph can be in was visited by one of the tour's jobs
    cov = await (await emu.get("/_emulator/coverage")).json()
    visited = {t["to"] for t in cov["providers"][key]["transitions"]} | {GRAPH[key].initial}
    assert visited == set(GRAPH[key].reachable())


async def test_the_tour_starts_over_after_its_last_ending(emu):
    rule = await add_tour(emu, "taskapi")
    entries = rule["tour"]["plans"][TASKAPI.name]
    ended = await endings_of(emu, "taskapi", 2 * len(entries))
    assert ended[: len(entries)] == ended[len(entries):]
    listed = (await (await emu.get("/_emulator/scenarios")).json())["scenarios"][0]
    assert listed["tour"]["served"][TASKAPI.name] == 2 * len(entries)
    assert listed["matched"] == 2 * len(entries)


async def test_the_order_is_fixed_by_the_session_seed(emulator_factory):
    orders = []
    for seed in (7, 7, 8):
        emu = await emulator_factory(seed=seed)
        orders.append((await add_tour(emu, "seatunnel"))["tour"]["plans"][BATCH.name])
    assert orders[0] == orders[1]
    assert sorted(orders[0]) == sorted(orders[2])


def test_plans_pass_through_the_optional_and_transient_states():
    queued = plan(BACALHAU["batch+queued"])
    assert ["Pending", "Queued", "Running", "Completed"] in [list(p) for p in queued]
    assert ("PENDING", "RUNNING", "DOING_SAVEPOINT", "SAVEPOINT_DONE") in plan(BATCH)
    assert any("PAUSED" in p for p in plan(FLOW))
    # a plan has one entry per ending when the detours fit into them
    for graph in (BACALHAU["batch+queued"], BATCH, FLOW, TASKAPI, STREAMS):
        ends = [p[-1] for p in plan(graph)]
        assert len(ends) == len(set(ends))


async def test_tour_is_a_rule_outcome_not_a_header(emu):
    resp = await emu.put("/api/v1/orchestrator/jobs", json={"Job": {"Name": "x", "Type": "batch", "Tasks": [
        {"Name": "t", "Engine": {"Type": "docker"}}]}}, headers={"X-Emulator-Outcome": "tour"})
    assert resp.status == 400
    assert "scenario rule" in await resp.text()


async def test_a_tour_survives_a_snapshot(emu):
    await add_tour(emu, "taskapi")
    await endings_of(emu, "taskapi", 1)
    snap = await (await emu.get("/_emulator/snapshot")).json()
    assert (await emu.post("/_emulator/snapshot", json=snap)).status == 200
    listed = (await (await emu.get("/_emulator/scenarios")).json())["scenarios"][0]
    assert listed["tour"]["served"] == {TASKAPI.name: 1}
