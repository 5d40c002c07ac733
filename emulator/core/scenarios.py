"""Scenario rules: match jobs at submit time and set their fate.

A rule names a provider (or none for any), a `match` object and an outcome. Each key of `match` is either a
match key of the provider's vocabulary (the common `name`, `labels`, `type` where its API has the concept,
plus its own documented keys), compared with the fact the provider reports for the submitted job, or a path
into the submitted body starting with `/` (`/Job/Type`, `/env/job.mode`). Dict values match as subsets
(labels), list facts match when they contain the value(s). `count` limits the rule to its first N matches.

A rule is checked when it is added (`check_rule`): a named provider must have the states and keys it uses;
a rule without a provider must fit at least one enabled provider. At submit, a rule applies only to jobs
whose graph has every state it names, so a rule written for one system never disturbs another's jobs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .fates import Fate, fits, resolve
from .rulebook import RuleBook
from .tour import Tour

if TYPE_CHECKING:
    from .lifecycle import Graph

_MISSING = object()

# The keys every provider offers where its API has the concept (a provider's `match_keys` says which).
COMMON_MATCH_KEYS = {
    "name": "the job's name as the client gave it",
    "labels": "the job's labels or tags (a value, a list, or a key/value subset)",
    "type": "the job's kind or mode (batch, streaming, the task, ...)",
}


@dataclass(frozen=True)
class RuleTarget:
    """What a rule may name for one provider: its graphs (for states) and its match keys."""

    graphs: Sequence[Graph]
    match_keys: Sequence[str]

    def states(self) -> list[str]:
        out: list[str] = []
        for g in self.graphs:
            out += [s for s in g.states if s not in out]
        return out

    def has_state(self, name: str) -> bool:
        return any(g.resolve_state(name) is not None for g in self.graphs)


class Scenario:
    """A rule: which submitted jobs it matches (`provider`, `match`, the first `count` of them) and the `Fate`
    they get. Its wire form is flat: the fate's fields beside the rule's, `outcome` naming the fate's kind."""

    def __init__(self, id: str, outcome: str = "succeed", provider: str | None = None,
                 match: dict[str, Any] | None = None, count: int | None = None, matched: int = 0,
                 tour: dict | None = None, **fate: Any) -> None:
        for internal in ("rule_id", "kind", "path"):
            if internal in fate:
                raise TypeError(f"unexpected field {internal!r}")
        self.id = id
        self.provider = provider
        self.match = match or {}
        self.count = count
        self.matched = matched
        self.fate = Fate(kind=outcome, rule_id=id, **fate)  # TypeError/ValueError name a bad field or outcome
        self.tour = Tour(**(tour or {"seed": id})) if outcome == "tour" else None

    def to_dict(self) -> dict:
        fate = self.fate.to_dict()
        fate.pop("rule_id")
        fate.pop("path", None)
        out = {"id": self.id, "outcome": fate.pop("kind"), "provider": self.provider, "match": self.match,
               "count": self.count, "matched": self.matched, **fate}
        if self.tour is not None:
            out["tour"] = self.tour.to_dict()
        return out

    def applies(self, provider: str, graph: Graph, body: Any, facts: Mapping[str, Any]) -> bool:
        if self.provider is not None and self.provider != provider:
            return False
        if self.count is not None and self.matched >= self.count:
            return False
        if not fits(self.fate, graph):
            return False
        return all(_match_value(_lookup(key, body, facts), want) for key, want in self.match.items())


def check_rule(rule: Scenario, targets: Mapping[str, RuleTarget]) -> None:
    """Refuse (ApiError 'invalid') a rule that can never match: an unknown provider, a state or match key
    the named provider lacks, or, without a provider, states and keys no enabled provider has together."""
    where = f"scenario {rule.id}"
    if rule.provider is not None:
        target = targets.get(rule.provider)
        if target is None:
            raise ApiError("invalid", f"{where}: provider {rule.provider!r} is not enabled; enabled: "
                                      f"{', '.join(targets)}", field="provider")
        _check_against(rule, rule.provider, target, where)
        return
    problems = []
    for key, target in targets.items():
        try:
            _check_against(rule, key, target, where)
            return
        except ApiError as exc:
            problems.append(exc)
    if not problems:
        raise ApiError("invalid", f"{where}: no provider is enabled", field="provider")
    unknown = [s for s in rule.fate.states() if not any(t.has_state(s) for t in targets.values())]
    if unknown:
        raise ApiError("invalid", f"{where}: no enabled provider has state {unknown[0]!r}; states: "
                                  + "; ".join(f"{k}: {', '.join(t.states())}" for k, t in targets.items()),
                       field="at" if unknown[0] == rule.fate.at else "to" if unknown[0] == rule.fate.to
                       else "durations")
    keys = [k for k in rule.match if not k.startswith("/")]
    raise ApiError("invalid", f"{where}: no enabled provider has all of states {rule.fate.states()} and match "
                              f"keys {keys}; name a provider (match keys: "
                              + "; ".join(f"{k}: {', '.join(t.match_keys)}" for k, t in targets.items()) + ")",
                   field="match")


def _check_against(rule: Scenario, key: str, target: RuleTarget, where: str) -> None:
    for name in rule.fate.states():
        if not target.has_state(name):
            field = "at" if name == rule.fate.at else "to" if name == rule.fate.to else "durations"
            raise ApiError("invalid", f"{where}: {name!r} is not a {key} state; states: "
                                      f"{', '.join(target.states())}", field=field)
    for mkey in rule.match:
        if not mkey.startswith("/") and mkey not in target.match_keys:
            raise ApiError("invalid", f"{where}: {key} has no match key {mkey!r}; it accepts "
                                      f"{', '.join(target.match_keys)} or a body path such as /a/b", field="match")
    for graph in target.graphs:  # numbers and the states the kind needs, as the engine will check them
        if fits(rule.fate, graph):
            resolve(rule.fate, graph, where)
            return


def _lookup(key: str, body: Any, facts: Mapping[str, Any]) -> Any:
    if not key.startswith("/"):
        return facts.get(key, _MISSING)
    node = body
    for part in key.strip("/").split("/"):
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
    return have == want


class ScenarioBook(RuleBook[Scenario]):
    """The scenario rules of one session; the first rule that applies to a submitted job sets its fate."""

    rule_type = Scenario
    prefix = "s"

    def fate_for(self, provider: str, graph: Graph, body: Any, facts: Mapping[str, Any]) -> Fate | None:
        """The fate of the first rule that applies to this job, spelled for its graph; counts the match."""
        for rule in self.rules:
            if rule.applies(provider, graph, body, facts):
                rule.matched += 1
                fate = resolve(rule.fate, graph, f"scenario {rule.id}")
                if rule.tour is not None:  # a tour hands each job the next path of its plan
                    fate = replace(fate, path=rule.tour.next_path(graph))
                return fate
        return None
