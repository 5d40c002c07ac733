"""Bad input on every body-taking endpoint, answered in Streams' {"message": "CDISW....E ...", "id"} format."""

INST = "/streams/instances/inst1"
SAB = b"PK\x03\x04 bundle"


def patch_body(region="TransformedData", width=5):
    return {"jobConfigurationOverlay": {"jobConfigOverlays": [{"configInstructions": {"adjustmentSection": [
        {"targetParallelRegion": {"regionName": region, "newWidth": width}}]}}]}}


async def err(resp, status):
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert set(body) == {"message", "id"}
    assert body["message"].startswith(body["id"] + " ")
    return body


async def test_missing_application_is_400_naming_field(emu):
    body = await err(await emu.post(f"{INST}/jobs", json={"preview": False}), 400)
    assert body == {"message": "CDISW5001E application is required", "id": "CDISW5001E"}


async def test_not_json_and_wrong_type_are_400(emu):
    body = await err(await emu.post(f"{INST}/jobs", data=b"{nope", headers={"Content-Type": "application/json"}), 400)
    assert "not valid JSON" in body["message"]
    body = await err(await emu.post(f"{INST}/jobs", json={"application": 7}), 400)
    assert body["message"].startswith("CDISW5001E application:")
    body = await err(await emu.post(f"{INST}/jobs", json={"application": "ftp://x/y.sab"}), 400)
    assert "http or https" in body["message"]


async def test_unknown_bundle_id_is_404_in_either_form(emu):
    bid = "0" * 56
    for app in (f"bundleId:{bid}", bid):
        body = await err(await emu.post(f"{INST}/jobs", json={"application": app}), 404)
        assert body["message"] == (f"CDISW5000E The resource with the applicationbundle resourceType and restid "
                                   f"{bid} cannot be found.")


async def test_duplicate_job_name_is_409_until_the_first_is_canceled(emu):
    overlay = {"jobConfigOverlays": [{"jobConfig": {"jobName": "ingest"}}]}
    req = {"application": "https://h/a.sab", "jobConfigurationOverlay": overlay}
    first = await (await emu.post(f"{INST}/jobs", json=req)).json()
    assert first["name"] == "ingest"
    body = await err(await emu.post(f"{INST}/jobs", json=req), 409)
    assert body["id"] == "CDISW5002E" and "ingest" in body["message"] and "job 0" in body["message"]
    # another instance has its own names
    assert (await emu.post("/streams/instances/other/jobs", json=req)).status == 201
    await emu.delete(f"{INST}/jobs/0")
    await emu.advance(5)
    again = await emu.post(f"{INST}/jobs", json=req)
    assert again.status == 201 and (await again.json())["id"] == "1"


async def test_patch_unknown_region_and_width_below_1_are_400(emu):
    await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab"})
    body = await err(await emu.patch(f"{INST}/jobs/0", json=patch_body("Nope")), 400)
    assert "no parallel region named Nope" in body["message"] and "TransformedData" in body["message"]
    body = await err(await emu.patch(f"{INST}/jobs/0", json=patch_body(width=0)), 400)
    assert "newWidth" in body["message"] and "minimum of 1" in body["message"]
    job = await (await emu.get(f"{INST}/jobs/0")).json()
    assert job["parallelRegions"] == [{"name": "TransformedData", "width": 2}]


async def test_patch_and_get_unknown_job_are_404(emu):
    body = await err(await emu.patch(f"{INST}/jobs/42", json=patch_body()), 404)
    assert body["message"] == "CDISW5000E The resource with the job resourceType and restid 42 cannot be found."
    await err(await emu.get(f"{INST}/jobs/42"), 404)


async def test_patch_of_canceling_job_is_409(emu):
    await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab"})
    await emu.delete(f"{INST}/jobs/0")
    body = await err(await emu.patch(f"{INST}/jobs/0", json=patch_body()), 409)
    assert "canceling" in body["message"]


async def test_upload_empty_and_wrong_media_type(emu):
    body = await err(await emu.post(f"{INST}/applicationbundles", data=b"",
                                    headers={"Content-Type": "application/x-jar"}), 400)
    assert "empty" in body["message"]
    body = await err(await emu.post(f"{INST}/applicationbundles", json={"a": 1}), 415)
    assert "application/json" in body["message"]


async def test_bundles_over_the_instance_limit_are_413(emulator_factory):
    emu = await emulator_factory(options={"streams": {"bundle_limit": "10"}})
    ok = await emu.post(f"{INST}/applicationbundles", data=b"123456", headers={"Content-Type": "application/x-jar"})
    assert ok.status == 200
    # the same bytes again take no more room
    assert (await emu.post(f"{INST}/applicationbundles", data=b"123456",
                           headers={"Content-Type": "application/x-jar"})).status == 200
    body = await err(await emu.post(f"{INST}/applicationbundles", data=b"abcdef",
                                    headers={"Content-Type": "application/x-jar"}), 413)
    assert body["id"] == "CDISW5004E" and "10 bytes" in body["message"]


async def test_body_over_max_body_is_413(emulator_factory):
    emu = await emulator_factory(max_body=100)
    body = await err(await emu.post(f"{INST}/applicationbundles", data=b"x" * 500,
                                    headers={"Content-Type": "application/x-jar"}), 413)
    assert "500 bytes" in body["message"]


async def test_bad_outcome_state_is_400(emu):
    body = await err(await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab"},
                                    headers={"X-Emulator-Outcome": "fail; at=Running"}), 400)
    assert "Running" in body["message"] and "healthy" in body["message"]
