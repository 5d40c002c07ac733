"""Bad input in Instabase's error envelope, log paging as the job advances, and seed determinism."""

import json

from instabase_helpers import AUTH, RUN, action, run, status


async def _post_run(emu, data, headers=None):
    resp = await emu.post("/api/v1/flow/run_binary_async", data=data,
                          headers={**AUTH, "Content-Type": "application/json", **(headers or {})})
    return resp.status, await resp.json()


async def test_run_rejects_malformed_and_incomplete_bodies(emu):
    code, body = await _post_run(emu, b"{not json")
    assert code == 400 and body["status"] == "ERROR" and body["msg"].startswith("request body is not valid JSON")
    code, body = await _post_run(emu, json.dumps({"input_dir": "x"}))
    assert (code, body) == (400, {"status": "ERROR", "msg": "binary_path is required"})
    code, body = await _post_run(emu, json.dumps({**RUN, "priority": "high"}))
    assert code == 400 and body["msg"].startswith("priority:")
    code, body = await _post_run(emu, json.dumps({**RUN, "settings": []}))
    assert code == 400 and body["msg"].startswith("settings:")
    code, body = await _post_run(emu, b"")
    assert code == 400 and "binary_path and input_dir" in body["msg"]


async def test_run_accepts_args_in_instabase_api_args_header(emu):
    resp = await emu.post("/api/v1/flow/run_binary_async", headers={**AUTH, "Instabase-API-Args": json.dumps(RUN)})
    body = await resp.json()
    assert resp.status == 200 and body["data"]["output_folder"] == RUN["input_dir"] + "/out"


async def test_run_keeps_spec_and_output_has_run_id(emu):
    job_id = await run(emu, settings={"output_has_run_id": True}, post_flow_fn="notify")
    job = emu.session.store("instabase").get(job_id)
    assert job.spec == {**RUN, "settings": {"output_has_run_id": True}, "post_flow_fn": "notify"}
    assert job.data["output_folder"] == f"{RUN['input_dir']}/out-{job_id}"


async def test_run_rejects_huge_body_with_413(emulator_factory):
    emu = await emulator_factory(max_body=1000)
    code, body = await _post_run(emu, json.dumps({**RUN, "settings": {"pad": "x" * 2000}}))
    assert code == 413 and body["status"] == "ERROR" and "exceeds the limit" in body["msg"]


async def test_outcome_states_are_case_insensitive_and_unknown_ones_a_400(emu):
    code, body = await _post_run(emu, json.dumps(RUN), headers={"X-Emulator-Outcome": "fail; at=Bogus"})
    assert code == 400 and "'Bogus'" in body["msg"] and "STOPPED_AT_CHECKPOINT" in body["msg"]
    code, body = await _post_run(emu, json.dumps(RUN),
                                 headers={"X-Emulator-Outcome": "fail; at=running; to=stopped_at_checkpoint"})
    assert code == 200
    await emu.advance(30)
    assert (await status(emu, body["data"]["job_id"]))["cur"]["status"] == "STOPPED_AT_CHECKPOINT"


async def test_unknown_job_id_is_404_naming_the_id(emu):
    for name in ("status", "get_logs", "pause", "resume", "cancel", "retry"):
        extra = "&type=flow" if name == "status" else ""
        resp = await emu.get(f"/api/v1/jobs/{name}?job_id=nope{extra}", headers=AUTH)
        assert resp.status == 404
        assert await resp.json() == {"status": "ERROR", "msg": "job nope not found"}
    resp = await emu.post("/api/v1/jobs/tags", json={"job_id": "nope", "names": ["a"]}, headers=AUTH)
    assert resp.status == 404 and (await resp.json())["msg"] == "job nope not found"


async def test_missing_job_id_and_bad_enums_are_400(emu):
    assert await action(emu, "pause") == (400, {"status": "ERROR", "msg": "job_id is required"})
    job_id = await run(emu)
    code, body = await action(emu, "retry", job_id=job_id, type="everything")
    assert code == 400 and body["msg"].startswith("query parameter type must be one of all, checkpoint_failure")
    resp = await emu.get(f"/api/v1/jobs/status?job_id={job_id}&type=bogus", headers=AUTH)
    assert resp.status == 400 and "type" in (await resp.json())["msg"]
    resp = await emu.post("/api/v1/jobs/tags", json={"names": ["a"]}, headers=AUTH)
    assert resp.status == 400 and await resp.json() == {"status": "ERROR", "msg": "job_id is required"}
    resp = await emu.post("/api/v1/jobs/tags", json={"job_id": job_id, "names": [1]}, headers=AUTH)
    assert resp.status == 400 and (await resp.json())["msg"].startswith("names")


async def test_tags_accept_comma_string(emu):
    job_id = await run(emu)
    resp = await emu.post("/api/v1/jobs/tags", json={"job_id": job_id, "names": "a,b"}, headers=AUTH)
    assert await resp.json() == {"status": "OK", "updated_tags": ["a", "b"]}


async def test_logs_appear_as_the_job_runs_and_page_by_offset(emulator_factory):
    emu = await emulator_factory(options={"instabase": {"log_page_size": "3"}})
    job_id = await run(emu)

    async def logs(offset=0):
        resp = await emu.get(f"/api/v1/jobs/get_logs?job_id={job_id}&offset={offset}", headers=AUTH)
        return await resp.json()

    first = await logs()
    assert [r["log"] for r in first["logs"]] == ["Starting Task", "Initialized flow datastore"]
    assert first["next_offset"] == 1
    await emu.advance(3)
    grown = await logs()
    assert len(grown["logs"]) == 3 and grown["logs"][2]["log"].startswith("Running flow single.ibflowbin")
    await emu.advance(30)
    pages, offset = [], 0
    while True:
        page = await logs(offset)
        if not page["logs"]:
            assert page["next_offset"] == offset
            break
        pages.extend(page["logs"])
        assert page["next_offset"] == offset + 1
        offset = page["next_offset"]
    text = [r["log"] for r in pages]
    files = emu.session.store("instabase").get(job_id).data["files"]
    assert text[3:3 + len(files)] == [f"Processing file {f}" for f in files]
    assert text[-1] == "Completed single_flow"
    stamps = [r["ts"] for r in pages]
    assert stamps == sorted(stamps)


async def test_pause_and_resume_show_in_logs(emu):
    job_id = await run(emu)
    await emu.advance(5)
    await action(emu, "pause", job_id=job_id)
    await emu.advance(5)
    await action(emu, "resume", job_id=job_id)
    resp = await emu.get(f"/api/v1/jobs/get_logs?job_id={job_id}", headers=AUTH)
    text = [r["log"] for r in (await resp.json())["logs"]]
    assert "Paused flow" in text and text[-1] == "Resumed flow single.ibflowbin"


async def test_same_seed_same_requests_same_bytes(emulator_factory):
    outputs = []
    for _ in range(2):
        emu = await emulator_factory()
        job_id = await run(emu, tags=["t"])
        await emu.advance(7)
        body = await status(emu, job_id)
        logs = await (await emu.get(f"/api/v1/jobs/get_logs?job_id={job_id}", headers=AUTH)).read()
        listed = await (await emu.get("/api/v1/jobs/list", headers=AUTH)).read()
        outputs.append((job_id, body["cur_status"], logs, listed))
    assert outputs[0] == outputs[1]
