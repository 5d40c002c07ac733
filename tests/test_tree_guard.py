"""The clean-tree guard sees what a test leaves in the tree, and CI runs it strictly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests import tree_guard

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_guard_reports_a_file_a_run_leaves_and_a_tracked_file_it_changes(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "kept.txt").write_text("v1\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "kept.txt"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "commit", "-q", "-m", "one"], check=True)
    monkeypatch.setattr(tree_guard, "ROOT", tmp_path)
    before = tree_guard.tree_status()
    assert before == set()
    (tmp_path / "left").mkdir()
    (tmp_path / "left" / "behind.json").write_text("{}")
    (tmp_path / "kept.txt").write_text("v2\n")
    assert tree_guard.changes(before, tree_guard.tree_status()) == [" M kept.txt", "?? left/behind.json"]


def test_outside_a_checkout_there_is_nothing_to_compare(tmp_path, monkeypatch):
    monkeypatch.setattr(tree_guard, "ROOT", tmp_path)
    assert tree_guard.tree_status() is None
    assert tree_guard.changes(None, {"?? x"}) == []


def test_ci_runs_the_guard_strictly_and_checks_the_tree_itself():
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"export {tree_guard.STRICT_VAR}=1" in ci
    assert ci.index(f"export {tree_guard.STRICT_VAR}=1") < ci.index("python3 -m pytest")
    assert ci.count("git status --porcelain --untracked-files=all") == 2
