"""--control-token guards /_emulator/ (health stays open for health checks); secrets are redacted in the
configuration and the journal unless asked for with the token."""

BAC = "/api/v1/orchestrator/jobs"
TOKEN = "s3cret-control"
SECRETS = {"instabase": {"tokens": "tok1=alice"}, "seatunnel": {"basic_auth_password": "hunter2"}}


async def test_control_api_needs_the_token(emulator_factory):
    emu = await emulator_factory(control_token=TOKEN)
    assert (await emu.get("/_emulator/health")).status == 200
    resp = await emu.get("/_emulator/config")
    assert resp.status == 401
    assert (await resp.json())["error"]["field"] == "X-Emulator-Control-Token"
    resp = await emu.post("/_emulator/reset", headers={"X-Emulator-Control-Token": "wrong"})
    assert resp.status == 403
    assert (await emu.get("/_emulator/config", headers={"X-Emulator-Control-Token": TOKEN})).status == 200
    assert (await emu.get("/_emulator/config", headers={"Authorization": f"Bearer {TOKEN}"})).status == 200
    assert (await emu.get(BAC)).status == 200   # the emulated APIs are not behind it


async def test_config_redacts_secrets_unless_revealed_with_the_token(emulator_factory):
    emu = await emulator_factory(options=SECRETS)
    text = await (await emu.get("/_emulator/config")).text()
    assert "hunter2" not in text and "tok1=alice" not in text and "<redacted>" in text
    resp = await emu.get("/_emulator/config", params={"reveal": "true"})
    assert resp.status == 403   # nothing can reveal without a token configured
    emu = await emulator_factory(options=SECRETS, control_token=TOKEN)
    auth = {"X-Emulator-Control-Token": TOKEN}
    body = await (await emu.get("/_emulator/config", headers=auth)).json()
    assert body["settings"]["control_token"] == "<redacted>"
    assert body["providers"]["seatunnel"]["options"]["basic_auth_password"] == "<redacted>"
    body = await (await emu.get("/_emulator/config", params={"reveal": "true"}, headers=auth)).json()
    assert body["providers"]["seatunnel"]["options"]["basic_auth_password"] == "hunter2"
    assert body["settings"]["control_token"] == TOKEN


async def test_journal_redacts_authorization_unless_revealed(emulator_factory):
    emu = await emulator_factory(control_token=TOKEN)
    auth = {"X-Emulator-Control-Token": TOKEN}
    await emu.get(BAC, headers={"Authorization": "Bearer provider-secret"})
    text = await (await emu.get("/_emulator/requests", headers=auth)).text()
    assert "provider-secret" not in text and "<redacted>" in text
    text = await (await emu.get("/_emulator/requests", params={"reveal": "1"}, headers=auth)).text()
    assert "provider-secret" in text
