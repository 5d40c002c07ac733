"""Strict configuration: durations, options and profiles are checked against each provider's declarations,
the same way for flags, EMULATOR_* variables, the config file and POST /_emulator/sessions."""

import json

import pytest

from emulator import cli
from emulator.config import ConfigError, load
from emulator.providers import available


def start(argv, monkeypatch, capsys):
    """Run the CLI in-process up to the point where it would serve; returns (status, settings, stderr)."""
    seen = {}
    monkeypatch.setattr(cli, "serve", lambda settings: seen.setdefault("settings", settings) and 0)
    status = cli.main(argv)
    return status, seen.get("settings"), capsys.readouterr().err


@pytest.mark.parametrize("argv, line", [
    (["--duration", "bacalhau.Pending=-5"],
     "--duration bacalhau.Pending: seconds must be a finite number from 0 to 3.1536e+08, got -5.0"),
    (["--duration", "bacalhau.Runing=100"],
     "--duration bacalhau.Runing: unknown state; bacalhau states: Pending, Running, Completed, Failed, Stopped, "
     "Queued"),
    (["--duration", "bacalhau.Running=inf"], "--duration bacalhau.Running: seconds must be a finite number"),
    (["--option", "bacalhau.foo=1"], "--option bacalhau.foo: unknown option; bacalhau options: none"),
    (["--option", "seatunnel.basic_auth=maybe"], "--option seatunnel.basic_auth: must be true or false, got 'maybe'"),
    (["--option", "streams.first_job_id=x"], "--option streams.first_job_id: must be an integer, got 'x'"),
    (["--option", "instabase.default_priority=12"], "--option instabase.default_priority: must be from 0 to 9"),
    (["--option", "taskapi.nope=1"], "--option taskapi.nope: unknown option; taskapi options: auth, tokens, orgs"),
    (["--check-responses"], None),
])
def test_each_mistake_ends_the_start_with_status_2_and_one_line(argv, line, monkeypatch, capsys):
    status, settings, err = start(["serve", "--port", "0", *argv], monkeypatch, capsys)
    if line is None:
        assert status == 0 and settings.check_responses is True
        return
    assert status == 2 and settings is None
    assert len(err.strip().splitlines()) == 1 and err.startswith("job-emulator: error: " + line), err


def test_flags_without_a_subcommand_serve(monkeypatch, capsys):
    status, settings, _ = start(["--port", "9000", "--seed", "3"], monkeypatch, capsys)
    assert status == 0 and settings.port == 9000 and settings.seed == 3


def test_values_are_typed_and_states_spelled_as_the_graph_declares():
    s = load({"options": ["seatunnel.basic_auth=true,taskapi.tokens=a|b"],
              "durations": ["taskapi.running=30,bacalhau.running=4"]}, env={}, available=available())
    assert s.options == {"seatunnel": {"basic_auth": True}, "taskapi": {"tokens": ["a", "b"]}}
    assert s.durations == {"taskapi": {"in progress": 30.0}, "bacalhau": {"Running": 4.0}}


def test_environment_and_config_file_follow_the_same_rules(tmp_path):
    with pytest.raises(ConfigError, match=r"^--duration bacalhau\.Runing: unknown state; bacalhau states: "):
        load({}, env={"EMULATOR_DURATIONS": "bacalhau.Runing=3"}, available=available())
    with pytest.raises(ConfigError, match=r"^--option seatunnel\.basic_auth: must be true or false, got 'maybe'"):
        load({}, env={"EMULATOR_OPTIONS": "seatunnel.basic_auth=maybe"}, available=available())
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"durations": {"bacalhau": {"Pending": -5}}}))
    with pytest.raises(ConfigError, match=r"^--duration bacalhau\.Pending: seconds must be a finite number"):
        load({"config": str(cfg)}, env={}, available=available())
    cfg.write_text(json.dumps({"options": {"instabase": {"log_page_size": "ten"}}}))
    with pytest.raises(ConfigError, match=r"^--option instabase\.log_page_size: must be an integer, got 'ten'"):
        load({"config": str(cfg)}, env={}, available=available())


async def test_a_session_takes_durations_checked_like_the_flag(emu):
    resp = await emu.post("/_emulator/sessions", json={"key": "d1", "durations": {"bacalhau": {"Runing": 3}}})
    body = await resp.json()
    assert resp.status == 400 and body["error"]["field"] == "durations"
    assert body["error"]["message"].startswith("durations: bacalhau.Runing: unknown state; bacalhau states: Pending")
    assert "d1" not in {s["key"] for s in (await (await emu.get("/_emulator/sessions")).json())["sessions"]}
    resp = await emu.post("/_emulator/sessions", json={"key": "d2", "clock": "manual",
                                                        "durations": {"bacalhau": {"running": 30}}})
    assert resp.status == 201
    job = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}
    hdr = {"X-Emulator-Session": "d2"}
    jid = (await (await emu.put("/api/v1/orchestrator/jobs", json=job, headers=hdr)).json())["JobID"]
    view = await (await emu.post(f"/_emulator/jobs/bacalhau/{jid}/advance-until", json={"state": "Completed"},
                                 headers=hdr)).json()
    assert view["advanced_seconds"] == 32.0   # Pending 2 s (default) + Running 30 s (this session's)
