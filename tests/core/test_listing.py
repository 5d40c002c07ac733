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


def _reference_page(session, filters: Filters, limit: int, cursor, name_of) -> listing.Page:
    """The listing as first written (heapq.merge on a key, one job at a time): the fast page must agree."""
    import heapq

    bounds = (listing.decode_cursor(cursor, filters) if cursor is not None
              else {p: session.store(p).next_seq for p in filters.providers})
    rank = {p: i for i, p in enumerate(filters.providers)}
    streams = [session.store(p).state_index(filters.state).before(bounds[p]) if filters.state is not None
               else session.store(p).before(bounds[p]) for p in filters.providers]
    merged = heapq.merge(*streams, key=lambda j: (j.created_ns, -rank[j.provider], j.seq), reverse=True)
    needle = filters.q.casefold() if filters.q else None
    out, after, examined, more = [], dict(bounds), 0, False
    for job in merged:
        if len(out) >= limit or (needle is not None and examined >= listing.MAX_EXAMINED):
            more = True
            break
        examined += 1
        after[job.provider] = job.seq
        if needle is None or needle in job.id.casefold() or needle in (name_of(job) or "").casefold():
            out.append(job)
    total = None
    if needle is None:
        total = sum(session.store(p).count_in(filters.state) if filters.state is not None else
                    len(session.store(p)) for p in filters.providers)
    return listing.Page(out, listing.encode_cursor(filters, after) if more else None, total, examined)


_ODD_NAMES = ["Straße", "STRASSE", "\u212aelvin", "kelvin", "İstanbul", "ﬁle", "ΣΑΣ", "a\x00b", "", "x-1"]


def _named(job: _Job) -> str:
    return _ODD_NAMES[job.seq % len(_ODD_NAMES)] + f"#{job.seq % 7}"


@pytest.mark.parametrize("seed", range(6))
def test_pages_and_searches_agree_with_the_one_job_at_a_time_listing(monkeypatch, seed):
    import random

    rng = random.Random(seed)
    monkeypatch.setattr(listing, "MAX_EXAMINED", rng.choice([5, 37, 300, 10_000]))
    keys = ("a", "b", "c")
    s = _Session(*keys)
    t = 0
    for _ in range(rng.randrange(50, 900)):
        t += rng.choice([0, 0, 1, 5])  # runs of equal times: the enabled order breaks the ties
        key = rng.choice(keys[:rng.randrange(1, 4)])
        s.store(key).add(key, t, rng.choice(["Running", "Done"]))
    for q in [None, "ss", "STRASSE", "k", "\u212a", "i̇", "fi", "σας", "\x00", "a-1", "#3", "zzz", "-"]:
        for state in [None, "Done"]:
            for scope in [keys, ("b",)]:
                f = Filters(scope, state, q)
                limit = rng.choice([1, 3, 50, 1000])
                cursor = None
                for _ in range(40):
                    want = _reference_page(s, f, limit, cursor, _named)
                    got = listing.page(s, f, limit, cursor, _named)
                    assert ([j.id for j in got.jobs], got.next_cursor, got.total, got.examined) == (
                        [j.id for j in want.jobs], want.next_cursor, want.total, want.examined), (q, state, scope)
                    cursor = got.next_cursor
                    if cursor is None:
                        break


def test_hits_and_candidates_find_every_text_that_holds_the_needle():
    texts = ["Straße", "abc", "", "ﬁx", "\u212a", "xx\x00yy", "ABCABC"]
    for needle in ["ss", "abc", "fi", "k", "\x00", "x\x00y", "c", "zz"]:
        assert listing.hits(texts, needle) == [needle in t.casefold() for t in texts]
    pieces = [b"Abc", b"", b"xabcx", b"AB", b"C"]
    assert listing.candidates(pieces, b"abc") == [0, 2]
    assert set(listing.candidates(pieces, b"b\x00c")) >= {k for k, p in enumerate(pieces) if b"b\x00c" in p.lower()}
