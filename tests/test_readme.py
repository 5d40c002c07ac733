"""The README's two commands are what a new user runs and what CI proves: keep them in step."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = text.split("```sh\n")[1:3]
    return [b.split("```", 1)[0].strip() for b in blocks]


def test_readme_opens_with_install_and_test_commands():
    serve, test = readme_commands()
    assert serve == "python3 -m pip install -e . && job-emulator serve"
    assert "pytest" in test and "[test]" in test


def test_ci_runs_the_readme_test_command_verbatim():
    _, test = readme_commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines, f".ci/run must run {test!r} exactly as README.md writes it"
