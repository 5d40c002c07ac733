"""The README's two commands are what a new user runs and what CI proves: keep them in step."""

import subprocess
from pathlib import Path

from tests.support import http, serving, shell_blocks

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    return [b.strip() for b in shell_blocks((ROOT / "README.md").read_text())[:2]]


def test_readme_opens_with_install_and_test_commands():
    serve, test = readme_commands()
    assert serve == "python3 -m pip install -e . && job-emulator serve"
    assert "pytest" in test and "'.[test,clients]'" in test and "bacalhau-sdk==" in test


def test_ci_runs_the_readme_test_command_verbatim():
    _, test = readme_commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines, f".ci/run must run {test!r} exactly as README.md writes it"


def walkthrough_script(port: int) -> str:
    """Every shell block after the two set-up commands, in order, as one script against `port`."""
    blocks = shell_blocks((ROOT / "README.md").read_text())[2:]
    runnable = [b for b in blocks if "pip install" not in b and "job-emulator serve" not in b
                and "docker " not in b]
    script = "set -euo pipefail\n" + "\n".join(runnable)
    return script.replace("127.0.0.1:8080", f"127.0.0.1:{port}")


def test_readme_walkthroughs_run_against_a_live_emulator(tmp_path):
    """The README's curl walk-throughs run as written (curl --fail-with-body stops on any unexpected error),
    and the emulator saw no server error except the one the README shows on purpose."""
    with serving("--clock", "manual") as port:
        run = subprocess.run(["bash", "-c", walkthrough_script(port)], capture_output=True, text=True, timeout=120,
                             cwd=tmp_path, check=False)
        assert run.returncode == 0, f"README walk-through failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        assert '"JobID":"j-' in run.stdout and "SAVEPOINT_DONE" in run.stdout
        assert "('Failed', 30.0)" in run.stdout or "('Failed', 32.0)" in run.stdout
        status, page = http("GET", f"http://127.0.0.1:{port}/_emulator/requests?status=404")
        assert status == 200 and page["count"] == 0, "a README command hit an unknown resource"
