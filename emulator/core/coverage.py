"""State coverage: what a session's clients saw of each provider's lifecycle, the way line coverage tells a
suite which lines ran.

Per provider, a session counts the states a client *observed* (a response it received showed a job in that
state), the transitions jobs made, the commands called (accepted or refused, and in which state), the error
kinds answered and the injected faults met. `report()` turns the counts into the wire form of
`GET /_emulator/coverage`, with the documented states never observed; `merge()` adds reports together (across
sessions, across test workers) with the same arithmetic, so the endpoint and the pytest plugin agree.

Every table is keyed by names from a closed set (graph states, command names, error kinds, fault kinds), so
coverage stays bounded however many jobs or requests a session sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class ProviderCoverage:
    """The counts of one provider in one session."""

    __slots__ = ("commands", "errors", "faults", "observed", "transitions")

    def __init__(self) -> None:
        self.observed: dict[str, int] = {}
        self.transitions: dict[tuple[str, str], int] = {}
        self.commands: dict[tuple[str, str, bool], int] = {}  # (command, state, accepted) -> count
        self.errors: dict[str, int] = {}
        self.faults: dict[str, int] = {}


class Coverage:
    """Coverage counts of one session, by provider."""

    __slots__ = ("providers",)

    def __init__(self) -> None:
        self.providers: dict[str, ProviderCoverage] = {}

    def of(self, provider: str) -> ProviderCoverage:
        pc = self.providers.get(provider)
        if pc is None:
            pc = self.providers[provider] = ProviderCoverage()
        return pc

    def observed(self, provider: str, state: str) -> None:
        """A response the client received showed a job of `provider` in `state`."""
        obs = self.of(provider).observed
        obs[state] = obs.get(state, 0) + 1

    def transition(self, provider: str, old: str, new: str) -> None:
        tr = self.of(provider).transitions
        tr[(old, new)] = tr.get((old, new), 0) + 1

    def command(self, provider: str, name: str, state: str, accepted: bool) -> None:
        cmds = self.of(provider).commands
        key = (name, state, accepted)
        cmds[key] = cmds.get(key, 0) + 1

    def error(self, provider: str, kind: str) -> None:
        errs = self.of(provider).errors
        errs[kind] = errs.get(kind, 0) + 1

    def fault(self, provider: str, kind: str) -> None:
        faults = self.of(provider).faults
        faults[kind] = faults.get(kind, 0) + 1

    def clear(self) -> None:
        self.providers.clear()

    def report(self, documented: Mapping[str, Sequence[str]], session: str | None = None) -> dict:
        """The wire form: every provider in `documented` that the session touched, with its states."""
        providers = {}
        for key, states in documented.items():
            pc = self.providers.get(key)
            if pc is None:
                continue
            commands: dict[tuple[str, str], dict[str, int]] = {}
            for (name, state, accepted), n in pc.commands.items():
                row = commands.setdefault((name, state), {"accepted": 0, "refused": 0})
                row["accepted" if accepted else "refused"] += n
            providers[key] = _finish({
                "states": list(states),
                "observed": dict(pc.observed),
                "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in pc.transitions.items()],
                "commands": [{"command": c, "state": s, **row} for (c, s), row in commands.items()],
                "errors": dict(pc.errors),
                "faults": dict(pc.faults),
            })
        return _total({"session": session, "sessions": 1, "providers": providers})


def merge(reports: Iterable[dict], session: str | None = None) -> dict:
    """One report adding up `reports` (wire form): states are united, every count summed."""
    out: dict[str, dict] = {}
    sessions = 0
    for rep in reports:
        sessions += rep.get("sessions", 1)
        for key, pr in rep["providers"].items():
            acc = out.get(key)
            if acc is None:
                acc = out[key] = {"states": [], "observed": {}, "transitions": {}, "commands": {}, "errors": {},
                                  "faults": {}}
            acc["states"].extend(s for s in pr["states"] if s not in acc["states"])
            _add(acc["observed"], pr["observed"])
            _add(acc["errors"], pr["errors"])
            _add(acc["faults"], pr["faults"])
            _add(acc["transitions"], {(t["from"], t["to"]): t["count"] for t in pr["transitions"]})
            for c in pr["commands"]:
                row = acc["commands"].setdefault((c["command"], c["state"]), {"accepted": 0, "refused": 0})
                row["accepted"] += c["accepted"]
                row["refused"] += c["refused"]
    providers = {}
    for key in sorted(out):
        acc = out[key]
        providers[key] = _finish({
            "states": acc["states"],
            "observed": acc["observed"],
            "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in acc["transitions"].items()],
            "commands": [{"command": c, "state": s, **row} for (c, s), row in acc["commands"].items()],
            "errors": acc["errors"],
            "faults": acc["faults"],
        })
    return _total({"session": session, "sessions": sessions, "providers": providers})


def _add(into: dict, more: Mapping[Any, int]) -> None:
    for k, n in more.items():
        into[k] = into.get(k, 0) + n


def _percent(covered: int, total: int) -> float:
    # nothing touched is 0 %, not 100 %: a run whose clients never reached the emulator must not pass a
    # fail-under threshold
    return round(100.0 * covered / total, 1) if total else 0.0


def _finish(pr: dict) -> dict:
    """Add the derived fields of one provider's entry: covered/total/percent and the states never observed."""
    observed = pr["observed"]
    pr["never_observed"] = [s for s in pr["states"] if s not in observed]
    pr["covered"] = len(pr["states"]) - len(pr["never_observed"])
    pr["total"] = len(pr["states"])
    pr["percent"] = _percent(pr["covered"], pr["total"])
    return pr


def _total(rep: dict) -> dict:
    covered = sum(p["covered"] for p in rep["providers"].values())
    total = sum(p["total"] for p in rep["providers"].values())
    rep.update(covered=covered, total=total, percent=_percent(covered, total))
    return rep


def summary_lines(rep: dict) -> list[str]:
    """The report as a terminal table, like a line-coverage summary: per provider observed/total and the
    states never observed."""
    rows = [("provider", "observed", "total", "cover", "never observed")]
    for key, pr in rep["providers"].items():
        rows.append((key, str(pr["covered"]), str(pr["total"]), f"{pr['percent']:g}%",
                     ", ".join(pr["never_observed"]) or "-"))
    rows.append(("TOTAL", str(rep["covered"]), str(rep["total"]), f"{rep['percent']:g}%", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0]), *(r[j].rjust(widths[j]) for j in (1, 2, 3)), r[4]]
        lines.append("  ".join(cells).rstrip())
        if i == 0 or i == len(rows) - 2:
            lines.append("-" * max(len(line) for line in lines))
    return lines


def detail_lines(rep: dict, width: int = 100) -> list[str]:
    """Per provider, briefly: the transitions jobs made, the commands called in each state (accepted /
    refused), the error kinds answered and the faults met, with their counts (wrapped at `width`)."""
    lines = []
    for key, pr in rep["providers"].items():
        parts = [
            ("transitions", [f"{t['from']}->{t['to']} {t['count']}" for t in pr["transitions"]]),
            ("commands", [f"{c['command']} in {c['state']} {c['accepted']} accepted"
                          + (f" {c['refused']} refused" if c["refused"] else "") for c in pr["commands"]]),
            ("errors", [f"{kind} {n}" for kind, n in pr["errors"].items()]),
            ("faults", [f"{kind} {n}" for kind, n in pr["faults"].items()]),
        ]
        lines.append(f"{key}:")
        for name, items in parts:
            lines.extend(_packed(f"  {name}: ", items or ["-"], width))
    return lines


def _packed(head: str, items: list[str], width: int) -> list[str]:
    """`head` then the items comma-separated, wrapped between items (never inside one) at `width`."""
    lines, line = [], head.rstrip()
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if i and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = "   "  # continuation lines are indented 4
        line += " " + piece
    lines.append(line)
    return lines
