"""jobs/list: every documented filter, the one-week default window, limit/offset and next_page."""

from instabase_helpers import AUTH, action, run

from emulator.core.clock import DEFAULT_MANUAL_START_NS, NS

START = DEFAULT_MANUAL_START_NS // NS


async def _list(emu, query: str = "", headers=None) -> dict:
    resp = await emu.get(f"/api/v1/jobs/list?{query}", headers=headers or AUTH)
    body = await resp.json()
    assert resp.status == 200, body
    return body


def _ids(body: dict) -> list[str]:
    return [j["job_id"] for j in body["jobs"]]


async def test_default_limit_20_newest_first_and_next_page(emu):
    ids = [await run(emu) for _ in range(25)]
    body = await _list(emu)
    assert _ids(body) == ids[::-1][:20]
    assert body["next_page"] == "/api/v1/jobs/list?limit=20&offset=20"
    body = await _list(emu, "limit=20&offset=20")
    assert _ids(body) == ids[::-1][20:] and body["next_page"] == ""


async def test_default_window_is_one_week(emu):
    old = await run(emu)
    await emu.advance(8 * 86_400)
    new = await run(emu)
    assert _ids(await _list(emu)) == [new]
    assert _ids(await _list(emu, f"from_timestamp={START - 1}")) == [new, old]
    assert _ids(await _list(emu, f"from_timestamp={START - 1}&to_timestamp={START + 1}")) == [old]


async def test_state_filter_is_any_of_and_maps_checkpoint_failed(emu):
    done = await run(emu)
    await emu.advance(30)
    running = await run(emu)
    stopped = await run(emu, headers={"X-Emulator-Outcome": "fail; at=PENDING; to=STOPPED_AT_CHECKPOINT"})
    await emu.advance(3)
    assert _ids(await _list(emu, "state=COMPLETE")) == [done]
    assert _ids(await _list(emu, "state=RUNNING,COMPLETE")) == [running, done]
    assert _ids(await _list(emu, "state=CHECKPOINT_FAILED")) == [stopped]
    assert (await _list(emu, "state=RUNNING"))["jobs"][0]["state"] == "RUNNING"


async def test_user_filter(emulator_factory):
    emu = await emulator_factory(options={"instabase": {"tokens": "ta=alice|tb=bob", "admins": "alice"}})
    a = await run(emu, headers={"Authorization": "Bearer ta"})
    b = await run(emu, headers={"Authorization": "Bearer tb"})
    alice = {"Authorization": "Bearer ta"}
    assert _ids(await _list(emu, "user=bob", alice)) == [b]
    assert _ids(await _list(emu, "", alice)) == [b, a]
    assert (await _list(emu, "user=bob", alice))["jobs"][0]["username"] == "bob"


async def test_priority_filter(emu):
    high = await run(emu, priority=9)
    default = await run(emu)
    assert _ids(await _list(emu, "priority=9")) == [high]
    body = await _list(emu, "priority=5")
    assert _ids(body) == [default] and body["jobs"][0]["priority"] == 5


async def test_tags_filter_matches_any_tag(emu):
    foo = await run(emu, tags=["foo", "x"])
    bar = await run(emu, tags="bar")
    await run(emu, tags=["baz"])
    assert _ids(await _list(emu, "tags=foo,bar")) == [bar, foo]
    assert (await _list(emu, "tags=bar"))["jobs"][0]["tags"] == ["bar"]


async def test_pipeline_ids_filter_and_pipeline_infos(emu):
    p1 = await run(emu, pipeline_ids=["p1"])
    await run(emu, pipeline_ids=["p2"])
    body = await _list(emu, "pipeline_ids=p1,p9")
    assert _ids(body) == [p1]
    assert body["jobs"][0]["flow_pipeline_infos"] == [{"pipeline_id": "p1", "pipeline_name": "Pipeline p1"}]


async def test_review_state_and_reviewer_filters(emu):
    plain = await run(emu)
    review = await run(emu, headers={"X-Emulator-Outcome": "fail; at=RUNNING; to=STOPPED_AT_CHECKPOINT"})
    await emu.advance(30)
    assert _ids(await _list(emu, "review_state=NONE")) == [plain]
    body = await _list(emu, "review_state=IN%20REVIEW")
    assert _ids(body) == [review]
    reviewer = body["jobs"][0]["reviewer"]
    assert reviewer and body["jobs"][0]["review_state"] == "IN_REVIEW"
    assert _ids(await _list(emu, "review_state=IN_REVIEW,COMPLETED")) == [review]
    assert _ids(await _list(emu, f"reviewer={reviewer}")) == [review]
    assert _ids(await _list(emu, "reviewer=nobody")) == []


async def test_partial_job_id_and_job_ids_filters(emu):
    a = await run(emu)
    b = await run(emu)
    c = await run(emu)
    assert _ids(await _list(emu, f"job_id={b[9:18]}")) == [b]
    assert _ids(await _list(emu, f"job_id={b}")) == [b]
    assert _ids(await _list(emu, f"job_ids={a},{c}")) == [c, a]


async def test_list_item_while_running_has_no_finish_timestamp(emu):
    job_id = await run(emu)
    await emu.advance(12)
    [job] = (await _list(emu))["jobs"]
    assert job["job_id"] == job_id and job["state"] == "RUNNING"
    assert "finish_timestamp" not in job and job["runtime_sec"] == 12.0
    assert job["curMsg"].startswith("Running single_flow: processed")


async def test_list_rejects_unknown_state_and_bad_numbers(emu):
    resp = await emu.get("/api/v1/jobs/list?state=DONE", headers=AUTH)
    body = await resp.json()
    assert resp.status == 400 and body["status"] == "ERROR" and body["msg"].startswith("state: unknown value 'DONE'")
    resp = await emu.get("/api/v1/jobs/list?limit=ten", headers=AUTH)
    assert resp.status == 400
    assert await resp.json() == {"status": "ERROR", "msg": "query parameter limit must be an integer, got 'ten'"}
    resp = await emu.get("/api/v1/jobs/list?priority=12", headers=AUTH)
    assert resp.status == 400 and (await resp.json())["msg"] == "priority must be 0-9, got 12"
    resp = await emu.get("/api/v1/jobs/list?review_state=MAYBE", headers=AUTH)
    assert resp.status == 400 and "review_state" in (await resp.json())["msg"]


async def test_listing_reflects_tag_updates_and_deletion(emu):
    job_id = await run(emu, tags=["a"])
    resp = await emu.post("/api/v1/jobs/tags", json={"job_id": job_id}, headers=AUTH)
    assert await resp.json() == {"status": "OK", "updated_tags": []}
    assert _ids(await _list(emu, "tags=a")) == []
    code, _ = await action(emu, "pause", job_id=job_id)
    assert code == 409  # still PENDING


async def test_a_tag_update_moves_the_job_between_the_state_and_tag_pages(emu):
    job_id = await run(emu, tags=["a"])
    user = (await _list(emu, "limit=1"))["jobs"][0]["username"]
    resp = await emu.post("/api/v1/jobs/tags", json={"job_id": job_id, "names": ["b"]}, headers=AUTH)
    assert await resp.json() == {"status": "OK", "updated_tags": ["b"]}
    for state in ("PENDING", "RUNNING"):
        for tag, expected in (("a", []), ("b", [job_id])):
            # the index-answered page and the filtering walk (user=<the caller>) must agree
            assert _ids(await _list(emu, f"state={state}&tags={tag}")) == expected
            assert _ids(await _list(emu, f"state={state}&tags={tag}&user={user}")) == expected
        await emu.advance(3)  # PENDING -> RUNNING: the move must find the job under its new tag


async def test_state_and_tag_pages_follow_every_move_and_agree_with_the_full_filter(emu):
    # one state with at most one tag is answered from the list index; adding a filter that keeps every job
    # (user=<the caller>) takes the filtering walk instead: both must give the same pages at every step
    tagged = [await run(emu, tags=["nightly"] if i % 2 else ["adhoc"]) for i in range(7)]
    user = (await _list(emu, "limit=1"))["jobs"][0]["username"]

    async def agree(query: str) -> list[str]:
        fast, walk = await _list(emu, query), await _list(emu, f"{query}&user={user}")
        assert _ids(fast) == _ids(walk)
        assert fast["next_page"].replace(f"&user={user}", "") == walk["next_page"].replace(f"&user={user}", "")
        return _ids(fast)

    nightly = tagged[1::2]
    assert await agree("state=PENDING&tags=nightly&limit=2") == nightly[::-1][:2]
    assert await agree("state=PENDING&tags=nightly&limit=2&offset=2") == nightly[::-1][2:]
    await emu.advance(3)  # all running
    assert await agree("state=RUNNING&tags=adhoc") == tagged[0::2][::-1]
    assert await action(emu, "cancel", job_id=tagged[2]) == (200, {"status": "OK"})
    # cancelling still shows RUNNING, then CANCELLED
    assert tagged[2] in await agree("state=RUNNING&tags=adhoc")
    await emu.advance(60)
    assert await agree("state=CANCELLED") == [tagged[2]]
    assert await agree("state=COMPLETE&tags=adhoc&limit=10") == [tagged[6], tagged[4], tagged[0]]
    assert await agree("state=COMPLETE&offset=5") == [tagged[0]]
    assert await agree("state=RUNNING") == []
