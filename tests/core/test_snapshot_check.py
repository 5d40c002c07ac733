"""What a snapshot must pass before anything is installed: its providers, graphs and states exist, and the
classes its provider state names are restorable (each refusal names the place in the document)."""

import re

import pytest

from emulator.core.lifecycle import Graph, Step
from emulator.core.snapshot_check import check

GRAPH = Graph(name="g", states=("A", "B"), initial="A", terminal=frozenset({"B"}), timed={"A": Step("B", 1)})
GRAPHS = {"p": {"g": GRAPH}}


def doc(**job) -> dict:
    base = {"provider": "p", "graph": "g", "state": "A", "history": [[0, None, "A", ""]], "timer": [5, "B", ""]}
    return {"jobs": {"p": {"next_seq": 2, "jobs": [{**base, **job}]}}, "state": {}}


def test_a_sound_document_passes():
    check(doc(), GRAPHS)


@pytest.mark.parametrize(("job", "says"), [
    ({"provider": "q"}, "jobs.p.jobs[0].provider is 'q', but the job is filed under 'p'"),
    ({"graph": "h"}, "jobs.p.jobs[0].graph 'h' is not one of g"),
    ({"state": "Z"}, "jobs.p.jobs[0].state: 'Z' is not a state of graph g (A, B)"),
    ({"timer": [5, "Z", ""]}, "jobs.p.jobs[0].timer: 'Z' is not a state"),
    ({"history": [[0, None, "Z", ""]]}, "jobs.p.jobs[0].history[0]: 'Z' is not a state"),
])
def test_each_unknown_name_is_refused_where_it_is(job, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        check(doc(**job), GRAPHS)


def test_an_unknown_provider_and_a_foreign_class_are_refused():
    with pytest.raises(ValueError, match=r"jobs.p: provider 'p' is not enabled \(enabled: q\)"):
        check(doc(), {"q": {"g": GRAPH}})
    bad = {**doc(), "state": {"p": {"__dataclass__": "os:system", "fields": {}}}}
    with pytest.raises(ValueError, match=r"state\.p: snapshot names a class outside the emulator: os:system"):
        check(bad, GRAPHS)
