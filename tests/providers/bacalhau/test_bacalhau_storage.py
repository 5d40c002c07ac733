"""How a Bacalhau job is kept (the request bytes as sent, a compact record of what submit drew) and the
indexed list path (creation order with no filter or one label equality): answers must be those of the scan."""

import json

from emulator.core.readcache import CACHE
from emulator.core.snapshot import export, restore
from emulator.providers.bacalhau import model
from tests.providers.bacalhau.test_bacalhau_seed import BASE, echo_job, submit


async def _page(emu, **params):
    resp = await emu.get(BASE, params={k: str(v) for k, v in params.items()})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    return [j["ID"] for j in body["Jobs"]], body["NextToken"]


async def _fill(emu, n=23):
    ids = []
    for i in range(n):
        labels = {"env": "a" if i % 3 else "b", "i": str(i)}
        ids.append((await submit(emu, echo_job(name=f"j{i}", labels=labels)))["JobID"])
    return ids


async def test_indexed_label_pages_are_the_scanned_pages(emu):
    ids = await _fill(emu)
    await emu.advance(3)
    for rev in ("false", "true"):
        for off in (0, 1, 5, 14, 15, 40):
            for limit in (0, 1, 4, 100):
                # `env=a` takes the label index; `env in (a)` means the same and takes the scan
                fast = await _page(emu, labels="env=a", limit=limit, next_token=off, reverse=rev)
                scan = await _page(emu, labels="env in (a)", limit=limit, next_token=off, reverse=rev)
                assert fast == scan, (rev, off, limit)
                # no selector: a slice of creation order, the same as a namespace-wide scan
                fast = await _page(emu, limit=limit, next_token=off, reverse=rev)
                scan = await _page(emu, namespace="default", limit=limit, next_token=off, reverse=rev)
                assert fast == scan, (rev, off, limit)
    a_ids = [j for i, j in enumerate(ids) if i % 3]
    assert (await _page(emu, labels="env=a", limit=5, next_token=5))[0] == a_ids[5:10]
    assert (await _page(emu, labels="env=a", limit=5, next_token=5, reverse="true"))[0] == a_ids[::-1][5:10]
    assert (await _page(emu, labels="env=nope", limit=5, next_token=5)) == ([], "")


async def test_indexed_pages_skip_jobs_retention_dropped(emulator_factory):
    emu = await emulator_factory(providers="bacalhau", retain_finished=5)
    ids = await _fill(emu, 12)
    await emu.advance(30)  # every job completes; the 7 oldest are dropped
    kept = ids[7:]
    assert (await _page(emu, limit=0))[0] == kept
    assert (await _page(emu, labels="env=a", limit=2, next_token=1))[0] == \
        (await _page(emu, labels="env in (a)", limit=2, next_token=1))[0]
    assert (await _page(emu, limit=3, next_token=1, reverse="true"))[0] == kept[::-1][1:4]


async def test_job_keeps_the_request_bytes_and_a_compact_record(emu):
    raw = json.dumps(echo_job(name="kept", count=2, publisher={"Type": "s3", "Params": {"Bucket": "b"}})).encode()
    resp = await emu.put(BASE, data=raw, headers={"Content-Type": "application/json"})
    job_id = (await resp.json())["JobID"]
    job = emu.app["sessions"].get().store("bacalhau").get(job_id)
    assert job.spec == raw  # exactly what the client sent
    assert isinstance(job.data, model.Drawn) and job.data.count() == 2
    before = await (await emu.get(f"{BASE}/{job_id}", params={"include": "history,executions"})).json()
    CACHE.clear()  # a read that misses the LRU rebuilds the same answer from the bytes
    after = await (await emu.get(f"{BASE}/{job_id}", params={"include": "history,executions"})).json()
    assert after == before


async def test_snapshot_round_trip_keeps_every_answer(emu):
    ids = await _fill(emu, 4)
    ids.append((await submit(emu, echo_job(name="ipfs", count=3, publisher={"Type": "ipfs"})))["JobID"])
    await emu.advance(8)
    session = emu.app["sessions"].get()

    async def answers():
        out = [await _page(emu, labels="env=a", limit=2, next_token=1)]
        for job_id in ids:
            out.append(await (await emu.get(f"{BASE}/{job_id}", params={"include": "history,executions"})).json())
            out.append(await (await emu.get(f"{BASE}/{job_id}/results")).json())
        return out

    before = await answers()
    snap = json.loads(json.dumps(export(session)))
    graphs = {k: p.graphs() for k, p in emu.app["providers"].items()}
    restore(session, snap, graphs)
    CACHE.clear()
    assert await answers() == before
