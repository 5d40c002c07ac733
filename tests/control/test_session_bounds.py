"""Sessions are created explicitly (or under --auto-sessions), never evicted with their jobs silently, and
rule lists are bounded."""

BAC = "/api/v1/orchestrator/jobs"
JOB = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}


async def session_keys(emu) -> list[str]:
    return sorted(s["key"] for s in (await (await emu.get("/_emulator/sessions")).json())["sessions"])


async def test_an_unknown_session_key_is_404_in_the_providers_format_and_creates_nothing(emu):
    for i in range(50):
        resp = await emu.get(BAC, headers={"X-Emulator-Session": f"fresh-{i}"})
        assert resp.status == 404
    body = await resp.json()
    assert body["message"].startswith("session 'fresh-49' does not exist; create it with POST /_emulator/sessions")
    resp = await emu.get("/_session/nope/_emulator/health")
    assert resp.status == 404 and (await resp.json())["error"]["field"] == "X-Emulator-Session"
    assert await session_keys(emu) == ["default"]


async def test_fresh_keys_never_evict_a_named_session_that_holds_jobs(emulator_factory):
    emu = await emulator_factory(max_sessions=3, auto_sessions=True)
    named = {"X-Emulator-Session": "named"}
    assert (await emu.post("/_emulator/sessions", json={"key": "named"})).status == 201
    assert (await emu.put(BAC, json=JOB, headers=named)).status == 200
    for i in range(1000):  # each fresh key made a session and pushed out the least recently used one
        resp = await emu.get(BAC, headers={"X-Emulator-Session": f"k{i}"})
        assert resp.status == 200
    assert await session_keys(emu) == ["default", "k999", "named"]
    assert len((await (await emu.get(BAC, headers=named)).json())["Jobs"]) == 1


async def test_at_the_bound_with_jobs_everywhere_a_new_session_is_refused(emulator_factory):
    emu = await emulator_factory(max_sessions=2)
    assert (await emu.post("/_emulator/sessions", json={"key": "a"})).status == 201
    assert (await emu.put(BAC, json=JOB, headers={"X-Emulator-Session": "a"})).status == 200
    resp = await emu.post("/_emulator/sessions", json={"key": "b"})
    assert resp.status == 409
    assert (await resp.json())["error"]["message"].startswith("session limit of 2 reached and every session "
                                                              "holds jobs")
    assert await session_keys(emu) == ["a", "default"]


async def test_rule_lists_are_bounded(emulator_factory):
    emu = await emulator_factory(max_rules=3)
    for kind, rule in (("scenarios", {"outcome": "fail", "at": "Running"}), ("faults", {"status": 503})):
        for _ in range(3):
            assert (await emu.post(f"/_emulator/{kind}", json=rule)).status == 201
        resp = await emu.post(f"/_emulator/{kind}", json=rule)
        assert resp.status == 409
        assert (await resp.json())["error"]["message"] == (f"session 'default' already holds 3 {kind} rules "
                                                           "(--max-rules); remove some first")
        assert len((await (await emu.get(f"/_emulator/{kind}")).json())[kind]) == 3


async def test_the_capabilities_document_states_every_bound(emulator_factory):
    emu = await emulator_factory(max_rules=7, journal_bytes=12345, body_timeout=3)
    bounds = (await (await emu.get("/_emulator/providers")).json())["bounds"]
    assert bounds["max_rules"] == 7 and bounds["journal_bytes"] == 12345 and bounds["body_timeout"] == 3
    assert bounds["min_flap_every"] == 1.0 and bounds["max_flaps"] == 100 and bounds["advance_slice"] == 10_000
    assert bounds["max_clock_ns"] == 2**62 and bounds["max_snapshot"] == 256 * 1024 * 1024
