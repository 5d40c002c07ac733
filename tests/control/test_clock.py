"""Control basics: health, clock modes and advancing the manual clock."""

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS


async def test_health_reports_providers_clock_and_counts(emu):
    resp = await emu.get("/_emulator/health")
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "ok"
    assert body["clock"]["mode"] == "manual"
    assert body["clock"]["now_ns"] == DEFAULT_MANUAL_START_NS
    assert body["jobs"] == 0
    assert resp.headers["X-Emulator-Seed"] == "7"


async def test_advance_moves_manual_clock_exactly(emu):
    body = await emu.advance(90.5)
    assert body["now_ns"] == DEFAULT_MANUAL_START_NS + int(90.5 * NS)
    clock = await (await emu.get("/_emulator/clock")).json()
    assert clock["now_ns"] == DEFAULT_MANUAL_START_NS + int(90.5 * NS)


async def test_advance_rejects_negative_seconds_naming_field(emu):
    resp = await emu.post("/_emulator/clock/advance", json={"seconds": -1})
    assert resp.status == 400
    body = await resp.json()
    assert body["error"]["field"] == "seconds"


async def test_set_clock_scaled_then_manual_keeps_time(emu):
    resp = await emu.post("/_emulator/clock", json={"speed": 60})
    body = await resp.json()
    assert body["mode"] == "scaled" and body["speed"] == 60
    resp = await emu.post("/_emulator/clock", json={"mode": "manual"})
    body = await resp.json()
    assert body["mode"] == "manual" and body["now_ns"] >= DEFAULT_MANUAL_START_NS


async def test_set_clock_rejects_unknown_mode(emu):
    resp = await emu.post("/_emulator/clock", json={"mode": "warp"})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "mode"


async def test_session_header_isolates_clocks(emu):
    assert (await emu.post("/_emulator/sessions", json={"key": "w1"})).status == 201
    await emu.post("/_emulator/clock/advance", json={"seconds": 100}, headers={"X-Emulator-Session": "w1"})
    mine = await (await emu.get("/_emulator/clock", headers={"X-Emulator-Session": "w1"})).json()
    other = await (await emu.get("/_emulator/clock")).json()
    assert mine["now_ns"] - other["now_ns"] == 100 * NS
    prefixed = await (await emu.get("/_session/w1/_emulator/clock")).json()
    assert prefixed["now_ns"] == mine["now_ns"]
