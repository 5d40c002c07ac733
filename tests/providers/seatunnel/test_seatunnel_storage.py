"""How a SeaTunnel job is kept: its config as sent (JSON bytes, HOCON text), a compact plan shared between jobs
of the same config, env and DAG derived again on read. Answers must not depend on the read cache."""

import json

from seatunnel_helpers import ETL_JOB, cdc, etl, info, st_fixture, submit  # noqa: F401

from emulator.core.readcache import CACHE
from emulator.core.snapshot import export, restore
from emulator.providers.seatunnel import model

HOCON = ('env {\n  job.name = "h"\n  job.mode = "BATCH"\n}\n'
         'source {\n  FakeSource { row.num = 20 }\n}\nsink {\n  Console {}\n}\n')


async def _answers(st, ids):
    out = []
    for jid in ids:
        out.append(await info(st, jid))
        out.append(await (await st.get(f"/logs/{jid}")).text())
    out.append(await (await st.get("/running-jobs")).json())
    out.append(await (await st.get("/finished-jobs")).json())
    return out


async def test_job_keeps_the_body_bytes_and_a_compact_plan(st):
    raw = json.dumps(etl()).encode()
    resp = await st.post("/submit-job", data=raw, headers={"Content-Type": "application/json"})
    jid = (await resp.json())["jobId"]
    job = st.app["sessions"].get().store("seatunnel").get(jid)
    assert job.spec == raw
    assert isinstance(job.data, model.Plan) and job.data.mode == "BATCH" and job.data.total == 100
    await st.advance(0.5)
    before = await info(st, jid)
    CACHE.clear()  # a read that misses the LRU derives env and DAG again from the bytes
    assert await info(st, jid) == before
    assert before["envOptions"] == ETL_JOB["env"]


async def test_answers_do_not_depend_on_the_read_cache(st, monkeypatch):
    ids = [await submit(st, etl(**{"job.name": f"e{i}"})) for i in range(3)] + [await submit(st, cdc())]
    resp = await st.post("/submit-job", data=HOCON.encode(), params={"format": "hocon"})
    ids.append((await resp.json())["jobId"])
    resp = await st.post("/submit-jobs", json=[{**etl(), "params": {"jobId": "4242", "jobName": "p"}}])
    ids.append((await resp.json())[0]["jobId"])
    await st.post("/stop-job", json={"jobId": ids[3], "isStopWithSavePoint": True})
    await st.advance(3)
    cached = await _answers(st, ids)
    monkeypatch.setattr(CACHE, "limit", 1)  # every read misses
    CACHE.clear()
    assert await _answers(st, ids) == cached
    store = st.app["sessions"].get().store("seatunnel")
    assert store.get(ids[4]).spec == HOCON  # HOCON text as sent
    assert json.loads(store.get("4242").spec) == {**etl(), "params": {"jobId": "4242", "jobName": "p"}}


async def test_batch_jobs_of_one_config_share_their_plan_and_fate(st):
    a, b = await submit(st, etl()), await submit(st, etl())
    store = st.app["sessions"].get().store("seatunnel")
    ja, jb = store.get(a), store.get(b)
    assert ja.data.numbers is jb.data.numbers and ja.fate is jb.fate
    # a scripted outcome gets a fate of its own, and leaves the shared one alone
    c = await submit(st, etl(), headers={"X-Emulator-Outcome": "fail; at=RUNNING; message=x"})
    assert store.get(c).fate is not ja.fate and ja.fate.kind == "succeed"
    await st.advance(5)
    assert (await info(st, c))["jobStatus"] == "FAILED" and (await info(st, a))["jobStatus"] == "FINISHED"


async def test_snapshot_round_trip_keeps_every_answer(st):
    ids = [await submit(st, etl()), await submit(st, cdc())]
    await st.post("/stop-job", json={"jobId": ids[1], "isStopWithSavePoint": True})
    await st.advance(4)
    before = await _answers(st, ids)
    session = st.app["sessions"].get()
    snap = json.loads(json.dumps(export(session)))
    restore(session, snap, {k: p.graphs() for k, p in st.app["providers"].items()})
    CACHE.clear()
    assert await _answers(st, ids) == before
