"""HOCON bodies, the bulk endpoints, logs/overview/monitoring shapes, and the engine version profiles."""

from seatunnel_helpers import cdc, etl, fail, info, st_fixture, submit  # noqa: F401

from emulator.providers.seatunnel import hocon

HOCON_JOB = """
env {
  parallelism = 2
  job.mode = "BATCH"   # a comment
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 16
    schema = { fields { name = "string", age = "int" } }
  }
}
transform {
  Sql { plugin_input = "fake", plugin_output = "q", query = \"\"\"select * from fake\"\"\" }
}
sink {
  Console { plugin_input = ["q"] }
  Console { plugin_input = "fake" }
}
"""


def test_hocon_job_file_becomes_the_json_config():
    cfg = hocon.job_config(HOCON_JOB)
    assert cfg["env"] == {"parallelism": 2, "job.mode": "BATCH"}
    assert cfg["source"] == [{"plugin_name": "FakeSource", "plugin_output": "fake", "row": {"num": 16},
                              "schema": {"fields": {"name": "string", "age": "int"}}}]
    assert cfg["transform"][0]["query"] == "select * from fake"
    assert [s["plugin_input"] for s in cfg["sink"]] == [["q"], "fake"]  # two Console sinks stay two


def test_hocon_substitution_is_refused_with_line():
    try:
        hocon.parse("a = 1\nb = ${a}\n")
    except hocon.HoconError as exc:
        assert str(exc) == "HOCON syntax error at line 2: substitutions (${...}) are not supported by the emulator"
    else:
        raise AssertionError("expected HoconError")


async def test_submit_hocon_text_and_keep_it_as_sent(st):
    resp = await st.post("/submit-job?format=hocon&jobName=from-hocon", data=HOCON_JOB.encode(),
                         headers={"Content-Type": "text/plain"})
    body = await resp.json()
    assert body["jobName"] == "from-hocon"
    job = st.session.store("seatunnel").get(body["jobId"])
    assert job.spec == HOCON_JOB
    await st.advance(1 + 0.32)  # 16 rows x parallelism 2 = 32 rows at 100 rows/s
    done = await info(st, body["jobId"])
    assert done["jobStatus"] == "FINISHED"
    # two sinks: one behind the Sql transform, one straight from the source; each writes all 32 rows
    assert done["metrics"]["SourceReceivedCount"] == "32" and done["metrics"]["SinkWriteCount"] == "64"


async def test_bad_hocon_is_400_naming_the_line(st):
    await fail(await st.post("/submit-job?format=hocon", data=b"env {\n job.mode = \n"), 400,
               "HOCON syntax error at line 3: expected a value, found ''")


async def test_submit_jobs_and_stop_jobs(st):
    resp = await st.post("/submit-jobs", json=[{**etl(), "params": {"jobId": "123", "jobName": "one"}}, cdc()])
    body = await resp.json()
    assert body[0] == {"jobId": "123", "jobName": "one"} and body[1]["jobName"] == "my-cdc-job"
    await st.advance(1)
    resp = await st.post("/stop-jobs", json=[{"jobId": 123}, {"jobId": body[1]["jobId"], "isStopWithSavePoint": True}])
    assert await resp.json() == [{"jobId": 123}, {"jobId": int(body[1]["jobId"])}]
    assert (await info(st, "123"))["jobStatus"] == "CANCELING"
    assert (await info(st, body[1]["jobId"]))["jobStatus"] == "DOING_SAVEPOINT"


async def test_default_job_name(st):
    cfg = etl()
    del cfg["env"]["job.name"]
    resp = await st.post("/submit-job", json=cfg)
    assert (await resp.json())["jobName"] == "SeaTunnel_Job"


async def test_logs_json_listing(st):
    jid = await submit(st, etl())
    body = await (await st.get("/logs?format=json")).json()
    assert len(body) == 1
    assert body[0]["logName"] == f"job-{jid}.log" and body[0]["node"].endswith(":5801")
    assert body[0]["logLink"].endswith(f"/logs/job-{jid}.log")
    text = await (await st.get(f"/logs/job-{jid}.log")).text()
    assert f"received submit job request, job id: {jid}" in text
    assert await (await st.get(f"/logs/{jid}?format=json")).json() == body


async def test_system_monitoring_information(st):
    body = await (await st.get("/system-monitoring-information")).json()
    assert len(body) == 1
    member = body[0]
    assert member["isMaster"] == "true" and member["port"] == "5801"
    assert all(isinstance(v, str) for v in member.values())
    assert member["cluster.timeMillis"] == "1767225600000"


async def test_overview_tag_filter(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", options={"seatunnel": {"worker_tags": "group=platform"}})
    assert (await (await emu.get("/overview?group=platform")).json())["workers"] == "1"
    body = await (await emu.get("/overview?group=other")).json()
    assert body["workers"] == "0" and body["totalSlot"] == "0"


async def test_engine_profile_follows_the_engine_code(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", profiles={"seatunnel": "engine-2.3.9"})
    jid = await submit(emu, cdc())
    await emu.advance(2)
    # force is ignored: a normal cancel
    await emu.post("/stop-job", json={"jobId": jid, "force": True})
    assert (await info(emu, jid))["jobStatus"] == "CANCELING"
    # a live duplicate is a silent success with the same id
    other = await submit(emu, cdc())
    resp = await emu.post("/submit-job", json=cdc(), params={"jobId": other})
    assert await resp.json() == {"jobId": other, "jobName": "my-cdc-job"}
    # resubmitting an ended id without savepoint is the engine's JobException (500)
    await emu.advance(1)
    await fail(await emu.post("/submit-job", json=cdc(), params={"jobId": jid}), 500,
               f"org.apache.seatunnel.engine.common.exception.JobException: The job id {jid} has already been "
               f"submitted and is not starting with a savepoint.")
    # lists ignore page/rows and answer a bare array; overview has no pendingJobs
    body = await (await emu.get("/finished-jobs/canceled?page=1&rows=10")).json()
    assert [j["jobId"] for j in body] == [jid]
    assert "pendingJobs" not in await (await emu.get("/overview")).json()
    # config errors are engine exceptions (500); HOCON is read as JSON
    bad = cdc()
    del bad["env"]
    await fail(await emu.post("/submit-job", json=bad), 500, "No configuration setting found for key 'env'")
    await fail(await emu.post("/submit-job?format=hocon", data=HOCON_JOB.encode()), 400,
               "Invalid JSON format in request body.")


async def test_engine_profile_has_no_savepoint_path(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", profiles={"seatunnel": "engine-2.3.9"})
    jid = await submit(emu, cdc())
    await emu.advance(2)
    await emu.post("/stop-job", json={"jobId": jid, "isStopWithSavePoint": True})
    await emu.advance(2)
    job = await info(emu, jid)
    assert job["jobStatus"] == "SAVEPOINT_DONE" and "savepointPath" not in job
    await submit(emu, cdc(), params={"jobId": jid, "isStartWithSavePoint": "true"})
    assert (await info(emu, jid))["metrics"]["SourceReceivedCount"] == "100"


async def test_newer_profile_prefixes_messages_with_exception_class(emulator_factory):
    emu = await emulator_factory(providers="seatunnel", profiles={"seatunnel": "engine-newer"})
    await fail(await emu.post("/submit-job", data=b""), 400, "IllegalArgumentException: Request body is empty.")
    body = await (await emu.get("/running-jobs?page=1&rows=5")).json()
    assert body == {"data": [], "total": 0}
