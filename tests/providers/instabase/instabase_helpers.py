"""Shared helpers of the Instabase provider tests."""

from __future__ import annotations

import json

from emulator.core import validation

AUTH = {"Authorization": "Bearer tok-jaydoe"}
RUN = {"binary_path": "jaydoe/my-repo/fs/Instabase Drive/flow/single.ibflowbin",
       "input_dir": "jaydoe/my-repo/fs/Instabase Drive/flow", "settings": {}}


async def run(emu, headers=None, **fields) -> str:
    """Start a flow job and return its id."""
    body = {**RUN, **fields}
    resp = await emu.post("/api/v1/flow/run_binary_async", json=body, headers={**AUTH, **(headers or {})})
    data = await resp.json()
    assert resp.status == 200, data
    assert data["status"] == "OK"
    return data["data"]["job_id"]


async def status(emu, job_id: str, headers=None) -> dict:
    """jobs/status, with cur_status decoded (and checked against its schema) under `cur`."""
    resp = await emu.get(f"/api/v1/jobs/status?job_id={job_id}&type=flow", headers=headers or AUTH)
    body = await resp.json()
    assert resp.status == 200, body
    cur = json.loads(body["cur_status"])
    assert validation.errors_of("instabase/cur-status", cur) == []
    body["cur"] = cur
    return body


async def action(emu, name: str, headers=None, **params) -> tuple[int, dict]:
    """GET /api/v1/jobs/<name>?params -> (http status, body)."""
    resp = await emu.get(f"/api/v1/jobs/{name}", params=params, headers=headers or AUTH)
    return resp.status, await resp.json()


async def state(emu, job_id: str, headers=None) -> str:
    return (await status(emu, job_id, headers))["cur"]["status"]
