"""The type checker over emulator/: `python -m mypy emulator` (settings in pyproject.toml, [tool.mypy]) must
report no error. A provider written against emulator.kit gets its own types back from `call.provider`,
`call.state` and `call.user`; this keeps that true, and keeps every `type: ignore` justified."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")


def test_mypy_reports_no_error_over_the_package():
    run = subprocess.run([sys.executable, "-m", "mypy", "emulator"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f"mypy found errors:\n{run.stdout}{run.stderr}"
    assert re.search(r"^Success: no issues found in \d+ source files$", run.stdout, re.M), run.stdout


def test_every_type_ignore_names_its_code_and_says_why():
    bare = []
    for path in sorted((ROOT / "emulator").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "type: ignore" not in line:
                continue
            code = re.search(r"# type: ignore\[[a-z-]+(, *[a-z-]+)*\](.*)$", line)
            previous = path.read_text(encoding="utf-8").splitlines()[n - 2].strip() if n > 1 else ""
            reason = code is not None and (code.group(2).strip().startswith("#") or previous.startswith("#"))
            if not reason:
                bare.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bare, "each `# type: ignore[code]` needs a reason (a comment after it or on the line above):\n" + \
        "\n".join(bare)
