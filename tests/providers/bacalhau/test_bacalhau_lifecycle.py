"""Bacalhau lifecycles on the manual clock: stop in every state, failures, daemons, profiles, SDK quirks."""

import base64

from tests.providers.bacalhau.test_bacalhau_seed import BASE, echo_job, submit


async def state(emu, job_id):
    return (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]["State"]


async def test_stop_pending_job_cancels_its_executions(emu):
    job_id = (await submit(emu, echo_job(count=2)))["JobID"]
    resp = await emu.delete(f"{BASE}/{job_id}?reason=not+needed")
    assert resp.status == 200 and (await resp.json())["EvaluationID"]
    assert await state(emu, job_id) == {"StateType": "Stopped", "Message": "not needed"}
    await emu.advance(60)  # the stale timers must not revive it
    assert (await state(emu, job_id))["StateType"] == "Stopped"
    execs = (await (await emu.get(f"{BASE}/{job_id}/executions")).json())["Executions"]
    assert [e["ComputeState"]["StateType"] for e in execs] == [9, 9]
    assert all(e["DesiredState"] == {"StateType": 2, "Message": "not needed"} for e in execs)


async def test_stop_running_job(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(3)
    assert (await state(emu, job_id))["StateType"] == "Running"
    resp = await emu.delete(f"{BASE}/{job_id}")
    assert resp.status == 200
    assert (await state(emu, job_id))["StateType"] == "Stopped"


async def test_stop_completed_job_is_refused_with_500(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(10)
    resp = await emu.delete(f"{BASE}/{job_id}")
    assert resp.status == 500
    assert await resp.json() == {"message": "Internal Server Error",
                                 "error": "cannot stop job in state Completed"}


async def test_stop_stopped_job_is_a_noop_with_empty_evaluation(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.delete(f"{BASE}/{job_id}")
    resp = await emu.delete(f"{BASE}/{job_id}")
    assert resp.status == 200 and await resp.json() == {"EvaluationID": ""}


async def test_failed_job_via_outcome_header_then_stop_marks_stopped_without_evaluation(emu):
    job_id = (await submit(emu, echo_job(), headers={"X-Emulator-Outcome": "fail; at=Running; message=OOM killed"}))[
        "JobID"]
    await emu.advance(10)
    assert await state(emu, job_id) == {"StateType": "Failed", "Message": "OOM killed"}
    execs = (await (await emu.get(f"{BASE}/{job_id}/executions")).json())["Executions"]
    assert execs[0]["ComputeState"] == {"StateType": 8, "Message": "OOM killed"}
    assert execs[0]["RunOutput"]["exitCode"] == 1 and "OOM killed" in execs[0]["RunOutput"]["stderr"]
    resp = await emu.delete(f"{BASE}/{job_id}")
    assert await resp.json() == {"EvaluationID": ""}
    assert (await state(emu, job_id))["StateType"] == "Stopped"


async def test_daemon_job_runs_until_stopped(emu):
    job_id = (await submit(emu, echo_job(jtype="daemon")))["JobID"]
    await emu.advance(3600)
    assert (await state(emu, job_id))["StateType"] == "Running"
    await emu.delete(f"{BASE}/{job_id}")
    assert (await state(emu, job_id))["StateType"] == "Stopped"


async def test_durations_are_configurable(emulator_factory):
    emu = await emulator_factory(durations={"bacalhau": {"Pending": 1, "Running": 30}})
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(30)
    assert (await state(emu, job_id))["StateType"] == "Running"
    await emu.advance(1)
    assert (await state(emu, job_id))["StateType"] == "Completed"


async def test_list_reverse_order_by_id_and_namespace(emu):
    a = (await submit(emu, echo_job(name="a")))["JobID"]
    b_body = echo_job(name="b")
    b_body["Job"]["Namespace"] = "team-b"
    b = (await submit(emu, b_body))["JobID"]
    body = await (await emu.get(f"{BASE}?reverse=True")).json()
    assert [j["ID"] for j in body["Jobs"]] == [b, a]
    body = await (await emu.get(f"{BASE}?order_by=id")).json()
    assert [j["ID"] for j in body["Jobs"]] == sorted([a, b])
    body = await (await emu.get(f"{BASE}?namespace=team-b")).json()
    assert [j["ID"] for j in body["Jobs"]] == [b]
    body = await (await emu.get(f"{BASE}?namespace=*")).json()
    assert len(body["Jobs"]) == 2


async def test_label_selector_operators(emu):
    ids = {}
    for name, labels in [("p", {"env": "prod", "gpu": "4"}), ("d", {"env": "dev"}), ("n", {"team": "x"})]:
        ids[name] = (await submit(emu, echo_job(name=name, labels=labels)))["JobID"]

    async def sel(text):
        body = await (await emu.get(BASE, params={"labels": text})).json()
        return {j["Name"] for j in body["Jobs"]}

    assert await sel("env=prod") == {"p"}
    assert await sel("env==dev") == {"d"}
    assert await sel("env!=prod") == {"d", "n"}
    assert await sel("env notin (prod)") == {"d", "n"}
    assert await sel("env") == {"p", "d"}
    assert await sel("!env") == {"n"}
    assert await sel("gpu>2") == {"p"}
    assert await sel("env in (prod,dev),gpu") == {"p"}


async def test_sdk_quirks_are_accepted(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    # bacalhau-sdk sends order_by=created_at, booleans as True/False, reason=None and a {} body on DELETE
    resp = await emu.get(f"{BASE}?order_by=created_at&reverse=False&limit=5")
    assert resp.status == 200 and [j["ID"] for j in (await resp.json())["Jobs"]] == [job_id]
    resp = await emu.delete(f"{BASE}/{job_id}?reason=None", json={})
    assert resp.status == 200
    assert await state(emu, job_id) == {"StateType": "Stopped", "Message": "job stopped by user"}


async def test_warnings_for_ignored_fields_and_reserved_meta(emu):
    body = echo_job()
    body["Job"].update({"ID": "j-mine", "State": {"StateType": "Completed"}, "Revision": 4,
                        "Meta": {"bacalhau.org/requester.id": "x", "owner": "me"}})
    body["Job"]["Tasks"].append(dict(body["Job"]["Tasks"][0], Name="second"))
    out = await submit(emu, body)
    assert out["JobID"] != "j-mine"
    assert out["Warnings"] == [
        "job ID is ignored when submitting a batch job",
        "job state is ignored when submitting a job",
        "job revision is ignored when submitting a job",
        'job meta key "bacalhau.org/requester.id" is reserved and will be ignored',
        "only one task is supported per job",
    ]
    job = (await (await emu.get(f"{BASE}/{out['JobID']}")).json())["Job"]
    assert job["Meta"]["owner"] == "me" and job["Meta"]["bacalhau.org/requester.id"] != "x"


async def test_profile_v14_items_queued_and_base64_tokens(emulator_factory):
    emu = await emulator_factory(profiles={"bacalhau": "v1.4"})
    ids = [(await submit(emu, echo_job(name=f"j{i}")))["JobID"] for i in range(3)]
    body = await (await emu.get(f"{BASE}?limit=2")).json()
    assert [j["ID"] for j in body["Items"]] == ids[:2]
    assert base64.urlsafe_b64decode(body["NextToken"] + "==").decode() == "created_at:N:2:2"
    body = await (await emu.get(f"{BASE}?next_token={body['NextToken']}")).json()
    assert [j["ID"] for j in body["Items"]] == ids[2:] and body["NextToken"] == ""
    execs = await (await emu.get(f"{BASE}/{ids[0]}/executions")).json()
    assert "Items" in execs and "Executions" not in execs
    # Queued is a state of this profile: a scripted hang there shows it
    job_id = (await submit(emu, echo_job(), headers={"X-Emulator-Outcome": "hang; at=Queued"}))["JobID"]
    session = emu.session
    job = session.store("bacalhau").get(job_id)
    session.set_state(job, "Queued")
    await emu.advance(100)
    assert (await state(emu, job_id))["StateType"] == "Queued"


async def test_include_history_and_executions_on_describe(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(10)
    body = await (await emu.get(f"{BASE}/{job_id}?include=history,executions")).json()
    job_events = [e for e in body["History"]["History"] if e["Type"] == "JobLevel"]
    assert [e["JobState"] for e in job_events] == [
        {"New": "Pending"}, {"Previous": "Pending", "New": "Running"}, {"Previous": "Running", "New": "Completed"}]
    assert len(body["Executions"]["Executions"]) == 1


async def test_history_filters_event_type_and_since(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(10)
    body = await (await emu.get(f"{BASE}/{job_id}/history?event_type=job")).json()
    assert {e["Type"] for e in body["History"]} == {"JobLevel"} and len(body["History"]) == 3
    start = (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]["CreateTime"] // 10**9
    body = await (await emu.get(f"{BASE}/{job_id}/history?event_type=job&since={start + 5}")).json()
    assert [e["JobState"]["New"] for e in body["History"]] == ["Completed"]
    body = await (await emu.get(f"{BASE}/{job_id}/history?limit=2")).json()
    assert len(body["History"]) == 2 and body["NextToken"] == "2"


async def test_same_seed_same_requests_same_bytes(emulator_factory):
    outs = []
    for _ in range(2):
        emu = await emulator_factory()
        job_id = (await submit(emu, echo_job(count=2)))["JobID"]
        await emu.advance(10)
        outs.append(await (await emu.get(f"{BASE}/{job_id}/executions")).read())
    assert outs[0] == outs[1]
