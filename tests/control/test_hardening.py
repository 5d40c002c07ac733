"""Inputs that once broke the server (found by review and fuzzing) now get a clear 4xx in the right format."""

import json

BAC = "/api/v1/orchestrator/jobs"
JOB = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}


async def test_snapshot_cannot_name_arbitrary_callables(emu, tmp_path):
    target = tmp_path / "written.json"
    snap = await (await emu.get("/_emulator/snapshot")).json()
    await emu.put(BAC, json=JOB)
    before = await (await emu.get(BAC)).read()
    snap["state"] = {"x": {"__dataclass__": "emulator.core.snapshot:save_file",
                            "fields": {"sessions": [], "path": str(target)}}}
    resp = await emu.post("/_emulator/snapshot", json=snap)
    assert resp.status == 400 and "not restorable state" in (await resp.json())["error"]["message"]
    assert not target.exists()
    assert await (await emu.get(BAC)).read() == before   # a refused import leaves the session as it was


async def test_flap_and_duration_bounds(emu):
    resp = await emu.post("/_emulator/scenarios", json={"outcome": "flap", "at": "Running", "to": "Pending",
                                                        "times": 100000000, "every": 1e-300})
    assert resp.status == 400
    for header, names in (("flap; at=Running; to=Pending; times=5; every=0", "X-Emulator-Outcome: every"),
                          ("succeed; Running=inf", "X-Emulator-Outcome: Running"),
                          ("succeed; Running=nan", "X-Emulator-Outcome: Running"),
                          ("fail; at=Running; Running=-3", "X-Emulator-Outcome: Running")):
        resp = await emu.put(BAC, json=JOB, headers={"X-Emulator-Outcome": header})
        assert resp.status == 400, header
        assert (await resp.json())["message"].startswith(names), header
    held = (await (await emu.get("/_emulator/health")).json())["jobs_by_provider"]["bacalhau"]
    assert held == 0  # none of the refused submits left a job behind


async def test_non_finite_and_deeply_nested_json_are_400(emu):
    for raw in (b'{"seconds": NaN}', b'{"seconds": Infinity}', b'{"seconds": 1e999}'):
        resp = await emu.post("/_emulator/clock/advance", data=raw)
        assert resp.status == 400, raw
    resp = await emu.put(BAC, data=b"[" * 100_000)
    assert resp.status == 400
    assert (await resp.json())["message"] == "request body is nested too deeply"


async def test_session_key_with_control_characters_is_400(emu):
    resp = await emu.get("/_session/a%0D%0AX-Evil:%201/_emulator/health")
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "X-Emulator-Session"
    names = [s["key"] for s in (await (await emu.get("/_emulator/sessions")).json())["sessions"]]
    assert all("\n" not in n and "\r" not in n for n in names)


async def test_sessions_are_bounded_least_recently_used_first(emulator_factory):
    emu = await emulator_factory(max_sessions=3)
    for key in ("a", "b", "c", "d"):
        assert (await emu.post("/_emulator/sessions", json={"key": key})).status == 201
    keys = [s["key"] for s in (await (await emu.get("/_emulator/sessions")).json())["sessions"]]
    assert sorted(keys) == ["c", "d", "default"]


async def test_scenario_naming_states_of_another_provider_passes_other_jobs_by(emu):
    rule = await (await emu.post("/_emulator/scenarios", json={"outcome": "hang", "at": "DOING_SAVEPOINT"})).json()
    resp = await emu.put(BAC, json=JOB)
    assert resp.status == 200
    job_id = (await resp.json())["JobID"]
    view = await (await emu.get(f"/_emulator/jobs/bacalhau/{job_id}")).json()
    assert view["fate"] is None  # the SeaTunnel-only state made the rule pass this Bacalhau job by
    await emu.advance(10)
    assert (await (await emu.get(f"{BAC}/{job_id}")).json())["Job"]["State"]["StateType"] == "Completed"
    assert rule["outcome"] == "hang" and rule["at"] == "DOING_SAVEPOINT"


async def test_head_and_unknown_routes_answer_in_the_providers_format(emu):
    resp = await emu.head(BAC)
    assert resp.status == 200 and await resp.read() == b""
    resp = await emu.get("/api/v1/orchestrator/nope")
    assert resp.status == 404
    body = await resp.json()
    assert body["message"].startswith("The requested resource was not found") and body["error"].startswith("code=404")
    resp = await emu.patch(BAC)
    assert resp.status == 405 and (await resp.json())["error"].startswith("code=405")
    resp = await emu.get("/compute/orgs/8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70/x/y/z/w/v")
    body = await resp.json()
    assert resp.status == 404 and body["status"] == 404 and body["title"]


async def test_instabase_list_with_limit_zero(emu):
    await emu.post("/api/v1/flow/run_binary_async", json={"binary_path": "a/b.ibflowbin", "input_dir": "a/in"})
    for query in ("limit=0", "limit=0&offset=1"):
        resp = await emu.get(f"/api/v1/jobs/list?{query}")
        assert resp.status == 200
        assert json.loads(await resp.read()) == {"jobs": [], "next_page": ""}   # no page, no endless next_page


async def test_seatunnel_ids_take_ascii_digits_only_and_deep_json_is_400(emu):
    resp = await emu.get("/job-info/%C2%B2")
    assert resp.status == 400 and await resp.json() == {"status": "fail", "message": 'For input string: "²"'}
    resp = await emu.post("/stop-job", json={"jobId": "²"})
    assert resp.status == 400
    resp = await emu.post("/submit-job", data=b"[" * 100_000)
    assert resp.status == 400 and (await resp.json())["message"] == "Invalid JSON format in request body."


async def test_bacalhau_count_is_bounded(emu):
    job = json.loads(json.dumps(JOB))
    job["Job"]["Count"] = 1001
    resp = await emu.put(BAC, json=job)
    assert resp.status == 400
    assert "job count must be <= 1000" in (await resp.json())["message"]
