"""The layering holds, read from the source with ast (no import runs): emulator/core/ imports neither aiohttp
nor any provider (nor the kit or the web layer built on it), and no provider folder imports another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "emulator"
PROVIDERS = sorted(p.name for p in (PACKAGE / "providers").iterdir() if (p / "__init__.py").is_file())


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `path`, relative ones resolved, TYPE_CHECKING
    blocks included (a type-only import is still a dependency of the layer)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # `from . import x` may name a module: count each name as one
            found += [(node.lineno, f"{mod}.{a.name}" if not node.module else mod) for a in node.names]
    return found


def offending(folder: Path, banned) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        for line, mod in imports(path):
            if banned(mod):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {mod}")
    return out


def test_the_import_reader_resolves_relative_imports():
    assert "emulator.core.clock" in {m for _, m in imports(PACKAGE / "core" / "session.py")}
    assert "emulator.core.store" in {m for _, m in imports(PACKAGE / "providers" / "bacalhau" / "model.py")}


def test_core_imports_no_aiohttp_and_no_provider():
    def banned(mod: str) -> bool:
        top = mod.split(".")
        return (top[0] == "aiohttp" or mod.startswith(("emulator.providers", "emulator.kit", "emulator.app",
                                                        "emulator.control", "emulator.routing", "emulator.pipeline")))
    assert offending(PACKAGE / "core", banned) == []


@pytest.mark.parametrize("key", PROVIDERS)
def test_no_provider_imports_another(key):
    others = [f"emulator.providers.{k}" for k in PROVIDERS if k != key]

    def banned(mod: str) -> bool:
        return any(mod == o or mod.startswith(o + ".") for o in others)
    assert offending(PACKAGE / "providers" / key, banned) == []


def test_the_check_would_catch_a_crossing(tmp_path):
    bad = tmp_path / "emulator" / "providers" / "toy"
    bad.mkdir(parents=True)
    (bad / "x.py").write_text("from ..bacalhau import model\nimport aiohttp\n")
    found = {m for _, m in imports(bad / "x.py", tmp_path)}
    assert found == {"emulator.providers.bacalhau", "aiohttp"}
