"""The references the HTTP figures are divided by, served by the suite itself in the same run:

- `/ref`: a bare aiohttp JSON endpoint (a constant dict, encoded per request): the ceiling, ratio 1.00;
- `/job/{id}`: a minimal aiohttp server returning a job dict from memory (the issue's 0.72 row);
- `POST /submit`: the submit reference: parses the JSON body, stores a job dict under a new id, answers it;
- `GET /same/{key}`: a minimal server answering the very bytes a provider's status poll answers (stored by
  `PUT /same/{key}` before the loads): what a response of that size costs aiohttp and the socket alone, so
  the rest of a provider's gap to the bare endpoint is the emulator's own work.

    python -m bench.refserver --port N
"""

from __future__ import annotations

import argparse
import json
import sys

from aiohttp import web

JOBS = {f"j-{i}": {"ID": f"j-{i}", "Name": "bench", "State": {"StateType": "Running", "Message": ""},
                   "CreateTime": 1_767_225_600_000_000_000 + i, "Labels": {"env": "bench"}} for i in range(1000)}


async def ref(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def job(request: web.Request) -> web.Response:
    found = JOBS.get(request.match_info["id"])
    if found is None:
        return web.json_response({"error": "not found"}, status=404)
    return web.Response(body=json.dumps(found).encode(), content_type="application/json")


SUBMITTED: dict[str, dict] = {}
_MAX_SUBMITTED = 100_000  # a 5 s load at 64 connections stays below this; older ones go (flat memory)


async def submit(request: web.Request) -> web.Response:
    body = json.loads(await request.read())
    jid = f"j-{len(SUBMITTED)}"
    if len(SUBMITTED) >= _MAX_SUBMITTED:
        SUBMITTED.clear()
    job = {"ID": jid, "State": {"StateType": "Pending", "Message": ""}, "Spec": body}
    SUBMITTED[jid] = job
    return web.Response(body=json.dumps({"JobID": jid}).encode(), content_type="application/json")


SAME: dict[str, bytes] = {}


async def same_put(request: web.Request) -> web.Response:
    SAME[request.match_info["key"]] = await request.read()
    return web.Response(status=204)


async def same(request: web.Request) -> web.Response:
    found = SAME.get(request.match_info["key"])
    if found is None:
        return web.json_response({"error": "not found"}, status=404)
    return web.Response(body=found, content_type="application/json")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.refserver", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args(argv)
    app = web.Application()
    app.router.add_get("/ref", ref)
    app.router.add_get("/_emulator/health", ref)  # so start-up is measured the same way as the emulator's
    app.router.add_get("/job/{id}", job)
    app.router.add_post("/submit", submit)
    app.router.add_put("/same/{key}", same_put)
    app.router.add_get("/same/{key}", same)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
