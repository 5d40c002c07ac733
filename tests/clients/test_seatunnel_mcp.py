"""The SeaTunnel MCP package's `SeaTunnelClient` (iflow-mcp-ocean-zhc-seatunnel-mcp 0.1.2, httpx), driven as
its tools drive it: submit HOCON (its default), submit a batch and an uploaded file, poll job-info through
PENDING, RUNNING and FINISHED, list running and finished jobs, stop with a savepoint and restore from it,
read the overview and monitoring; errors arrive as httpx.HTTPStatusError with the engine's body. The client
joins its base URL and the endpoint, so the session travels in the path (`emu.url`)."""

from __future__ import annotations

import json

import pytest

httpx = pytest.importorskip("httpx")
client_mod = pytest.importorskip("src.seatunnel_mcp.client")

from tests.clients.polling import poll_states, poll_until  # noqa: E402

ENDS = ("FINISHED", "FAILED", "CANCELED", "SAVEPOINT_DONE")

STREAMING = """env { job.mode = "STREAMING", job.name = "cdc" }
source { FakeSource { plugin_output = "fake", schema = { fields { id = "int" } } } }
sink { Console { plugin_input = ["fake"] } }
"""
BATCH = """env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 20, schema = { fields { id = "int" } } } }
sink { Console { plugin_input = ["fake"] } }
"""


@pytest.fixture
def seatunnel(emulator_for):
    emu = emulator_for()
    return emu, client_mod.SeaTunnelClient(base_url=emu.url)


def test_submit_hocon_poll_every_state_and_list(seatunnel):
    emu, st = seatunnel
    job = st.submit_job(BATCH, jobName="batch-1")
    assert job["jobName"] == "batch-1"
    states = [st.get_job_info(job["jobId"])["jobStatus"]]
    for state in ("RUNNING", "FINISHED"):
        emu.advance_until("seatunnel", job["jobId"], state)
        states.append(st.get_job_info(job["jobId"])["jobStatus"])
    assert states == ["PENDING", "RUNNING", "FINISHED"]
    info = st.get_job_info(job["jobId"])
    assert info["metrics"]["SourceReceivedCount"] == "20" and info["metrics"]["SinkWriteCount"] == "20"
    finished = st.get_finished_jobs("FINISHED")
    assert [j["jobId"] for j in finished] == [job["jobId"]]
    assert st.get_running_jobs() == []


def test_stop_with_savepoint_and_restore(seatunnel):
    emu, st = seatunnel
    job_id = st.submit_job(STREAMING)["jobId"]
    emu.advance(30)
    running = st.get_running_job(job_id)
    assert running["jobStatus"] == "RUNNING" and running["jobName"] == "cdc"
    assert [j["jobId"] for j in st.get_running_jobs()] == [job_id]
    # the client's stop_job names its flag isStartWithSavePoint and sends it as isStopWithSavePoint
    assert st.stop_job(job_id, isStartWithSavePoint=True) == {"jobId": job_id}
    emu.advance_until("seatunnel", job_id, "SAVEPOINT_DONE")
    assert st.get_job_info(job_id)["jobStatus"] == "SAVEPOINT_DONE"
    assert [j["jobId"] for j in st.get_finished_jobs("SAVEPOINT_DONE")] == [job_id]
    restored = st.submit_job(STREAMING, jobId=job_id, isStartWithSavePoint=True)
    assert restored["jobId"] == job_id
    emu.advance(5)
    assert st.get_job_info(job_id)["jobStatus"] == "RUNNING"
    st.stop_job(job_id)
    emu.advance_until("seatunnel", job_id, "CANCELED")
    assert st.get_job_info(job_id)["jobStatus"] == "CANCELED"


def test_submit_jobs_and_upload(seatunnel, tmp_path):
    emu, st = seatunnel
    cfg = {"env": {"job.mode": "BATCH"}, "source": [{"plugin_name": "FakeSource", "plugin_output": "f",
                                                     "row.num": 5, "schema": {"fields": {"id": "int"}}}],
           "sink": [{"plugin_name": "Console", "plugin_input": ["f"]}]}
    batch = st.submit_jobs([{"params": {"jobId": "11", "jobName": "a"}, **cfg},
                            {"params": {"jobId": "12", "jobName": "b"}, **cfg}])
    assert [(j["jobId"], j["jobName"]) for j in batch] == [("11", "a"), ("12", "b")]
    conf = tmp_path / "job.conf"
    conf.write_text(BATCH)
    up = st.submit_job_upload(str(conf), jobName="uploaded")
    assert up["jobName"] == "uploaded"
    as_json = tmp_path / "job.json"
    as_json.write_text(json.dumps(cfg))
    with open(as_json, "rb") as fh:
        up2 = st.submit_job_upload(fh, jobId=99)
    assert up2["jobId"] == "99"
    emu.advance(60)
    assert {j["jobId"] for j in st.get_finished_jobs("FINISHED")} == {"11", "12", up["jobId"], "99"}


def test_overview_and_monitoring(seatunnel):
    emu, st = seatunnel
    st.submit_job(STREAMING)
    emu.advance(5)
    overview = st.get_overview()
    assert overview["runningJobs"] == "1" and overview["workers"] == "1"
    [member] = st.get_system_monitoring_information()
    assert "processors" in member


def test_errors_are_httpx_status_errors_with_the_engine_body(seatunnel):
    _, st = seatunnel
    with pytest.raises(httpx.HTTPStatusError) as err:
        st.submit_job(BATCH.replace("FakeSource", "FakeSorce"))
    assert err.value.response.status_code == 400
    body = err.value.response.json()
    assert body["status"] == "fail" and "did you mean FakeSource?" in body["message"]
    with pytest.raises(httpx.HTTPStatusError) as err:
        st.get_job_info("abc")
    assert err.value.response.json() == {"status": "fail", "message": 'For input string: "abc"'}
    with pytest.raises(httpx.HTTPStatusError) as err:
        st.submit_job(BATCH, isStartWithSavePoint=True)
    assert err.value.response.json()["message"] == "Please provide jobId when start with save point."


def status_of(st, job_id):
    return lambda: st.get_job_info(job_id)["jobStatus"]


def test_step_clock_the_client_polling_on_its_own_sees_every_state_in_order(seatunnel):
    emu, st = seatunnel
    emu.set_clock("step")
    job_id = st.submit_job(BATCH)["jobId"]
    assert poll_states(status_of(st, job_id), ENDS) == ["PENDING", "RUNNING", "FINISHED"]


def test_step_clock_a_stop_after_the_first_running_poll_always_cancels(seatunnel):
    emu, st = seatunnel
    emu.set_clock("step")
    job_id = st.submit_job(BATCH)["jobId"]
    assert poll_until(status_of(st, job_id), "RUNNING") == ["PENDING", "RUNNING"]
    assert st.stop_job(job_id) == {"jobId": job_id}
    assert poll_states(status_of(st, job_id), ENDS) == ["CANCELING", "CANCELED"]
