"""Every curl example of the seed (seatunnel-rest-api-v2.txt), run as a test client call, with the shapes it
documents."""

import base64

from seatunnel_helpers import cdc, etl, info, st_fixture, submit  # noqa: F401

SEED_ID = "733584788375093248"


async def test_2_1_submit_json_streaming_job_returns_flake_id_and_name(st):
    resp = await st.post("/submit-job", json=cdc(), headers={"Content-Type": "application/json"})
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"jobId", "jobName"}
    assert body["jobName"] == "my-cdc-job"
    assert body["jobId"].isdigit() and len(body["jobId"]) == 18  # 2.3: an 18-digit id, as a string


async def test_2_2_transforms_build_the_dag(st):
    jid = await submit(st, etl())
    job = await info(st, jid)
    dag = job["jobDag"]
    assert dag["jobId"] == jid
    assert [(v["vertexId"], v["type"], v["vertexName"]) for v in dag["vertexInfoMap"]] == [
        (1, "source", "Source[0]-FakeSource"), (2, "transform", "Transform[0]-FieldMapper"),
        (3, "transform", "Transform[1]-Filter"), (4, "sink", "Sink[0]-Console")]
    assert dag["pipelineEdges"] == {"1": [{"inputVertexId": "1", "targetVertexId": "2"},
                                          {"inputVertexId": "2", "targetVertexId": "3"},
                                          {"inputVertexId": "3", "targetVertexId": "4"}]}
    assert dag["envOptions"] == {"job.name": "etl-with-transforms", "job.mode": "BATCH"}


async def test_3_1_job_info_fields_of_a_running_job(st):
    jid = await submit(st, cdc())
    await st.advance(1)
    job = await info(st, jid)
    assert list(job) == ["jobId", "jobName", "jobStatus", "envOptions", "createTime", "jobDag", "pluginJarsUrls",
                         "isStartWithSavePoint", "metrics"]
    assert job["jobStatus"] == "RUNNING"
    assert job["envOptions"] == cdc()["env"]
    assert job["createTime"] == "2026-01-01 00:00:00"
    assert job["isStartWithSavePoint"] is False


async def test_3_2_running_jobs_page_1_rows_10(st):
    ids = [await submit(st, cdc(**{"job.name": f"cdc-{i}"})) for i in range(12)]
    resp = await st.get("/running-jobs?page=1&rows=10")
    body = await resp.json()
    assert body["total"] == 12
    assert [j["jobId"] for j in body["data"]] == ids[:10]
    page2 = await (await st.get("/running-jobs?page=2&rows=10")).json()
    assert [j["jobId"] for j in page2["data"]] == ids[10:]


async def test_3_3_finished_jobs_by_state_with_paging(st):
    jid = await submit(st, etl())
    await st.advance(5)
    body = await (await st.get("/finished-jobs/FINISHED?page=1&rows=10")).json()
    assert body["total"] == 1
    (job,) = body["data"]
    assert job["jobId"] == jid and job["jobStatus"] == "FINISHED"
    assert job["errorMsg"] is None and job["finishTime"] == "2026-01-01 00:00:02"


async def test_3_4_metrics_fields(st):
    jid = await submit(st, etl())
    await st.advance(1.5)  # 1 s PENDING, then half of the 1 s needed for 100 rows at 100 rows/s
    m = (await info(st, jid))["metrics"]
    assert m["SourceReceivedCount"] == "50" and m["SinkWriteCount"] == "50"
    assert m["SourceReceivedQPS"] == "100.00" and m["SinkWriteQPS"] == "100.00"
    assert m["TableSourceReceivedCount"] == {"fake": "50"}


async def test_4_logs_of_a_job(st):
    jid = await submit(st, etl())
    await st.advance(5)
    resp = await st.get(f"/logs/{jid}")
    assert resp.status == 200 and resp.content_type == "text/plain"
    text = await resp.text()
    assert f"Job etl-with-transforms ({jid}) turned from state PENDING to RUNNING." not in text
    assert f"Job etl-with-transforms ({jid}) turned from state SCHEDULED to RUNNING." in text
    assert f"Job {jid} end with state FINISHED" in text
    assert "Total Read Count          :                 100" in text


async def test_5_1_graceful_stop(st):
    await submit(st, cdc(), params={"jobId": SEED_ID})
    await st.advance(2)
    resp = await st.post("/stop-job", json={"jobId": 733584788375093248, "isStopWithSavePoint": False},
                         headers={"Content-Type": "application/json"})
    assert resp.status == 200 and await resp.json() == {"jobId": SEED_ID}
    assert (await info(st, SEED_ID))["jobStatus"] == "CANCELING"
    await st.advance(1)
    assert (await info(st, SEED_ID))["jobStatus"] == "CANCELED"


async def test_5_2_stop_with_savepoint_reports_savepoint_path(st):
    await submit(st, cdc(), params={"jobId": SEED_ID})
    await st.advance(2)
    resp = await st.post("/stop-job", json={"jobId": SEED_ID, "isStopWithSavePoint": True})
    assert await resp.json() == {"jobId": SEED_ID}
    assert (await info(st, SEED_ID))["jobStatus"] == "DOING_SAVEPOINT"
    await st.advance(2)
    job = await info(st, SEED_ID)
    assert job["jobStatus"] == "SAVEPOINT_DONE"
    # triggered 2 s after 2026-01-01T00:00:00Z
    assert job["savepointPath"] == f"/seatunnel/checkpoint/savepoint/{SEED_ID}/1767225602000"
    log = await (await st.get(f"/logs/{SEED_ID}")).text()
    assert f"savepoint path: {job['savepointPath']}" in log


async def test_5_3_force_cancel_is_immediate(st):
    await submit(st, cdc(), params={"jobId": SEED_ID})
    await st.advance(2)
    resp = await st.post("/stop-job", json={"jobId": SEED_ID, "isStopWithSavePoint": False, "force": True})
    assert await resp.json() == {"jobId": SEED_ID}
    job = await info(st, SEED_ID)
    assert job["jobStatus"] == "CANCELED" and job["finishTime"] == "2026-01-01 00:00:02"


async def test_6_1_restart_from_checkpoint_with_env_job_id(st):
    await submit(st, cdc(), params={"jobId": SEED_ID})
    await st.advance(11)  # 10 s running at 100 rows/s
    await st.post("/stop-job", json={"jobId": SEED_ID, "isStopWithSavePoint": False})
    await st.advance(1)
    assert (await info(st, SEED_ID))["metrics"]["SourceReceivedCount"] == "1000"
    jid = await submit(st, cdc(**{"job.id": SEED_ID}))
    assert jid == SEED_ID
    await st.advance(2)  # 1 s pending, 1 s running: continues from the checkpoint taken at the stop
    job = await info(st, SEED_ID)
    assert job["jobStatus"] == "RUNNING" and job["metrics"]["SourceReceivedCount"] == "1100"


async def test_6_2_restore_from_savepoint_path(st):
    await submit(st, cdc(), params={"jobId": SEED_ID})
    await st.advance(6)
    await st.post("/stop-job", json={"jobId": SEED_ID, "isStopWithSavePoint": True})
    await st.advance(2)
    path = (await info(st, SEED_ID))["savepointPath"]
    restored = cdc(**{"job.name": "my-cdc-job-restored", "restore.mode": "savepoint", "savepoint.path": path})
    resp = await st.post("/submit-job", json=restored)
    body = await resp.json()
    assert body["jobName"] == "my-cdc-job-restored" and body["jobId"] != SEED_ID
    await st.advance(1.5)
    job = await info(st, body["jobId"])
    assert job["metrics"]["SourceReceivedCount"] == "550"  # 500 from the savepoint + 0.5 s at 100 rows/s


async def test_7_basic_auth(emulator_factory):
    emu = await emulator_factory(providers="seatunnel",
                                 options={"seatunnel": {"basic_auth": "true", "basic_auth_password": "password"}})
    resp = await emu.get("/running-jobs?page=1&rows=10")
    assert resp.status == 401
    token = base64.b64encode(b"admin:password").decode()
    resp = await emu.get("/running-jobs?page=1&rows=10", headers={"Authorization": f"Basic {token}"})
    assert resp.status == 200 and await resp.json() == {"data": [], "total": 0}


async def test_8_overview(st):
    await submit(st, cdc())
    await submit(st, etl())
    await st.advance(5)
    body = await (await st.get("/overview")).json()
    assert all(isinstance(v, str) for v in body.values())
    assert body["workers"] == "1" and "works" not in body
    counts = (body["runningJobs"], body["finishedJobs"], body["failedJobs"], body["cancelledJobs"])
    assert counts == ("1", "1", "0", "0")
