"""Tests mirror the engine's layout: each emulator/core/<m>.py has tests/core/test_<m>.py. A new core
module comes with its own test module (NOT_YET, once the list of modules tested only through others, is empty
and stays so)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_YET: set[str] = set()


def test_every_core_module_has_its_test_module():
    modules = {p.stem for p in (ROOT / "emulator" / "core").glob("*.py") if p.stem != "__init__"}
    tested = {p.stem.removeprefix("test_") for p in (ROOT / "tests" / "core").glob("test_*.py")}
    assert sorted(modules - tested - NOT_YET) == []
    assert sorted(NOT_YET & tested) == [], "tested now: remove from NOT_YET"
    assert sorted(NOT_YET - modules) == [], "no such core module any more: remove from NOT_YET"
