"""What real clients rely on: streamsx's submit body, string ids, `self` links that resolve, the root resource
document and instance discovery, the older path generations, configured instances, the legacy upload profile
and optional bearer-token auth."""

import json
from urllib.parse import urlsplit

import pytest

INST = "/streams/instances/inst1"
SAB = b"PK\x03\x04 streamsx bundle"
LINKS = ("self", "instance", "domain", "operators", "pes", "views", "activeViews", "hosts", "operatorConnections",
         "peConnections", "resourceAllocations", "applicationLogTrace")


def path(url):
    return urlsplit(url).path


async def test_streamsx_submit_body_bare_bundle_id_and_new_job_listed_at_once(emu):
    up = await emu.post(f"{INST}/applicationbundles", data=SAB,
                        headers={"Accept": "application/json", "Content-Type": "application/x-jar"})
    bid = (await up.json())["bundleId"]
    resp = await emu.post(f"{INST}/jobs", json={"application": bid, "jobConfigurationOverlay": {}, "preview": False})
    assert resp.status == 201
    job = await resp.json()
    assert isinstance(job["id"], str)
    listed = await (await emu.get(f"{INST}/jobs")).json()
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]
    # streamsx builds the cancel URL as job.instance + '/jobs/' + job.id
    assert (await emu.delete(path(job["instance"]) + "/jobs/" + job["id"])).status == 204


async def test_every_job_link_resolves(emu):
    job = await (await emu.post(f"{INST}/jobs", json={"application": "https://h/com.acme.Main.sab"})).json()
    assert job["applicationName"] == "com.acme::Main" and job["adlFile"] == "com.acme.Main.adl"
    for key in LINKS:
        resp = await emu.get(path(job[key]))
        assert resp.status == 200, (key, job[key])
    assert await (await emu.get(path(job["self"]))).json() == job
    inst = await (await emu.get(path(job["instance"]))).json()
    assert inst["id"] == "inst1" and inst["jobCount"] == 1 and path(inst["jobs"]) == f"{INST}/jobs"
    pes = await (await emu.get(path(job["pes"]))).json()
    assert pes["total"] == job["peCount"] == 3 and pes["resourceType"] == "peList"
    views = await (await emu.get(path(job["views"]))).json()
    assert views == {"views": [], "total": 0, "resourceType": "viewList"}


async def test_overlay_fields_applied_and_kept(emu):
    overlay = {"comment": "x", "jobConfigOverlays": [{
        "jobConfig": {"jobName": "wc", "jobGroup": "analytics", "dataDirectory": "/data/wc",
                      "submissionParameters": [{"name": "rate", "value": "10"}]},
        "deploymentConfig": {"fusionScheme": "legacy"},
        "configInstructions": {"adjustmentSection": [
            {"targetParallelRegion": {"regionName": "Enrich", "newWidth": 3}}]}}]}
    body = {"application": "https://h/a.sab", "applicationCredentials": {"user": "u", "password": "p"},
            "jobConfigurationOverlay": overlay}
    job = await (await emu.post(f"{INST}/jobs", json=body)).json()
    assert job["name"] == "wc" and job["jobGroup"] == "analytics" and job["dataPath"] == "/data/wc"
    assert job["submitParameters"] == [{"name": "rate", "value": "10"}]
    assert job["parallelRegions"] == [{"name": "TransformedData", "width": 2}, {"name": "Enrich", "width": 3}]
    assert "password" not in str(job)
    kept = emu.session.store("streams").get("inst1/0").spec  # the request bytes, kept exactly as sent
    assert isinstance(kept, bytes) and json.loads(kept) == body


async def test_preview_returns_job_without_keeping_it(emu):
    resp = await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab", "preview": True})
    assert resp.status == 200
    assert (await resp.json())["id"] == "0"
    assert (await (await emu.get(f"{INST}/jobs")).json())["total"] == 0


@pytest.mark.parametrize("prefix", ["/streams/rest", "/streams/v1"])
async def test_older_path_generations_serve_the_same_jobs(emu, prefix):
    job = await (await emu.post(f"{prefix}/instances/inst1/jobs", json={"application": "https://h/a.sab"})).json()
    assert path(job["self"]) == f"{prefix}/instances/inst1/jobs/0"
    seen = await (await emu.get(f"{INST}/jobs/0")).json()
    assert path(seen["self"]) == f"{INST}/jobs/0" and seen["name"] == job["name"]


async def test_root_resource_document_leads_to_instances(emu):
    await emu.post("/streams/rest/instances/other/jobs", json={"application": "https://h/a.sab"})
    root = await (await emu.get("/streams/rest/resources")).json()
    by_name = {r["name"]: r["resource"] for r in root["resources"]}
    assert path(by_name["instances"]) == "/streams/rest/instances"
    insts = await (await emu.get(path(by_name["instances"]))).json()
    assert [i["id"] for i in insts["instances"]] == ["inst1", "other"]
    assert insts["resourceType"] == "instanceList" and insts["total"] == 2
    assert [i["jobCount"] for i in insts["instances"]] == [0, 1]
    assert path(insts["instances"][1]["self"]) == "/streams/rest/instances/other"
    # no `domains` entry: streamsx reads one as Streams 4.x and then uploads nothing (its 5.x path uploads)
    assert "domains" not in by_name
    dom = await (await emu.get("/streams/rest/domains")).json()
    assert dom["domains"][0]["resourceType"] == "domain"  # still served for clients that go there directly


async def test_legacy_profile_root_document_lists_domains_as_streams_4x(emulator_factory):
    emu = await emulator_factory(profiles={"streams": "legacy"})
    root = await (await emu.get("/streams/rest/resources")).json()
    assert [r["name"] for r in root["resources"]] == ["instances", "domains"]


async def test_job_collections_elements_have_self_links_and_connections_key(emu):
    job = await (await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab"})).json()
    ops = await (await emu.get(path(job["operators"]))).json()
    assert [o["name"] for o in ops["operators"]] == ["Source", "TransformedData[0]", "TransformedData[1]", "Sink"]
    assert [o["indexWithinJob"] for o in ops["operators"]] == [0, 1, 2, 3]
    for o in ops["operators"]:
        assert await (await emu.get(path(o["self"]))).json() == o
    conns = await (await emu.get(path(job["operatorConnections"]))).json()
    assert conns["resourceType"] == "operatorConnectionList" and conns["total"] == 4
    assert [(c["source"], c["destination"]) for c in conns["connections"]] == [
        ("Source", "TransformedData[0]"), ("Source", "TransformedData[1]"),
        ("TransformedData[0]", "Sink"), ("TransformedData[1]", "Sink")]
    pec = await (await emu.get(path(job["peConnections"]))).json()
    assert pec["resourceType"] == "peConnectionList"
    assert [(c["source"], c["destination"]) for c in pec["connections"]] == [("0", "1"), ("0", "2"), ("1", "0"),
                                                                            ("2", "0")]
    assert all(c["resourceType"] == "peConnection" and c["status"] == "connected" for c in pec["connections"])
    pes = await (await emu.get(path(job["pes"]))).json()
    assert [p["operators"] for p in pes["pes"]] == [["Source", "Sink"], ["TransformedData[0]"], ["TransformedData[1]"]]
    assert await (await emu.get(path(pes["pes"][2]["self"]))).json() == pes["pes"][2]
    missing = await emu.get(path(job["pes"]) + "/9")
    assert missing.status == 404 and "restid 9" in (await missing.json())["message"]


async def test_log_trace_is_a_gzip_tar_of_the_job_log(emu):
    import gzip
    import io
    import tarfile

    job = await (await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab"})).json()
    await emu.advance(60)
    resp = await emu.get(path(job["applicationLogTrace"]))
    assert resp.status == 200 and resp.content_type == "application/x-compressed"
    raw = await resp.read()
    assert raw[:2] == b"\x1f\x8b"  # gzip magic
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as tar:
        assert tar.getnames() == ["job_0/application.log"]
        text = tar.extractfile("job_0/application.log").read().decode()
    assert "job 0 - -> unknown" in text and "partiallyHealthy -> healthy" in text
    assert raw == await (await emu.get(path(job["applicationLogTrace"]))).read()  # same moment, same bytes


async def test_configured_instances_others_404(emulator_factory):
    emu = await emulator_factory(options={"streams": {"instances": "prod|test"}})
    assert (await emu.post("/streams/instances/prod/jobs", json={"application": "https://h/a.sab"})).status == 201
    resp = await emu.get("/streams/instances/inst1/jobs")
    assert resp.status == 404
    assert await resp.json() == {
        "message": "CDISW5000E The resource with the instance resourceType and restid inst1 cannot be found.",
        "id": "CDISW5000E"}
    insts = await (await emu.get("/streams/instances")).json()
    assert [i["id"] for i in insts["instances"]] == ["prod", "test"]


async def test_legacy_profile_upload_is_201_with_location_to_the_bundle(emulator_factory):
    emu = await emulator_factory(profiles={"streams": "legacy"})
    resp = await emu.post(f"{INST}/applicationbundles", data=SAB, headers={"Content-Type": "application/x-jar"})
    assert resp.status == 201
    bundle = await (await emu.get(path(resp.headers["Location"]))).json()
    assert bundle["application"] == bundle["bundleId"]
    job = await emu.post(f"{INST}/jobs", json={"application": bundle["application"], "preview": False,
                                            "jobConfigurationOverlay": {}})
    assert job.status == 201


async def test_bearer_token_auth(emulator_factory):
    emu = await emulator_factory(options={"streams": {"token": "s3cret"}})
    resp = await emu.get(f"{INST}/jobs")
    assert resp.status == 401
    body = await resp.json()
    assert body["id"] == "CDISW5005E" and "Authorization" in body["message"]
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = await emu.post(f"{INST}/jobs", data=b"{bad json", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401 and "not valid" in (await wrong.json())["message"]
    assert (await emu.get("/streams/rest/resources")).status == 401
    ok = await emu.post(f"{INST}/jobs", json={"application": "https://h/a.sab"},
                        headers={"Authorization": "Bearer s3cret"})
    assert ok.status == 201


async def test_session_prefix_links_resolve(emu):
    assert (await emu.post("/_emulator/sessions", json={"key": "w1"})).status == 201
    job = await (await emu.post(f"/_session/w1{INST}/jobs", json={"application": "https://h/a.sab"})).json()
    assert path(job["self"]) == f"/_session/w1{INST}/jobs/0"
    assert (await emu.get(path(job["self"]))).status == 200
    assert (await emu.get(f"{INST}/jobs/0")).status == 404  # the default session has no jobs
