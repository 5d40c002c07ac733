"""The server's log lines carry no secret: not the control token (right or wrong), not Authorization headers,
provider tokens and passwords, nor secrets in query strings or bodies, at any log level."""

from __future__ import annotations

import logging

CONTROL = "ctl-Secret-7f3a"
INSTABASE = "ib-Secret-91c2"
PASSWORD = "st-Secret-5d0e"
SECRETS = {"instabase": {"tokens": f"{INSTABASE}=alice"},
           "seatunnel": {"basic_auth": "true", "basic_auth_password": PASSWORD}}
SENT = ("wrong-Secret-0b1d", "bearer-Secret-44aa", "query-Secret-e1f0", "body-Secret-c3d9")


async def test_no_secret_reaches_a_log_line(emulator_factory, caplog):
    caplog.set_level(logging.DEBUG, logger="emulator")
    emu = await emulator_factory(options=SECRETS, control_token=CONTROL)
    wrong, bearer, query, body = SENT
    calls = [
        emu.get("/_emulator/config", headers={"X-Emulator-Control-Token": CONTROL}),
        emu.get("/_emulator/config?reveal=true", headers={"Authorization": f"Bearer {CONTROL}"}),
        emu.get("/_emulator/requests", headers={"X-Emulator-Control-Token": wrong}),
        emu.get("/api/v1/orchestrator/jobs", params={"token": query}, headers={"Authorization": f"Bearer {bearer}"}),
        emu.post("/api/v1/flow/run_binary_async", headers={"Authorization": f"Bearer {INSTABASE}"},
                 json={"binary_path": "a/b.ibflowbin", "input_dir": "a/in", "password": body}),
        emu.post("/api/v1/flow/run_binary_async", headers={"Authorization": f"Bearer {bearer}"}, json={}),
        emu.get("/running-jobs", auth=None, headers={"Authorization": "Basic " + _basic("admin", PASSWORD)}),
        emu.get("/running-jobs", headers={"Authorization": "Basic " + _basic("admin", body)}),
    ]
    statuses = [(await c).status for c in calls]
    assert statuses == [200, 200, 403, 200, 200, 401, 200, 401]  # each call did reach its handler or refusal
    lines = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert any("path=/api/v1/orchestrator/jobs" in line for line in lines)  # the request lines were logged
    for secret in (CONTROL, INSTABASE, PASSWORD, *SENT, _basic("admin", PASSWORD)):
        leaked = [line for line in lines if secret in line]
        assert not leaked, (secret, leaked)


def _basic(user: str, password: str) -> str:
    import base64

    return base64.b64encode(f"{user}:{password}".encode()).decode()
