"""What bacalhau-sdk 1.4 and `bacalhau job logs` trip on, pinned on the wire: whole included lists whatever
`limit` says, the noop publisher's empty result, v1.4's history `Event`, the seed era's job-list tokens and
required Name, and the v1.3+ log WebSocket following a running execution on the manual clock."""

import json

import aiohttp
import pytest

from tests.providers.bacalhau.test_bacalhau_seed import BASE, CREATE, echo_job, submit

EMPTY = {"Type": "", "Params": None}


async def test_included_history_and_executions_are_whole_whatever_the_limit(emu):
    job_id = (await submit(emu, echo_job(count=2)))["JobID"]
    await emu.advance(10)
    full = await (await emu.get(f"{BASE}/{job_id}/history")).json()
    body = await (await emu.get(f"{BASE}/{job_id}", params={"include": "history,executions", "limit": "1"})).json()
    assert body["History"]["History"] == full["History"] and len(full["History"]) == 3 + 2 * 6
    job_states = [e["JobState"] for e in body["History"]["History"] if e["Type"] == "JobLevel"]
    assert job_states[-1] == {"Previous": "Running", "New": "Completed"}
    assert len(body["Executions"]["Executions"]) == 2


@pytest.mark.parametrize(("profile", "listed"), [("default", [EMPTY]), ("v1.4", [])])
async def test_noop_publisher_stores_an_empty_result(emulator_factory, profile, listed):
    emu = await emulator_factory(profiles={"bacalhau": profile})
    job_id = (await submit(emu, CREATE))["JobID"]
    await emu.advance(10)
    execs = await (await emu.get(f"{BASE}/{job_id}/executions")).json()
    [ex] = execs.get("Executions") or execs["Items"]
    assert ex["PublishedResult"] == EMPTY
    results = await (await emu.get(f"{BASE}/{job_id}/results")).json()
    assert (results.get("Results") if profile == "default" else results["Items"]) == listed


async def test_v14_history_events_carry_event(emulator_factory):
    emu = await emulator_factory(profiles={"bacalhau": "v1.4"})
    job_id = (await submit(emu, CREATE))["JobID"]
    await emu.advance(10)
    items = (await (await emu.get(f"{BASE}/{job_id}/history")).json())["Items"]
    first, last = items[0], items[-1]
    assert first["Event"] == {"Message": "Job created", "Topic": "Submission", "Timestamp": first["Time"],
                              "Details": {}}
    assert last["Type"] == "ExecutionLevel" and last["Event"]["Message"] == "Execution completed"
    default = await emulator_factory()
    job_id = (await submit(default, CREATE))["JobID"]
    assert "Event" not in (await (await default.get(f"{BASE}/{job_id}/history")).json())["History"][0]


async def test_seed_era_refuses_a_job_without_name_and_v14_names_it_by_id(emulator_factory):
    job = {"Job": {k: v for k, v in CREATE["Job"].items() if k != "Name"}}
    emu = await emulator_factory()
    resp = await emu.put(BASE, json=job)
    assert resp.status == 400 and "missing job name" in (await resp.json())["error"]
    modern = await emulator_factory(profiles={"bacalhau": "v1.4"})
    job_id = (await submit(modern, job))["JobID"]
    assert (await (await modern.get(f"{BASE}/{job_id}")).json())["Job"]["Name"] == job_id


async def test_v14_list_pages_carry_a_token(emulator_factory):
    emu = await emulator_factory(profiles={"bacalhau": "v1.4"})
    for i in range(3):
        await submit(emu, echo_job(name=f"j{i}"))
    body = await (await emu.get(BASE, params={"limit": "2"})).json()
    assert len(body["Items"]) == 2 and body["NextToken"] != ""


async def _messages(ws) -> list[dict]:
    out = []
    async for msg in ws:
        assert msg.type == aiohttp.WSMsgType.TEXT
        out.append(json.loads(msg.data))
    return out


async def test_log_websocket_follows_a_running_execution_and_closes_at_the_end(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(3)  # Running
    async with emu.ws_connect(f"{BASE}/{job_id}/logs?follow=true") as ws:
        await emu.advance(10)  # the execution completes while the stream waits
        assert await _messages(ws) == [{"value": {"Type": 1, "Line": "hello world\n"}}]
        assert ws.close_code == aiohttp.WSCloseCode.OK


async def test_log_websocket_without_follow_ends_at_once_while_running(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    await emu.advance(3)
    async with emu.ws_connect(f"{BASE}/{job_id}/logs") as ws:
        assert await _messages(ws) == []
        assert ws.close_code == aiohttp.WSCloseCode.OK


async def test_log_websocket_failed_execution_streams_stderr(emu):
    job_id = (await submit(emu, echo_job(), headers={"X-Emulator-Outcome": "fail; at=Running; message=OOM"}))["JobID"]
    await emu.advance(30)
    async with emu.ws_connect(f"{BASE}/{job_id}/logs") as ws:
        assert await _messages(ws) == [{"value": {"Type": 2, "Line": "OOM\n"}}]


async def test_log_websocket_unknown_job_is_an_error_message_then_close(emu):
    async with emu.ws_connect(f"{BASE}/j-00000000-0000-4000-8000-000000000000/logs") as ws:
        [msg] = await _messages(ws)
    assert msg == {"error": "Job not found. ID: j-00000000-0000-4000-8000-000000000000",
                   "value": {"Type": 0, "Line": ""}}


async def test_logs_without_upgrade_is_a_400_saying_it_is_a_websocket(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    resp = await emu.get(f"{BASE}/{job_id}/logs")
    assert resp.status == 400 and "WebSocket" in (await resp.json())["error"]


async def test_client_closing_the_log_stream_early_frees_its_waiter(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    watchers = emu.session.state("bacalhau").watchers
    assert watchers == {}
    async with emu.ws_connect(f"{BASE}/{job_id}/logs?follow=true") as ws:
        await ws.close()
    await emu.advance(1)  # any later request: the stream's task has run its cleanup by then
    assert watchers == {}
