"""Secrets inside job configs (a JDBC password in a SeaTunnel HOCON or JSON config, an access key in a
Bacalhau task's environment, tokens in Instabase's arguments header): the journal shows them redacted as the
structure they are in, at any depth; the provider still stores and serves exactly what the client sent; with
the control token, `?reveal=true` shows what arrived."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from emulator.core.journal import REDACTED, redact_text
from emulator.providers.seatunnel import hocon

TOKEN = "ctl-7d1e"
AUTH = {"X-Emulator-Control-Token": TOKEN}
PASSWORD, ACCESS, NESTED = "pw-Secret-1a2b", "AKIA-Secret-3c4d", "tok-Secret-5e6f"
HOCON = f"""env {{ job.mode = "BATCH", job.name = "copy" }}
source {{
  Jdbc {{
    url = "jdbc:mysql://db:3306/shop"
    user = root
    password = "{PASSWORD}"
    properties {{ "fs.s3a.access.key" = {ACCESS}, auth {{ token = "{NESTED}" }} }}
  }}
}}
sink {{ Console {{}} }}
"""
JSON_CONFIG = {"env": {"job.mode": "BATCH"},
               "source": [{"plugin_name": "Jdbc", "url": "jdbc:mysql://db/shop", "password": PASSWORD,
                           "properties": {"access_key": ACCESS, "layers": [{"api-token": NESTED}]}}],
               "sink": [{"plugin_name": "Console"}]}


async def _journal(emu, **params) -> list[dict]:
    resp = await emu.get("/_emulator/requests", params=params, headers=AUTH)
    assert resp.status == 200
    return (await resp.json())["entries"]


async def _stored(emu, job_id: str, secret: str) -> bool:
    """Whether the session's stored job (its snapshot, the state an import restores) holds `secret` as sent."""
    snapshot = await (await emu.get("/_emulator/snapshot", headers=AUTH)).json()
    [job] = [j for j in snapshot["jobs"]["seatunnel"]["jobs"] if j["id"] == job_id]
    spec = job["spec"]
    text = base64.b64decode(spec["__bytes__"]).decode() if isinstance(spec, dict) and "__bytes__" in spec else spec
    return secret in json.dumps(text)  # the request's bytes, kept as they arrived


def _bodies(entries: list[dict], path: str) -> list[str]:
    return [e["body"] for e in entries if e.get("path") == path and e.get("method") == "POST"]


async def test_a_hocon_config_is_journaled_with_its_secrets_redacted_at_any_depth(emulator_factory):
    emu = await emulator_factory(control_token=TOKEN)
    resp = await emu.post("/submit-job?format=hocon", data=HOCON, headers={"Content-Type": "text/plain"})
    assert resp.status == 200, await resp.text()
    job_id = (await resp.json())["jobId"]
    [shown] = _bodies(await _journal(emu), "/submit-job")
    for secret in (PASSWORD, ACCESS, NESTED):
        assert secret not in shown
    # the redacted text is HOCON that reads back to the same structure, secrets replaced
    tree = hocon.to_plain(hocon.parse(shown))
    jdbc = tree["source"]["Jdbc"]
    assert jdbc["password"] == REDACTED and jdbc["user"] == "root" and jdbc["url"] == "jdbc:mysql://db:3306/shop"
    assert jdbc["properties"] == {"fs.s3a.access.key": REDACTED, "auth": {"token": REDACTED}}
    assert tree["env"] == {"job": {"mode": "BATCH", "name": "copy"}}
    # revealed with the control token: exactly what arrived
    [raw] = _bodies(await _journal(emu, reveal="true"), "/submit-job")
    assert raw == HOCON
    # the provider kept what the client sent (job-info shows no plugin options; the stored job does)
    assert await _stored(emu, job_id, PASSWORD)


async def test_a_json_config_is_journaled_with_its_secrets_redacted_and_served_unchanged(emulator_factory):
    emu = await emulator_factory(control_token=TOKEN)
    resp = await emu.post("/submit-job", json=JSON_CONFIG)
    assert resp.status == 200, await resp.text()
    job_id = (await resp.json())["jobId"]
    [shown] = _bodies(await _journal(emu), "/submit-job")
    source = json.loads(shown)["source"][0]
    assert source["password"] == REDACTED and source["url"] == "jdbc:mysql://db/shop"
    assert source["properties"] == {"access_key": REDACTED, "layers": [{"api-token": REDACTED}]}
    assert await _stored(emu, job_id, PASSWORD)


async def test_bacalhau_env_and_instabase_argument_header_secrets_are_redacted(emulator_factory):
    emu = await emulator_factory(control_token=TOKEN)
    job = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{
        "Name": "t", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu"}},
        "Env": {"AWS_SECRET_ACCESS_KEY": ACCESS, "DB_PASSWORD": PASSWORD, "REGION": "eu-west-1"}}]}}
    resp = await emu.put("/api/v1/orchestrator/jobs", json=job)
    assert resp.status == 200, await resp.text()
    job_id = (await resp.json())["JobID"]
    args = json.dumps({"binary_path": "a/b.ibflowbin", "input_dir": "a/in", "runtime_config": {"token": NESTED}})
    resp = await emu.post("/api/v1/flow/run_binary_async", headers={"Instabase-API-Args": args})
    assert resp.status == 200, await resp.text()
    entries = await _journal(emu)
    text = json.dumps(entries)
    for secret in (PASSWORD, ACCESS, NESTED):
        assert secret not in text
    [put] = [e for e in entries if e.get("method") == "PUT"]
    env = json.loads(put["body"])["Job"]["Tasks"][0]["Env"]
    assert env == {"AWS_SECRET_ACCESS_KEY": REDACTED, "DB_PASSWORD": REDACTED, "REGION": "eu-west-1"}
    [run] = [e for e in entries if e.get("path") == "/api/v1/flow/run_binary_async"]
    assert json.loads(run["headers"]["Instabase-API-Args"])["runtime_config"] == {"token": REDACTED}
    got = await (await emu.get(f"/api/v1/orchestrator/jobs/{job_id}")).json()
    assert got["Job"]["Tasks"][0]["Env"]["DB_PASSWORD"] == PASSWORD  # stored and served as sent


@pytest.mark.parametrize("text", [
    'source { Jdbc { url = "x"\n password = "' + PASSWORD + '" } ',  # HOCON cut short: no closing brace
    '{"source": [{"plugin_name": "Jdbc", "password": "' + PASSWORD + '", ',  # JSON cut at the journal's limit
    'source { Jdbc { password = ${?DB_PASSWORD}, key = "' + ACCESS + '" } }\napi_key = "' + NESTED + '"',
])
def test_a_body_that_does_not_parse_is_cut_before_its_first_secret_and_marked(text):
    import emulator.providers.seatunnel.provider  # noqa: F401  (registers the HOCON redactor)

    shown = redact_text(text, "seatunnel")
    for secret in (PASSWORD, ACCESS, NESTED):
        assert secret not in shown
    assert shown.endswith("more characters not shown: unparsed text naming a secret field]")
    first = text.splitlines()[0]
    assert shown.startswith(first) if "password" not in first and "key" not in first else shown.startswith("...[")


async def test_a_multipart_upload_is_redacted_part_by_part(emulator_factory):
    from aiohttp import FormData

    emu = await emulator_factory(control_token=TOKEN)
    form = FormData()
    form.add_field("config_file", HOCON.encode(), filename="job.conf", content_type="application/octet-stream")
    resp = await emu.post("/submit-job/upload", data=form)
    assert resp.status == 200, await resp.text()
    [shown] = _bodies(await _journal(emu), "/submit-job/upload")
    assert 'name="config_file"' in shown and '"password" = "<redacted>"' in shown
    for secret in (PASSWORD, ACCESS, NESTED):
        assert secret not in shown


async def test_no_config_secret_reaches_a_log_line(emulator_factory, caplog):
    caplog.set_level(logging.DEBUG, logger="emulator")
    emu = await emulator_factory()
    assert (await emu.post("/submit-job?format=hocon", data=HOCON)).status == 200
    assert (await emu.post("/submit-job", json=JSON_CONFIG)).status == 200
    assert (await emu.post("/submit-job?format=hocon", data=HOCON.replace("sink", "sink {"))).status == 400
    lines = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert any("path=/submit-job" in line for line in lines)
    assert not [line for line in lines if PASSWORD in line or ACCESS in line or NESTED in line]


def test_hocon_dump_reads_back_to_the_same_tree():
    tree = hocon.parse(HOCON + '\nsink { Console { a = [1, 2.5, true, null, "x\\"y"] } }\n')
    again = hocon.parse(hocon.dump(tree))
    assert again == tree  # repeated keys (two sink blocks) kept, in order
