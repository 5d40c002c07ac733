"""End to end: the real `job-emulator serve` as a subprocess on a free port, driven over real HTTP with the
seed's flow (upload, submit, list, PATCH, DELETE) on the manual clock."""

import asyncio
import sys

import aiohttp
import pytest

from tests.support import READY_LINE, free_port


@pytest.fixture
async def server():
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual",
        "--providers", "streams", "--seed", "3", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    # ready when `serve` prints its last start-up line: follow its output, do not poll on the wall clock
    while READY_LINE not in (line := (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()):
        if not line:
            pytest.fail(f"emulator did not start: {(await proc.stderr.read()).decode()}")
    yield base
    proc.terminate()
    await asyncio.wait_for(proc.wait(), timeout=10)


async def test_seed_flow_over_real_http(server):
    i = f"{server}/streams/instances/inst1"
    patch = {"jobConfigurationOverlay": {"jobConfigOverlays": [{"configInstructions": {"adjustmentSection": [
        {"targetParallelRegion": {"regionName": "TransformedData", "newWidth": 5}}]}}]}}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{i}/applicationbundles", data=b"PK\x03\x04sab",
                             headers={"Content-Type": "application/x-jar"}) as r:
            assert r.status == 200
            bid = (await r.json())["bundleId"]
        async with http.post(f"{i}/jobs", json={"application": f"bundleId:{bid}"}) as r:
            assert r.status == 201
            job = await r.json()
            assert r.headers["Location"] == f"{i}/jobs/0" == job["self"]
        async with http.post(f"{i}/jobs", json={"application": "https://myserver.com/sample.sab"}) as r:
            assert (await r.json())["id"] == "1"
        async with http.post(f"{server}/_emulator/clock/advance", json={"seconds": 5}) as r:
            assert r.status == 200
        async with http.get(f"{i}/jobs") as r:
            body = await r.json()
            assert body["total"] == 2 and {j["health"] for j in body["jobs"]} == {"healthy"}
        async with http.patch(f"{i}/jobs/0", json=patch) as r:
            assert r.status == 200
            assert (await r.json())["parallelRegions"] == [{"name": "TransformedData", "width": 5}]
        async with http.delete(f"{i}/jobs/0") as r:
            assert r.status == 204
        async with http.post(f"{server}/_emulator/clock/advance", json={"seconds": 2}) as r:
            assert r.status == 200
        async with http.get(f"{i}/jobs") as r:
            assert [j["id"] for j in (await r.json())["jobs"]] == ["1"]
        async with http.delete(f"{i}/jobs/0") as r:
            assert r.status == 404 and (await r.json())["id"] == "CDISW5000E"
