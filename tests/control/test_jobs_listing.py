"""GET /_emulator/jobs: every job of the session across the five providers, newest first, paged by cursor,
filtered by provider, state and a search; loud 400s naming the valid choices; the document says exactly
what the handler takes. Every page is checked against schemas/control/jobs.response here and by the
server's contract mode."""

from __future__ import annotations

import pytest

from emulator.core import listing
from emulator.core.validation import errors_of
from tests.control.drivers import IB_AUTH, IB_RUN, SEATUNNEL_JOB, TASK, TOKEN

ORDER = ("streams", "bacalhau", "seatunnel", "instabase", "taskapi")  # the enabled order breaks ties
RANK = {p: i for i, p in enumerate(ORDER)}


async def _json(resp, status: int = 200) -> dict:
    text = await resp.text()
    assert resp.status == status, f"{resp.status}: {text}"
    return await resp.json()


async def submit(emu, provider: str, n: int) -> tuple[str, str]:
    """Submit one job named after `n` through the provider's own API; answers (id, name as listed)."""
    if provider == "bacalhau":
        body = {"Job": {"Name": f"etl-{n}", "Type": "batch", "Count": 1, "Tasks": [{"Name": "main", "Engine": {
            "Type": "docker", "Params": {"Image": "ubuntu"}}}]}}
        return (await _json(await emu.put("/api/v1/orchestrator/jobs", json=body)))["JobID"], f"etl-{n}"
    if provider == "seatunnel":
        resp = await emu.post(f"/submit-job?jobName=sync-{n}", json=SEATUNNEL_JOB)
        return str((await _json(resp))["jobId"]), f"sync-{n}"
    if provider == "streams":
        body = {"application": "https://example.com/app.sab", "jobConfigurationOverlay": {
            "jobConfigOverlays": [{"jobConfig": {"jobName": f"stream-{n}"}}]}}
        job = await _json(await emu.post("/streams/instances/inst1/jobs", json=body), 201)
        return f"inst1/{job['id']}", f"stream-{n}"
    if provider == "instabase":
        body = await _json(await emu.post("/api/v1/flow/run_binary_async", json=IB_RUN, headers=IB_AUTH))
        return body["data"]["job_id"], "single.ibflowbin"
    resp = await emu.post(TASK, json={"parameters": {"source": "grade"}}, headers=TOKEN, allow_redirects=False)
    assert resp.status == 303, await resp.text()
    return resp.headers["Location"].rsplit("/", 2)[-2], "geostatistics/kriging"


@pytest.fixture
async def filled(emu):
    """300 jobs over the five providers in three batches 4 s apart (so states differ: the newest batch has just
    been submitted); answers the emulator
    and the jobs as (batch, provider, index within the test, id, name)."""
    made = []
    plan = ["bacalhau"] * 30 + ["seatunnel"] * 20 + ["streams"] * 15 + ["instabase"] * 20 + ["taskapi"] * 15
    for batch in range(3):
        for i, provider in enumerate(plan):
            n = batch * 1000 + i
            job_id, name = await submit(emu, provider, n)
            made.append((batch, provider, len(made), job_id, name))
        if batch < 2:
            await emu.advance(4)
    return emu, made


def newest_first(jobs):
    """The documented order: creation time, newest first; at one instant, the enabled order of providers;
    within a provider, newest first."""
    return [(p, j) for _, p, _, j, _ in sorted(jobs, key=lambda r: (r[0], -RANK[r[1]], r[2]), reverse=True)]


async def walk(emu, limit: int, **params) -> tuple[list[dict], list[dict]]:
    """Every page of a listing: (all items in order, every page body), each page checked against the schema."""
    items, pages, cursor = [], [], None
    while True:
        query = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        page = await _json(await emu.get("/_emulator/jobs", params=query))
        assert not list(errors_of("control/jobs.response", page))
        assert page["limit"] == limit and len(page["items"]) <= limit
        pages.append(page)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        assert len(pages) < 10_000, "the cursor does not move on"


async def test_every_job_of_every_provider_newest_first_in_pages(filled):
    emu, made = filled
    items, pages = await walk(emu, 37)
    assert [(i["provider"], i["id"]) for i in items] == newest_first(made)
    assert len(pages) == -(-len(made) // 37)
    assert all(p["total"] == len(made) for p in pages)
    assert all(p["examined"] == len(p["items"]) for p in pages)  # no filter: nothing looked at is skipped
    names = {(p, j): n for _, p, _, j, n in made}
    assert all(i["name"] == names[(i["provider"], i["id"])] for i in items)


async def test_an_item_is_the_engine_view_the_table_shows(filled):
    emu, _ = filled
    page = await _json(await emu.get("/_emulator/jobs", params={"provider": "bacalhau", "limit": "1"}))
    item = page["items"][0]
    view = await _json(await emu.get(f"/_emulator/jobs/bacalhau/{item['id']}"))
    now = (await _json(await emu.get("/_emulator/clock")))["now_ns"]
    assert page["now"] == now / 1e9
    assert item["state"] == view["state"] == "Pending" and item["terminal"] is False
    assert item["created_ns"] == view["created_ns"] and item["created"] == view["created_ns"] / 1e9
    assert item["age_seconds"] == (now - view["created_ns"]) / 1e9 == 0.0
    assert item["next"] == {"state": view["next"]["state"], "at_ns": view["next"]["at_ns"],
                            "at": view["next"]["at_ns"] / 1e9, "in_seconds": (view["next"]["at_ns"] - now) / 1e9}
    assert item["next"]["state"] == "Running"
    done = await _json(await emu.get("/_emulator/jobs", params={"provider": "bacalhau", "state": "Completed",
                                                                 "limit": "1"}))
    assert done["items"][0]["terminal"] is True and done["items"][0]["next"] is None


@pytest.mark.parametrize("provider", ORDER)
async def test_a_provider_filter_pages_that_providers_jobs(filled, provider):
    emu, made = filled
    mine = [m for m in made if m[1] == provider]
    items, pages = await walk(emu, 16, provider=provider)
    assert [(i["provider"], i["id"]) for i in items] == newest_first(mine)
    assert all(p["total"] == len(mine) for p in pages)


async def test_a_state_filter_pages_that_states_jobs_in_creation_order(filled):
    emu, made = filled
    checked = 0
    for provider in ORDER:
        store = emu.session.store(provider)
        for state in {j.state for j in store}:
            expected = newest_first([m for m in made if m[1] == provider and store.get(m[3]).state == state])
            items, pages = await walk(emu, 7, provider=provider, state=state)
            assert [(i["provider"], i["id"]) for i in items] == expected, (provider, state)
            assert all(i["state"] == state for i in items)
            assert all(p["total"] == len(expected) and p["examined"] == len(p["items"]) for p in pages)
            checked += 1
    assert checked >= 8  # the batches left several states per provider
    # without a provider: that state's jobs of every provider that has the state
    running = [m for m in made if emu.session.store(m[1]).get(m[3]).state == "RUNNING"]
    assert {m[1] for m in running} == {"seatunnel", "instabase"}
    items, _ = await walk(emu, 9, state="RUNNING")
    assert [(i["provider"], i["id"]) for i in items] == newest_first(running)


async def test_a_state_page_follows_jobs_that_move_between_pages(filled):
    """A page after a transition still reads the state index: jobs that left the state are gone from the
    later pages, jobs that entered it (older than the cursor) appear."""
    emu, _ = filled
    first = await _json(await emu.get("/_emulator/jobs", params={"provider": "bacalhau", "state": "Pending",
                                                                  "limit": "10"}))
    assert first["total"] == 30 and len(first["items"]) == 10
    await emu.advance(2)  # the last batch's Pending jobs start running
    rest = await _json(await emu.get("/_emulator/jobs", params={"provider": "bacalhau", "state": "Pending",
                                                                 "cursor": first["next_cursor"], "limit": "10"}))
    assert rest["items"] == [] and rest["next_cursor"] is None and rest["total"] == 0
    running, _ = await walk(emu, 10, provider="bacalhau", state="Running")
    assert len(running) == 60 and {i["state"] for i in running} == {"Running"}  # two batches now


async def test_a_search_matches_id_or_name_case_insensitively(filled):
    emu, made = filled
    items, pages = await walk(emu, 5, q="ETL-10")  # names etl-10..etl-19 and etl-1010..etl-1019, etl-2010...
    expected = [m for m in made if "etl-10" in m[4]]
    assert [(i["provider"], i["id"]) for i in items] == newest_first(expected)
    assert all(p["total"] is None for p in pages)
    target = next(m for m in made if m[1] == "instabase")
    fragment = target[3][4:14].upper()
    items, _ = await walk(emu, 50, q=fragment)
    assert (target[1], target[3]) in [(i["provider"], i["id"]) for i in items]
    assert all(fragment.lower() in i["id"].lower() or fragment.lower() in (i["name"] or "").lower() for i in items)
    store = emu.session.store("taskapi")
    oldest = store.get(next(m for m in made if m[1] == "taskapi")[3]).state
    items, _ = await walk(emu, 50, q="kriging", provider="taskapi", state=oldest)
    assert len(items) == store.count_in(oldest) >= 15
    assert all(i["name"] == "geostatistics/kriging" and i["state"] == oldest for i in items)
    assert (await walk(emu, 50, q="no such job"))[0] == []


async def test_a_search_examines_a_bounded_number_of_jobs_per_request(filled, monkeypatch):
    emu, made = filled
    monkeypatch.setattr(listing, "MAX_EXAMINED", 40)
    items, pages = await walk(emu, 100, q="sync-")
    assert [(i["provider"], i["id"]) for i in items] == newest_first([m for m in made if m[1] == "seatunnel"])
    assert all(p["examined"] <= 40 for p in pages)
    assert len(pages) >= len(made) // 40  # short pages with a cursor: the search went on where it stopped
    assert sum(p["examined"] for p in pages) == len(made)


async def test_pages_stay_put_while_jobs_are_added(filled):
    emu, made = filled
    first = await _json(await emu.get("/_emulator/jobs", params={"limit": "50"}))
    await emu.advance(1)  # (at the first page's instant they would come after Streams' jobs: the enabled order)
    for i in range(5):
        await submit(emu, "bacalhau", 9000 + i)
    items = list(first["items"])
    cursor = first["next_cursor"]
    while cursor:
        page = await _json(await emu.get("/_emulator/jobs", params={"limit": "50", "cursor": cursor}))
        items += page["items"]
        cursor = page["next_cursor"]
    assert [(i["provider"], i["id"]) for i in items] == newest_first(made)  # none of the five new ones
    again = await _json(await emu.get("/_emulator/jobs", params={"limit": "5"}))
    assert [i["name"] for i in again["items"]] == [f"etl-{9004 - i}" for i in range(5)]


async def test_a_page_of_an_empty_session(emu):
    page = await _json(await emu.get("/_emulator/jobs"))
    assert page["items"] == [] and page["next_cursor"] is None and page["total"] == 0 and page["limit"] == 100


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"provider": "nomad"}, "provider", "must be one of streams, bacalhau, seatunnel, instabase, taskapi, got 'nomad'"),
    ({"state": "Done"}, "state", "the states of the enabled providers: unknown, partiallyHealthy"),
    ({"provider": "streams", "state": "Completed"}, "state",
     "streams's states: unknown, partiallyHealthy, healthy, unhealthy, canceling, canceled; got 'Completed'"),
    ({"provider": "bacalhau", "state": "completed"}, "state", "got 'completed'"),
    ({"limit": "0"}, "limit", "must be >= 1"),
    ({"limit": "1001"}, "limit", "must be <= 1000"),
    ({"limit": "ten"}, "limit", "must be an integer"),
    ({"cursor": "not-a-cursor"}, "cursor", "not one this listing handed out"),
    ({"cursor": "eyJ2IjoxLCJmIjpbIiIsIiIsIiJdLCJiIjp7fX0"}, "cursor", "does not fit the enabled providers"),
])
async def test_bad_parameters_are_a_400_naming_the_field_and_the_choices(emu, params, field, says):
    body = await _json(await emu.get("/_emulator/jobs", params=params), 400)
    assert body["error"]["field"] == field and body["error"]["kind"] == "invalid"
    assert says in body["error"]["message"]


async def test_a_cursor_only_pages_the_listing_it_came_from(filled):
    emu, _ = filled
    page = await _json(await emu.get("/_emulator/jobs", params={"provider": "bacalhau", "limit": "5"}))
    for other in ({"provider": "seatunnel"}, {}, {"provider": "bacalhau", "q": "etl"},
                  {"provider": "bacalhau", "state": "Pending"}):
        body = await _json(await emu.get("/_emulator/jobs", params={**other, "cursor": page["next_cursor"]}), 400)
        assert body["error"]["field"] == "cursor" and "other filters" in body["error"]["message"]


async def test_the_document_lists_the_parameters_as_the_handler_takes_them(emu):
    doc = await _json(await emu.get("/_emulator/openapi/control.json"))
    op = doc["paths"]["/_emulator/jobs"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert list(params) == ["provider", "state", "q", "limit", "cursor"]
    assert params["provider"]["schema"] == {"type": "string", "enum": list(ORDER)}
    providers = (await _json(await emu.get("/_emulator/providers")))["providers"]
    states = []
    for key in ORDER:
        states += [s["name"] for s in providers[key]["states"] if s["name"] not in states]
    assert params["state"]["schema"] == {"type": "string", "enum": states}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
    assert "10000 jobs" in params["q"]["description"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/jobs.response"}
    assert "jobs.response" in doc["components"]["schemas"]


async def test_sessions_list_their_own_jobs(emu):
    await _json(await emu.post("/_emulator/sessions", json={"key": "other"}), 201)
    await submit(emu, "bacalhau", 1)
    page = await _json(await emu.get("/_session/other/_emulator/jobs"))
    assert page["items"] == [] and page["total"] == 0
    page = await _json(await emu.get("/_emulator/jobs"))
    assert [i["name"] for i in page["items"]] == ["etl-1"]
