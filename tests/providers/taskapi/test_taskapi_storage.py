"""How a Task API job is kept (the request bytes as sent and a compact record of what submit drew, from which
the results are built on read): the answers a client sees, and a snapshot round trip, are unchanged by it."""

import json
import re

import pytest

from emulator.core.snapshot import export, restore
from emulator.providers.taskapi import model
from tests.providers.taskapi.test_taskapi_lifecycle import CREATE, ORG, create

REF = re.compile(rf"^https://hub\.api\.seequent\.test/geoscience-object/orgs/{ORG}/workspaces/[0-9a-f-]{{36}}"
                 r"/objects/[0-9a-f-]{36}\?version=[1-9][0-9]{9}$")


@pytest.fixture
async def emu(emulator_factory):
    return await emulator_factory(providers=["taskapi"])


async def _results(emu, job_id):
    resp = await emu.get(f"{CREATE}/{job_id}")
    return resp.status, await resp.json()


async def test_job_keeps_a_compact_record_and_builds_its_results_on_read(emu):
    job_id = await create(emu, parameters={"source": {"object": "o", "attribute": "grade"}})
    job = emu.session.store("taskapi").get(job_id)
    assert isinstance(job.data, model.Drawn) and len(job.data.ids) == 32
    await emu.advance(30)
    code, body = await _results(emu, job_id)
    assert code == 200 and body["status"] == "succeeded" and body["error"] is None
    res = body["results"]
    assert re.fullmatch(r"geostatistics/kriging completed: \d+ locations estimated", res["message"])
    target = res["target"]
    assert REF.match(target["reference"]), target["reference"]
    assert target["schema_id"].startswith("/objects/") and target["description"] is None
    name = target["attribute"]["name"]
    assert name.startswith("kriging_") and target["attribute"]["reference"] == f"locations.attributes[?name=='{name}']"
    assert target["name"].split(" ", 1)[1] in ("grid", "block model", "pointset")
    # each read is a fresh object: a client (or test) changing one answer cannot change the next
    res["message"] = "changed"
    assert (await _results(emu, job_id))[1]["results"]["message"] != "changed"


async def test_a_named_target_object_is_echoed_as_given(emu):
    ref = "https://example.test/objects/abc?version=7"
    job_id = await create(emu, parameters={"target": {"object": ref, "attribute": {"name": "grade_est"}}})
    await emu.advance(30)
    target = (await _results(emu, job_id))[1]["results"]["target"]
    assert target["reference"] == ref and target["attribute"]["name"] == "grade_est"


async def test_snapshot_round_trip_keeps_every_answer(emu):
    ids = [await create(emu, parameters={"n": i}) for i in range(3)]
    await emu.advance(30)
    cancelled = await create(emu)
    await emu.advance(5)  # in progress, part way
    assert (await emu.delete(f"{CREATE}/{cancelled}")).status == 204
    await emu.advance(5)
    ids.append(cancelled)
    session = emu.app["sessions"].get()

    async def answers():
        out = []
        for job_id in ids:
            out.append(await _results(emu, job_id))
            resp = await emu.get(f"{CREATE}/{job_id}/status")
            out.append((resp.status, await resp.json()))
        return out

    before = await answers()
    assert before[-1][1]["status"] == "cancelled" and before[-1][1]["progress"] > 0
    snap = json.loads(json.dumps(export(session)))
    restore(session, snap, {k: p.graphs() for k, p in emu.app["providers"].items()})
    assert await answers() == before


async def test_a_job_from_a_snapshot_with_the_older_dict_record_still_answers(emu):
    job_id = await create(emu)
    job = emu.session.store("taskapi").get(job_id)
    results = {"message": "done", "target": None}
    # the shape snapshots held before the Drawn record
    job.data = {"org_id": ORG, "topic": "geostatistics", "task": "kriging", "results": results}
    await emu.advance(30)
    code, body = await _results(emu, job_id)
    assert code == 200 and body["results"] == results
    assert isinstance(job.data, model.Drawn)
