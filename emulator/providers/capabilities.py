"""What each provider offers a test, from its declarations alone: states (terminal flagged), graphs, commands,
scenario match keys, default durations, profiles and options. GET /_emulator/providers answers it and
`job-emulator serve --help` prints it, so the two cannot drift."""

from __future__ import annotations

from typing import Any

from ..core.scenarios import COMMON_MATCH_KEYS
from ..kit import Provider


def describe(cls: type[Provider], provider: Provider | None = None) -> dict[str, Any]:
    """The capabilities of provider class `cls`; with a running `provider`, also its profile, option values
    and any graphs its options add (Task API catalogue tasks)."""
    graphs = list(provider.graphs().values()) if provider is not None else list(cls.lifecycle)
    terminal: set[str] = set()
    commands: dict[str, dict[str, str]] = {}
    durations: dict[str, float] = {}
    for g in graphs:
        terminal |= set(g.terminal)
        for name, moves in g.commands.items():
            commands.setdefault(name, {}).update(moves)
    for g in cls.lifecycle:  # the declared graphs' defaults (a catalogue task's own run time is its own)
        for st, step in g.timed.items():
            durations.setdefault(st, step.after)
    states: list[str] = []
    for g in graphs:
        states += [s for s in g.states if s not in states]
    out: dict[str, Any] = {
        "key": cls.key, "title": cls.title, "api_version": cls.api_version,
        "states": [{"name": s, "terminal": s in terminal} for s in states],
        "graphs": [{"name": g.name, "initial": g.initial, "states": list(g.states),
                    "aliases": dict(g.aliases)} for g in graphs],
        "commands": commands,
        "match_keys": [{"key": k, "help": h, "common": k in COMMON_MATCH_KEYS} for k, h in cls.match_keys.items()],
        "durations": durations,
        "profiles": list(cls.profiles),
        "options": [o.describe() for o in cls.options],
    }
    if provider is not None:
        out["profile"] = provider.profile_name
        out["option_values"] = {o.name: provider.opts[o.name] for o in cls.options}
    return out


def help_lines(cls: type[Provider]) -> list[str]:
    """The CLI help of one provider, from the same description."""
    d = describe(cls)
    lines = [f"  {cls.key}: {cls.title} ({cls.api_version})",
             f"      profiles: {', '.join(d['profiles'])}",
             "      states: " + ", ".join(s["name"] + ("*" if s["terminal"] else "") for s in d["states"])
             + "  (* terminal)",
             "      default durations: " + ", ".join(f"{k}={v:g}" for k, v in d["durations"].items()),
             "      scenario match keys: " + ", ".join(m["key"] for m in d["match_keys"])]
    for o in d["options"]:
        bounds = "".join(f", {w} {o[w]:g}" for w in ("minimum", "maximum") if o[w] is not None)
        lines.append(f"      --option {cls.key}.{o['name']}=<{o['type']}>  {o['help']} (default: {o['default']!r}"
                     f"{bounds})")
    return lines
