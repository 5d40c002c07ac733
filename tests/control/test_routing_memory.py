"""The router remembers where a (method, path) led (emulator/web/router.py): every later request on that path
must still get its own route and its own path parameters, and the memory stays within PATH_LIMIT."""

from emulator.web import router

JOB = {"Job": {"Name": "r", "Type": "batch", "Count": 1,
               "Tasks": [{"Name": "main", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu:latest"}}}]}}
JOBS = "/api/v1/orchestrator/jobs"


async def _submit(emu) -> str:
    resp = await emu.put(JOBS, json=JOB)
    assert resp.status == 200, await resp.text()
    return (await resp.json())["JobID"]


async def _job_id_at(emu, path: str) -> str:
    resp = await emu.get(path)
    assert resp.status == 200, await resp.text()
    return (await resp.json())["Job"]["ID"]


async def test_a_remembered_path_still_answers_each_job_and_method_its_own(emu):
    a, b = await _submit(emu), await _submit(emu)
    for _ in range(2):  # the second round is answered from the router's memory
        assert await _job_id_at(emu, f"{JOBS}/{a}") == a
        assert await _job_id_at(emu, f"{JOBS}/{b}") == b
    assert ("GET", f"{JOBS}/{a}") in emu.app.router._paths
    # the same path with another method takes that method's route (a stop), not the remembered GET
    resp = await emu.delete(f"{JOBS}/{a}")
    assert resp.status == 200 and "EvaluationID" in await resp.json()
    # a method the path lacks is the provider's 405, the same when it is answered from memory
    for _ in range(2):
        resp = await emu.put(f"{JOBS}/{b}/history")
        assert resp.status == 405 and resp.headers["Allow"] == "GET, HEAD"
        assert (await resp.json())["message"] == f"Method PUT is not allowed on {JOBS}/{b}/history"
    resp = await emu.get(f"{JOBS}/{b}/history")
    assert resp.status == 200


async def test_the_memory_is_emptied_at_its_bound_and_answers_stay_right(emu, monkeypatch):
    monkeypatch.setattr(router, "PATH_LIMIT", 2)
    ids = [await _submit(emu) for _ in range(5)]
    for _ in range(2):
        for job_id in ids:
            assert await _job_id_at(emu, f"{JOBS}/{job_id}") == job_id
            assert len(emu.app.router._paths) <= 2
