"""Scenario rules: match jobs at submit time and set their fate.

A rule names a provider (or none for any), a `match` object and an outcome. Each key of `match` is compared
with the submit's named fields first (`name`, `labels`, `tags`, `type`, ... as the provider offers them), and
otherwise read from the submitted body by a JSON-pointer-like path (`/Job/Type`, `/env/job.mode`). Dict values
match as subsets (labels), list fields match when they contain the value(s). `count` limits the rule to its
first N matches."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .lifecycle import Fate
from .rulebook import RuleBook

_MISSING = object()


@dataclass
class Scenario:
    id: str
    outcome: str = "succeed"
    provider: str | None = None
    match: dict[str, Any] = field(default_factory=dict)
    at: str | None = None
    to: str | None = None
    message: str = ""
    durations: dict[str, float] = field(default_factory=dict)
    times: int = 0
    every: float = 1.0
    results_missing: bool = False
    count: int | None = None
    matched: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    def fate(self) -> Fate:
        return Fate(kind=self.outcome, at=self.at, to=self.to, message=self.message, durations=dict(self.durations),
                    times=self.times, every=self.every, results_missing=self.results_missing, rule_id=self.id)

    def applies(self, provider: str, body: Any, fields: dict[str, Any]) -> bool:
        if self.provider is not None and self.provider != provider:
            return False
        if self.count is not None and self.matched >= self.count:
            return False
        return all(_match_value(_lookup(key, body, fields), want) for key, want in self.match.items())


def _lookup(key: str, body: Any, fields: dict[str, Any]) -> Any:
    if key in fields:
        return fields[key]
    node = body
    parts = key.strip("/").split("/") if key.startswith("/") else key.split(".")
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _match_value(have: Any, want: Any) -> bool:
    if have is _MISSING:
        return False
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and _match_value(have[k], v) for k, v in want.items())
    if isinstance(have, list) and not isinstance(want, list):
        return want in have
    if isinstance(have, list) and isinstance(want, list):
        return all(w in have for w in want)
    if isinstance(have, str) and isinstance(want, str):
        return have == want
    return have == want


class ScenarioBook(RuleBook[Scenario]):
    """The scenario rules of one session; the first rule that applies to a submitted job sets its fate."""

    rule_type = Scenario
    prefix = "s"

    def check(self, rule: Scenario) -> None:
        rule.fate()  # raises ValueError for an unknown outcome

    def fate_for(self, provider: str, body: Any, fields: dict[str, Any]) -> Fate | None:
        for rule in self.rules:
            if rule.applies(provider, body, fields):
                rule.matched += 1
                return rule.fate()
        return None
