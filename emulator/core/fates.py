"""A job's fate: what a test wants to happen to it, decided once at submit and frozen on the job.

Three inputs become a fate here and nowhere else, the same way for every provider:

- the submit call's `X-Emulator-Outcome` header (`fail; at=Running; message=disk full; Running=30`),
- the first scenario rule of the session that matches the submitted job and whose states the job's graph has,
- the per-job durations a provider plans (SeaTunnel: rows to read / rows per second), after the fate's own
  durations and the configured ones.

Providers declare graphs and the facts a rule can match on; they never spell, check or default a fate.
Fate kinds are declared in one table, `KINDS`: adding a kind is one entry there plus its timer rule in
`Session._arm`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .errors import ApiError

if TYPE_CHECKING:
    from .lifecycle import Graph  # (lifecycle imports this module)

OUTCOME_HEADER = "X-Emulator-Outcome"

# Bounds on what a test may script: a flap every nanosecond a billion times would pin the process.
MAX_DURATION = 10 * 365 * 86_400.0
# A flap costs two transitions per round: at most MAX_FLAPS rounds at least MIN_FLAP_EVERY emulated seconds
# apart, so one flapping job adds at most 2 * MAX_FLAPS transitions (and history rows) in its life.
MIN_FLAP_EVERY = 1.0
MAX_FLAPS = 100


@dataclass(frozen=True)
class FateKind:
    """One kind of outcome: the state fields it needs (`at`, `to`) and what it does, for help texts."""

    name: str
    needs: tuple[str, ...]
    help: str


KINDS: dict[str, FateKind] = {k.name: k for k in (
    FateKind("succeed", (), "follow the graph (the default)"),
    FateKind("fail", ("at",), "after its time in state `at`, fail with `message` (into `to` when given, else "
                              "where the graph sends a failure)"),
    FateKind("hang", ("at",), "stay in state `at` until a command moves it"),
    FateKind("flap", ("at", "to"), "once in `at`, go to `to` and back `times` times, `every` seconds apart"),
    FateKind("tour", (), "successive matching jobs walk, in a seeded order, through every ending of their graph "
                         "(a rule's outcome; its plan is listed with the rule)"),
)}
FATE_KINDS = tuple(KINDS)


@dataclass(frozen=True, slots=True)
class Fate:
    """What a test wants to happen to one job (see `KINDS`). `durations` overrides the time spent in given
    states; `results_missing` asks the provider to report no results for a finished job; `rule_id` names the
    scenario rule it came from (None: the outcome header or a provider's plan)."""

    kind: str = "succeed"
    at: str | None = None
    to: str | None = None
    message: str = ""
    durations: Mapping[str, float] = field(default_factory=dict)
    times: int = 0
    every: float = 1.0
    results_missing: bool = False
    rule_id: str | None = None
    path: tuple[str, ...] | None = None  # a tour's: the states this job walks (emulator.core.tour)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"outcome must be one of {', '.join(KINDS)}, not {self.kind!r}")

    def states(self) -> list[str]:
        """Every state name the fate mentions, as written."""
        return [s for s in (self.at, self.to) if s is not None] + list(self.durations)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "at": self.at, "to": self.to, "message": self.message,
                "durations": dict(self.durations), "times": self.times, "every": self.every,
                "results_missing": self.results_missing, "rule_id": self.rule_id,
                **({"path": list(self.path)} if self.path is not None else {})}

    @classmethod
    def from_dict(cls, data: dict) -> Fate:
        path = data.get("path")
        return cls(**{**data, "path": tuple(path) if path is not None else None})


def _bounded(name: str, value: Any, low: float, high: float, where: str) -> float:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value)
                                       and low <= value <= high):
        raise ApiError("invalid", f"{where}: {name} must be a number from {low:g} to {high:g}, got {value!r}",
                       field=where)
    return value


def resolve(fate: Fate, graph: Graph, where: str) -> Fate:
    """`fate` with its states spelled as `graph` spells them and its numbers checked; ApiError('invalid')
    naming `where` (the header or the rule) and the graph's states otherwise."""
    def canon(name: str) -> str:
        st = graph.resolve_state(name)
        if st is None:
            raise ApiError("invalid", f"{where}: {name!r} is not a state of this job; states: "
                                      f"{', '.join(graph.states)}", field=where)
        return st

    if fate.kind == "tour" and fate.rule_id is None:
        raise ApiError("invalid", f"{where}: outcome tour belongs to a scenario rule (POST /_emulator/scenarios), "
                                  "not to one job", field=where)
    needs = KINDS[fate.kind].needs
    if any(getattr(fate, n) is None for n in needs):
        wanted = " and ".join(f"{n}=<state>" for n in needs)
        raise ApiError("invalid", f"{where}: outcome {fate.kind} needs {wanted}", field=where)
    _bounded("every", fate.every, MIN_FLAP_EVERY, MAX_DURATION, where)
    _bounded("times", fate.times, 0, MAX_FLAPS, where)
    durations = {canon(k): float(_bounded(f"duration of {k}", v, 0, MAX_DURATION, where))
                 for k, v in fate.durations.items()}
    return replace(fate, at=canon(fate.at) if fate.at is not None else None,
                   to=canon(fate.to) if fate.to is not None else None, durations=durations)


def fits(fate: Fate, graph: Graph) -> bool:
    """Whether every state `fate` names is a state of `graph`."""
    return all(graph.resolve_state(s) is not None for s in fate.states())


def parse_header(value: str) -> Fate:
    """`fail; at=Running; message=disk full; Running=30` -> an unresolved Fate; a malformed header is a 400."""
    parts = [p.strip() for p in value.split(";") if p.strip()]
    if not parts:
        raise ApiError("invalid", f"{OUTCOME_HEADER} is empty", field=OUTCOME_HEADER)
    kw: dict[str, Any] = {"kind": parts[0].lower(), "durations": {}}
    for part in parts[1:]:
        if "=" not in part:
            raise ApiError("invalid", f"{OUTCOME_HEADER}: expected key=value, got {part!r}", field=OUTCOME_HEADER)
        k, v = (s.strip() for s in part.split("=", 1))
        if k in ("at", "to", "message"):
            kw[k] = v
        elif k == "times":
            kw[k] = _number(v, int, k)
        elif k == "every":
            kw[k] = _number(v, float, k)
        elif k == "results_missing":
            kw[k] = v.lower() in ("1", "true", "yes")
        else:
            kw["durations"][k] = _number(v, float, k)
    try:
        return Fate(**kw)
    except ValueError as exc:
        raise ApiError("invalid", f"{OUTCOME_HEADER}: {exc}", field=OUTCOME_HEADER) from None


def _number(v: str, typ: type, name: str) -> Any:
    try:
        value = typ(v)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < 0:
        raise ApiError("invalid", f"{OUTCOME_HEADER}: {name} must be a finite number >= 0, got {v!r}",
                       field=OUTCOME_HEADER)
    return value


RuleSource = Callable[[str, "Graph", Any, Mapping[str, Any]], Fate | None]


def seconds(fate: Fate | None, configured: Mapping[str, float], state: str, default: float) -> float:
    """Seconds a job spends in `state` before jitter: the fate's, then the configured duration, then the
    graph's `default`. The one precedence rule, for the engine's timers and a provider's per-job plans."""
    if fate is not None and state in fate.durations:
        return float(fate.durations[state])
    return float(configured.get(state, default))


@dataclass(frozen=True, slots=True)
class LifecycleInput:
    """Everything that decides how one job will move, settled once at submit: the graph it walks, its fate
    (outcome header or scenario rule, its states resolved against that same graph) and its provider's
    configured durations. Made by `Session.decide`; a provider may add per-job durations (`planned`) and
    then hands it to submit; nothing re-reads the header or the rules after."""

    provider: str
    graph: Graph
    fate: Fate | None = None
    configured: Mapping[str, float] = field(default_factory=dict)

    def seconds(self, state: str, default: float) -> float:
        """Seconds the job will spend in `state`, with no jitter (see `seconds`): for a provider whose wire
        shows a plan (SeaTunnel's rows per second) that must agree with the timer exactly."""
        return seconds(self.fate, self.configured, state, default)

    def planned(self, plan: Mapping[str, float]) -> LifecycleInput:
        """This input with the provider's per-job durations for the states its fate does not time."""
        return replace(self, fate=with_planned(self.fate, plan))


def decide(provider: str, graph: Graph, header: str | None, rules: RuleSource | None, body: Any,
           facts: Mapping[str, Any]) -> Fate | None:
    """The fate of a job about to be submitted: the outcome header's (a 400 if it names a state the graph
    lacks), else the first applicable scenario rule's (`rules`), else None."""
    if header:
        return resolve(parse_header(header), graph, OUTCOME_HEADER)
    if rules is None:
        return None
    return rules(provider, graph, body, facts)


_PLANNED: dict[tuple, Fate] = {}


def with_planned(fate: Fate | None, planned: Mapping[str, float]) -> Fate | None:
    """`fate` plus a provider's per-job durations for states it does not already time. A job with no other
    fate shares one Fate object per plan (the engine only reads a fate), instead of a Fate and a dict per job."""
    if not planned:
        return fate
    if fate is not None:
        extra = {k: v for k, v in planned.items() if k not in fate.durations}
        return replace(fate, durations={**fate.durations, **extra}) if extra else fate
    key = tuple(sorted(planned.items()))
    shared = _PLANNED.get(key)
    if shared is None:
        if len(_PLANNED) >= 4096:  # bounded: distinct plans beyond this are just not shared
            _PLANNED.clear()
        shared = _PLANNED[key] = Fate(durations=dict(planned))
    return shared
