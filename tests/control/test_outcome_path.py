"""One outcome path: scenario rules are checked against the providers when they are added, apply only to jobs
whose graph has their states, and match on one vocabulary (common keys plus each provider's own)."""

import re

BAC = "/api/v1/orchestrator/jobs"
BJOB = {"Job": {"Name": "broken", "Type": "batch", "Labels": {"tier": "gold"},
                "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
ST = {"env": {"job.mode": "BATCH", "job.name": "broken"},
      "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                  "schema": {"fields": {"id": "int"}}}],
      "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}
IB = {"binary_path": "u/r/fs/d/f.ibflowbin", "input_dir": "u/r/fs/d/in", "tags": ["nightly"]}
TASK = "/compute/orgs/8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70/geo/kriging"


async def add_rule(emu, body, status=201):
    resp = await emu.post("/_emulator/scenarios", json=body)
    data = await resp.json()
    assert resp.status == status, data
    return data


async def bac_state(emu, job_id):
    return (await (await emu.get(f"{BAC}/{job_id}")).json())["Job"]["State"]["StateType"]


async def test_misspelled_state_of_a_named_provider_is_refused_naming_its_states(emu):
    body = await add_rule(emu, {"provider": "bacalhau", "outcome": "fail", "at": "Runing"}, status=400)
    assert body["error"]["field"] == "at"
    assert body["error"]["message"] == ("scenario s1: 'Runing' is not a bacalhau state; states: Pending, Running, "
                                        "Completed, Failed, Stopped, Queued")
    assert (await (await emu.get("/_emulator/scenarios")).json())["scenarios"] == []
    body = await add_rule(emu, {"provider": "seatunnel", "outcome": "succeed", "durations": {"RUNING": 3}},
                          status=400)
    assert body["error"]["field"] == "durations" and "'RUNING' is not a seatunnel state" in body["error"]["message"]


async def test_state_no_provider_has_is_refused_naming_each_providers_states(emu):
    body = await add_rule(emu, {"outcome": "hang", "at": "Runing"}, status=400)
    msg = body["error"]["message"]
    assert msg.startswith("scenario s1: no enabled provider has state 'Runing'; states: streams: unknown, "
                          "partiallyHealthy,")
    assert "; bacalhau: Pending, Running, Completed" in msg
    assert "taskapi: requested, in progress" in msg and body["error"]["field"] == "at"


async def test_rule_without_provider_fails_only_the_jobs_whose_graph_has_its_state(emu):
    rule = await add_rule(emu, {"outcome": "fail", "at": "Completed", "message": "late failure"})
    resp = await emu.post("/submit-job", json=ST)
    assert resp.status == 200, await resp.text()   # was: 400 about an X-Emulator-Outcome header never sent
    st_id = (await resp.json())["jobId"]
    b_id = (await (await emu.put(BAC, json=BJOB)).json())["JobID"]
    await emu.advance(600)
    assert (await (await emu.get(f"/job-info/{st_id}")).json())["jobStatus"] == "FINISHED"
    assert await bac_state(emu, b_id) == "Failed"
    rules = (await (await emu.get("/_emulator/scenarios")).json())["scenarios"]
    assert [(r["id"], r["matched"]) for r in rules] == [(rule["id"], 1)]   # the SeaTunnel job was not counted


async def test_the_readme_name_key_matches_a_seatunnel_job(emu):
    await add_rule(emu, {"provider": "seatunnel", "match": {"name": "broken"}, "outcome": "fail", "at": "RUNNING",
                         "message": "sink down"})
    await add_rule(emu, {"match": {"type": "STREAMING"}, "outcome": "hang", "at": "PENDING"})
    jid = (await (await emu.post("/submit-job", json=ST)).json())["jobId"]
    streaming = {**ST, "env": {"job.mode": "STREAMING", "job.name": "other"}}
    sid = (await (await emu.post("/submit-job", json=streaming)).json())["jobId"]
    await emu.advance(600)
    info = await (await emu.get(f"/job-info/{jid}")).json()
    assert info["jobStatus"] == "FAILED" and "sink down" in info["errorMsg"]
    assert (await (await emu.get(f"/job-info/{sid}")).json())["jobStatus"] == "PENDING"


async def test_labels_match_instabase_tags_and_bacalhau_labels(emu):
    await add_rule(emu, {"match": {"labels": "nightly"}, "outcome": "hang", "at": "RUNNING"})
    await add_rule(emu, {"provider": "bacalhau", "match": {"labels": {"tier": "gold"}}, "outcome": "hang",
                         "at": "Pending"})
    job_id = (await (await emu.post("/api/v1/flow/run_binary_async", json=IB)).json())["data"]["job_id"]
    b_id = (await (await emu.put(BAC, json=BJOB)).json())["JobID"]
    await emu.advance(3600)
    assert (await (await emu.get(f"/_emulator/jobs/instabase/{job_id}")).json())["state"] == "RUNNING"
    assert await bac_state(emu, b_id) == "Pending"


async def test_task_api_type_is_topic_slash_task(emu):
    await add_rule(emu, {"provider": "taskapi", "match": {"type": "geo/kriging"}, "outcome": "fail",
                         "at": "running", "message": "no convergence"})
    resp = await emu.post(TASK, json={"parameters": {}}, allow_redirects=False)
    job_id = re.search(r"/([0-9a-f-]{36})/status$", resp.headers["Location"]).group(1)
    await emu.advance(600)
    view = await (await emu.get(f"/_emulator/jobs/taskapi/{job_id}")).json()
    assert view["state"] == "failed" and view["fate"]["at"] == "in progress"   # the alias, spelled as declared


async def test_unknown_match_key_is_refused_naming_the_keys_the_provider_accepts(emu):
    body = await add_rule(emu, {"provider": "instabase", "match": {"name": "x"}, "outcome": "hang",
                                "at": "RUNNING"}, status=400)
    assert body["error"]["field"] == "match"
    assert body["error"]["message"] == ("scenario s1: instabase has no match key 'name'; it accepts labels, tags, "
                                        "binary_path, input_dir, priority, username or a body path such as /a/b")
    body = await add_rule(emu, {"match": {"nmae": "x"}, "outcome": "hang", "at": "Running"}, status=400)
    assert body["error"]["field"] == "match" and "bacalhau: name, labels, type, namespace" in body["error"]["message"]
    await add_rule(emu, {"provider": "instabase", "match": {"/input_dir": "u/r/fs/d/in"}, "outcome": "succeed"})


async def test_header_state_unknown_to_the_job_is_still_a_400_and_names_the_header(emu):
    resp = await emu.post("/submit-job", json=ST, headers={"X-Emulator-Outcome": "fail; at=Completed"})
    body = await resp.json()
    assert resp.status == 400
    assert body["message"] == ("X-Emulator-Outcome: 'Completed' is not a state of this job; states: INITIALIZING, "
                               "CREATED, PENDING, SCHEDULED, RUNNING, FAILING, FAILED, DOING_SAVEPOINT, "
                               "SAVEPOINT_DONE, CANCELING, CANCELED, FINISHED, UNKNOWABLE")


async def test_instabase_fail_to_checkpoint_lands_in_stopped_at_checkpoint(emu):
    resp = await emu.post("/api/v1/flow/run_binary_async", json=IB,
                          headers={"X-Emulator-Outcome": "fail; at=RUNNING; to=STOPPED_AT_CHECKPOINT"})
    job_id = (await resp.json())["data"]["job_id"]
    await emu.advance(600)
    assert (await (await emu.get(f"/_emulator/jobs/instabase/{job_id}")).json())["state"] == "STOPPED_AT_CHECKPOINT"


def test_rule_schemas_follow_the_fate_table_and_bounds():
    import json
    from pathlib import Path

    from emulator.core import fates

    root = Path(__file__).resolve().parents[2] / "schemas" / "control"
    request = json.loads((root / "scenario.request.json").read_text())
    response = json.loads((root / "scenario.response.json").read_text())
    assert request["properties"]["outcome"]["enum"] == list(fates.KINDS)
    assert response["properties"]["outcome"]["enum"] == list(fates.KINDS)
    assert request["properties"]["times"]["maximum"] == fates.MAX_FLAPS
    assert request["properties"]["every"]["minimum"] == fates.MIN_FLAP_EVERY
    assert request["properties"]["durations"]["additionalProperties"]["maximum"] == fates.MAX_DURATION


async def test_control_openapi_describes_rule_bodies_without_a_bare_object(emu):
    doc = await (await emu.get("/_emulator/openapi/control.json")).json()

    def bare(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and not ({"properties", "additionalProperties", "$ref"} & set(node)):
                yield path
            for k, v in node.items():
                yield from bare(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from bare(v, f"{path}/{i}")

    bare_rules = [p for p in bare(doc["components"]["schemas"], "") if p.split("/")[1].startswith("scenario")]
    assert bare_rules == []
    match = doc["components"]["schemas"]["scenario.request"]["properties"]["match"]
    assert match["additionalProperties"]["type"] == ["string", "number", "integer", "boolean", "array", "object",
                                                     "null"]
