"""GET /_emulator/events: the journal as Server-Sent Events, and the per-session timer that makes jobs move on
the real clock without a request. Reads wait on the stream itself (with a generous safety bound), never on a
wall-clock timer; no assertion is about wall time."""

from __future__ import annotations

import asyncio
import json

import pytest

from emulator.control import events as events_module
from emulator.core import validation
from emulator.core.scheduler import NEVER

BACALHAU_JOB = {"Job": {"Name": "sse", "Type": "batch", "Count": 1,
                        "Tasks": [{"Name": "main", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu"}}}]}}
SAFETY = 10.0  # seconds a read may wait before the test is declared stuck (not a measure of anything)


class Stream:
    """Reads SSE frames from an aiohttp test-client response."""

    def __init__(self, resp):
        self.resp = resp

    @classmethod
    async def open(cls, emu, query: str = "", headers: dict | None = None) -> Stream:
        resp = await emu.get(f"/_emulator/events{query}", headers=headers or {})
        assert resp.status == 200, await resp.text()
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        assert await resp.content.readline() == b"retry: 1000\n"  # written once the subscription is registered
        assert await resp.content.readline() == b"\n"
        return cls(resp)

    async def next(self) -> dict:
        fields: dict = {}
        while True:
            line = (await asyncio.wait_for(self.resp.content.readline(), SAFETY)).decode()
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if not line:
                if fields:
                    assert not validation.errors_of("control/event.data", fields["data"]), fields
                    return fields
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = json.loads(value) if name == "data" else value

    async def take(self, n: int) -> list[dict]:
        return [await self.next() for _ in range(n)]

    def close(self):
        self.resp.close()


async def submit(emu, headers: dict | None = None) -> str:
    resp = await emu.put("/api/v1/orchestrator/jobs", json=BACALHAU_JOB, headers=headers or {})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["JobID"]


async def test_real_clock_subscriber_sees_transitions_in_order_without_a_request(emulator_factory):
    # short durations on the REAL clock: nothing but the session's timer moves the job after the submit
    emu = await emulator_factory(clock="real", durations=["bacalhau.Pending=0.05,bacalhau.Running=0.05"])
    stream = await Stream.open(emu, "?kind=transition")
    job = await submit(emu)
    got = await stream.take(3)
    assert [(e["data"]["from"], e["data"]["to"]) for e in got] == [
        (None, "Pending"), ("Pending", "Running"), ("Running", "Completed")]
    assert all(e["event"] == "transition" and e["data"]["job"] == job for e in got)
    ids = [int(e["id"]) for e in got]
    assert ids == sorted(ids) and len(set(ids)) == 3
    # each transition is stamped at its due time on the virtual clock: exactly one duration apart
    t = [e["data"]["t"] for e in got]
    assert t[1] - t[0] == 50_000_000 and t[2] - t[1] == 50_000_000
    stream.close()


async def test_manual_clock_arms_no_timer_and_a_switch_to_real_arms_one(emu):
    session = emu.session
    await submit(emu)
    assert session.scheduler.armed == NEVER  # manual: time moves only when told
    resp = await emu.post("/_emulator/clock", json={"mode": "real"})
    assert resp.status == 200
    assert session.scheduler.armed == session.scheduler.next_due()  # armed for the earliest due transition


async def test_filters_by_job_and_kind_and_carries_clock_and_request_events(emu):
    first = await submit(emu)
    stream = await Stream.open(emu, f"?job={first}&kind=transition,request")
    await submit(emu)  # another job: filtered out
    resp = await emu.get(f"/api/v1/orchestrator/jobs/{first}")
    assert resp.status == 200
    await emu.advance(2)
    request, moved = await stream.take(2)
    assert request["event"] == "request"
    assert (request["data"]["method"], request["data"]["status"], request["data"]["job"]) == ("GET", 200, first)
    assert moved["event"] == "transition"
    assert (moved["data"]["job"], moved["data"]["to"]) == (first, "Running")
    stream.close()

    clocks = await Stream.open(emu, "?kind=clock&last_event_id=0")
    clock = await clocks.next()
    assert clock["event"] == "clock"
    assert (clock["data"]["mode"], clock["data"]["speed"]) == ("manual", 1.0)
    clocks.close()


async def test_resume_with_last_event_id_replays_what_followed(emu):
    job = await submit(emu)
    await emu.advance(10)  # Pending -> Running -> Completed
    everything = await Stream.open(emu, "?kind=transition&last_event_id=0")
    all_three = await everything.take(3)
    everything.close()
    assert [e["data"]["to"] for e in all_three] == ["Pending", "Running", "Completed"]
    resumed = await Stream.open(emu, f"?job={job}&kind=transition", headers={"Last-Event-ID": all_three[0]["id"]})
    again = await resumed.take(2)
    assert [(e["id"], e["data"]["to"]) for e in again] == [(e["id"], e["data"]["to"]) for e in all_three[1:]]
    resumed.close()


async def test_a_slow_subscriber_is_cut_off_at_its_bound_with_an_overflow_event(emu, monkeypatch):
    monkeypatch.setattr(events_module, "BUFFER", 3)
    for _ in range(4):
        await submit(emu)
    stream = await Stream.open(emu, "?kind=transition")
    await emu.advance(10)  # 8 transitions in one go, more than the 3 the buffer holds
    got = [await stream.next() for _ in range(4)]
    assert [e["event"] for e in got] == ["transition"] * 3 + ["overflow"]
    assert got[3]["data"] == {"last_event": int(got[2]["id"]), "buffer": 3}
    assert await asyncio.wait_for(stream.resp.content.read(), SAFETY) == b""  # and the stream ends
    assert not emu.session.journal.subscribers  # its subscription is gone


@pytest.mark.parametrize(("query", "headers", "field"), [
    ("?kind=transitions", {}, "kind"),
    ("?provider=nope", {}, "provider"),
    ("", {"Last-Event-ID": "abc"}, "Last-Event-ID"),
    ("?last_event_id=-1", {}, "last_event_id"),
])
async def test_bad_filters_are_a_400_naming_the_parameter(emu, query, headers, field):
    resp = await emu.get(f"/_emulator/events{query}", headers=headers)
    assert resp.status == 400
    body = await resp.json()
    assert body["error"]["field"] == field


async def test_events_follow_the_session_of_the_caller(emu):
    resp = await emu.post("/_emulator/sessions", json={"key": "mine", "clock": "manual"})
    assert resp.status == 201
    stream = await Stream.open(emu, "?kind=transition", headers={"X-Emulator-Session": "mine"})
    await submit(emu)  # default session: not this stream's
    job = await submit(emu, headers={"X-Emulator-Session": "mine"})
    event = await stream.next()
    assert (event["data"]["job"], event["data"]["to"]) == (job, "Pending")
    stream.close()


async def test_shutdown_ends_open_streams(emu):
    stream = await Stream.open(emu, "")
    await events_module.close_all(emu.app)
    assert await asyncio.wait_for(stream.resp.content.read(), SAFETY) == b""


async def test_the_control_token_guards_the_stream(emulator_factory):
    emu = await emulator_factory(control_token="tok-events")
    resp = await emu.get("/_emulator/events")
    assert resp.status == 401
    assert (await resp.json())["error"]["field"] == "X-Emulator-Control-Token"
    stream = await Stream.open(emu, "?kind=transition", headers={"Authorization": "Bearer tok-events"})
    job = await submit(emu)
    event = await stream.next()
    assert (event["data"]["job"], event["data"]["to"]) == (job, "Pending")
    stream.close()


async def test_request_events_redact_credentials(emu):
    stream = await Stream.open(emu, "?kind=request")
    resp = await emu.get("/api/v1/orchestrator/jobs", headers={"Authorization": "Bearer provider-secret"})
    assert resp.status == 200
    event = await stream.next()
    assert event["data"]["headers"]["Authorization"] == "<redacted>"
    assert (event["data"]["method"], event["data"]["path"], event["data"]["status"]) == (
        "GET", "/api/v1/orchestrator/jobs", 200)
    stream.close()


async def test_streams_per_session_are_bounded_with_a_429(emu, monkeypatch):
    monkeypatch.setattr(events_module, "MAX_SUBSCRIBERS", 2)
    first, second = await Stream.open(emu), await Stream.open(emu)
    resp = await emu.get("/_emulator/events")
    assert resp.status == 429
    body = await resp.json()
    assert body["error"]["kind"] == "too_many" and "2 event streams" in body["error"]["message"]
    first.close()
    second.close()


async def test_dropping_a_session_ends_its_streams(emu):
    resp = await emu.post("/_emulator/sessions", json={"key": "gone", "clock": "manual"})
    assert resp.status == 201
    stream = await Stream.open(emu, headers={"X-Emulator-Session": "gone"})
    assert (await emu.delete("/_emulator/sessions/gone")).status == 204
    assert await asyncio.wait_for(stream.resp.content.read(), SAFETY) == b""


async def test_a_dropped_session_arms_no_timer(emulator_factory):
    emu = await emulator_factory(clock="real")
    resp = await emu.post("/_emulator/sessions", json={"key": "brief", "clock": "real"})
    assert resp.status == 201
    session = emu.app["sessions"].find("brief")
    await submit(emu, headers={"X-Emulator-Session": "brief"})
    timer = session.wake.__self__
    assert timer.handle is not None  # armed for the job's first transition
    assert (await emu.delete("/_emulator/sessions/brief")).status == 204
    assert timer.handle is None and session.retired


async def test_an_injected_fault_is_an_event_before_its_request(emu):
    resp = await emu.post("/_emulator/faults", json={"provider": "bacalhau", "path": "/api/v1/orchestrator/jobs",
                                                      "status": 503, "times": 1})
    assert resp.status == 201
    stream = await Stream.open(emu, "?kind=fault,request&provider=bacalhau")
    assert (await emu.get("/api/v1/orchestrator/jobs")).status == 503
    fault, request = await stream.take(2)
    assert (fault["event"], fault["data"]["rule"], fault["data"]["status"]) == ("fault", "f1", 503)
    assert (request["event"], request["data"]["status"], request["data"]["fault"]) == ("request", 503, "f1")
    assert int(fault["id"]) < int(request["id"])
    stream.close()
