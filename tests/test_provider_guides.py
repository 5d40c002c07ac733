"""The Bacalhau guide's walk-through runs as written against a live emulator on the manual clock, and prints
what the guide says it prints."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support import http, serving, shell_blocks

ROOT = Path(__file__).resolve().parent.parent


def walkthrough(guide: Path) -> str:
    """The shell blocks of a guide's `## Walk-through` section, as one script that stops at the first error."""
    section = guide.read_text().split("\n## Walk-through\n", 1)[1].split("\n## ", 1)[0]
    return "set -euo pipefail\n" + "\n".join(shell_blocks(section))


def test_the_bacalhau_walkthrough_prints_what_the_guide_shows(tmp_path):
    with serving("--clock", "manual") as port:
        script = walkthrough(ROOT / "docs" / "providers" / "bacalhau.md").replace("127.0.0.1:8080",
                                                                                  f"127.0.0.1:{port}")
        run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                             check=False)
        assert run.returncode == 0, f"walk-through failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        out = run.stdout.splitlines()
        assert re.fullmatch(r'\{"JobID":"j-[0-9a-f-]{36}","EvaluationID":"[0-9a-f-]{36}",'
                            r'"Warnings":\["job create time is ignored when submitting a job"\]\}', out[0])
        assert out[1:4] == ["{'StateType': 'Pending', 'Message': ''}", "Running", "Completed"]
        assert out[4:8] == ["[(7, 'hello\\n')]", "['Pending', 'Running', 'Completed']",
                            '{"NextToken":"","Results":[{"Type":"","Params":null}]}',
                            "['Executions', 'History', 'Job']"]
        assert out[8] == "['test-job']"
        assert re.fullmatch(r"results/j-[0-9a-f-]{36}/e-[0-9a-f-]{36}\.tar\.gz", out[9])
        assert out[10:] == ["['EvaluationID']", "{'StateType': 'Stopped', 'Message': 'maintenance'}",
                            '{"message":"Internal Server Error","error":"cannot stop job in state Completed"}']
        status, unknown = http("GET", f"http://127.0.0.1:{port}/_emulator/requests?status=404")
        assert status == 200 and unknown["count"] == 0, "a guide command hit an unknown resource"
