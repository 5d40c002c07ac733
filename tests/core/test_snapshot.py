"""Snapshot format versions: a snapshot written by the previous release (format 1, committed under samples/)
restores under the current version, through POST /_emulator/snapshot and through a state file, with its jobs,
states, clock, scenario rules, faults and provider state; a newer or unknown version is refused naming the
versions this release reads."""

import copy
import json
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.core import snapshot
from emulator.providers import available
from tests.conftest import make_settings

SAMPLE = Path(__file__).parent / "samples" / "snapshot-format-1.json"
ALL = "bacalhau,streams,seatunnel,instabase,taskapi"
BAC = "/api/v1/orchestrator/jobs"
DOOMED = "j-ddd4a054-22bf-48e0-9317-19fdd5157e9d"   # matched the sample's fail rule s1 when submitted
# what the previous release's sample holds: provider -> [(job id, state)]
EXPECTED = {
    "bacalhau": [("j-db5b5fab-8f4d-4e27-9da1-494c73cf256d", "Running"), (DOOMED, "Running"),
                 ("j-119b4fe5-fa28-4a0d-b869-135cede26c2e", "Pending")],
    "seatunnel": [("661720242585620552", "RUNNING")],
    "streams": [("inst1/0", "partiallyHealthy")],
    "instabase": [("3096c6c8-b9b3-48eb-bfdf-23489c461cb5", "RUNNING")],
    "taskapi": [("0c228266-6be4-4ee7-9418-6ebf9a8137e9", "in progress")],
}
SAMPLE_NOW_NS = 1_767_225_602_500_000_000

pytestmark = pytest.mark.skipif(set(ALL.split(",")) - set(available()), reason="the sample holds all five")


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def test_the_sample_is_of_the_previous_format():
    doc = sample()
    assert doc["format"] == "job-emulator-snapshot/1" and "version" not in doc and "extras" in doc
    assert snapshot.version_of(doc) == 1


def test_migration_from_1_moves_the_version_and_renames_extras_to_state():
    old = sample()
    new = snapshot.upgrade(copy.deepcopy(old))
    assert (new["format"], new["version"]) == ("job-emulator-snapshot", snapshot.VERSION)
    assert new["state"] == old["extras"] and "extras" not in new
    assert new["jobs"] == old["jobs"] and new["clock"] == old["clock"] and new["rng"] == old["rng"]


async def check_restored(emu) -> None:
    """The sample's world, as the current release serves it."""
    session = emu.session
    got = {key: [(j.id, j.state) for j in session.store(key)] for key in EXPECTED}
    assert got == EXPECTED
    clock = await (await emu.get("/_emulator/clock")).json()
    assert clock["mode"] == "manual" and clock["now_ns"] == SAMPLE_NOW_NS
    rules = (await (await emu.get("/_emulator/scenarios")).json())["scenarios"]
    assert [(r["id"], r["outcome"], r["at"], r["match"]) for r in rules] == [("s1", "fail", "Running",
                                                                             {"name": "doomed"})]
    faults = (await (await emu.get("/_emulator/faults")).json())["faults"]
    assert [(f["provider"], f["path"], f["status"]) for f in faults] == [("taskapi", "/nowhere", 503)]
    # provider state came back: the Streams instance knows the job it numbered, Bacalhau its node pool
    assert (await (await emu.get("/streams/instances/inst1/jobs/0")).json())["id"] == "0"
    assert len(snapshot.provider_states(session)["bacalhau"]["nodes"]) == 3
    # timers came back: the doomed job fails with the rule's message, the others complete
    await emu.advance(30)
    job = (await (await emu.get(f"{BAC}/{DOOMED}")).json())["Job"]
    assert job["State"] == {"StateType": "Failed", "Message": "disk full"}
    assert session.store("seatunnel").get("661720242585620552").state == "FINISHED"
    # a new submission matching the restored rule is doomed too
    resp = await emu.put(BAC, json={"Job": {"Name": "doomed", "Type": "batch", "Tasks": [
        {"Name": "t", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu:22.04"}}}]}})
    assert resp.status == 200
    assert session.store("bacalhau").get((await resp.json())["JobID"]).fate.rule_id == "s1"


async def test_a_format_1_snapshot_imports_through_the_control_api(emulator_factory):
    emu = await emulator_factory(providers=ALL)
    resp = await emu.post("/_emulator/snapshot", json=sample())
    assert resp.status == 200, await resp.text()
    await check_restored(emu)
    exported = await (await emu.get("/_emulator/snapshot")).json()
    assert (exported["format"], exported["version"]) == ("job-emulator-snapshot", 2)


async def test_a_format_1_state_file_loads_at_start(aiohttp_client, tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format": "job-emulator-snapshot/1", "sessions": {"default": sample()}}))
    app = create_app(make_settings(providers=ALL, state_file=str(path)))
    client = await aiohttp_client(app)
    from tests.conftest import Emulator

    emu = Emulator(client, app)
    await check_restored(emu)
    assert not emu.violations


async def test_a_newer_version_is_refused_naming_the_supported_ones(emu):
    snap = await (await emu.get("/_emulator/snapshot")).json()
    resp = await emu.post("/_emulator/snapshot", json={**snap, "version": 3})
    assert resp.status == 400
    err = (await resp.json())["error"]
    assert err["field"] == "version" and err["message"] == "version: 3 is not one of [1, 2]"
    with pytest.raises(ValueError, match=r"version 3 is not supported; this release reads versions 1, 2"):
        snapshot.upgrade({**snap, "version": 3})


def test_a_state_file_of_a_newer_version_stops_the_start(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format": "job-emulator-snapshot", "version": 9, "sessions": {}}))
    with pytest.raises(ValueError, match=r"version 9 is not supported; this release reads versions 1, 2"):
        create_app(make_settings(state_file=str(path)))


def test_version_of_refuses_what_is_not_a_snapshot():
    for doc, says in (([], "not a JSON object"), ({"format": "other/1"}, "format: 'other/1' is not"),
                      ({"format": "job-emulator-snapshot", "version": True}, "version True is not supported"),
                      ({"format": "job-emulator-snapshot"}, "version None is not supported")):
        with pytest.raises(ValueError, match=says):
            snapshot.version_of(doc)
