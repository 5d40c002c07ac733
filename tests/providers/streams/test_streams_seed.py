"""The seed's curl examples, run in order: upload, submit by bundle id, submit by URL, list, the PATCH that
sets TransformedData to width 5, DELETE; the job validates against its schema at each step (contract mode)."""

import hashlib

from emulator.core.clock import DEFAULT_MANUAL_START_NS

INST = "/streams/instances/inst1"
SAB = b"PK\x03\x04 sample.sab bytes"
PATCH = {"jobConfigurationOverlay": {"jobConfigOverlays": [{"configInstructions": {"adjustmentSection": [
    {"targetParallelRegion": {"regionName": "TransformedData", "newWidth": 5}}]}}]}}


async def upload(emu, data=SAB, instance=INST):
    resp = await emu.post(f"{instance}/applicationbundles", data=data,
                          headers={"Accept": "application/json", "Content-Type": "application/x-jar"})
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_upload_returns_content_derived_56_hex_bundle_id(emu):
    body = await upload(emu)
    assert body["bundleId"] == hashlib.sha224(SAB).hexdigest()
    assert len(body["bundleId"]) == 56
    again = await upload(emu)
    assert again["bundleId"] == body["bundleId"]
    other = await upload(emu, b"another bundle")
    assert other["bundleId"] != body["bundleId"]


async def test_submit_by_bundle_id_returns_201_full_job_and_location(emu):
    bid = (await upload(emu))["bundleId"]
    resp = await emu.post(f"{INST}/jobs", json={"application": f"bundleId:{bid}"},
                          headers={"Accept": "application/json"})
    assert resp.status == 201
    job = await resp.json()
    assert job["id"] == "0" and job["restid"] == "0"
    assert job["status"] == "running" and job["health"] == "unknown"
    assert job["resourceType"] == "job"
    assert job["name"] == "Main_0" and job["applicationName"] == "Main"
    assert job["submitTime"] == DEFAULT_MANUAL_START_NS // 1_000_000
    assert job["startedBy"] == "streamsadmin"
    assert job["self"] == str(emu.make_url(f"{INST}/jobs/0"))
    assert job["instance"] == job["self"].rsplit("/jobs/", 1)[0]
    assert resp.headers["Location"] == job["self"]
    assert job["parallelRegions"] == [{"name": "TransformedData", "width": 2}]


async def test_submit_by_url_records_url_without_fetching(emu):
    resp = await emu.post(f"{INST}/jobs", json={"application": "https://myserver.com/sample.sab"})
    assert resp.status == 201
    job = await resp.json()
    assert job["applicationName"] == "sample"
    assert job["applicationPath"] == "https://myserver.com/sample.sab"
    assert job["name"] == "sample_0"


async def test_list_shows_running_jobs(emu):
    bid = (await upload(emu))["bundleId"]
    await emu.post(f"{INST}/jobs", json={"application": f"bundleId:{bid}"})
    await emu.post(f"{INST}/jobs", json={"application": "https://myserver.com/sample.sab"})
    resp = await emu.get(f"{INST}/jobs", headers={"Accept": "application/json"})
    assert resp.status == 200
    body = await resp.json()
    assert body["resourceType"] == "jobList" and body["total"] == 2
    assert [j["id"] for j in body["jobs"]] == ["0", "1"]
    assert all(j["self"].endswith(f"{INST}/jobs/{j['id']}") for j in body["jobs"])


async def test_patch_sets_transformed_data_width_5(emu):
    bid = (await upload(emu))["bundleId"]
    job = await (await emu.post(f"{INST}/jobs", json={"application": f"bundleId:{bid}"})).json()
    await emu.advance(10)
    assert (await (await emu.get(f"{INST}/jobs/0")).json())["health"] == "healthy"
    before = job["operatorCount"], job["peCount"]
    resp = await emu.patch(f"{INST}/jobs/{job['id']}", json=PATCH,
                           headers={"Content-Type": "application/json", "Accept": "application/json"})
    assert resp.status == 200
    after = await resp.json()
    assert after["parallelRegions"] == [{"name": "TransformedData", "width": 5}]
    assert (after["operatorCount"], after["peCount"]) == (before[0] + 3, before[1] + 3)
    assert after["health"] == "partiallyHealthy"
    await emu.advance(3)
    assert (await (await emu.get(f"{INST}/jobs/0")).json())["health"] == "healthy"
    ops = await (await emu.get(f"{INST}/jobs/0/operators")).json()
    assert [o["name"] for o in ops["operators"] if o.get("parallelRegion") == "TransformedData"] == [
        f"TransformedData[{c}]" for c in range(5)]


async def test_delete_cancels_then_job_leaves_list_and_again_404(emu):
    await emu.post(f"{INST}/jobs", json={"application": "https://myserver.com/sample.sab"})
    resp = await emu.delete(f"{INST}/jobs/0")
    assert resp.status == 204
    assert await resp.read() == b""
    job = await (await emu.get(f"{INST}/jobs/0")).json()
    assert job["status"] == "canceling"
    again = await emu.delete(f"{INST}/jobs/0")
    assert again.status == 404
    await emu.advance(2)
    body = await (await emu.get(f"{INST}/jobs")).json()
    assert body == {"jobs": [], "total": 0, "resourceType": "jobList"}
    gone = await emu.delete(f"{INST}/jobs/0")
    assert gone.status == 404
    assert await gone.json() == {
        "message": "CDISW5000E The resource with the job resourceType and restid 0 cannot be found.",
        "id": "CDISW5000E"}
