"""Health and status on the manual clock: unknown -> partiallyHealthy -> healthy, width-change dips, scripted
failures (unhealthy), canceling -> gone, configured durations, and byte-for-byte determinism."""

import io
import tarfile

INST = "/streams/instances/inst1"
URL_APP = {"application": "https://myserver.com/sample.sab"}


async def health(emu, job_id="0"):
    job = await (await emu.get(f"{INST}/jobs/{job_id}")).json()
    return job["status"], job["health"]


async def test_health_progresses_on_timers(emu):
    await emu.post(f"{INST}/jobs", json=URL_APP)
    assert await health(emu) == ("running", "unknown")
    await emu.advance(1.9)
    assert await health(emu) == ("running", "unknown")
    await emu.advance(0.1)
    assert await health(emu) == ("running", "partiallyHealthy")
    await emu.advance(3)
    assert await health(emu) == ("running", "healthy")
    await emu.advance(3600)
    assert await health(emu) == ("running", "healthy")  # a streaming job runs until canceled


async def test_configured_durations_apply(emulator_factory):
    emu = await emulator_factory(durations={"streams": {"unknown": 10, "partiallyHealthy": 20}})
    await emu.post(f"{INST}/jobs", json=URL_APP)
    await emu.advance(9)
    assert await health(emu) == ("running", "unknown")
    await emu.advance(1)
    assert await health(emu) == ("running", "partiallyHealthy")
    await emu.advance(20)
    assert await health(emu) == ("running", "healthy")


async def test_header_scripted_failure_makes_job_unhealthy(emu):
    resp = await emu.post(f"{INST}/jobs", json=URL_APP,
                          headers={"X-Emulator-Outcome": "fail; at=partiallyHealthy; message=PE crashed"})
    assert resp.status == 201
    await emu.advance(2)
    assert await health(emu) == ("running", "partiallyHealthy")
    await emu.advance(3)
    assert await health(emu) == ("running", "unhealthy")
    await emu.advance(600)
    assert await health(emu) == ("running", "unhealthy")
    archive = await (await emu.get(f"{INST}/jobs/0/applicationlogtrace")).read()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        trace = tar.extractfile("job_0/application.log").read().decode()
    assert "partiallyHealthy -> unhealthy: PE crashed" in trace
    # an unhealthy job can still be canceled
    assert (await emu.delete(f"{INST}/jobs/0")).status == 204
    assert await health(emu) == ("canceling", "unhealthy")


async def test_hang_keeps_health_unknown(emu):
    await emu.post(f"{INST}/jobs", json=URL_APP, headers={"X-Emulator-Outcome": "hang; at=unknown"})
    await emu.advance(3600)
    assert await health(emu) == ("running", "unknown")


async def test_width_change_during_startup_keeps_progressing(emu):
    await emu.post(f"{INST}/jobs", json=URL_APP)
    body = {"jobConfigurationOverlay": {"jobConfigOverlays": [{"configInstructions": {"adjustmentSection": [
        {"targetParallelRegion": {"regionName": "TransformedData", "newWidth": 1}}]}}]}}
    job = await (await emu.patch(f"{INST}/jobs/0", json=body)).json()
    assert job["health"] == "unknown" and job["parallelRegions"][0]["width"] == 1
    assert (job["operatorCount"], job["peCount"]) == (3, 2)
    await emu.advance(5)
    assert await health(emu) == ("running", "healthy")


async def test_same_width_does_not_dip_health(emu):
    await emu.post(f"{INST}/jobs", json=URL_APP)
    await emu.advance(5)
    body = {"jobConfigurationOverlay": {"jobConfigOverlays": [{"configInstructions": {"adjustmentSection": [
        {"targetParallelRegion": {"regionName": "TransformedData", "newWidth": 2}}]}}]}}
    job = await (await emu.patch(f"{INST}/jobs/0", json=body)).json()
    assert job["health"] == "healthy"


async def test_canceling_keeps_health_then_leaves(emu):
    await emu.post(f"{INST}/jobs", json=URL_APP)
    await emu.advance(5)
    await emu.delete(f"{INST}/jobs/0")
    assert await health(emu) == ("canceling", "healthy")
    pes = await (await emu.get(f"{INST}/jobs/0/pes")).json()
    assert {p["status"] for p in pes["pes"]} == {"stopping"}
    await emu.advance(2)
    assert (await emu.get(f"{INST}/jobs/0")).status == 404
    # ids are not reused after a cancel
    job = await (await emu.post(f"{INST}/jobs", json=URL_APP)).json()
    assert job["id"] == "1"


async def test_same_seed_same_requests_same_bytes(emulator_factory):
    async def run():
        emu = await emulator_factory(trust_forwarded=True)
        await emu.post(f"{INST}/applicationbundles", data=b"sab", headers={"Content-Type": "application/x-jar"})
        await emu.post(f"{INST}/jobs", json=URL_APP)
        await emu.advance(2.5)
        # both test servers listen on different ports: name one host so the links are the same too
        return await (await emu.get(f"{INST}/jobs", headers={"X-Forwarded-Host": "streams.test:8443"})).read()

    assert await run() == await run()
