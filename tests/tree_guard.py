"""No test writes into the source tree: `git status --porcelain` after the run equals what it was before.

Checked by the controlling process only (xdist workers share its tree). Outside a git checkout, or without
git, there is nothing to compare and the check is off. A difference fails the run when
JOB_EMULATOR_CLEAN_TREE=1 (what .ci/run sets); elsewhere it is reported as a warning, since a developer may
edit files while the suite runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRICT_VAR = "JOB_EMULATOR_CLEAN_TREE"


def tree_status() -> set[str] | None:
    """The tree's `git status --porcelain` lines (untracked files included), or None outside a checkout."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def changes(before: set[str] | None, after: set[str] | None) -> list[str]:
    """What the run added to or removed from the tree's status, sorted ([] when either is unknown)."""
    if before is None or after is None:
        return []
    return sorted(after ^ before)


def strict() -> bool:
    return os.environ.get(STRICT_VAR) == "1"
