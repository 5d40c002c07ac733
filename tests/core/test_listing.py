"""The cross-provider jobs listing (core/listing.py) on its own: newest first across providers, cursor pages
that neither skip nor repeat a job while jobs keep arriving, cursors tied to their filters, and a search that
stops at its bound with a cursor to go on."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from emulator.core import listing
from emulator.core.listing import CursorError, Filters


@dataclass
class _Job:
    provider: str
    seq: int
    created_ns: int
    id: str
    state: str


class _Store:
    """What the listing reads of a JobStore: creation order, one state's order, counts."""

    def __init__(self) -> None:
        self.jobs: list[_Job] = []

    @property
    def next_seq(self) -> int:
        return len(self.jobs) + 1

    def add(self, provider: str, created_ns: int, state: str) -> _Job:
        job = _Job(provider, self.next_seq, created_ns, f"{provider}-{self.next_seq}", state)
        self.jobs.append(job)
        return job

    def before(self, bound: int):
        return (j for j in reversed(self.jobs) if j.seq < bound)

    def state_index(self, state: str):
        store = self

        class _Index:
            def before(self, bound: int):
                return (j for j in store.before(bound) if j.state == state)

        return _Index()

    def count_in(self, state: str) -> int:
        return sum(j.state == state for j in self.jobs)

    def __len__(self) -> int:
        return len(self.jobs)


class _Session:
    def __init__(self, *providers: str) -> None:
        self.stores = {p: _Store() for p in providers}

    def store(self, provider: str) -> _Store:
        return self.stores[provider]


def _names(job: _Job) -> str:
    return f"name of {job.id}"


def _all_pages(session: _Session, filters: Filters, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = listing.page(session, filters, limit, cursor, _names)
        pages.append([j.id for j in page.jobs])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_newest_first_across_providers_with_ties_in_enabled_order():
    s = _Session("a", "b")
    s.store("a").add("a", 10, "Running")
    s.store("b").add("b", 10, "Running")
    s.store("a").add("a", 30, "Done")
    s.store("b").add("b", 20, "Done")
    page = listing.page(s, Filters(("a", "b")), 10, None, _names)
    assert [j.id for j in page.jobs] == ["a-2", "b-2", "a-1", "b-1"]
    assert page.next_cursor is None and page.total == 4 and page.examined == 4


def test_cursor_pages_cover_every_job_once_even_as_new_jobs_arrive():
    s = _Session("a", "b")
    for t in range(25):
        s.store("a" if t % 3 else "b").add("a" if t % 3 else "b", t, "Running")
    first = listing.page(s, Filters(("a", "b")), 10, None, _names)
    s.store("a").add("a", 100, "Running")  # created after the first page: later pages must not shift
    seen = [j.id for j in first.jobs]
    cursor = first.next_cursor
    while cursor is not None:
        page = listing.page(s, Filters(("a", "b")), 10, cursor, _names)
        seen += [j.id for j in page.jobs]
        cursor = page.next_cursor
    assert len(seen) == 25 == len(set(seen))
    assert "a-17" not in seen  # the new job shows on a new first page
    assert listing.page(s, Filters(("a", "b")), 1, None, _names).jobs[0].id == "a-17"


def test_state_filter_pages_only_that_state_and_counts_it():
    s = _Session("a")
    for t in range(12):
        s.store("a").add("a", t, "Done" if t % 4 == 0 else "Running")
    pages = _all_pages(s, Filters(("a",), state="Done"), 2)
    assert pages == [["a-9", "a-5"], ["a-1"]]
    assert listing.page(s, Filters(("a",), state="Done"), 2, None, _names).total == 3


def test_a_cursor_is_refused_under_other_filters_and_when_forged():
    s = _Session("a", "b")
    for t in range(5):
        s.store("a").add("a", t, "Running")
    cursor = listing.page(s, Filters(("a", "b")), 2, None, _names).next_cursor
    assert cursor is not None
    with pytest.raises(CursorError, match="other filters"):
        listing.page(s, Filters(("a", "b"), state="Running"), 2, cursor, _names)
    with pytest.raises(CursorError, match="handed out"):
        listing.page(s, Filters(("a", "b")), 2, "not-a-cursor!", _names)
    with pytest.raises(CursorError, match="enabled providers"):
        listing.page(s, Filters(("a",), chosen=None), 2,
                     listing.encode_cursor(Filters(("a",)), {"a": 3, "b": 1}), _names)


def test_a_search_stops_at_its_bound_and_continues_from_the_cursor(monkeypatch):
    monkeypatch.setattr(listing, "MAX_EXAMINED", 4)
    s = _Session("a")
    for t in range(10):
        s.store("a").add("a", t, "Running")
    first = listing.page(s, Filters(("a",), q="NAME OF A-1"), 50, None, _names)
    # newest first: a-10 and a-1 match "name of a-1"; only four jobs are looked at per request
    assert [j.id for j in first.jobs] == ["a-10"] and first.examined == 4 and first.total is None
    assert first.next_cursor is not None
    rest = _all_pages(s, Filters(("a",), q="NAME OF A-1"), 50)
    assert [i for p in rest for i in p] == ["a-10", "a-1"]
