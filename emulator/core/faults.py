"""Fault rules: added latency, an error status in the provider's own format, or a dropped connection, for
requests matching a provider, method and path pattern; with a probability drawn from the session's seed and
counts ("the next 3 calls", "succeed twice then fail"). Each rule reports how often it matched and fired."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import asdict, dataclass

from .codec import rng_from_json, rng_to_json
from .errors import ApiError
from .rulebook import RuleBook

STATUS_KINDS = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
                413: "too_large", 422: "unprocessable", 500: "internal", 503: "unavailable"}


@dataclass
class FaultRule:
    """`status` (an error reply), `drop` (close the connection) and `latency_ms` (+ `jitter_ms`) may combine:
    latency is added first. `after` lets that many matching calls through first; `times` caps how often the
    rule fires (None = always); `probability` is drawn per matching call from the session's fault generator."""

    id: str
    provider: str | None = None
    method: str | None = None
    path: str = "*"
    status: int | None = None
    message: str = "injected fault"
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    drop: bool = False
    probability: float = 1.0
    after: int = 0
    times: int | None = None
    matched: int = 0
    hits: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    def matches(self, provider: str | None, method: str, path: str) -> bool:
        if self.provider is not None and self.provider != provider:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def error(self) -> ApiError:
        status = self.status or 500
        kind = STATUS_KINDS.get(status, "internal" if status >= 500 else "invalid")
        return ApiError(kind, self.message, status=status)


class FaultBook(RuleBook[FaultRule]):
    """The fault rules of one session, in the order they were added (the first that fires wins). Probabilities
    and jitter are drawn from a generator of its own, seeded from the session's seed, so fault draws are
    reproducible and never shift the ids the session hands out."""

    rule_type = FaultRule
    prefix = "f"

    def __init__(self, seed: int = 0, rules: list[FaultRule] | None = None, next_id: int = 1) -> None:
        super().__init__(rules, next_id)
        self.seed = seed
        self.rng = random.Random(f"faults:{seed}")

    def decide(self, provider: str | None, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (counts are updated)."""
        for rule in self.rules:
            if not rule.matches(provider, method, path):
                continue
            rule.matched += 1
            if rule.matched <= rule.after:
                continue
            if rule.times is not None and rule.hits >= rule.times:
                continue
            if rule.probability < 1.0 and self.rng.random() >= rule.probability:
                continue
            rule.hits += 1
            return rule
        return None

    def latency_s(self, rule: FaultRule) -> float:
        jitter = self.rng.uniform(0, rule.jitter_ms) if rule.jitter_ms else 0.0
        return (rule.latency_ms + jitter) / 1000.0

    def to_dict(self) -> dict:
        return {**super().to_dict(), "seed": self.seed, "rng": rng_to_json(self.rng)}

    @classmethod
    def from_dict(cls, data: dict) -> FaultBook:
        book = cls(seed=data["seed"], rules=[FaultRule(**r) for r in data["rules"]], next_id=data["next_id"])
        rng_from_json(book.rng, data["rng"])
        return book
