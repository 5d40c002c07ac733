"""Users and bulk actions: open and closed token modes, the admin rule, and the bulk filters."""

from instabase_helpers import action, run
from instabase_helpers import state as state_as

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS

START = DEFAULT_MANUAL_START_NS // NS
# tok-jaydoe (the helpers' token) is a non-admin here, so status polls work in closed mode too
CLOSED = {"instabase": {"tokens": "ta=alice|tb=bob|tok-jaydoe=jaydoe", "admins": "alice"}}
ALICE = {"Authorization": "Bearer ta"}
BOB = {"Authorization": "Bearer tb"}


async def state(emu, job_id: str) -> str:
    """A job's state as the admin sees it (jobs are scoped by user: jaydoe cannot see alice's or bob's)."""
    return await state_as(emu, job_id, ALICE)


async def test_open_mode_any_token_names_a_stable_user(emu):
    a = await run(emu, headers={"Authorization": "Bearer secret-1"})
    b = await run(emu, headers={"Authorization": "Bearer secret-1"})
    resp = await emu.get("/api/v1/jobs/list", headers={"Authorization": "Bearer secret-1"})
    users = {j["job_id"]: j["username"] for j in (await resp.json())["jobs"]}
    assert users[a] == users[b] and users[a].startswith("user-") and len(users[a]) == 13
    anon = await emu.get("/api/v1/jobs/list")
    assert anon.status == 200  # the seed's list example sends no token


async def test_closed_mode_rejects_missing_and_unknown_tokens(emulator_factory):
    emu = await emulator_factory(options=CLOSED)
    resp = await emu.get("/api/v1/jobs/list")
    assert resp.status == 401 and resp.headers["WWW-Authenticate"] == "Bearer"
    assert await resp.json() == {"status": "ERROR", "msg": "missing Authorization: Bearer <token> header"}
    resp = await emu.get("/api/v1/jobs/list", headers={"Authorization": "Bearer nope"})
    assert resp.status == 401 and await resp.json() == {"status": "ERROR", "msg": "invalid or expired token"}
    resp = await emu.post("/api/v1/flow/run_binary_async", json={"binary_path": "a", "input_dir": "b"},
                          headers={"Authorization": "Basic abc"})
    assert resp.status == 401 and "Bearer" in (await resp.json())["msg"]


async def test_non_admin_list_and_user_filter_only_reach_own_jobs(emulator_factory):
    emu = await emulator_factory(options=CLOSED)
    a = await run(emu, headers=ALICE)
    b = await run(emu, headers=BOB)
    for query in ("", "?user=alice"):
        resp = await emu.get(f"/api/v1/jobs/list{query}", headers=BOB)
        assert [j["job_id"] for j in (await resp.json())["jobs"]] == [b]
    resp = await emu.get("/api/v1/jobs/list", headers=ALICE)
    assert [j["job_id"] for j in (await resp.json())["jobs"]] == [b, a]


async def test_non_admin_cancel_all_cancels_only_own_jobs(emulator_factory):
    emu = await emulator_factory(options=CLOSED)
    a = await run(emu, headers=ALICE)
    b = await run(emu, headers=BOB)
    assert await action(emu, "cancel_all", headers=BOB, user="alice") == (200, {"status": "OK"})
    await emu.advance(1)
    assert await state(emu, b) == "CANCELLED"
    assert await state(emu, a) == "PENDING"


async def test_admin_bulk_actions_with_user_filter(emulator_factory):
    emu = await emulator_factory(options=CLOSED)
    a = await run(emu, headers=ALICE)
    b = await run(emu, headers=BOB)
    await emu.advance(3)
    assert await action(emu, "pause_all", headers=ALICE, user="bob") == (200, {"status": "OK"})
    assert await state(emu, b) == "PAUSED" and await state(emu, a) == "RUNNING"
    assert await action(emu, "pause_all", headers=ALICE) == (200, {"status": "OK"})
    assert await state(emu, a) == "PAUSED"
    assert await action(emu, "resume_all", headers=ALICE, user="alice") == (200, {"status": "OK"})
    assert await state(emu, a) == "RUNNING" and await state(emu, b) == "PAUSED"


async def test_bulk_actions_respect_time_window_and_tags(emu):
    old = await run(emu, tags=["nightly"])
    await emu.advance(3600)
    new = await run(emu, tags=["nightly"])
    other = await run(emu, tags=["adhoc"])
    await emu.advance(3)
    assert await state(emu, old) == "COMPLETE"
    code, _ = await action(emu, "pause_all", tags="nightly", from_timestamp=START + 1800)
    assert code == 200
    assert await state(emu, new) == "PAUSED" and await state(emu, other) == "RUNNING"
    # a window that ends before `other` started leaves it alone
    assert await action(emu, "cancel_all", to_timestamp=START + 1800) == (200, {"status": "OK"})
    await emu.advance(1)
    assert await state(emu, other) == "RUNNING" and await state(emu, new) == "PAUSED"
    assert await action(emu, "cancel_all") == (200, {"status": "OK"})
    await emu.advance(1)
    assert await state(emu, other) == "CANCELLED" and await state(emu, new) == "CANCELLED"


async def test_resume_all_only_touches_paused_jobs_in_last_week(emu):
    old = await run(emu, headers={"X-Emulator-Outcome": "hang; at=RUNNING"})
    await emu.advance(3)
    assert await action(emu, "pause", job_id=old) == (200, {"status": "OK"})
    await emu.advance(8 * 86_400)
    recent = await run(emu)
    await emu.advance(3)
    assert await action(emu, "pause", job_id=recent) == (200, {"status": "OK"})
    assert await action(emu, "resume_all") == (200, {"status": "OK"})
    assert await state(emu, recent) == "RUNNING"
    assert await state(emu, old) == "PAUSED"  # outside the default one-week window
