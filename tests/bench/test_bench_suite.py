"""The benchmark suite runs end to end in its tiny mode and reports every figure of issue 9.

Only that it runs and reports: never how fast (tests never assert on wall-clock time)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_bench_tiny_mode_reports_every_figure(tmp_path):
    out, raw = tmp_path / "RESULTS.md", tmp_path / "results.json"
    providers = os.environ.get("EMULATOR_TEST_PROVIDERS")
    cmd = [sys.executable, "-m", "bench", "--tiny", "--no-install", "--out", str(out), "--json", str(raw)]
    if providers:
        cmd += ["--providers", providers]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    res = json.loads(raw.read_text())
    for heading in ("## 1. GET status", "## 2. Submit", "## 3. Start-up", "## 4. Memory", "## 5. List latency",
                    "## 6. Manual clock advance", "## 7. Soak", "## Summary", "## Machine and versions"):
        assert heading in text, heading
    for key in res["providers"]:
        assert key in res["get"] and key in res["submit"] and key in res["memory"]
        assert f"GET status {key}" in text
    assert res["startup"]["emulator_s"] > 0 and res["startup"]["reference_s"] > 0
    for key in res["providers"]:
        assert res["advance"][key]["advance"]["fired"] > 0, key
    assert res["soak"]["requests"] >= 600
    assert any("deep" in row[0] for row in res["summary"])
    assert res["load_tool"].startswith("wrk") or "fallback" in res["load_tool"] or shutil.which("wrk") is None


def test_bench_help_explains_itself():
    done = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0
    for word in ("--quick", "--tiny", "RESULTS.md", "start-up", "soak"):
        assert word in done.stdout
