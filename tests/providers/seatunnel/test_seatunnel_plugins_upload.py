"""Plugin names the engine does not have (the seed's error table: 400; the 2.3.9 engine: 500) and the newer
engines' `POST /submit-job/upload` (multipart part `config_file`), pinned on the wire."""

import json

import aiohttp
import pytest

from tests.providers.seatunnel.seatunnel_helpers import etl


def misspelled():
    cfg = etl()
    cfg["source"][0]["plugin_name"] = "FakeSorce"
    return cfg


async def test_unknown_plugin_is_a_400_naming_the_field_and_the_nearest_name(emu):
    resp = await emu.post("/submit-job", json=misspelled())
    assert resp.status == 400
    body = await resp.json()
    assert body["status"] == "fail"
    assert body["message"].startswith("source[0]: plugin_name 'FakeSorce' is not a known source plugin; "
                                      "did you mean FakeSource?")
    assert (await (await emu.get("/running-jobs")).json()) == []  # nothing was submitted


async def test_plugin_names_match_case_insensitively_and_by_section(emu):
    cfg = etl()
    cfg["sink"][0]["plugin_name"] = "console"
    assert (await emu.post("/submit-job", json=cfg)).status == 200
    cfg = etl()
    cfg["sink"][0]["plugin_name"] = "FakeSource"  # a source is not a sink
    resp = await emu.post("/submit-job", json=cfg)
    assert resp.status == 400 and "not a known sink plugin" in (await resp.json())["message"]


async def test_unknown_plugin_in_a_batch_refuses_the_whole_batch(emu):
    resp = await emu.post("/submit-jobs", json=[etl(), misspelled()])
    assert resp.status == 400 and (await resp.json())["message"].startswith("[1] source[0]: plugin_name")
    assert (await (await emu.get("/running-jobs")).json()) == []


async def test_engine_239_answers_unknown_plugin_with_500(emulator_factory):
    emu = await emulator_factory(profiles={"seatunnel": "engine-2.3.9"})
    resp = await emu.post("/submit-job", json=misspelled())
    assert resp.status == 500 and "FakeSorce" in (await resp.json())["message"]


async def test_extra_plugins_option_accepts_a_deployments_own_connector(emulator_factory):
    emu = await emulator_factory(options={"seatunnel": {"extra_plugins": "AcmeSource|AcmeSink"}})
    cfg = etl()
    cfg["source"][0]["plugin_name"] = "AcmeSource"
    assert (await emu.post("/submit-job", json=cfg)).status == 200


def form(name, filename, data, content_type="application/octet-stream"):
    fd = aiohttp.FormData()
    fd.add_field(name, data, filename=filename, content_type=content_type)
    return fd


HOCON = b"""env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 10, schema = { fields { id = "int" } } } }
sink { Console { plugin_input = ["fake"] } }
"""


async def test_upload_a_json_file_submits_it(emu):
    resp = await emu.post("/submit-job/upload?jobName=from-file", data=form("config_file", "job.json",
                                                                             json.dumps(etl()).encode()))
    assert resp.status == 200
    out = await resp.json()
    assert out["jobName"] == "from-file" and out["jobId"].isdigit()
    await emu.advance(30)
    info = await (await emu.get(f"/job-info/{out['jobId']}")).json()
    assert info["jobStatus"] == "FINISHED" and info["metrics"]["SourceReceivedCount"] == "100"


async def test_upload_a_hocon_conf_file_and_restart_from_savepoint_by_id(emu):
    resp = await emu.post("/submit-job/upload?jobId=123", data=form("config_file", "job.conf", HOCON))
    assert resp.status == 200 and (await resp.json())["jobId"] == "123"
    info = await (await emu.get("/job-info/123")).json()
    assert [v["vertexName"] for v in info["jobDag"]["vertexInfoMap"]] == ["Source[0]-FakeSource",
                                                                          "Sink[0]-Console"]


@pytest.mark.parametrize(("make", "needle"), [
    (lambda: form("file", "job.json", b"{}"), "no config_file part (parts: file)"),
    (lambda: form("config_file", "job.sql", b"select 1"), "cannot tell its format from the name"),
    (lambda: form("config_file", "job.json", b"{bad"), "Invalid JSON format in request body."),
    (lambda: form("config_file", "job.json", json.dumps(misspelled()).encode()), "plugin_name 'FakeSorce'"),
])
async def test_upload_mistakes_are_400_naming_what_is_wrong(emu, make, needle):
    resp = await emu.post("/submit-job/upload", data=make())
    assert resp.status == 400
    assert needle in (await resp.json())["message"]


async def test_upload_that_is_not_multipart_is_a_400(emu):
    resp = await emu.post("/submit-job/upload", json=etl())
    assert resp.status == 400 and "multipart/form-data" in (await resp.json())["message"]
