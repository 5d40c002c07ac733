"""Input that once broke a session (a stored value failing every later read) or answered 500: refused at the
door with a 4xx in the API's own format naming the field, and the session still answers afterwards."""

import asyncio
import json

import pytest

BAC = "/api/v1/orchestrator/jobs"
IB_RUN = "/api/v1/flow/run_binary_async"
TASK = "/compute/orgs/8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
STREAMS_JOBS = "/streams/rest/instances/inst1/jobs"


def bacalhau_job(name="n", entrypoint=None):
    task = {"Name": "t", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu"}}}
    if entrypoint is not None:
        task["Engine"]["Params"]["Entrypoint"] = entrypoint
    return {"Job": {"Name": name, "Type": "batch", "Tasks": [task]}}


async def job_counts(emu) -> dict:
    return (await (await emu.get("/_emulator/health")).json())["jobs_by_provider"]


async def test_lone_surrogate_in_bacalhau_submit_is_400_naming_the_field_and_the_session_still_reads(emu):
    raw = b'{"Job": {"Name": "x\\ud800", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}'
    resp = await emu.put(BAC, data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["message"] == "Job.Name: text is not valid Unicode (a lone surrogate)"
    # the same surrogate as raw UTF-8 bytes (json.loads lets those through too)
    resp = await emu.put(BAC, data=raw.replace(b"\\ud800", b"\xed\xa0\x80"),
                         headers={"Content-Type": "application/json"})
    assert resp.status == 400 and "Job.Name" in (await resp.json())["message"]
    assert (await job_counts(emu))["bacalhau"] == 0
    assert (await emu.get(BAC)).status == 200
    assert (await emu.get("/_emulator/snapshot")).status == 200
    # a valid surrogate pair is an ordinary character
    resp = await emu.put(BAC, data=raw.replace(b"\\ud800", b"\\ud83d\\ude00"),
                         headers={"Content-Type": "application/json"})
    assert resp.status == 200
    job_id = (await resp.json())["JobID"]
    got = await (await emu.get(f"{BAC}/{job_id}")).json()
    assert got["Job"]["Name"] == "x\U0001F600"


async def test_lone_surrogate_in_streams_and_seatunnel_submits_creates_no_job(emu):
    resp = await emu.post(STREAMS_JOBS, data=b'{"application": "https://x/\\udc00.sab"}',
                          headers={"Content-Type": "application/json"})
    assert resp.status == 400, await resp.text()
    assert "application" in (await resp.json())["message"]
    resp = await emu.post("/submit-job", data=b'{"env": {"job.name": "\\ud800"}, "source": [], "sink": []}',
                          headers={"Content-Type": "application/json"})
    assert resp.status == 400 and (await resp.json())["status"] == "fail"  # the engine's own wording
    hocon = b'env { job.name = "\\ud800" }\nsource { FakeSource {} }\nsink { Console {} }'
    resp = await emu.post("/submit-job?format=hocon", data=hocon, headers={"Content-Type": "text/plain"})
    assert resp.status == 400
    assert (await resp.json())["message"] == "env.job.name: text is not valid Unicode (a lone surrogate)"
    counts = await job_counts(emu)
    assert counts["streams"] == 0 and counts["seatunnel"] == 0


async def raw_request(emu, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes no HTTP client library would (a header that is not UTF-8); returns (status, body)."""
    server = emu.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(head + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


async def test_header_that_is_not_utf8_is_400_naming_it(emu):
    body = json.dumps(bacalhau_job()).encode()
    status, text = await raw_request(emu, b"PUT " + BAC.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                                     b"Content-Type: application/json\r\n"
                                     b"X-Emulator-Outcome: fail; at=Running; message=\xed\xa0\x80\r\n", body)
    assert status == 400
    assert json.loads(text)["message"] == "header X-Emulator-Outcome is not valid UTF-8"
    assert (await job_counts(emu))["bacalhau"] == 0
    assert (await emu.get(BAC)).status == 200


@pytest.mark.parametrize(("entrypoint", "field"), [([{}], "Entrypoint[0]"), ([1], "Entrypoint[0]"),
                                                    (5, "Entrypoint")])
async def test_bacalhau_entrypoint_of_the_wrong_type_is_400(emu, entrypoint, field):
    resp = await emu.put(BAC, json=bacalhau_job(entrypoint=entrypoint))
    assert resp.status == 400
    assert (await resp.json())["message"].startswith(f"Job.Tasks[0].Engine.Params.{field}: ")


@pytest.mark.parametrize(("settings", "field"), [({"tags": 1.5}, "settings.tags"),
                                                 ({"priority": "high"}, "settings.priority"),
                                                 ({"pipeline_ids": {"a": 1}}, "settings.pipeline_ids")])
async def test_instabase_settings_of_the_wrong_type_are_400_and_the_list_still_answers(emu, settings, field):
    resp = await emu.post(IB_RUN, json={"binary_path": "a/b.ibflowbin", "input_dir": "a/in", "settings": settings})
    assert resp.status == 400
    body = await resp.json()
    assert body["status"] == "ERROR" and body["msg"].startswith(f"{field}: ")
    resp = await emu.get("/api/v1/jobs/list")
    assert resp.status == 200 and (await resp.json())["jobs"] == []


@pytest.mark.parametrize("text", ["env { job.mode = BATCH }\n" + "a {" * 900 + "}" * 900,
                                  "a = " + "[" * 900 + "]" * 900, "x." * 900 + "x = 1"])
async def test_hocon_nested_too_deep_is_400(emu, text):
    resp = await emu.post("/submit-job?format=hocon", data=text.encode(), headers={"Content-Type": "text/plain"})
    assert resp.status == 400
    body = await resp.json()
    assert body["status"] == "fail" and "deeper than 100 levels" in body["message"]


async def test_task_api_path_with_a_control_character_is_refused_without_creating_a_job(emu):
    resp = await emu.post(f"{TASK}/a%0Ab/kriging", json={"parameters": {"source": "grade"}},
                          headers={"Authorization": "Bearer t"})
    assert resp.status == 422
    body = await resp.json()
    assert body["detail"] == "path parameter topic contains a control character"
    assert (await job_counts(emu))["taskapi"] == 0


async def test_query_numbers_take_ascii_digits_only(emu):
    resp = await emu.get(BAC, params={"limit": "\u0663"})
    assert resp.status == 400
    assert "limit" in (await resp.json())["message"]
    resp = await emu.get(BAC, params={"limit": "3"})
    assert resp.status == 200


async def test_a_body_that_stalls_is_408_and_leaves_no_job(emulator_factory):
    emu = await emulator_factory(body_timeout=0.2)
    server = emu.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(b"PUT " + BAC.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"Job\": ")  # and then nothing more: the server's bound answers
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert data.startswith(b"HTTP/1.1 408")
    assert b"request body did not arrive within 0.2 s (--body-timeout); 8 bytes came" in data
    assert (await job_counts(emu))["bacalhau"] == 0


def test_timeouts_are_settings_with_bounds():
    from emulator.config import ConfigError, load

    s = load({"idle_timeout": "5", "body_timeout": "2.5"}, env={})
    assert (s.idle_timeout, s.body_timeout) == (5.0, 2.5)
    with pytest.raises(ConfigError, match="body_timeout must be > 0"):
        load({"body_timeout": "0"}, env={})
