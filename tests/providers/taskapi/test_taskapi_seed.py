"""The seed's curl examples (GET results, DELETE, GET status) and the create call, run against the emulator
on the manual clock: create -> follow Location -> poll 202 ... 200 -> results."""

import re

import pytest

ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
CREATE = f"/compute/orgs/{ORG}/geostatistics/kriging"
AUTH = {"Authorization": "Bearer <ACCESS_TOKEN>"}
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@pytest.fixture
async def emu(emulator_factory):
    """Only this provider, so the tests do not depend on the others being loadable."""
    return await emulator_factory(providers=["taskapi"])


async def create(emu, parameters=None, headers=None):
    """POST a job and return (job_id, status path) from its Location."""
    resp = await emu.post(CREATE, json={"parameters": parameters or {"source": "grade"}},
                          headers={**AUTH, **(headers or {})}, allow_redirects=False)
    assert resp.status == 303, await resp.text()
    assert await resp.read() == b""
    loc = resp.headers["Location"]
    m = re.fullmatch(rf"http://127\.0\.0\.1:\d+/compute/orgs/{ORG}/geostatistics/kriging/({UUID_RE})/status", loc)
    assert m, loc
    return m.group(1), loc.split(":", 2)[2].split("/", 1)[1]


async def test_create_answers_303_with_location_to_status_on_the_called_host(emu):
    job_id, status_path = await create(emu)
    assert status_path == f"compute/orgs/{ORG}/geostatistics/kriging/{job_id}/status"


async def test_create_location_uses_forwarded_host_and_scheme_only_when_trusted(emulator_factory, emu):
    resp = await emu.post(CREATE, json={"parameters": {}}, allow_redirects=False,
                          headers={"X-Forwarded-Host": "evil.example.test", "X-Forwarded-Proto": "https"})
    assert resp.headers["Location"].startswith(f"http://127.0.0.1:{emu.server.port}/compute/orgs/{ORG}/")
    emu = await emulator_factory(trust_forwarded=True)
    resp = await emu.post(CREATE, json={"parameters": {}}, allow_redirects=False,
                          headers={"X-Forwarded-Host": "hub.example.test", "X-Forwarded-Proto": "https"})
    assert resp.status == 303
    assert resp.headers["Location"].startswith(f"https://hub.example.test/compute/orgs/{ORG}/geostatistics/kriging/")


async def test_seed_get_status_polls_202_then_200_with_rising_progress(emu):
    job_id, _ = await create(emu)
    url = f"/compute/orgs/{ORG}/geostatistics/kriging/{job_id}/status"
    job_url = f"http://127.0.0.1:{emu.server.port}/compute/orgs/{ORG}/geostatistics/kriging/{job_id}"

    resp = await emu.get(url, headers=AUTH)
    assert resp.status == 202
    assert await resp.json() == {"status": "requested", "progress": 0, "message": "Job requested", "error": None,
                                 "links": {"cancel": job_url}}

    await emu.advance(1)  # queued 1 s, then 10 s in progress
    body = await (await emu.get(url, headers=AUTH)).json()
    assert (body["status"], body["progress"], body["message"]) == ("in progress", 0, "Job in progress")

    await emu.advance(5)
    resp = await emu.get(url, headers=AUTH)
    assert resp.status == 202
    body = await resp.json()
    assert body["status"] == "in progress" and body["progress"] == 50
    assert body["links"] == {"cancel": job_url}

    await emu.advance(5)
    resp = await emu.get(url, headers=AUTH)
    assert resp.status == 200
    assert await resp.json() == {"status": "succeeded", "progress": 100, "message": "Job succeeded",
                                 "error": None, "links": {"results": job_url}}


async def test_seed_get_results_202_while_ongoing_then_200_with_results(emu):
    job_id, _ = await create(emu, {"target": {"object": "https://hub/objects/abc", "attribute": {"name": "kg"}}})
    url = f"/compute/orgs/{ORG}/geostatistics/kriging/{job_id}"
    job_url = f"http://127.0.0.1:{emu.server.port}{url}"

    resp = await emu.get(url, headers=AUTH)
    assert resp.status == 202
    assert await resp.json() == {"status": "requested", "links": {"cancel": job_url, "status": job_url + "/status"}}

    await emu.advance(11)
    resp = await emu.get(url, headers=AUTH)
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "succeeded" and body["error"] is None
    results = body["results"]
    assert results["message"].startswith("geostatistics/kriging completed: ")
    assert results["target"]["reference"] == "https://hub/objects/abc"  # the target the client named
    assert results["target"]["attribute"] == {"reference": "locations.attributes[?name=='kg']", "name": "kg"}
    assert results["target"]["schema_id"].startswith("/objects/")


async def test_seed_delete_cancels_an_ongoing_job_cancelling_then_cancelled(emu):
    job_id, _ = await create(emu)
    url = f"/compute/orgs/{ORG}/geostatistics/kriging/{job_id}"
    await emu.advance(1 + 3)  # 30 % into its run

    resp = await emu.delete(url, headers=AUTH)
    assert resp.status == 204
    assert await resp.read() == b""

    resp = await emu.get(url + "/status", headers=AUTH)
    assert resp.status == 202
    body = await resp.json()
    assert (body["status"], body["progress"], body["message"]) == ("cancelling", 30, "Job cancelling")
    assert "cancel" in body["links"]

    await emu.advance(1)
    resp = await emu.get(url + "/status", headers=AUTH)
    assert resp.status == 200
    body = await resp.json()
    assert (body["status"], body["progress"], body["error"]) == ("cancelled", 30, None)
    assert body["links"] == {"results": f"http://127.0.0.1:{emu.server.port}{url}"}

    resp = await emu.get(url, headers=AUTH)
    assert resp.status == 200
    assert await resp.json() == {"status": "cancelled", "results": None, "error": None}


async def test_following_the_303_lands_on_the_status(emu):
    resp = await emu.post(CREATE, json={"parameters": {"a": 1}}, headers=AUTH)  # the client follows Location
    assert resp.status == 202
    assert (await resp.json())["status"] == "requested"
    assert str(resp.url).endswith("/status")
