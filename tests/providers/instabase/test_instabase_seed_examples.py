"""Each request example of the Instabase Job API seed, run against the emulator with the documented shape."""

import json
import re

from instabase_helpers import AUTH, RUN, run, status

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def test_run_binary_async_returns_job_id_and_output_folder(emu):
    resp = await emu.post("/api/v1/flow/run_binary_async", json=RUN, headers=AUTH)
    body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "OK"
    assert UUID.match(body["data"]["job_id"])
    assert body["data"]["output_folder"] == "jaydoe/my-repo/fs/Instabase Drive/flow/out"


async def test_status_polling_loop_until_done(emu):
    """The seed's polling loop: poll once a second while status OK and state != DONE."""
    job_id = await run(emu)
    seen_progress = []
    polls = 0
    while True:
        resp = await status(emu, job_id)
        still_running = resp["status"] == "OK" and resp["state"] != "DONE"
        if not still_running:
            break
        assert resp["state"] == "PENDING"
        assert "results" not in resp and "finish_timestamp" not in resp
        assert resp["cur"]["finish_timestamp"] is None
        seen_progress.append(resp["cur"]["curProgress"])
        polls += 1
        await emu.advance(1)
    # PENDING 2 s then RUNNING 20 s by default
    assert polls == 22
    assert seen_progress[0] == 0.0
    assert seen_progress == sorted(seen_progress) and seen_progress[-1] > 0.9
    assert resp["status"] == "OK"
    assert resp["msg"] == "Completed single_flow"
    assert resp["job_id"] == job_id
    assert resp["results"] == [{"status": "OK", "output_folder": "jaydoe/my-repo/fs/Instabase Drive/flow/out"}]
    assert resp["is_waiting_for_resources"] is False and resp["binary_mode"] is True
    finish = DEFAULT_MANUAL_START_NS + 22 * NS
    assert resp["finish_timestamp"] == finish and len(str(finish)) == 19
    cur = resp["cur"]
    assert cur["job_id"] == job_id and cur["flow_index"] == 0
    assert cur["status"] == "COMPLETE" and cur["curProgress"] == 1.0 and cur["curMsg"] == "Completed single_flow"
    assert cur["finish_timestamp"] == finish
    assert cur["review_state"] == "NONE" and cur["reviewer"] == ""
    assert cur["flow_job_metrics"] is None and cur["flow_review_metrics"] is None
    summary = cur["run_summary"]
    assert summary["numRuntimeErrors"] == 0 and summary["numCheckpointFailed"] == 0
    assert summary["numRecords"] > 0 and summary["numFiles"] > 0 and summary["recordsWithMsg"] == {}


async def test_cur_status_is_a_json_string_with_the_seed_key_order(emu):
    job_id = await run(emu)
    resp = await emu.get(f"/api/v1/jobs/status?job_id={job_id}&type=flow", headers=AUTH)
    raw = (await resp.json())["cur_status"]
    assert isinstance(raw, str)
    assert raw.startswith('{"job_id": "' + job_id + '", "flow_index": 0, "status": "PENDING", "finish_timestamp": null')
    assert list(json.loads(raw)) == ["job_id", "flow_index", "status", "finish_timestamp", "curProgress", "curMsg",
                                     "reviewer", "review_state", "flow_job_metrics", "flow_review_metrics",
                                     "run_summary"]


async def test_get_logs_example_shape(emu):
    job_id = await run(emu)
    await emu.advance(30)
    resp = await emu.get(f"/api/v1/jobs/get_logs?job_id={job_id}", headers=AUTH)
    body = await resp.json()
    assert resp.status == 200
    logs = body["logs"]
    assert logs[0]["job-id"] == job_id and logs[0]["task-id"] == f"{job_id}-Stage1"
    assert [r["log"] for r in logs[:2]] == ["Starting Task", "Initialized flow datastore"]
    assert logs[0]["level"] == "INFO" and logs[0]["ts"] == "2026-01-01 00:00:00,000"
    assert re.match(r"^[0-9a-f]{16}$", logs[0]["trace_id"]) and re.match(r"^[0-9a-f]{16}$", logs[0]["span_id"])
    assert logs[-1]["log"] == "Completed single_flow" and logs[-1]["ts"] == "2026-01-01 00:00:22,000"
    assert body["next_offset"] == 1


async def test_list_example_filters_and_next_page(emulator_factory):
    emu = await emulator_factory(options={"instabase": {"tokens": "t234=user234|t999=user999"}})
    u234 = {"Authorization": "Bearer t234"}
    first = await run(emu, headers=u234, tags=["foo"])
    second = await run(emu, headers=u234, tags=["bar", "baz"])
    await run(emu, headers=u234, tags=["other"])
    await run(emu, headers={"Authorization": "Bearer t999"}, tags=["foo"])
    await emu.advance(60)
    start = DEFAULT_MANUAL_START_NS // NS
    frm, to = start - 10, start + 604_800 - 10
    url = (f"/api/v1/jobs/list?limit=1&offset=1&from_timestamp={frm}&to_timestamp={to}"
           f"&state=COMPLETE&user=user234&tags=foo,bar")
    resp = await emu.get(url, headers=u234)
    body = await resp.json()
    assert resp.status == 200
    # newest first: `second` (bar) is row 0, `first` (foo) is row 1
    [job] = body["jobs"]
    assert job["job_id"] == first
    assert job["state"] == "COMPLETE" and job["curMsg"] == "Completed single_flow"
    assert job["tags"] == ["foo"] and job["username"] == "user234"
    assert job["flow_type"] == "single_flow" and job["is_flow_v3"] is True
    assert job["source_path"] == job["flow_path"] == RUN["binary_path"]
    assert job["input_folder"] == RUN["input_dir"]
    assert job["start_timestamp"] == start and job["finish_timestamp"] == start + 22
    assert job["runtime_sec"] == 22.0
    assert job["review_state"] == "NONE" and job["flow_pipeline_infos"] == []
    assert set(job["run_summary"]) >= {"recordsWithMsg", "numRecords", "numRuntimeErrors", "numFiles"}
    assert body["next_page"] == ""  # two matches, offset 1 + limit 1: nothing after
    resp = await emu.get(url.replace("offset=1", "offset=0"), headers=u234)
    body = await resp.json()
    assert [j["job_id"] for j in body["jobs"]] == [second]
    assert body["next_page"] == (f"/api/v1/jobs/list?limit=1&offset=1&from_timestamp={frm}&to_timestamp={to}"
                                 f"&state=COMPLETE&user=user234&tags=foo,bar")


async def test_pause_all_example(emu):
    foo = await run(emu, tags=["foo"])
    plain = await run(emu)
    await emu.advance(5)
    start = DEFAULT_MANUAL_START_NS // NS
    resp = await emu.get(f"/api/v1/jobs/pause_all?&from_timestamp={start - 10}&to_timestamp={start + 10}"
                         f"&tags=foo,bar", headers=AUTH)
    assert resp.status == 200
    assert await resp.json() == {"status": "OK"}
    assert (await status(emu, foo))["cur"]["status"] == "PAUSED"
    assert (await status(emu, plain))["cur"]["status"] == "RUNNING"


async def test_update_tags_example(emu):
    job_id = await run(emu, tags=["old"])
    args = {"job_id": job_id, "names": ["tag1", "tag2", "tag3"]}
    resp = await emu.post("/api/v1/jobs/tags", data=json.dumps(args), headers=AUTH)
    assert resp.status == 200
    assert await resp.json() == {"status": "OK", "updated_tags": ["tag1", "tag2", "tag3"]}
    listed = await (await emu.get(f"/api/v1/jobs/list?job_ids={job_id}", headers=AUTH)).json()
    assert listed["jobs"][0]["tags"] == ["tag1", "tag2", "tag3"]
