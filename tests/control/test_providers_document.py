"""GET /_emulator/providers: what each provider offers a test, checked against the graphs and option
declarations themselves (a provider that adds a state or option the document does not show fails here)."""

from emulator.core.scenarios import COMMON_MATCH_KEYS
from emulator.providers import available


async def test_the_document_shows_every_state_option_command_and_match_key(emu):
    resp = await emu.get("/_emulator/providers")
    assert resp.status == 200
    doc = (await resp.json())["providers"]
    assert sorted(doc) == sorted(available()) and len(doc) == 5
    for key, prov in emu.app["providers"].items():
        d = doc[key]
        graphs = list(prov.graphs().values())
        states = {s for g in graphs for s in g.states}
        terminal = {s for g in graphs for s in g.terminal}
        assert {s["name"] for s in d["states"]} == states, key
        assert {s["name"] for s in d["states"] if s["terminal"]} == terminal, key
        assert {g["name"] for g in d["graphs"]} == {g.name for g in graphs}, key
        assert set(d["commands"]) == {c for g in graphs for c in g.commands}, key
        assert [o["name"] for o in d["options"]] == [o.name for o in type(prov).options], key
        assert {o["name"]: o["default"] for o in d["options"]} == {o.name: o.default for o in type(prov).options}
        assert d["option_values"] == prov.opts and d["profile"] == prov.profile_name
        assert d["profiles"] == list(type(prov).profiles)
        assert [m["key"] for m in d["match_keys"]] == list(type(prov).match_keys)
        assert all(m["common"] == (m["key"] in COMMON_MATCH_KEYS) for m in d["match_keys"])
        assert {st: step.after for g in type(prov).lifecycle for st, step in reversed(g.timed.items())} \
            .keys() == d["durations"].keys()
    assert doc["bacalhau"]["durations"] == {"Pending": 2.0, "Running": 5.0, "Queued": 2.0}
    assert {"name": "Completed", "terminal": True} in doc["bacalhau"]["states"]
    assert doc["seatunnel"]["commands"]["savepoint"] == {"RUNNING": "DOING_SAVEPOINT"}
    opt = next(o for o in doc["instabase"]["options"] if o["name"] == "default_priority")
    assert opt == {"name": "default_priority", "type": "integer", "default": 5, "minimum": 0, "maximum": 9,
                   "help": "priority of a job submitted without one (0-9)"}


async def test_a_submit_reporting_other_facts_than_its_match_keys_is_a_contract_violation(emu, monkeypatch):
    # contract mode compares the facts each submit reports with the provider's match_keys declaration
    monkeypatch.setitem(type(emu.app["providers"]["streams"]).__dict__["match_keys"], "extra", "not reported")
    await emu.post("/streams/instances/inst1/jobs", json={"application": "https://example.test/app.sab"})
    assert emu.violations == ["streams submit: facts ['applicationName', 'instance', 'jobGroup', 'name'] are not "
                              "its match keys ['applicationName', 'extra', 'instance', 'jobGroup', 'name']"]
    emu.violations.clear()


async def test_instabase_closed_auth_refuses_before_the_body_is_read(emulator_factory):
    emu = await emulator_factory(options={"instabase": {"tokens": "ta=alice"}})
    resp = await emu.post("/api/v1/flow/run_binary_async", data=b"{not json")
    assert resp.status == 401
    assert await resp.json() == {"status": "ERROR", "msg": "missing Authorization: Bearer <token> header"}
    resp = await emu.post("/api/v1/flow/run_binary_async", data=b"{not json", headers={"Authorization": "Bearer x"})
    assert resp.status == 401 and (await resp.json())["msg"] == "invalid or expired token"
    resp = await emu.post("/api/v1/flow/run_binary_async", data=b"{not json", headers={"Authorization": "Bearer ta"})
    assert resp.status == 400
