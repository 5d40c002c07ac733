"""The toolkit on SeaTunnel, Instabase and Streams: scenarios matched on their own fields, faults in their
own error formats, and job timelines keyed by their own ids."""

JOB = {"env": {"job.mode": "STREAMING", "job.name": "orders"},
       "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "schema": {"fields": {"id": "int"}}}],
       "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}
IB = {"binary_path": "u/r/fs/d/f.ibflowbin", "input_dir": "u/r/fs/d/in", "tags": ["nightly"]}


async def control(emu, method, path, body=None, status=200):
    resp = await emu.request(method, f"/_emulator/{path}", json=body)
    assert resp.status == status, await resp.text()
    return await resp.json() if status != 204 else None


async def test_seatunnel_scenario_on_env_path_fault_and_timeline(emu):
    await control(emu, "POST", "scenarios", {"provider": "seatunnel", "match": {"/env/job.name": "orders"},
                                             "outcome": "fail", "at": "RUNNING", "message": "sink unreachable",
                                             "durations": {"RUNNING": 20}}, status=201)
    jid = (await (await emu.post("/submit-job", json=JOB)).json())["jobId"]
    await emu.advance(30)
    info = await (await emu.get(f"/job-info/{jid}")).json()
    assert info["jobStatus"] == "FAILED" and "sink unreachable" in info["errorMsg"]
    await control(emu, "POST", "faults", {"provider": "seatunnel", "path": "/job-info/*", "status": 500,
                                          "message": "Hazelcast instance is not active", "times": 1}, status=201)
    resp = await emu.get(f"/job-info/{jid}")
    assert resp.status == 500
    assert await resp.json() == {"status": "fail", "message": "Hazelcast instance is not active"}
    timeline = (await control(emu, "GET", f"jobs/seatunnel/{jid}/timeline"))["entries"]
    assert [e["to"] for e in timeline if e["kind"] == "transition"] == ["PENDING", "RUNNING", "FAILING", "FAILED"]
    assert timeline[0]["kind"] == "request" and timeline[0]["path"] == "/submit-job"
    assert timeline[-2]["kind"] == "request" and timeline[-2]["fault"] == "f1" and timeline[-2]["status"] == 500
    assert timeline[-1]["kind"] == "fault" and timeline[-1]["rule"] == "f1"


async def test_instabase_scenario_on_tags_and_fault_in_its_envelope(emu):
    await control(emu, "POST", "scenarios", {"provider": "instabase", "match": {"tags": "nightly"},
                                             "outcome": "hang", "at": "RUNNING"}, status=201)
    resp = await emu.post("/api/v1/flow/run_binary_async", json=IB)
    job_id = (await resp.json())["data"]["job_id"]
    await emu.advance(3600)
    view = await control(emu, "GET", f"jobs/instabase/{job_id}")
    assert view["state"] == "RUNNING" and view["next"] is None
    await control(emu, "POST", "faults", {"provider": "instabase", "path": "/api/v1/jobs/status", "status": 503,
                                          "message": "service unavailable"}, status=201)
    resp = await emu.get(f"/api/v1/jobs/status?job_id={job_id}")
    assert resp.status == 503
    body = await resp.json()
    assert body["status"] == "ERROR" and body["msg"] == "service unavailable"
    polls = (await control(emu, "GET", f"requests?kind=request&provider=instabase&job={job_id}&status=503"))["count"]
    assert polls == 1


async def test_streams_flap_scenario_and_timeline_by_instance_key(emu):
    await control(emu, "POST", "scenarios", {"provider": "streams", "match": {"name": "flappy"}, "outcome": "flap",
                                             "at": "healthy", "to": "partiallyHealthy", "times": 1, "every": 10},
                  status=201)
    resp = await emu.post("/streams/instances/inst1/jobs", json={
        "application": "https://example.test/app.sab",
        "jobConfigurationOverlay": {"jobConfigOverlays": [{"jobConfig": {"jobName": "flappy"}}]}})
    jid = (await resp.json())["id"]
    seen = []
    for _ in range(8):
        await emu.advance(5)
        seen.append((await (await emu.get(f"/streams/instances/inst1/jobs/{jid}")).json())["health"])
    assert seen == ["healthy", "healthy", "partiallyHealthy", "partiallyHealthy", "healthy", "healthy",
                    "healthy", "healthy"]
    timeline = (await control(emu, "GET", f"jobs/streams/inst1%2F{jid}/timeline"))["entries"]
    gets = [e for e in timeline if e["kind"] == "request" and e["method"] == "GET"]
    assert len(gets) == 8
