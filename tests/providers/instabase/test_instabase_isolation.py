"""Closed mode scopes jobs by user: a non-admin cannot read another user's job status or logs, act on it, or
replace its tags; the job answers as not found, exactly as an unknown id does. Admins reach every job."""

import pytest

RUN = "/api/v1/flow/run_binary_async"
API = "/api/v1/jobs"
ALICE, BOB, ROOT = ({"Authorization": f"Bearer {t}"} for t in ("tok-a", "tok-b", "tok-r"))
OPTS = {"instabase": {"tokens": "tok-a=alice|tok-b=bob|tok-r=root", "admins": "root"}}


@pytest.fixture
async def closed(emulator_factory):
    return await emulator_factory(options=OPTS)


async def alices_job(emu) -> str:
    resp = await emu.post(RUN, json={"binary_path": "alice/f.ibflowbin", "input_dir": "alice/in"}, headers=ALICE)
    assert resp.status == 200
    return (await resp.json())["data"]["job_id"]


async def test_another_users_job_answers_as_unknown(closed):
    job_id = await alices_job(closed)
    unknown = await closed.get(f"{API}/status", params={"job_id": "00000000-0000-0000-0000-000000000000"},
                               headers=BOB)
    for method, path, kw in (("GET", f"{API}/status", {"params": {"job_id": job_id}}),
                             ("GET", f"{API}/get_logs", {"params": {"job_id": job_id}}),
                             ("GET", f"{API}/cancel", {"params": {"job_id": job_id}}),
                             ("POST", f"{API}/tags", {"json": {"job_id": job_id, "names": ["bob-was-here"]}})):
        resp = await closed.request(method, path, headers=BOB, **kw)
        assert resp.status == unknown.status, path
        assert (await resp.json())["msg"] == f"job {job_id} not found", path
    status = await (await closed.get(f"{API}/status", params={"job_id": job_id}, headers=ALICE)).json()
    assert status["state"] == "PENDING"  # not cancelled by bob
    listing = await (await closed.get(f"{API}/list", headers=ROOT)).json()
    assert listing["jobs"][0]["tags"] == []  # bob's tags were not stored


async def test_owner_and_admin_reach_the_job(closed):
    job_id = await alices_job(closed)
    for who in (ALICE, ROOT):
        assert (await closed.get(f"{API}/status", params={"job_id": job_id}, headers=who)).status == 200
    resp = await closed.post(f"{API}/tags", json={"job_id": job_id, "names": ["x"]}, headers=ROOT)
    assert (await resp.json())["updated_tags"] == ["x"]
