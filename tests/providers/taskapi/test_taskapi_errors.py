"""Every error case of the Task API as an RFC 7807 problem document: status and body."""

import pytest

ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
OTHER_ORG = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
CREATE = f"/compute/orgs/{ORG}/geostatistics/kriging"
MISSING_JOB = "11111111-2222-4333-8444-555555555555"
TYPE = "https://seequent.com/error-codes/compute/"


@pytest.fixture
async def emu(emulator_factory):
    """Only this provider, so the tests do not depend on the others being loadable."""
    return await emulator_factory(providers=["taskapi"])


async def create(emu, path=CREATE, **kw):
    resp = await emu.post(path, json={"parameters": {"x": 1}}, allow_redirects=False, **kw)
    assert resp.status == 303, await resp.text()
    return resp.headers["Location"].rsplit("/", 2)[-2]


async def problem(resp, status):
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    return await resp.json()


async def test_body_not_json_is_422_naming_body(emu):
    resp = await emu.post(CREATE, data=b'{"parameters": ', headers={"Content-Type": "application/json"})
    body = await problem(resp, 422)
    assert body["type"] == TYPE + "validation-error"
    assert body["title"] == "Unprocessable Entity" and body["status"] == 422
    assert body["detail"].startswith("request body is not valid JSON")
    assert body["invalid-params"][0]["name"] == "body"


async def test_missing_parameters_is_422_listing_parameters(emu):
    body = await problem(await emu.post(CREATE, json={"params": {}}), 422)
    assert body["detail"] == "parameters is required"
    assert body["invalid-params"] == [{"name": "parameters", "reason": "parameters is required"}]


async def test_empty_body_is_422_listing_parameters(emu):
    body = await problem(await emu.post(CREATE, data=b""), 422)
    assert body["invalid-params"] == [{"name": "parameters", "reason": "field required"}]
    assert "parameters" in body["detail"]


@pytest.mark.parametrize("value", [[1, 2], "abc", 5, None])
async def test_parameters_not_an_object_is_422(emu, value):
    body = await problem(await emu.post(CREATE, json={"parameters": value}), 422)
    assert body["invalid-params"][0]["name"] == "parameters"
    assert "is not of type 'object'" in body["invalid-params"][0]["reason"]


async def test_body_not_an_object_is_422(emu):
    body = await problem(await emu.post(CREATE, json=[{"parameters": {}}]), 422)
    assert body["invalid-params"][0]["name"] == "body"


async def test_org_id_not_a_uuid_is_422_naming_org_id(emu):
    body = await problem(await emu.post("/compute/orgs/my-org/geostatistics/kriging", json={"parameters": {}}), 422)
    assert body["detail"] == "org_id 'my-org' is not a valid UUID"
    assert body["invalid-params"] == [{"name": "org_id", "reason": "value is not a valid uuid"}]


async def test_job_id_not_a_uuid_is_422_on_every_job_route(emu):
    for method, suffix in (("GET", "/status"), ("GET", ""), ("DELETE", "")):
        resp = await emu.request(method, f"{CREATE}/42{suffix}")
        body = await problem(resp, 422)
        assert body["invalid-params"] == [{"name": "job_id", "reason": "value is not a valid uuid"}]


async def test_unknown_job_is_404_problem_on_every_job_route(emu):
    for method, suffix in (("GET", "/status"), ("GET", ""), ("DELETE", "")):
        body = await problem(await emu.request(method, f"{CREATE}/{MISSING_JOB}{suffix}"), 404)
        assert body == {"type": TYPE + "not-found", "title": "Not Found", "status": 404,
                        "detail": f"Job {MISSING_JOB} not found for task geostatistics/kriging in organization {ORG}"}


async def test_job_under_another_org_or_task_is_404(emu):
    job_id = await create(emu)
    for path in (f"/compute/orgs/{OTHER_ORG}/geostatistics/kriging/{job_id}",
                 f"/compute/orgs/{ORG}/geostatistics/idw/{job_id}"):
        body = await problem(await emu.get(path + "/status"), 404)
        assert job_id in body["detail"]
    assert (await emu.get(f"{CREATE}/{job_id}/status")).status == 202


async def test_uppercase_uuids_are_the_same_job(emu):
    job_id = await create(emu)
    resp = await emu.get(f"/compute/orgs/{ORG.upper()}/geostatistics/kriging/{job_id.upper()}/status")
    assert resp.status == 202
    assert (await resp.json())["links"]["cancel"].endswith(f"/compute/orgs/{ORG}/geostatistics/kriging/{job_id}")


async def test_unknown_org_is_404_when_orgs_are_configured(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], options={"taskapi": {"orgs": f"{ORG}|{OTHER_ORG}"}})
    await create(emu)
    await create(emu, f"/compute/orgs/{OTHER_ORG}/geostatistics/kriging")
    unknown = "99999999-8888-4777-a666-555555555555"
    body = await problem(await emu.post(f"/compute/orgs/{unknown}/geostatistics/kriging",
                                        json={"parameters": {}}), 404)
    assert body["detail"] == f"Organization {unknown} not found"
    body = await problem(await emu.get(f"/compute/orgs/{unknown}/geostatistics/kriging/{MISSING_JOB}/status"), 404)
    assert body["detail"] == f"Organization {unknown} not found"


async def test_unknown_task_is_404_when_only_catalogue_tasks_exist(emulator_factory):
    catalogue = '{"geostatistics/kriging": {}}'
    emu = await emulator_factory(providers=["taskapi"],
                                 options={"taskapi": {"catalogue": catalogue, "catalogue_only": "true"}})
    await create(emu)
    body = await problem(await emu.post(f"/compute/orgs/{ORG}/geostatistics/nope", json={"parameters": {}}), 404)
    assert body == {"type": TYPE + "not-found", "title": "Not Found", "status": 404,
                    "detail": "Task geostatistics/nope not found"}


async def test_auth_on_requires_a_bearer_token(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], options={"taskapi": {"auth": "true"}})
    for headers in ({}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer "}):
        resp = await emu.post(CREATE, json={"parameters": {}}, headers=headers)
        body = await problem(resp, 401)
        assert body["title"] == "Unauthorized" and body["type"] == TYPE + "unauthorized"
        assert body["detail"] == "Missing or malformed bearer token in the Authorization header"
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    job_id = await create(emu, headers={"Authorization": "Bearer anything"})
    await problem(await emu.get(f"{CREATE}/{job_id}/status"), 401)
    await problem(await emu.delete(f"{CREATE}/{job_id}"), 401)
    resp = await emu.get(f"{CREATE}/{job_id}/status", headers={"Authorization": "Bearer anything"})
    assert resp.status == 202


async def test_auth_is_checked_before_the_body(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], options={"taskapi": {"auth": "true"}})
    for data in (b"not json", b"", b'{"nope": 1}'):
        resp = await emu.post(CREATE, data=data)
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="compute"'
        body = await problem(resp, 401)
        assert body["title"] == "Unauthorized" and body["type"].endswith("/unauthorized")
        assert "invalid-params" not in body  # the body was never judged


async def test_auth_with_configured_tokens_rejects_others(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], options={"taskapi": {"auth": "1", "tokens": "t1|t2"}})
    body = await problem(await emu.post(CREATE, json={"parameters": {}}, headers={"Authorization": "Bearer t3"}), 401)
    assert body["detail"] == "The bearer token is not valid"
    await create(emu, headers={"Authorization": "Bearer t2"})


async def test_auth_off_by_default(emu):
    await create(emu)  # no Authorization header at all


async def test_body_over_the_limit_is_413_problem(emulator_factory):
    emu = await emulator_factory(providers=["taskapi"], max_body=64)
    body = await problem(await emu.post(CREATE, json={"parameters": {"x": "y" * 200}}), 413)
    assert body["title"] == "Payload Too Large" and body["status"] == 413
    assert "exceeds the limit of 64 bytes" in body["detail"]


async def test_malformed_outcome_header_is_a_422_problem(emu):
    resp = await emu.post(CREATE, json={"parameters": {}}, headers={"X-Emulator-Outcome": "explode"})
    body = await problem(resp, 422)
    assert "X-Emulator-Outcome" in body["detail"]
