"""Lifecycle paths walked on the manual clock: BATCH to FINISHED with exact metrics, STREAMING until stopped,
stop in each state, savepoint, force, restore from checkpoint and savepoint, scripted failure, expiry."""

from seatunnel_helpers import cdc, etl, info, st_fixture, submit  # noqa: F401

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS


async def test_batch_walks_pending_running_finished_with_metrics_equal_to_rows(st):
    cfg = etl()
    cfg["source"][0]["row.num"] = 300
    cfg["env"]["parallelism"] = 2  # FakeSource row.num is per degree of parallelism: 600 rows
    jid = await submit(st, cfg)
    seen = []
    for _ in range(9):
        job = await info(st, jid)
        seen.append((job["jobStatus"], job["metrics"]["SourceReceivedCount"]))
        await st.advance(1)
    assert seen == [("PENDING", "0"), ("RUNNING", "0"), ("RUNNING", "100"), ("RUNNING", "200"), ("RUNNING", "300"),
                    ("RUNNING", "400"), ("RUNNING", "500"), ("FINISHED", "600"), ("FINISHED", "600")]
    job = await info(st, jid)
    assert job["metrics"]["SinkWriteCount"] == "600"
    assert job["createTime"] == "2026-01-01 00:00:00" and job["finishTime"] == "2026-01-01 00:00:07"
    assert "envOptions" not in job and "isStartWithSavePoint" not in job


async def test_batch_running_time_follows_configured_duration(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", durations={"seatunnel": {"RUNNING": 4, "PENDING": 2}})
    jid = await submit(emu, etl())
    await emu.advance(4)  # 2 s pending, half of the 4 s run
    assert (await info(emu, jid))["metrics"]["SourceReceivedCount"] == "50"
    await emu.advance(2)
    job = await info(emu, jid)
    assert job["jobStatus"] == "FINISHED" and job["metrics"]["SourceReceivedCount"] == "100"


async def test_streaming_runs_until_stopped_and_metrics_keep_growing(st):
    jid = await submit(st, cdc())
    await st.advance(3601)
    job = await info(st, jid)
    assert job["jobStatus"] == "RUNNING"
    assert job["metrics"]["SourceReceivedCount"] == "360000"
    assert job["metrics"]["TableSourceReceivedCount"] == {"mydb.orders": "360000"}
    running = await (await st.get("/running-jobs")).json()
    assert [j["jobId"] for j in running] == [jid]


async def test_stop_of_pending_job_cancels_it(st):
    jid = await submit(st, cdc())
    await st.post("/stop-job", json={"jobId": jid})
    assert (await info(st, jid))["jobStatus"] == "CANCELING"
    await st.advance(1)
    job = await info(st, jid)
    assert job["jobStatus"] == "CANCELED" and job["metrics"]["SourceReceivedCount"] == "0"


async def test_metrics_freeze_when_a_job_stops(st):
    jid = await submit(st, cdc())
    await st.advance(3)
    await st.post("/stop-job", json={"jobId": jid})
    await st.advance(100)
    job = await info(st, jid)
    assert job["jobStatus"] == "CANCELED" and job["metrics"]["SourceReceivedCount"] == "200"


async def test_savepoint_of_a_pending_job_is_a_silent_no_op(st):
    jid = await submit(st, cdc())
    resp = await st.post("/stop-job", json={"jobId": jid, "isStopWithSavePoint": True})
    assert resp.status == 200 and await resp.json() == {"jobId": jid}
    assert (await info(st, jid))["jobStatus"] == "PENDING"


async def test_stop_of_a_finished_or_unknown_job_answers_200(st):
    jid = await submit(st, etl())
    await st.advance(5)
    resp = await st.post("/stop-job", json={"jobId": jid})
    assert await resp.json() == {"jobId": jid}
    assert (await info(st, jid))["jobStatus"] == "FINISHED"
    resp = await st.post("/stop-job", json={"jobId": "42"})
    assert resp.status == 200 and await resp.json() == {"jobId": "42"}


async def test_force_cancel_restarts_from_last_periodic_checkpoint(st):
    jid = await submit(st, cdc(**{"checkpoint.interval": 5000}))
    await st.advance(13)  # 12 s running: checkpoints at 5 s and 10 s
    await st.post("/stop-job", json={"jobId": jid, "force": True})
    assert (await info(st, jid))["metrics"]["SourceReceivedCount"] == "1200"
    await submit(st, cdc(), params={"jobId": jid})
    await st.advance(1)
    job = await info(st, jid)
    assert job["jobStatus"] == "RUNNING" and job["metrics"]["SourceReceivedCount"] == "1000"


async def test_restore_with_is_start_with_savepoint_query(st):
    jid = await submit(st, cdc())
    await st.advance(4)
    await st.post("/stop-job", json={"jobId": jid, "isStopWithSavePoint": True})
    await st.advance(2)
    resp = await st.post("/submit-job", json=cdc(), params={"jobId": jid, "isStartWithSavePoint": "true"})
    assert await resp.json() == {"jobId": jid, "jobName": "my-cdc-job"}
    job = await info(st, jid)
    assert job["jobStatus"] == "PENDING" and job["isStartWithSavePoint"] is True
    assert job["metrics"]["SourceReceivedCount"] == "300"
    log = await (await st.get(f"/logs/{jid}")).text()
    assert "restore from savepoint /seatunnel/checkpoint/savepoint/" in log


async def test_restored_batch_job_reads_only_the_rest(st):
    jid = await submit(st, etl())
    await st.advance(1.4)
    await st.post("/stop-job", json={"jobId": jid})
    await st.advance(1)
    assert (await info(st, jid))["metrics"]["SourceReceivedCount"] == "40"
    await submit(st, etl(), params={"jobId": jid})
    await st.advance(1.3)  # 60 rows left at 100 rows/s: 0.6 s of running
    job = await info(st, jid)
    assert job["jobStatus"] == "RUNNING" and job["metrics"]["SourceReceivedCount"] == "70"
    await st.advance(0.3)
    job = await info(st, jid)
    assert job["jobStatus"] == "FINISHED" and job["metrics"]["SourceReceivedCount"] == "100"


async def test_outcome_header_failure_is_reported_as_failed_with_error_msg(st):
    jid = await submit(st, etl(), headers={"X-Emulator-Outcome": "fail; at=RUNNING; message=boom"})
    await st.advance(1.5)
    assert (await info(st, jid))["jobStatus"] == "RUNNING"
    await st.advance(0.5)
    assert (await info(st, jid))["jobStatus"] == "FAILING"
    await st.advance(0.5)
    job = await info(st, jid)
    assert job["jobStatus"] == "FAILED" and job["errorMsg"] == "boom"
    failed = await (await st.get("/finished-jobs/failed")).json()
    assert [j["jobId"] for j in failed] == [jid]
    overview = await (await st.get("/overview")).json()
    assert overview["failedJobs"] == "1"


async def test_outcome_header_hang_keeps_batch_job_running(st):
    jid = await submit(st, etl(), headers={"X-Emulator-Outcome": "hang; at=running"})
    await st.advance(3600)
    job = await info(st, jid)
    assert job["jobStatus"] == "RUNNING" and job["metrics"]["SourceReceivedCount"] == "100"


async def test_finished_jobs_expire_after_history_job_expire_minutes(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", options={"seatunnel": {"history_job_expire_minutes": "2"}})
    jid = await submit(emu, etl())
    await emu.advance(2 + 119)
    assert (await info(emu, jid))["jobStatus"] == "FINISHED"
    await emu.advance(1)
    assert await info(emu, jid) == {"jobId": jid}
    assert await (await emu.get("/finished-jobs/")).json() == []


async def test_finished_jobs_listed_in_finish_order_for_each_state(st):
    a = await submit(st, cdc())
    b = await submit(st, etl())
    c = await submit(st, cdc())
    await st.advance(1)
    await st.post("/stop-job", json={"jobId": c, "force": True})
    await st.advance(3)
    await st.post("/stop-job", json={"jobId": a, "force": True})
    every = await (await st.get("/finished-jobs")).json()
    assert [(j["jobId"], j["jobStatus"]) for j in every] == [(c, "CANCELED"), (b, "FINISHED"), (a, "CANCELED")]
    canceled = await (await st.get("/finished-jobs/Canceled")).json()
    assert [j["jobId"] for j in canceled] == [c, a]
    assert await (await st.get("/finished-jobs/RUNNING")).json() == []
    assert await (await st.get("/finished-jobs/nonsense")).json() == []


async def test_thousands_of_finished_jobs_page_from_the_state_index(st):
    session = st.session
    ids = [await submit(st, etl(**{"job.name": f"j{i}"})) for i in range(1500)]
    await st.advance(5)
    live = await submit(st, cdc())
    body = await (await st.get("/finished-jobs/FINISHED?page=150&rows=10")).json()
    assert body["total"] == 1500
    assert [j["jobId"] for j in body["data"]] == ids[1490:]
    assert session.store("seatunnel").count_by_state() == {"FINISHED": 1500, "PENDING": 1}
    empty = await (await st.get("/finished-jobs/FINISHED?page=151&rows=10")).json()
    assert empty == {"data": [], "total": 1500}
    assert (await info(st, live))["jobStatus"] == "PENDING"


async def test_same_seed_and_requests_give_the_same_bytes(emulator_factory):
    outs = []
    for _ in range(2):
        emu = await emulator_factory(providers="seatunnel")
        jid = await submit(emu, etl())
        await submit(emu, cdc())
        await emu.advance(3)
        outs.append((jid, await (await emu.get(f"/job-info/{jid}")).read(),
                     await (await emu.get("/running-jobs")).read(), await (await emu.get(f"/logs/{jid}")).read()))
    assert outs[0] == outs[1]


async def test_ids_are_flake_ids_increasing_within_one_millisecond(st):
    ids = [int(await submit(st, cdc())) for _ in range(70)]
    assert ids == sorted(ids) and len(set(ids)) == 70
    ms = DEFAULT_MANUAL_START_NS // 1_000_000 - 1_609_459_200_000
    assert ids[0] >> 22 == ms and ids[-1] >> 22 == ms + 1  # 64 per millisecond, then the next one
    assert NS  # the manual clock did not move
