"""Fault rules (emulator.core.faults): matching by provider, method and glob path; `after`, `times` and a
seeded probability; the error each status becomes; the book's dict round trip keeps counts and draws."""

import pytest

from emulator.core.faults import STATUS_KINDS, FaultBook, FaultRule


def test_match_by_provider_method_and_glob_path():
    rule = FaultRule(id="f1", provider="bacalhau", method="get", path="/api/v1/orchestrator/jobs/*")
    assert rule.matches("bacalhau", "GET", "/api/v1/orchestrator/jobs/j-1")
    assert not rule.matches("streams", "GET", "/api/v1/orchestrator/jobs/j-1")
    assert not rule.matches("bacalhau", "PUT", "/api/v1/orchestrator/jobs/j-1")
    assert not rule.matches("bacalhau", "GET", "/api/v1/orchestrator/nodes")
    assert FaultRule(id="f2").matches(None, "DELETE", "/anything")  # no filter: every request


def test_the_first_rule_that_fires_wins_and_counts_both_matched_and_hits():
    book = FaultBook(seed=1)
    first = book.add({"path": "/a*", "status": 503})
    second = book.add({"path": "/a*", "status": 500})
    assert book.decide("p", "GET", "/a/1") is first
    assert (first.matched, first.hits, second.matched, second.hits) == (1, 1, 0, 0)
    assert book.decide("p", "GET", "/b") is None and first.matched == 1


def test_after_lets_calls_through_then_times_caps_the_hits():
    book = FaultBook()
    rule = book.add({"status": 500, "after": 2, "times": 1})
    fired = [book.decide("p", "GET", "/x") is rule for _ in range(5)]
    assert fired == [False, False, True, False, False]
    assert (rule.matched, rule.hits) == (5, 1)


def test_probability_draws_are_reproducible_from_the_seed():
    def pattern(seed: int) -> list[bool]:
        book = FaultBook(seed=seed)
        book.add({"status": 500, "probability": 0.5})
        return [book.decide("p", "GET", "/x") is not None for _ in range(40)]

    assert pattern(4) == pattern(4)
    assert pattern(4) != pattern(5)
    assert 5 < sum(pattern(4)) < 35


def test_each_status_becomes_its_error_kind():
    assert FaultRule(id="f", status=503, message="down").error().kind == "unavailable"
    err = FaultRule(id="f", status=418).error()
    assert (err.kind, err.status) == ("invalid", 418)
    assert FaultRule(id="f", status=599).error().kind == "internal"
    assert FaultRule(id="f", drop=True).error().status == 500  # a rule without status answers 500
    for status, kind in STATUS_KINDS.items():
        assert FaultRule(id="f", status=status).error().kind == kind


def test_latency_adds_jitter_within_its_range():
    book = FaultBook(seed=2)
    rule = book.add({"latency_ms": 100, "jitter_ms": 50})
    draws = [book.latency_s(rule) for _ in range(20)]
    assert all(0.1 <= d <= 0.15 for d in draws) and len(set(draws)) > 1
    assert book.latency_s(book.add({"latency_ms": 20})) == pytest.approx(0.02)


def test_round_trip_keeps_rules_counts_and_the_next_draw():
    book = FaultBook(seed=9)
    book.add({"status": 500, "probability": 0.3})
    for _ in range(7):
        book.decide("p", "GET", "/x")
    again = FaultBook.from_dict(book.to_dict())
    assert again.to_dict() == book.to_dict()
    assert [again.decide("p", "GET", "/x") is not None for _ in range(10)] == \
           [book.decide("p", "GET", "/x") is not None for _ in range(10)]
    assert again.add({}).id == "f2"
