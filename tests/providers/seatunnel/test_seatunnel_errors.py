"""Errors: the seed's troubleshooting rows (400, duplicate id, unknown job, 401, savepoint not found) and the
engine's own messages, each with the exact status and `{"status":"fail","message"}` body."""

import base64

from seatunnel_helpers import cdc, etl, fail, info, st_fixture, submit  # noqa: F401


async def test_empty_body_is_400(st):
    await fail(await st.post("/submit-job", data=b""), 400, "Request body is empty.")
    await fail(await st.post("/stop-job", data=b"  "), 400, "Request body is empty.")


async def test_malformed_json_is_400(st):
    await fail(await st.post("/submit-job", data=b'{"env": '), 400, "Invalid JSON format in request body.")
    await fail(await st.post("/stop-jobs", data=b"[{"), 400, "Invalid JSON format in request body.")


async def test_missing_sections_are_named(st):
    for key in ("env", "source", "sink"):
        cfg = etl()
        del cfg[key]
        await fail(await st.post("/submit-job", json=cfg), 400, f"No configuration setting found for key '{key}'")


async def test_plugin_without_plugin_name(st):
    cfg = etl()
    del cfg["transform"][1]["plugin_name"]
    await fail(await st.post("/submit-job", json=cfg), 400,
               "transform[1]: No configuration setting found for key 'plugin_name'")


async def test_plugin_input_nobody_produces(st):
    cfg = etl()
    cfg["sink"][0]["plugin_input"] = ["filterd"]
    await fail(await st.post("/submit-job", json=cfg), 400,
               "sink[0] (Console): plugin_input 'filterd' is not produced by any plugin_output before it "
               "(known: after_field_map, fake, filtered)")


async def test_bad_job_mode(st):
    await fail(await st.post("/submit-job", json=etl(**{"job.mode": "MICRO_BATCH"})), 400,
               "env.job.mode must be BATCH or STREAMING, got 'MICRO_BATCH'")


async def test_non_numeric_ids(st):
    await fail(await st.get("/job-info/abc"), 400, 'For input string: "abc"')
    await fail(await st.get("/running-job/12x"), 400, 'For input string: "12x"')
    await fail(await st.post("/submit-job", json=etl(), params={"jobId": "my-job"}), 400,
               'For input string: "my-job"')
    await fail(await st.post("/submit-job", json=etl(**{"job.id": "x1"})), 400, 'For input string: "x1"')
    await fail(await st.post("/stop-job", json={"jobId": "abc"}), 400, 'For input string: "abc"')
    await fail(await st.get("/job-info/"), 400, "The jobId must not be empty.")


async def test_stop_without_job_id(st):
    await fail(await st.post("/stop-job", json={"isStopWithSavePoint": True}), 400, "jobId cannot be empty.")


async def test_start_with_savepoint_needs_job_id(st):
    await fail(await st.post("/submit-job", json=etl(), params={"isStartWithSavePoint": "true"}), 400,
               "Please provide jobId when start with save point.")


async def test_duplicate_id_of_a_live_job(st):
    jid = await submit(st, cdc())
    await st.advance(1)
    await fail(await st.post("/submit-job", json=cdc(), params={"jobId": jid}), 400,
               f"Job already exists with same job.id {jid} (state RUNNING); stop or cancel the existing job "
               f"before resubmitting")
    assert (await info(st, jid))["jobStatus"] == "RUNNING"


async def test_unknown_job_reads_as_the_bare_id(st):
    resp = await st.get("/job-info/42")
    assert resp.status == 200 and await resp.json() == {"jobId": "42"}
    resp = await st.get("/running-job/733584788375093248")
    assert await resp.json() == {"jobId": "733584788375093248"}


async def test_savepoint_path_not_found(st):
    path = "/seatunnel/checkpoint/savepoint/733584788375093248/1748595600000"
    cfg = cdc(**{"restore.mode": "savepoint", "savepoint.path": path})
    await fail(await st.post("/submit-job", json=cfg), 400, f"Savepoint path not found: {path}")
    await fail(await st.post("/submit-job", json=cdc(**{"restore.mode": "savepoint"})), 400,
               "env.savepoint.path is required when env.restore.mode is savepoint")


async def test_401_when_auth_is_on(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", options={"seatunnel": {"basic_auth": "true"}})
    resp = await emu.post("/submit-job", data=b"not json")  # auth is checked before the body
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="SeaTunnel Web UI"'
    assert "HTTP ERROR 401 Unauthorized" in await resp.text()
    wrong = base64.b64encode(b"admin:nope").decode()
    resp = await emu.get("/overview", headers={"Authorization": f"Basic {wrong}", "Accept": "application/json"})
    assert resp.status == 401
    assert await resp.json() == {"url": "/overview", "status": "401", "message": "Unauthorized", "servlet": "-"}
    good = base64.b64encode(b"admin:admin").decode()
    resp = await emu.get("/job-info/42", headers={"Authorization": f"Basic {good}"})
    assert resp.status == 200 and await resp.json() == {"jobId": "42"}


async def test_paging_errors(st):
    await fail(await st.get("/running-jobs?page=0"), 400, "Parameter 'page' must be greater than 0")
    await fail(await st.get("/running-jobs?page=1&rows=0"), 400, "Parameter 'rows' must be greater than 0")
    await fail(await st.get("/finished-jobs/FINISHED?page=abc"), 400,
               "Parameter 'page' must be an integer, but was: abc")
    await fail(await st.get("/finished-jobs?page=3&rows=10"), 400, "Page number exceeds total pages")


async def test_unknown_outcome_state_is_400(st):
    await fail(await st.post("/submit-job", json=etl(), headers={"X-Emulator-Outcome": "fail; at=Exploding"}), 400)


async def test_submit_jobs_checks_every_config_before_submitting_any(st):
    bad = etl()
    del bad["sink"]
    await fail(await st.post("/submit-jobs", json=[etl(), bad]), 400,
               "[1] No configuration setting found for key 'sink'")
    assert await (await st.get("/running-jobs")).json() == []


async def test_unsupported_format(st):
    await fail(await st.post("/submit-job?format=sql", data=b"select 1"), 400,
               "format 'sql' is not supported by the emulator; use json or hocon")
