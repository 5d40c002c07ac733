"""CORS: off by default (no header, a preflight is not answered as one); with --cors, a listed origin's
preflight is a 204 naming methods and headers, and its real requests to a provider API, the control API and
the event stream carry Access-Control-Allow-Origin and expose the session headers and Location; an
unlisted origin gets no CORS header at all."""

from __future__ import annotations

import pytest

from emulator.config import ConfigError, load
from tests.control.drivers import BACALHAU_JOB, TASK, TOKEN

APP = "http://localhost:3000"
PREFLIGHT = {"Origin": APP, "Access-Control-Request-Method": "PUT",
             "Access-Control-Request-Headers": "content-type, x-emulator-session"}


async def test_off_by_default_no_header_and_no_preflight(emu):
    resp = await emu.put("/api/v1/orchestrator/jobs", json=BACALHAU_JOB, headers={"Origin": APP})
    assert resp.status == 200
    assert not [h for h in resp.headers if h.lower().startswith("access-control-")]
    resp = await emu.options("/api/v1/orchestrator/jobs", headers=PREFLIGHT)
    assert resp.status == 405  # the path takes no OPTIONS: a browser would refuse the cross-origin call
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert "Access-Control-Allow-Origin" not in (await emu.get("/_emulator/health", headers={"Origin": APP})).headers


async def test_a_listed_origin_gets_its_preflight_answered(emulator_factory):
    emu = await emulator_factory(cors=f"{APP},https://ci.example.com")
    for path in ("/api/v1/orchestrator/jobs", "/_emulator/jobs", "/_emulator/clock/advance", TASK):
        resp = await emu.options(path, headers=PREFLIGHT)
        assert resp.status == 204, path
        assert resp.headers["Access-Control-Allow-Origin"] == APP
        assert set(resp.headers["Access-Control-Allow-Methods"].split(", ")) >= {"GET", "PUT", "POST", "DELETE"}
        assert resp.headers["Access-Control-Allow-Headers"] == "content-type, x-emulator-session"
        assert resp.headers["Access-Control-Max-Age"] == "600" and resp.headers["Vary"] == "Origin"
        assert await resp.read() == b""
    resp = await emu.options("/_emulator/jobs", headers={**PREFLIGHT, "Access-Control-Request-Headers": ""})
    assert "X-Emulator-Session" in resp.headers["Access-Control-Allow-Headers"]  # none asked: the known ones


async def test_a_listed_origin_reads_provider_and_control_answers_and_their_headers(emulator_factory):
    emu = await emulator_factory(cors=APP)
    resp = await emu.put("/api/v1/orchestrator/jobs", json=BACALHAU_JOB, headers={"Origin": APP})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == APP
    exposed = resp.headers["Access-Control-Expose-Headers"].split(", ")
    assert {"X-Emulator-Session", "X-Emulator-Seed", "Location"} <= set(exposed)
    assert resp.headers["Vary"] == "Origin"
    resp = await emu.post(TASK, json={"parameters": {}}, headers={**TOKEN, "Origin": APP}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Access-Control-Allow-Origin"] == APP and resp.headers["Location"]
    page = await emu.get("/_emulator/jobs", headers={"Origin": APP})
    assert page.status == 200 and page.headers["Access-Control-Allow-Origin"] == APP
    assert (await page.json())["total"] == 2
    missing = await emu.get("/api/v1/orchestrator/jobs/j-nope", headers={"Origin": APP})
    assert missing.status >= 400 and missing.headers["Access-Control-Allow-Origin"] == APP  # errors are readable


async def test_an_unlisted_origin_gets_no_cors_header(emulator_factory):
    emu = await emulator_factory(cors=APP)
    other = "http://evil.example"
    resp = await emu.options("/api/v1/orchestrator/jobs", headers={**PREFLIGHT, "Origin": other})
    assert resp.status == 405 and "Access-Control-Allow-Origin" not in resp.headers
    resp = await emu.put("/api/v1/orchestrator/jobs", json=BACALHAU_JOB, headers={"Origin": other})
    assert resp.status == 200  # served (CORS is the browser's check), but without the header it needs
    assert not [h for h in resp.headers if h.lower().startswith("access-control-")]
    resp = await emu.get("/_emulator/health")  # no Origin: not a cross-origin call
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_any_origin_with_a_star(emulator_factory):
    emu = await emulator_factory(cors="*")
    resp = await emu.options("/_emulator/health", headers={**PREFLIGHT, "Origin": "http://anything:1"})
    assert resp.status == 204 and resp.headers["Access-Control-Allow-Origin"] == "*" and "Vary" not in resp.headers
    resp = await emu.get("/_emulator/health", headers={"Origin": "http://anything:1"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


async def test_the_event_stream_carries_the_header(emulator_factory):
    emu = await emulator_factory(cors=APP)
    resp = await emu.get("/_emulator/events", headers={"Origin": APP})
    try:
        assert resp.status == 200 and resp.headers["Content-Type"] == "text/event-stream"
        assert resp.headers["Access-Control-Allow-Origin"] == APP
    finally:
        resp.close()


def test_settings_take_the_flag_and_the_variable_and_refuse_a_bad_origin():
    assert load({"cors": "http://LocalHost:3000/, https://a.example"}, env={}).cors == [
        "http://localhost:3000", "https://a.example"]
    assert load({}, env={"EMULATOR_CORS": "*"}).cors == ["*"]
    assert load({}, env={}).cors == []
    for bad in ("localhost:3000", "ftp://a", "http://a/path", "http://a b"):
        with pytest.raises(ConfigError, match=r"--cors: an origin is \* or scheme://host\[:port\]"):
            load({"cors": bad}, env={})
