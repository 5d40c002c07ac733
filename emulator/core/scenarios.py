"""Scenario rules: match jobs at submit time and set their fate.

A rule names a provider (or none for any), a `match` object and an outcome. Each key of `match` is compared
with the submit's named fields first (`name`, `labels`, `tags`, `type`, ... as the provider offers them), and
otherwise read from the submitted body by a JSON-pointer-like path (`/Job/Type`, `/env/job.mode`). Dict values
match as subsets (labels), list fields match when they contain the value(s). `count` limits the rule to its
first N matches."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .lifecycle import Fate
from .rulebook import RuleBook

_MISSING = object()


class Scenario:
    """A rule: which submitted jobs it matches (`provider`, `match`, the first `count` of them) and the `Fate`
    they get. Its wire form is flat: the fate's fields beside the rule's, `outcome` naming the fate's kind."""

    def __init__(self, id: str, outcome: str = "succeed", provider: str | None = None,
                 match: dict[str, Any] | None = None, count: int | None = None, matched: int = 0,
                 **fate: Any) -> None:
        if "rule_id" in fate or "kind" in fate:
            raise TypeError(f"unexpected field {'rule_id' if 'rule_id' in fate else 'kind'!r}")
        self.id = id
        self.provider = provider
        self.match = match or {}
        self.count = count
        self.matched = matched
        self._fate = Fate(kind=outcome, rule_id=id, **fate)  # TypeError/ValueError name a bad field or outcome

    def to_dict(self) -> dict:
        fate = self._fate.to_dict()
        fate.pop("rule_id")
        return {"id": self.id, "outcome": fate.pop("kind"), "provider": self.provider, "match": self.match,
                "count": self.count, "matched": self.matched, **fate}

    def fate(self) -> Fate:
        """A fresh copy for one job (the engine normalises a job's fate in place)."""
        return replace(self._fate, durations=dict(self._fate.durations))

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

    def fate_for(self, provider: str, body: Any, fields: dict[str, Any]) -> Fate | None:
        for rule in self.rules:
            if rule.applies(provider, body, fields):
                rule.matched += 1
                return rule.fate()
        return None
