"""A sixth provider is one folder and one registry line: the toy provider of this folder, registered by the
test, serves submit/get/list with its lifecycle on the manual clock, fails on a scenario rule, survives a
snapshot round trip with its per-session state, and publishes an OpenAPI document, with every response
checked against the schemas of this folder. Nothing outside this folder names it."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from emulator import providers

BASE = "/toy/v1/jobs"


@pytest.fixture
def toy(emulator_factory):
    """An emulator serving only the toy provider (registered for this test, gone after it)."""
    with providers.registered("toy", "tests.toy_provider"):
        async def make():
            return await emulator_factory(providers="toy")
        yield make


async def submit(emu, name: str, **headers) -> dict:
    resp = await emu.post(BASE, json={"name": name}, headers=headers)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def state_of(emu, job_id: str) -> str:
    resp = await emu.get(f"{BASE}/{job_id}")
    assert resp.status == 200
    return (await resp.json())["state"]


async def test_submit_get_and_list_walk_the_lifecycle(toy):
    emu = await toy()
    job = await submit(emu, "first")
    assert job["state"] == "QUEUED" and job["number"] == 1 and job["id"].startswith("toy-")
    await emu.advance(2)
    assert await state_of(emu, job["id"]) == "RUNNING"
    await emu.advance(10)
    assert await state_of(emu, job["id"]) == "DONE"
    other = await submit(emu, "second")
    cancelled = await (await emu.post(f"{BASE}/{other['id']}/cancel")).json()
    assert cancelled["state"] == "CANCELLED" and cancelled["message"] == "cancelled by the client"
    listed = await (await emu.get(BASE)).json()
    assert [(j["name"], j["number"], j["state"]) for j in listed["jobs"]] == [("first", 1, "DONE"),
                                                                            ("second", 2, "CANCELLED")]
    done = await (await emu.get(BASE, params={"state": "DONE"})).json()
    assert [j["id"] for j in done["jobs"]] == [job["id"]]


async def test_bad_input_is_a_4xx_in_the_toy_error_format(toy):
    emu = await toy()
    resp = await emu.post(BASE, json={})
    assert resp.status == 400
    assert (await resp.json())["error"] == {"kind": "invalid", "message": "name is required", "field": "name"}
    resp = await emu.get(f"{BASE}/toy-00000000")
    assert resp.status == 404 and (await resp.json())["error"]["field"] == "job_id"
    resp = await emu.get(BASE, params={"state": "EXPLODED"})
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "state"


async def test_a_scenario_rule_makes_a_toy_job_fail(toy):
    emu = await toy()
    resp = await emu.post("/_emulator/scenarios", json={"provider": "toy", "match": {"name": "doomed"},
                                                        "outcome": "fail", "at": "RUNNING", "message": "toy disk full"})
    assert resp.status in (200, 201), await resp.text()
    doomed, fine = await submit(emu, "doomed"), await submit(emu, "fine")
    await emu.advance(12)
    got = await (await emu.get(f"{BASE}/{doomed['id']}")).json()
    assert (got["state"], got["message"]) == ("FAILED", "toy disk full")
    assert await state_of(emu, fine["id"]) == "DONE"
    # the header works the same way for one submit
    hung = await submit(emu, "hung", **{"X-Emulator-Outcome": "hang; at=QUEUED"})
    await emu.advance(100)
    assert await state_of(emu, hung["id"]) == "QUEUED"


async def test_a_snapshot_round_trip_keeps_jobs_timers_and_the_toy_state(toy):
    src = await toy()
    a = await submit(src, "a")
    await src.advance(3)
    b = await submit(src, "b")
    snap = await (await src.get("/_emulator/snapshot")).json()
    assert snap["state"]["toy"] == {"__dataclass__": "tests.toy_provider.state:ToyState", "fields": {"accepted": 2}}
    dst = await toy()
    resp = await dst.post("/_emulator/snapshot", json=json.loads(json.dumps(snap)))
    assert resp.status == 200, await resp.text()
    for emu in (src, dst):
        await emu.advance(10)
    assert [await state_of(dst, j["id"]) for j in (a, b)] == ["DONE", "RUNNING"]
    assert await (await dst.get(BASE)).read() == await (await src.get(BASE)).read()
    assert (await submit(dst, "c"))["number"] == 3  # the restored state keeps counting


async def test_the_toy_publishes_its_openapi_document(toy):
    emu = await toy()
    resp = await emu.get("/_emulator/openapi/toy.json")
    assert resp.status == 200
    doc = await resp.json()
    validate(doc)
    assert doc["info"]["title"] == "Toy Jobs API (emulated)" and doc["info"]["description"].startswith("Toy Jobs API")
    assert set(doc["paths"]) == {BASE, BASE + "/{job_id}", BASE + "/{job_id}/cancel"}
    op = doc["paths"][BASE]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/job-submit.request"}
    assert op["responses"]["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/job"}
    assert op["responses"]["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/error"}
    schemas = doc["components"]["schemas"]
    assert set(schemas) == {"error", "job", "job-submit.request", "jobs"}
    assert schemas["jobs"]["properties"]["jobs"]["items"] == {"$ref": "#/components/schemas/job"}


def test_registration_is_undone_after_the_test():
    assert "toy" not in providers.available()
    with providers.registered("toy", "tests.toy_provider"):
        assert "toy" in providers.available()
        with pytest.raises(ValueError, match="provider 'toy' is already registered"):
            providers.register("toy", "tests.toy_provider")
    assert "toy" not in providers.available()
