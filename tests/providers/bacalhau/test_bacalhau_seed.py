"""The Bacalhau seed's curl examples, run as test-client calls, and the create -> complete walk."""

import re

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS

BASE = "/api/v1/orchestrator/jobs"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

CREATE = {"Job": {"Name": "test-job", "Type": "batch", "Count": 1, "Labels": {"foo": "bar", "env": "dev"},
                  "Tasks": [{"Name": "task1",
                             "Engine": {"Type": "docker", "Params": {"Image": "ubuntu:latest",
                                                                     "Entrypoint": ["echo", "hello"]}},
                             "Publisher": {"Type": "noop"}}],
                  "CreateTime": 1234}}


def echo_job(name="A sample job", count=1, labels=None, jtype="batch", publisher=None):
    return {"Job": {"Name": name, "Type": jtype, "Count": count, "Labels": labels or {"env": "prod", "name": "demo"},
                    "Tasks": [{"Name": "main", "Engine": {"Type": "docker", "Params": {
                        "Entrypoint": ["/bin/bash"], "Image": "ubuntu:latest",
                        "Parameters": ["-c", "echo hello world"]}},
                        "Publisher": publisher or {"Type": "", "Params": {}}}]}}


async def submit(emu, body=None, **kw):
    resp = await emu.put(BASE, json=body or CREATE, **kw)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_create_job_answers_ids_and_the_create_time_warning(emu):
    body = await submit(emu)
    assert re.fullmatch("j-" + UUID, body["JobID"])
    assert re.fullmatch(UUID, body["EvaluationID"])
    assert body["Warnings"] == ["job create time is ignored when submitting a job"]


async def test_create_without_ignored_fields_has_null_warnings(emu):
    body = await submit(emu, echo_job())
    assert body["Warnings"] is None


async def test_describe_walks_pending_running_completed_on_manual_clock(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    job = (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]
    assert job["State"] == {"StateType": "Pending", "Message": ""}
    assert job["CreateTime"] == DEFAULT_MANUAL_START_NS and job["Revision"] == 1
    await emu.advance(2)
    job = (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]
    assert job["State"]["StateType"] == "Running" and job["Revision"] == 2
    await emu.advance(4.999)
    assert (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]["State"]["StateType"] == "Running"
    await emu.advance(0.001)
    job = (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]
    assert job["State"]["StateType"] == "Completed" and job["Revision"] == 3
    assert job["ModifyTime"] == DEFAULT_MANUAL_START_NS + 7 * NS
    # the describe example's shape: defaults filled in, the server's requester meta added
    assert job["Namespace"] == "default" and job["Labels"] == {"env": "prod", "name": "demo"}
    assert job["Tasks"][0]["Timeouts"] == {"ExecutionTimeout": 1800}
    assert job["Tasks"][0]["Network"] == {"Type": "None"}
    assert job["Meta"]["bacalhau.org/requester.id"].startswith("Qm")


async def test_short_id_resolves_to_the_job(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    resp = await emu.get(f"{BASE}/{job_id[:10]}")
    assert resp.status == 200
    assert (await resp.json())["Job"]["ID"] == job_id


async def test_list_with_limit_3_returns_three_and_no_token_as_the_seed_shows(emu):
    ids = [(await submit(emu, echo_job(name=f"j{i}")))["JobID"] for i in range(5)]
    body = await (await emu.get(f"{BASE}?limit=3")).json()
    assert [j["ID"] for j in body["Jobs"]] == ids[:3]
    assert body["NextToken"] == ""  # the seed's full page of 3 shows "" (v1.4+ profiles give a token)
    body = await (await emu.get(f"{BASE}?limit=3&next_token=3")).json()  # an offset is still understood
    assert [j["ID"] for j in body["Jobs"]] == ids[3:]
    assert body["NextToken"] == ""


async def test_list_with_label_filtering_in(emu):
    prod = (await submit(emu, echo_job(labels={"env": "prod"})))["JobID"]
    dev = (await submit(emu, echo_job(labels={"env": "dev"})))["JobID"]
    await submit(emu, echo_job(labels={"env": "test"}))
    body = await (await emu.get(BASE, params={"labels": "env in (prod,dev)"})).json()
    assert [j["ID"] for j in body["Jobs"]] == [prod, dev]


async def test_stop_job_returns_evaluation_and_stops(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    resp = await emu.delete(f"{BASE}/{job_id}")
    assert resp.status == 200
    assert re.fullmatch(UUID, (await resp.json())["EvaluationID"])
    job = (await (await emu.get(f"{BASE}/{job_id}")).json())["Job"]
    assert job["State"] == {"StateType": "Stopped", "Message": "job stopped by user"}


async def test_history_replays_the_seed_sequence(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(10)
    execs = (await (await emu.get(f"{BASE}/{job_id}/executions")).json())["Executions"]
    exec_id = execs[0]["ID"]
    body = await (await emu.get(f"{BASE}/{job_id}/history?execution_id={exec_id}")).json()
    assert body["NextToken"] == ""
    events = body["History"]
    assert [(e["ExecutionState"]["Previous"], e["ExecutionState"]["New"]) for e in events] == \
        [(1, 1), (1, 2), (2, 3), (3, 3), (3, 5), (5, 7)]
    assert [e["NewRevision"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert all(e["Type"] == "ExecutionLevel" and e["JobState"] is None and e["ExecutionID"] == exec_id
               for e in events)
    times = [e["Time"] for e in events]
    assert times == sorted(times) and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", t) for t in times)


async def test_executions_of_count_3_run_on_distinct_nodes_and_echo(emu):
    job_id = (await submit(emu, echo_job(count=3)))["JobID"]
    await emu.advance(10)
    body = await (await emu.get(f"{BASE}/{job_id}/executions")).json()
    execs = body["Executions"]
    assert len(execs) == 3 and body["NextToken"] == ""
    assert len({e["NodeID"] for e in execs}) == 3
    for e in execs:
        assert e["JobID"] == job_id
        assert e["ComputeState"] == {"StateType": 7, "Message": ""}
        assert e["DesiredState"] == {"StateType": 2, "Message": "execution completed"}
        assert e["RunOutput"] == {"stdout": "hello world\n", "stdouttruncated": False, "stderr": "",
                                  "stderrtruncated": False, "exitCode": 0, "runnerError": ""}
        assert e["Revision"] == 6
    mods = [e["ModifyTime"] for e in execs]
    assert mods == sorted(mods)


async def test_results_of_s3_publisher(emu):
    pub = {"Type": "s3", "Params": {"Bucket": "bacalhau-test-datasets", "Key": "my-prefix/my-result-file.tar.gz",
                                    "Region": "eu-west-1"}}
    job_id = (await submit(emu, echo_job(publisher=pub)))["JobID"]
    body = await (await emu.get(f"{BASE}/{job_id}/results")).json()
    assert body == {"NextToken": "", "Results": []}
    await emu.advance(10)
    body = await (await emu.get(f"{BASE}/{job_id}/results")).json()
    [res] = body["Results"]
    assert res["Type"] == "s3"
    assert res["Params"]["Bucket"] == "bacalhau-test-datasets"
    assert res["Params"]["Key"] == "my-prefix/my-result-file.tar.gz"
    assert res["Params"]["Region"] == "eu-west-1"
    assert len(res["Params"]["ChecksumSHA256"]) == 44 and len(res["Params"]["VersionID"]) == 32
