"""The testing toolkit across providers: sessions, scenarios, manual stepping, faults, journal, snapshot."""

import re

import aiohttp
import pytest

from emulator.core.journal import Journal

BAC = "/api/v1/orchestrator/jobs"
ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
TASK = f"/compute/orgs/{ORG}/geostatistics/kriging"
ST = "/streams/instances/inst1"


def bjob(name="etl", labels=None):
    return {"Job": {"Name": name, "Type": "batch", "Labels": labels or {},
                    "Tasks": [{"Name": "t", "Engine": {"Type": "docker", "Params": {"Entrypoint": ["echo", "x"]}}}]}}


async def bsubmit(emu, name="etl", headers=None, labels=None):
    resp = await emu.put(BAC, json=bjob(name, labels), headers=headers or {})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["JobID"]


async def bstate(emu, job_id, headers=None):
    body = await (await emu.get(f"{BAC}/{job_id}", headers=headers or {})).json()
    return body["Job"]["State"]


async def tsubmit(emu, headers=None):
    resp = await emu.post(TASK, json={"parameters": {}}, headers=headers or {}, allow_redirects=False)
    assert resp.status == 303
    return re.search(r"/([0-9a-f-]{36})/status$", resp.headers["Location"]).group(1)


async def tstatus(emu, job_id, headers=None):
    resp = await emu.get(f"{TASK}/{job_id}/status", headers=headers or {})
    return resp.status, await resp.json()


async def ssubmit(emu, name):
    resp = await emu.post(f"{ST}/jobs", json={"application": "https://example.test/apps/com.acme.Main.sab",
                                              "jobConfigurationOverlay": {"jobConfigOverlays": [
                                                  {"jobConfig": {"jobName": name}}]}})
    assert resp.status == 201, await resp.text()
    return (await resp.json())["id"]


async def control(emu, method, path, body=None, status=200, headers=None):
    resp = await emu.request(method, f"/_emulator/{path}", json=body, headers=headers or {})
    assert resp.status == status, await resp.text()
    return await resp.json() if resp.status != 204 else None


# --- sessions ---------------------------------------------------------------------------------------------
async def test_two_sessions_never_see_each_others_jobs_or_clocks(emu):
    for key in ("a", "b"):
        assert (await emu.post("/_emulator/sessions", json={"key": key})).status == 201
    a, b = {"X-Emulator-Session": "a"}, {"X-Emulator-Session": "b"}
    ja = await bsubmit(emu, "in-a", headers=a)
    tb = await tsubmit(emu, headers=b)
    assert (await (await emu.get(f"{BAC}/{ja}", headers=b)).json())["error"].startswith("Job not found")
    assert (await emu.get(f"{TASK}/{tb}/status", headers=a)).status == 404
    await control(emu, "POST", "clock/advance", {"seconds": 100}, headers=a)
    assert (await bstate(emu, ja, a))["StateType"] == "Completed"
    status, body = await tstatus(emu, tb, b)
    assert status == 202 and body["status"] == "requested"   # b's clock did not move
    ca = await control(emu, "GET", "clock", headers=a)
    cb = await control(emu, "GET", "clock", headers=b)
    assert ca["now_ns"] - cb["now_ns"] == 100 * 10**9
    listed = await (await emu.get("/_session/a" + BAC)).json()
    assert [j["ID"] for j in listed["Jobs"]] == [ja]


async def test_created_session_has_its_own_seed_and_clock(emu):
    out = await control(emu, "POST", "sessions", {"key": "w1", "seed": 42, "clock": "manual"}, status=201)
    assert out["key"] == "w1" and out["seed"] == 42 and out["prefix"] == "/_session/w1"
    resp = await emu.get("/_session/w1/_emulator/health")
    assert resp.headers["X-Emulator-Session"] == "w1" and resp.headers["X-Emulator-Seed"] == "42"
    ids = []
    for _ in range(2):
        await control(emu, "POST", "sessions", {"key": "w2", "seed": 42}, status=201)
        ids.append(await bsubmit(emu, headers={"X-Emulator-Session": "w2"}))
    assert ids[0] == ids[1]  # same seed, same requests, same ids
    await control(emu, "DELETE", "sessions/w2", status=204)
    names = [s["key"] for s in (await control(emu, "GET", "sessions"))["sessions"]]
    assert "w2" not in names and "w1" in names


# --- scenarios ----------------------------------------------------------------------------------------------
async def test_scenario_fails_matching_bacalhau_jobs_at_running_and_counts(emu):
    rule = await control(emu, "POST", "scenarios", {"provider": "bacalhau", "match": {"name": "etl"},
                                                    "outcome": "fail", "at": "running", "message": "disk full",
                                                    "durations": {"Running": 30}, "count": 1}, status=201)
    first = await bsubmit(emu, "etl")
    second = await bsubmit(emu, "etl")        # count 1: only the first match is scripted
    other = await bsubmit(emu, "report")
    await emu.advance(2 + 29)
    assert (await bstate(emu, first))["StateType"] == "Running"
    await emu.advance(1)
    assert await bstate(emu, first) == {"StateType": "Failed", "Message": "disk full"}
    assert (await bstate(emu, second))["StateType"] == "Completed"
    assert (await bstate(emu, other))["StateType"] == "Completed"
    rules = (await control(emu, "GET", "scenarios"))["scenarios"]
    assert [(r["id"], r["matched"]) for r in rules] == [(rule["id"], 1)]


async def test_scenario_matches_labels_and_body_paths(emu):
    await control(emu, "POST", "scenarios", {"match": {"labels": {"tier": "gold"}}, "outcome": "hang",
                                             "at": "Pending"}, status=201)
    await control(emu, "POST", "scenarios", {"provider": "taskapi", "match": {"/parameters/mode": "bad"},
                                             "outcome": "fail", "at": "in progress", "message": "no convergence"},
                  status=201)
    gold = await bsubmit(emu, "g", labels={"tier": "gold"})
    plain = await bsubmit(emu, "p", labels={"tier": "silver"})
    resp = await emu.post(TASK, json={"parameters": {"mode": "bad"}}, allow_redirects=False)
    bad = re.search(r"/([0-9a-f-]{36})/status$", resp.headers["Location"]).group(1)
    await emu.advance(3600)
    assert (await bstate(emu, gold))["StateType"] == "Pending"
    assert (await bstate(emu, plain))["StateType"] == "Completed"
    status, body = await tstatus(emu, bad)
    assert status == 200 and body["status"] == "failed" and body["error"]["detail"] == "no convergence"


async def test_scenario_with_unknown_outcome_is_400(emu):
    resp = await emu.post("/_emulator/scenarios", json={"outcome": "explode"})
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "outcome"


async def test_outcome_state_unknown_to_the_job_is_400_naming_states(emu):
    resp = await emu.put(BAC, json=bjob(), headers={"X-Emulator-Outcome": "fail; at=Exploding"})
    assert resp.status == 400
    assert "Pending, Running, Completed" in (await resp.json())["message"]


# --- manual stepping and advance-until ----------------------------------------------------------------------
async def test_step_set_state_and_advance_until(emu):
    job_id = await bsubmit(emu)
    view = await control(emu, "POST", f"jobs/bacalhau/{job_id}/step")
    assert view["state"] == "Running" and (await bstate(emu, job_id))["StateType"] == "Running"
    view = await control(emu, "POST", f"jobs/bacalhau/{job_id}/state", {"state": "failed", "message": "boom"})
    assert await bstate(emu, job_id) == {"StateType": "Failed", "Message": "boom"}
    t_job = await tsubmit(emu)
    view = await control(emu, "POST", f"jobs/taskapi/{t_job}/advance-until", {"state": "succeeded"})
    assert view["state"] == "succeeded" and view["advanced_seconds"] > 0
    status, body = await tstatus(emu, t_job)
    assert status == 200 and body["status"] == "succeeded" and body["progress"] == 100


async def test_advance_until_a_state_a_hung_job_never_reaches_fails_clearly(emu):
    job_id = await bsubmit(emu, headers={"X-Emulator-Outcome": "hang; at=Running"})
    resp = await emu.post(f"/_emulator/jobs/bacalhau/{job_id}/advance-until", json={"state": "Completed"})
    assert resp.status == 409
    assert "has no pending transition" in (await resp.json())["error"]["message"]
    resp = await emu.post("/_emulator/jobs/bacalhau/j-nope/step")
    assert resp.status == 404 and (await resp.json())["error"]["field"] == "job"


# --- faults -------------------------------------------------------------------------------------------------
async def test_fault_burst_then_recovery_in_native_formats(emu):
    job_id = await bsubmit(emu)
    rule = await control(emu, "POST", "faults", {"provider": "bacalhau", "method": "GET", "path": f"{BAC}/*",
                                                 "status": 503, "message": "overloaded", "times": 2}, status=201)
    for _ in range(2):
        resp = await emu.get(f"{BAC}/{job_id}")
        assert resp.status == 503
        assert await resp.json() == {"message": "overloaded", "error": "code=503, message=overloaded"}
    assert (await emu.get(f"{BAC}/{job_id}")).status == 200
    await control(emu, "POST", "faults", {"provider": "taskapi", "status": 500, "after": 2, "times": 1}, status=201)
    t_job = await tsubmit(emu)                       # call 1 passes
    assert (await tstatus(emu, t_job))[0] == 202     # call 2 passes
    status, body = await tstatus(emu, t_job)         # call 3 fails, as a problem document
    assert status == 500 and body["status"] == 500 and body["title"]
    assert (await tstatus(emu, t_job))[0] == 202
    faults = (await control(emu, "GET", "faults"))["faults"]
    assert [(f["id"], f["hits"]) for f in faults] == [(rule["id"], 2), ("f2", 1)]


async def test_fault_drop_closes_the_connection(emu):
    await control(emu, "POST", "faults", {"provider": "bacalhau", "path": BAC, "drop": True, "times": 1}, status=201)
    with pytest.raises(aiohttp.ClientError):
        await emu.get(BAC)
    assert (await emu.get(BAC)).status == 200


async def test_fault_probability_is_reproducible_from_the_seed(emulator_factory):
    patterns = []
    for _ in range(2):
        emu = await emulator_factory(providers=["bacalhau"])
        await control(emu, "POST", "faults", {"provider": "bacalhau", "status": 500, "probability": 0.5}, status=201)
        patterns.append([(await emu.get(BAC)).status for _ in range(20)])
    assert patterns[0] == patterns[1] and {200, 500} == set(patterns[0])


async def test_fault_latency_is_journaled(emu):
    await control(emu, "POST", "faults", {"provider": "bacalhau", "latency_ms": 5, "times": 1}, status=201)
    assert (await emu.get(BAC)).status == 200
    [fault] = (await control(emu, "GET", "requests?kind=fault"))["entries"]
    assert fault["latency_ms"] == 5 and fault["rule"] == "f1" and fault["path"] == BAC


# --- journal ------------------------------------------------------------------------------------------------
async def test_journal_in_job_terms_polls_before_finish_and_cancel_while_running(emu):
    job_id = await bsubmit(emu)
    for step in (1, 1, 1):
        await emu.get(f"{BAC}/{job_id}")
        await emu.advance(step)
    await emu.advance(10)
    timeline = (await control(emu, "GET", f"jobs/bacalhau/{job_id}/timeline"))["entries"]
    kinds = [(e["kind"], e.get("method"), e.get("to")) for e in timeline]
    done = kinds.index(("transition", None, "Completed"))
    assert sum(1 for k in kinds[:done] if k[:2] == ("request", "GET")) == 3
    assert kinds[0] == ("request", "PUT", None) and kinds[1] == ("transition", None, "Pending")

    t_job = await tsubmit(emu)
    await emu.advance(2)
    await emu.delete(f"{TASK}/{t_job}")
    timeline = (await control(emu, "GET", f"jobs/taskapi/{t_job}/timeline"))["entries"]
    delete_at = next(i for i, e in enumerate(timeline) if e.get("method") == "DELETE")
    state_before = [e["to"] for e in timeline[:delete_at] if e["kind"] == "transition"][-1]
    assert state_before == "in progress"


async def test_journal_filters_and_counts(emu):
    job_id = await bsubmit(emu)
    await emu.get(f"{BAC}/{job_id}")
    await emu.get(f"{BAC}/j-nothere")
    out = await control(emu, "GET", f"requests?provider=bacalhau&method=GET&path={BAC}/*")
    assert out["count"] == 2 and [e["status"] for e in out["entries"]] == [200, 500]
    out = await control(emu, "GET", f"requests?job={job_id}&kind=request")
    assert [e["method"] for e in out["entries"]] == ["PUT", "GET"]
    put = out["entries"][0]
    assert put["body"].startswith('{"Job"') and put["headers"]["Content-Type"] == "application/json"
    await control(emu, "DELETE", "requests", status=204)
    assert (await control(emu, "GET", "requests"))["count"] == 0


async def test_journal_stays_within_its_bound_over_http(emulator_factory):
    emu = await emulator_factory(providers=["bacalhau"], journal_size=50)
    for _ in range(200):
        await emu.get(BAC)
    out = await control(emu, "GET", "requests")
    assert out["count"] == 50 and out["capacity"] == 50 and out["dropped"] == 150


def test_journal_ring_holds_capacity_under_100000_records():
    j = Journal(1000)
    for i in range(100_000):
        j.record("request", i, method="GET", path="/x")
    assert len(j) == 1000 and j.dropped == 99_000
    assert j.entries[0]["seq"] == 99_001 and j.entries[-1]["seq"] == 100_000


# --- snapshot, config ---------------------------------------------------------------------------------------
async def test_config_echoes_effective_settings(emu):
    out = await control(emu, "GET", "config")
    assert out["settings"]["clock"] == "manual" and out["settings"]["seed"] == 7
    assert out["providers"]["bacalhau"]["profile"] == "default"
