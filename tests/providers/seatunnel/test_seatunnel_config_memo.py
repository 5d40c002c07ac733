"""SeaTunnel's config derivation (model._derive_config) remembers recent bodies: a job whose config left the
read cache gets the same (env, DAG) as deriving its body afresh, jobs with one body share it, and the memory
stays within its bound."""

from __future__ import annotations

import json
from types import SimpleNamespace

from emulator.providers.seatunnel import model


def _body(rows: int) -> bytes:
    return json.dumps({"env": {"job.mode": "BATCH"}, "source": [{"plugin_name": "FakeSource", "plugin_output": "f",
                       "row.num": rows}], "transform": [], "sink": [{"plugin_name": "Console",
                                                                      "plugin_input": ["f"]}]}).encode()


def test_derived_config_is_what_the_body_gives_and_stays_bounded(monkeypatch):
    monkeypatch.setattr(model, "_BY_BODY", {})
    monkeypatch.setattr(model, "_BY_BODY_MAX", 4)
    for rows in [1, 2, 1, 3, 4, 5, 6, 1]:
        job = SimpleNamespace(spec=_body(rows))
        assert model._derive_config(job) == model._derive_body(job.spec)
        assert len(model._BY_BODY) <= 4
    a, b = SimpleNamespace(spec=_body(7)), SimpleNamespace(spec=_body(7))
    assert model._derive_config(a) is model._derive_config(b)
    parsed = {"env": {"job.mode": "BATCH"}, "source": [{"plugin_name": "FakeSource", "plugin_output": "f"}],
              "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["f"]}]}
    assert model._derive_config(SimpleNamespace(spec=parsed)) == model._derive_body(parsed)
