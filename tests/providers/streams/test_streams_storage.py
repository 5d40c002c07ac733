"""How a Streams job is kept (the request bytes as sent and a compact record, from which the job resource's
paths, ids and submit time are built on read): the answers a client sees, a snapshot round trip and a job
restored from a snapshot of the older dict form are unchanged by it."""

import json

from emulator.core.snapshot import export, restore
from emulator.providers.streams import model

INST = "/streams/instances/inst1"
OVERLAY = {"jobConfigOverlays": [{
    "jobConfig": {"jobName": "wc", "jobGroup": "analytics", "dataDirectory": "/data/wc",
                  "submissionParameters": [{"name": "rate", "value": "10"}, {"name": "mode", "value": "fast"}]},
    "configInstructions": {"adjustmentSection": [{"targetParallelRegion": {"regionName": "Enrich", "newWidth": 3}}]}}]}
PATCH = {"jobConfigurationOverlay": {"jobConfigOverlays": [{"configInstructions": {"adjustmentSection": [
    {"targetParallelRegion": {"regionName": "Enrich", "newWidth": 5}}]}}]}}


async def _submit(emu, body):
    resp = await emu.post(f"{INST}/jobs", json=body)
    assert resp.status == 201, await resp.text()
    return (await resp.json())["id"]


async def _jobs(emu):
    """Three jobs: defaults from a URL, an overlay-configured one later PATCHed, one from an uploaded bundle."""
    plain = await _submit(emu, {"application": "https://h/com.acme.Main.sab"})
    named = await _submit(emu, {"application": "https://h/a.sab", "jobConfigurationOverlay": OVERLAY})
    up = await emu.post(f"{INST}/applicationbundles", data=b"not a zip", headers={"Content-Type": "application/x-jar"})
    bundled = await _submit(emu, {"application": f"bundleId:{(await up.json())['bundleId']}"})
    await emu.advance(2.5)
    assert (await emu.patch(f"{INST}/jobs/{named}", json=PATCH)).status == 200
    return [plain, named, bundled]


async def _answers(emu, ids):
    out = []
    for jid in ids:
        for suffix in ("", "/operators", "/pes", "/peconnections"):
            resp = await emu.get(f"{INST}/jobs/{jid}{suffix}")
            out.append((resp.status, await resp.json()))
    resp = await emu.get(f"{INST}/jobs")
    out.append((resp.status, await resp.json()))
    return out


async def test_job_keeps_request_bytes_and_a_record_and_builds_the_resource_on_read(emu):
    plain, named, bundled = await _jobs(emu)
    store = emu.session.store("streams")
    job = store.get(f"inst1/{named}")
    assert isinstance(job.data, model.Record) and isinstance(job.spec, bytes)
    assert json.loads(job.spec)["jobConfigurationOverlay"] == OVERLAY
    # derived values are not stored: the default name and paths, the job id
    assert store.get(f"inst1/{plain}").data.name is None and store.get(f"inst1/{plain}").data.data_dir is None
    body = await (await emu.get(f"{INST}/jobs/{named}")).json()
    assert body["name"] == "wc" and body["jobGroup"] == "analytics" and body["dataPath"] == "/data/wc"
    assert body["submitParameters"] == [{"name": "rate", "value": "10"}, {"name": "mode", "value": "fast"}]
    assert body["parallelRegions"] == [{"name": "TransformedData", "width": 2}, {"name": "Enrich", "width": 5}]
    assert job.data.updates == [{"time": body["submitTime"] + 2500, **PATCH}]
    first = await (await emu.get(f"{INST}/jobs/{plain}")).json()
    assert first["name"] == f"com.acme::Main_{plain}" and first["adlFile"] == "com.acme.Main.adl"
    assert first["applicationPath"] == "https://h/com.acme.Main.sab"
    assert first["dataPath"] == f"/streams/instances/inst1/jobs/{plain}/data"
    assert first["outputPath"] == f"/streams/instances/inst1/jobs/{plain}/output"
    assert first["checkpointPath"] == f"/streams/instances/inst1/jobs/{plain}/checkpoint"
    third = await (await emu.get(f"{INST}/jobs/{bundled}")).json()
    bid = store.get(f"inst1/{bundled}").data.app
    assert third["applicationPath"] == f"/streams/instances/inst1/applicationbundles/{bid}"
    assert third["applicationName"] == "Main"
    listed = await (await emu.get(f"{INST}/jobs")).json()
    assert [j["id"] for j in listed["jobs"]] == [plain, named, bundled]


async def test_snapshot_round_trip_keeps_every_answer(emu):
    ids = await _jobs(emu)
    gone = await _submit(emu, {"application": "https://h/gone.sab"})
    assert (await emu.delete(f"{INST}/jobs/{gone}")).status == 204
    await emu.advance(5)
    session = emu.app["sessions"].get()
    before = await _answers(emu, [*ids, gone])
    assert before[-2][0] == 404  # the canceled job left the list
    snap = json.loads(json.dumps(export(session)))
    restore(session, snap, {k: p.graphs() for k, p in emu.app["providers"].items()})
    assert await _answers(emu, [*ids, gone]) == before
    # the restored instance still counts on from where it was, and names stay unique
    assert await _submit(emu, {"application": "https://h/a.sab"}) == str(int(gone) + 1)
    dup = await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab", "jobConfigurationOverlay": {
        "jobConfigOverlays": [{"jobConfig": {"jobName": "wc"}}]}})
    assert dup.status == 409


def _old_form(job, body):
    """The data dict a Streams job held (and snapshots saved) before the Record, for job resource `body`."""
    url = body["applicationPath"] if "://" in body["applicationPath"] else None
    return {
        "instance": "inst1", "jobId": body["id"], "name": body["name"], "submitTime": body["submitTime"],
        "startedBy": body["startedBy"], "source": "url" if url else "bundle", "url": url,
        "bundleId": None if url else body["applicationPath"].rsplit("/", 1)[1],
        "applicationName": body["applicationName"], "applicationVersion": "1.0.0", "applicationScope": "Default",
        "applicationPath": body["applicationPath"], "adlFile": body["adlFile"], "dataPath": body["dataPath"],
        "outputPath": body["outputPath"], "checkpointPath": body["checkpointPath"], "jobGroup": body["jobGroup"],
        "submitParameters": body["submitParameters"],
        "regions": {r["name"]: r["width"] for r in body["parallelRegions"]}, "updates": job.data.updates or [],
    }


async def test_a_job_from_a_snapshot_with_the_older_dict_form_still_answers(emu):
    ids = await _jobs(emu)
    store = emu.session.store("streams")
    before = await _answers(emu, ids)
    for jid in ids:
        job = store.get(f"inst1/{jid}")
        job.data = _old_form(job, await (await emu.get(f"{INST}/jobs/{jid}")).json())
        job.version += 1  # as a restore would: nothing cached from the record form answers for it
    assert await _answers(emu, ids) == before
    assert all(isinstance(store.get(f"inst1/{jid}").data, model.Record) for jid in ids)
    # a submit time that is not the job's creation time (real clock) is kept as saved
    job = store.get(f"inst1/{ids[0]}")
    old = _old_form(job, await (await emu.get(f"{INST}/jobs/{ids[0]}")).json())
    job.data = {**old, "submitTime": old["submitTime"] + 7}
    job.version += 1
    assert (await (await emu.get(f"{INST}/jobs/{ids[0]}")).json())["submitTime"] == old["submitTime"] + 7
