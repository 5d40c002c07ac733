"""The codec alone: values survive a JSON round trip with their types, only restorable emulator classes are
ever rebuilt, a generator continues its stream, and a provider's jobs come back with their numbering."""

import json
import random
from dataclasses import dataclass

import pytest

from emulator.core import codec
from emulator.core.clock import Clock
from emulator.core.lifecycle import Graph, Step
from emulator.core.session import Session
from emulator.core.store import JobStore

GRAPH = Graph(name="g", states=("NEW", "RUN", "DONE"), initial="NEW", terminal=frozenset({"DONE"}),
              timed={"NEW": Step("RUN", 2), "RUN": Step("DONE", 5)})


@dataclass
class Local:  # a dataclass outside the emulator's packages: never rebuilt from a document
    x: int


def round_trip(value):
    return codec.from_json(json.loads(json.dumps(codec.to_json(value))))


def test_bytes_sets_and_tuples_come_back_as_json_can_say():
    value = {"raw": b"\x00\xffPK", "tags": {"b", "a"}, "pair": (1, 2), "nested": [{"n": None}]}
    encoded = codec.to_json(value)
    assert encoded["raw"] == {"__bytes__": "AP9QSw=="} and encoded["tags"] == {"__set__": ["a", "b"]}
    assert round_trip(value) == {"raw": b"\x00\xffPK", "tags": {"a", "b"}, "pair": [1, 2], "nested": [{"n": None}]}


def test_an_emulator_dataclass_is_rebuilt_and_a_foreign_one_refused():
    from emulator.core.faults import FaultRule

    rule = FaultRule(id="f1", provider="p", path="/x", status=503)
    assert round_trip(rule) == rule
    with pytest.raises(ValueError, match="outside the emulator"):
        round_trip(Local(1))
    with pytest.raises(ValueError, match="not restorable state"):
        codec.from_json({"__dataclass__": "emulator.core.snapshot:save_file", "fields": {}})
    with pytest.raises(ValueError, match="whose module does not exist"):
        codec.from_json({"__dataclass__": "emulator.providers.nope:Thing", "fields": {}})


def test_allow_package_admits_a_registered_provider_package(monkeypatch):
    monkeypatch.setattr(codec, "_PACKAGES", set(codec._PACKAGES))
    codec.allow_package(__name__)  # this module stands for a provider's package
    assert codec.restorable_class(f"{__name__}:Local") is Local
    assert round_trip(Local(3)) == Local(3)


def test_class_names_finds_every_object_and_refuses_a_non_string_name():
    doc = {"a": [{"__object__": "m:A", "state": {"b": {"__dataclass__": "m:B", "fields": {}}}}]}
    assert sorted(codec.class_names(doc, "state")) == [("state.a[0]", "m:A"), ("state.a[0].state.b", "m:B")]
    with pytest.raises(ValueError, match=r"state.__dataclass__ must be a string, not int"):
        codec.class_names({"__dataclass__": 5}, "state")


def test_a_generator_continues_its_stream():
    a = random.Random(42)
    a.random()
    saved = json.loads(json.dumps(codec.rng_to_json(a)))
    b = random.Random(0)
    codec.rng_from_json(b, saved)
    assert [b.random() for _ in range(3)] == [a.random() for _ in range(3)]


def test_a_store_round_trip_keeps_jobs_numbering_and_timers():
    src = Session("s", seed=3, clock=Clock("manual"))
    for i in range(3):
        src.submit("p", GRAPH, f"j{i}", {"i": i}, data={"blob": b"x"})
    src.advance(3)
    block = json.loads(json.dumps(codec.encode_store(src.store("p"))))
    assert block["next_seq"] == 4 and [j["seq"] for j in block["jobs"]] == [1, 2, 3]
    dst = Session("d", seed=3, clock=Clock("manual", start_ns=src.clock.now_ns()))
    jobs = codec.restore_store(dst.store("p"), block, {"g": GRAPH})
    codec.arm(dst, jobs)
    assert [(j.id, j.state, j.seq, j.data["blob"]) for j in dst.store("p")] == [
        ("j0", "RUN", 1, b"x"), ("j1", "RUN", 2, b"x"), ("j2", "RUN", 3, b"x")]
    assert dst.submit("p", GRAPH, "j3", {}).seq == 4
    dst.advance(5)
    assert dst.store("p").get("j0").state == "DONE"


def test_a_job_on_an_unknown_graph_is_a_value_error():
    store = JobStore("p")
    with pytest.raises(ValueError, match=r"job j0 uses graph 'gone', which is not one of g"):
        codec.restore_store(store, {"next_seq": 1, "jobs": [{"id": "j0", "graph": "gone"}]}, {"g": GRAPH})
    assert len(store) == 0
