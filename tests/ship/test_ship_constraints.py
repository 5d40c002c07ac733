"""constraints/docker.txt, the Docker image's pins: every runtime dependency pyproject declares is pinned
exactly, and the pins resolve together (pip's resolver, dry run: nothing is installed)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints" / "docker.txt"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"not an exact pin: {line!r}"
            pins[_norm(name)] = version
    return pins


def test_every_runtime_dependency_is_pinned():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [_norm(re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0]) for d in declared]
    pins = _pins()
    assert names and not [n for n in names if n not in pins], f"unpinned: {[n for n in names if n not in pins]}"


def test_the_pins_resolve_together():
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                           "--disable-pip-version-check", "-r", str(CONSTRAINTS)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
