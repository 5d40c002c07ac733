"""Bacalhau's part of the jobs listing's search (model.search_jobs): it parses only the bodies that may hold
the needle, and answers exactly what the ID and name_of, casefolded, would, whatever the bodies hold."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from emulator.providers.bacalhau import model


def _job(job_id: str, spec: object) -> SimpleNamespace:
    return SimpleNamespace(id=job_id, spec=spec)


def _body(name: object = None, task: str = "main", ascii_only: bool = True) -> bytes:
    job: dict = {"Type": "batch", "Tasks": [{"Name": task, "Engine": {"Type": "docker"}}]}
    if name is not None:
        job["Name"] = name
    return json.dumps({"Job": job}, ensure_ascii=ascii_only).encode()


JOBS = [
    _job("j-aaa1", _body("etl-Nightly")),
    _job("j-bbb2", _body()),  # no Name: named by its ID
    _job("j-ccc3", _body("")),  # an empty Name: the ID too
    _job("j-ddd4", _body("Stra\u00dfe")),  # escaped as \u00df: the body holds no "ss"
    _job("j-eee5", _body("Stra\u00dfe", ascii_only=False)),  # UTF-8 bytes
    _job("j-fff6", b'{"Job": {"Name": "\\u0045TL-x", "Type": "batch", "Tasks": []}}'),  # "ETL-x", escaped
    _job("j-ggg7", _body("quiet", task="etl-task")),  # the needle only in a task's name
    _job("j-hhh8", {"Job": {"Name": "ETL-dict", "Type": "batch", "Tasks": []}}),  # a parsed body
    _job("j-iii9", "{\"Job\": {\"Name\": \"str-etl\", \"Type\": \"batch\", \"Tasks\": []}}"),
]


@pytest.mark.parametrize("needle", ["etl", "ss", "j-bbb", "j-ccc", "j-aaa", "stra", "\u00df", "e", "zzz", "task"])
def test_search_jobs_answers_as_the_id_and_name_one_by_one(needle):
    want = [needle in j.id.casefold() or needle in model.name_of(j).casefold() for j in JOBS]
    assert model.search_jobs(JOBS, needle) == want
    for one in JOBS:  # a batch of bodies that all keep the fast path, and batches that do not
        assert model.search_jobs([one], needle) == [needle in one.id.casefold()
                                                    or needle in model.name_of(one).casefold()]


def test_search_jobs_parses_only_the_bodies_that_may_hold_the_needle(monkeypatch):
    jobs = [_job(f"j-{k:04}", _body(f"run-{k}")) for k in range(50)]
    parsed = []
    real = model.name_of
    monkeypatch.setattr(model, "name_of", lambda j: parsed.append(j.id) or real(j))
    assert model.search_jobs(jobs, "run-17") == [k == 17 for k in range(50)]
    assert parsed == ["j-0017"]
