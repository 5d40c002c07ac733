"""`python -m bench`: run every figure of the suite and write bench/RESULTS.md.

Figures (each the median of --repeat runs, each with its ratio to a reference measured in the same run):
  1. GET status throughput and p50/p99 per provider, 64 connections, vs a bare aiohttp JSON endpoint
  2. submit throughput per provider, vs a bare aiohttp POST endpoint parsing the same JSON body
  3. start-up: process spawn to a 200 from /_emulator/health (vs the bare aiohttp server's start-up)
  4. memory: RSS with 100,000 and 1,000,000 jobs held, bytes per job (vs minimal job dicts)
  5. list latency of each provider's list requests (first page and a deep page, with the most common filter)
     at 10k, 100k and 1M jobs
  6. manual clock advance past the end of 1M jobs, per provider (vs a bare heap push/pop of as many entries)
  7. a 100,000-request soak with the journal on: server RSS before and after
  8-10. live figures (bench/live.py): transition lateness on the real clock at 10,000 active jobs as an event
     stream subscriber sees it; 10 event-stream subscribers under 10,000 submits a minute; GET /_emulator/jobs
     at 100,000 and 1,000,000 jobs

Loopback only; the server is pinned to one core and the load generator (wrk, installed from Debian's package
when missing; else an aiohttp-client generator in its own process) to another when there are two.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import http as H
from bench.providers import TARGETS

RESULTS = os.path.join(H.ROOT, "bench", "RESULTS.md")  # the tracked figures: only a full run rewrites them

TARGET_GET_RATIO = 0.60
TARGET_MINIMAL_GAP = 0.10  # a status poll within this much of the minimal job server's ratio
TARGET_STARTUP_S = 0.5
TARGET_RSS_1M = 1.5 * 1024 ** 3
TARGET_LIST_P99_MS = 20.0
TARGET_ADVANCE_S = 10.0
TARGET_SOAK_GROWTH = 0.10

MODES = {
    # name: (seconds per load run, repeats, memory sizes, list sizes, advance size, soak requests, soak warm-up)
    "full": dict(seconds=5, repeat=3, memory=(100_000, 1_000_000), lists=(10_000, 100_000, 1_000_000),
                 advance=1_000_000, soak=100_000, warm=10_000, list_reps=50),
    "quick": dict(seconds=3, repeat=1, memory=(100_000,), lists=(10_000, 100_000), advance=100_000,
                  soak=20_000, warm=5_000, list_reps=20),
    "tiny": dict(seconds=1, repeat=1, memory=(300,), lists=(100, 300), advance=300, soak=600, warm=200,
                 list_reps=3),
}


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def enabled_providers(wanted: list[str] | None) -> tuple[list[str], dict[str, str]]:
    """Providers that exist in this build and have a table in bench/providers.py; why others are skipped."""
    from emulator.providers import PROVIDERS, available

    have = set(available())
    ok, skipped = [], {}
    for key in wanted or list(PROVIDERS):
        if key not in have:
            skipped[key] = "not in this build (no PROVIDER yet)"
        elif key not in TARGETS:
            skipped[key] = "no request table in bench/providers.py"
        else:
            ok.append(key)
    return ok, skipped


# --- HTTP figures -------------------------------------------------------------------------------------------
def http_figures(providers: list[str], mode: dict, wrk: str | None, res: dict) -> None:
    cpu = H.cpus()
    srv_cpu, load_cpu = (cpu[0], cpu[1]) if len(cpu) >= 2 else (None, None)
    seconds, repeat = mode["seconds"], mode["repeat"]

    # start-up: reference first, then the emulator with the providers under test, each `repeat` times
    ref_start, emu_start = [], []
    for _ in range(max(3, repeat)):
        p = H.free_port()
        s = H.start(H.reference_cmd(p), p, cpu=srv_cpu)
        ref_start.append(s.startup_s)
        s.stop()
        p = H.free_port()
        s = H.start(H.emulator_cmd(p, providers), p, cpu=srv_cpu)
        emu_start.append(s.startup_s)
        s.stop()
    res["startup"] = {"emulator_s": statistics.median(emu_start), "reference_s": statistics.median(ref_start),
                      "runs": len(emu_start)}
    log(f"start-up {res['startup']}")

    # The reference and the emulator run side by side and are loaded in alternation, round after round:
    # on a shared machine the load changes from one second to the next, so each ratio is taken against the
    # bare reference loaded just before and just after it (their mean), and the median of the rounds' ratios
    # is reported. (A round lasts a minute: against one reference load at its start, the same-bytes server,
    # served by the reference's own process, read 1.04 of it, and the last providers' ratios drifted most.)
    rp = H.free_port()
    ref = H.start(H.reference_cmd(rp), rp, cpu=srv_cpu)
    p = H.free_port()
    emu = H.start(H.emulator_cmd(p, providers, ["--journal-size", "10000"]), p, cpu=srv_cpu)
    try:
        status, _, _ = H.get(p, "/_emulator/requests")
        res["journal"] = "on (GET /_emulator/requests answers)" if status == 200 else \
            f"not in this build (GET /_emulator/requests -> {status}); soak runs without it"
        polls = {}
        for key in providers:
            t = TARGETS[key]
            st, hd, body = H.get(p, t.submit_path, t.headers, t.submit_method, t.body_bytes())
            if st >= 400:
                raise RuntimeError(f"{key} submit answered {st}: {body[:300]!r}")
            polls[key] = t.poll(st, hd, json.loads(body) if body else None)
            st, _, body = H.get(p, polls[key], t.headers)
            if st >= 400:
                raise RuntimeError(f"{key} GET {polls[key]} answered {st}: {body[:300]!r}")
            H.get(rp, f"/same/{key}", {}, "PUT", body)  # the same-bytes reference answers this body

        def ref_load() -> dict:
            return H.load(rp, [("GET", "/ref", {}, None)], seconds=seconds, connections=64, wrk=wrk, cpu=load_cpu)

        rounds: dict[str, list] = {"reference": [], "reference_job": []}
        for _ in range(repeat):
            before = ref_load()
            rounds["reference"].append(before)
            rj = H.load(rp, [("GET", "/job/j-5", {}, None)], seconds=seconds, connections=64, wrk=wrk, cpu=load_cpu)
            after = ref_load()
            rounds["reference"].append(after)
            rj["ratio"] = rj["rps"] / ((before["rps"] + after["rps"]) / 2)
            rounds["reference_job"].append(rj)
            for key in providers:
                t = TARGETS[key]
                before = after
                g = H.load(p, [("GET", polls[key], t.headers, None)], seconds=seconds, connections=64, wrk=wrk,
                           cpu=load_cpu)
                sb = H.load(rp, [("GET", f"/same/{key}", {}, None)], seconds=seconds, connections=64, wrk=wrk,
                            cpu=load_cpu)
                after = ref_load()
                rounds["reference"].append(after)
                around = (before["rps"] + after["rps"]) / 2
                g["ratio"] = g["rps"] / around
                sb["ratio"] = sb["rps"] / around
                rounds.setdefault("get:" + key, []).append(g)
                rounds.setdefault("same:" + key, []).append(sb)
        res["reference"] = _median(rounds["reference"])
        res["reference_job"] = _median(rounds["reference_job"])
        res["get"] = {key: _median(rounds["get:" + key]) for key in providers}
        res["same_bytes"] = {key: _median(rounds["same:" + key]) for key in providers}
        for key in providers:
            log(f"GET {key} {res['get'][key]['rps']:.0f} req/s, ratio {res['get'][key]['ratio']:.2f}")
        # soak on the same server: warm up (fills the journal ring), RSS, soak, RSS
        reqs = [("GET", polls[k], TARGETS[k].headers, None) for k in providers]
        rate = statistics.median(res["get"][k]["rps"] for k in providers) or 1000.0
        _drive(p, reqs, mode["warm"], rate, wrk, load_cpu)
        before = emu.rss
        done = _drive(p, reqs, mode["soak"], rate, wrk, load_cpu)
        after = emu.rss
        res["soak"] = {"requests": done, "rss_before": before, "rss_after": after,
                       "growth": (after - before) / before}
        log(f"soak {res['soak']}")
        res["submit"] = {}
        for key in providers:
            t = TARGETS[key]
            runs = []
            for _ in range(repeat):
                r0 = H.load(rp, [("POST", "/submit", {"Content-Type": "application/json"}, t.body_bytes())],
                            seconds=seconds, connections=64, wrk=wrk, cpu=load_cpu)
                sub = H.load(p, [(t.submit_method, t.submit_path, t.headers, t.body_bytes())], seconds=seconds,
                             connections=64, wrk=wrk, cpu=load_cpu)
                sub["ratio"] = sub["rps"] / r0["rps"]
                sub["reference_rps"] = r0["rps"]
                runs.append(sub)
            res["submit"][key] = _median(runs)
            log(f"submit {key} {res['submit'][key]['rps']:.0f} req/s")
    finally:
        emu.stop()
        ref.stop()


def _median(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for k, v in runs[0].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = statistics.median(r[k] for r in runs)
    out["runs"] = len(runs)
    return out


def _drive(port: int, reqs: list, total: int, rate: float, wrk: str | None, cpu: int | None) -> int:
    """Send at least `total` requests (wrk is time-bound, so run slices sized from the measured rate)."""
    done = 0
    while done < total:
        secs = max(1.0, min(30.0, (total - done) / rate * 1.05))
        r = H.load(port, reqs, seconds=secs, connections=64, wrk=wrk, cpu=cpu)
        done += r["requests"]
        rate = max(rate * 0.5, r["rps"] or rate)
    return done


# --- in-process figures -------------------------------------------------------------------------------------
def engine_run(provider: str, jobs: int, *, list_reps: int = 0, advance: bool = False) -> dict:
    cmd = [H.PY, "-m", "bench.engine", "--provider", provider, "--jobs", str(jobs), "--reference"]
    if list_reps:
        cmd += ["--list-reps", str(list_reps)]
    if advance:
        cmd.append("--advance")
    env = {**os.environ, "PYTHONPATH": H.ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=H.ROOT, env=env, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout)


def engine_figures(providers: list[str], mode: dict, res: dict) -> None:
    """One fresh interpreter per (size, provider) measures every in-process figure wanted at that size."""
    res["memory"], res["lists"], res["advance"] = {}, {}, {}
    sizes = sorted(set(mode["memory"]) | set(mode["lists"]) | {mode["advance"]})
    for n in sizes:
        for key in providers:
            want_mem = n in mode["memory"]
            want_list = n in mode["lists"] and bool(TARGETS[key].lists)
            want_adv = n == mode["advance"]
            if not (want_mem or want_list or want_adv):
                continue
            log(f"engine {key} {n} jobs")
            r = engine_run(key, n, list_reps=mode["list_reps"] if want_list else 0, advance=want_adv)
            if want_mem:
                res["memory"].setdefault(key, {})[n] = r
            if want_list:
                res["lists"].setdefault(key, {})[n] = r
            if want_adv:
                res["advance"][key] = r


# --- report -------------------------------------------------------------------------------------------------
def _mark(ok: bool | None, miss: str = "") -> str:
    if ok is None:
        return "n/a"
    return "met" if ok else f"**missed** {miss}".strip()


def _mib(b: float) -> str:
    return f"{b / 1024 ** 2:,.0f} MiB"


def report(res: dict, path: str | None) -> str:
    """The Markdown report of `res`, written to `path` when one is given."""
    lines = ["# Benchmark results", "",
             f"Generated by `{res['command']}` on {res['when']} (mode **{res['mode']}**, each figure the median "
             f"of {res['repeat']} run(s)).", "",
             "## Machine and versions", "",
             f"- machine: {res['machine']}", f"- Python {res['python']}; aiohttp {res['aiohttp']}",
             f"- load generator: {res['load_tool']}", f"- providers measured: {', '.join(res['providers'])}"]
    for key, why in res["skipped"].items():
        lines.append(f"- not measured: {key}: {why}")
    if "load_before" in res:
        lines.append(f"- load average (1/5/15 min, all processes of this shared machine) at the start: "
                     f"{_loads(res['load_before'])}; at the end: {_loads(res.get('load_after'))}")
    lines += [f"- journal: {res.get('journal', 'n/a')}", "",
              "Every ratio is against a reference measured in the same run; absolute numbers move with the "
              "machine's load, ratios much less.", ""]
    summary: list[tuple[str, str, str, str]] = []

    # 1 + 2: throughput
    if "reference" in res:
        ref = res["reference"]["rps"]
        lines += ["## 1. GET status, 64 connections (ratio to the bare aiohttp JSON endpoint)", "",
                  "| server | req/s | p50 ms | p99 ms | ratio (median of per-round ratios, each to the bare loads "
                  "either side) | target >= 0.60 | "
                  f"gap to the minimal server (target <= {TARGET_MINIMAL_GAP:.2f}) | same-bytes server ratio | "
                  "emulator / same-bytes |",
                  "|---|---:|---:|---:|---:|---|---|---:|---:|",
                  f"| bare aiohttp JSON endpoint (reference) | {ref:,.0f} | {res['reference']['p50_ms']:.2f} | "
                  f"{res['reference']['p99_ms']:.2f} | 1.00 | | | | |",
                  f"| minimal aiohttp server, job dict from memory | {res['reference_job']['rps']:,.0f} | "
                  f"{res['reference_job']['p50_ms']:.2f} | {res['reference_job']['p99_ms']:.2f} | "
                  f"{res['reference_job']['ratio']:.2f} | | | | |"]
        same_bytes = res.get("same_bytes", {})
        minimal = res["reference_job"]["ratio"]
        for key, r in res["get"].items():
            ratio = r["ratio"]
            ok = ratio >= TARGET_GET_RATIO
            gap = minimal - ratio
            gap_mark = _mark(gap <= TARGET_MINIMAL_GAP, f"by {gap - TARGET_MINIMAL_GAP:.2f}")
            sb = same_bytes.get(key)
            sb_cells = f"{sb['ratio']:.2f} | {ratio / sb['ratio']:.2f}" if sb else "n/a | n/a"
            lines.append(f"| {key} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {ratio:.2f} | "
                         f"{_mark(ok, f'by {TARGET_GET_RATIO - ratio:.2f}')} | {gap:.2f}: {gap_mark} | {sb_cells} |")
            summary.append((f"GET status {key}", f"{r['rps']:,.0f} req/s", f"{ratio:.2f}",
                            _mark(ok, f"by {TARGET_GET_RATIO - ratio:.2f}")))
            summary.append((f"GET status {key} vs the minimal server", f"gap {gap:.2f}", f"{ratio / minimal:.2f}",
                            gap_mark))
        if same_bytes:
            lines += ["", "Same-bytes server: the minimal server answering the very bytes of the provider's poll "
                      "(its body as the emulator sent it): its ratio is what a response of that size costs aiohttp "
                      "and the socket alone; emulator / same-bytes is what the emulator's own work leaves of it."]
        lines += ["", "## 2. Submit, 64 connections (ratio to a bare aiohttp POST endpoint parsing the same JSON "
                  "body, loaded just before each round)", "",
                  "| provider | submits/s | p50 ms | p99 ms | errors | reference POST req/s | ratio |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for key, r in res["submit"].items():
            lines.append(f"| {key} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} | "
                         f"{r.get('reference_rps', 0):,.0f} | {r['ratio']:.2f} |")
            summary.append((f"submit {key}", f"{r['rps']:,.0f} req/s", f"{r['ratio']:.2f}", "no target"))
        st = res["startup"]
        ok = st["emulator_s"] < TARGET_STARTUP_S
        miss = f"by {st['emulator_s'] - TARGET_STARTUP_S:.3f} s"
        lines += ["", "## 3. Start-up: spawn to the first 200 from /_emulator/health", "",
                  "| process | seconds | ratio | target < 0.5 s |", "|---|---:|---:|---|",
                  f"| bare aiohttp server (reference) | {st['reference_s']:.3f} | 1.00 | |",
                  f"| emulator ({', '.join(res['providers'])}) | {st['emulator_s']:.3f} | "
                  f"{st['emulator_s'] / st['reference_s']:.2f} | "
                  f"{_mark(ok, miss)} |"]
        summary.append(("start-up", f"{st['emulator_s']:.3f} s", f"{st['emulator_s'] / st['reference_s']:.2f}",
                        _mark(ok, miss)))

    # 4: memory
    if res.get("memory"):
        lines += ["", "## 4. Memory: RSS with N jobs held (in-process, fresh interpreter per N)", "",
                  "| provider | jobs | RSS | bytes/job | minimal dict bytes/job (ref) | ratio "
                  "| target (1M < 1.5 GiB) |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for key, per in res["memory"].items():
            for n, r in sorted(per.items()):
                ratio = r["bytes_per_job"] / max(1.0, r["ref_memory"]["bytes_per_job"])
                proj = r["rss_ready"] + r["bytes_per_job"] * 1_000_000
                ok = proj < TARGET_RSS_1M
                note = "" if n == 1_000_000 else f" (projected to 1M: {proj / 1024 ** 3:.2f} GiB)"
                miss = f"by {(proj - TARGET_RSS_1M) / 1024 ** 3:.2f} GiB"
                lines.append(f"| {key} | {n:,} | {_mib(r['rss_held'])} | {r['bytes_per_job']:,.0f} | "
                             f"{r['ref_memory']['bytes_per_job']:,.0f} | {ratio:.1f} | {_mark(ok, miss)}{note} |")
                summary.append((f"memory {key} {n:,} jobs", f"{_mib(r['rss_held'])}, {r['bytes_per_job']:,.0f} B/job",
                                f"{ratio:.1f}", _mark(ok, miss) + note))
        lines += ["", "In-process submit rate while filling (through the provider's handler, no socket):", ""]
        for key, per in res["memory"].items():
            for n, r in sorted(per.items()):
                lines.append(f"- {key}, {n:,} jobs: {r['submit_per_s']:,.0f} submits/s; GET by id through the "
                             f"handler p50 {r['get']['p50_ms'] * 1000:.0f} us")

    # 5: lists
    if res.get("lists"):
        lines += ["", "## 5. List latency, most common filter (handler + JSON encoding, in-process)", "",
                  "| provider | list | jobs | page | p50 ms | p99 ms | ref p99 ms (slice+encode 100 dicts) | "
                  "ratio | target (1M: p99 < 20 ms) |", "|---|---|---:|---|---:|---:|---:|---:|---|"]
        for key, per in res["lists"].items():
            for n, r in sorted(per.items(), key=lambda kv: int(kv[0])):
                n = int(n)
                refp = r.get("ref_page", {}).get("p99_ms") or 1e-9
                for label, row in r.get("lists", {}).items():
                    for kind in ("first", "deep"):
                        if kind not in row:
                            continue
                        x = row[kind]
                        ok = x["p99_ms"] < TARGET_LIST_P99_MS
                        mark = _mark(ok, f"by {x['p99_ms'] - TARGET_LIST_P99_MS:.1f} ms") if n >= 1_000_000 \
                            else ("on track" if ok else f"over at {n:,}")
                        page = "first" if kind == "first" else f"deep (row {row['deep_row']:,})"
                        lines.append(f"| {key} | {label} | {n:,} | {page} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | "
                                     f"{refp:.2f} | {x['p99_ms'] / refp:.1f} | {mark} |")
                        summary.append((f"list {key} {label} {page} @ {n:,}", f"p99 {x['p99_ms']:.2f} ms",
                                        f"{x['p99_ms'] / refp:.1f}", mark))

    # 6: advance
    if res.get("advance"):
        lines += ["", "## 6. Manual clock advance past every job's end (one advance fires every transition)", "",
                  "| provider | jobs | transitions fired | seconds | per second | s per 1M transitions | "
                  "ref: heap push+pop s (1M) | ratio | target (1M < 10 s) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for key, adv in res["advance"].items():
            a = adv.get("advance")
            if not a:
                continue
            per_m = a["seconds"] * 1_000_000 / max(1, a["fired"])
            ref_s = adv["ref_advance_s"] * 1_000_000 / max(1, adv["jobs"])
            ok = per_m < TARGET_ADVANCE_S
            mark = _mark(ok, f"by {per_m - TARGET_ADVANCE_S:.1f} s")
            lines.append(f"| {key} | {adv['jobs']:,} | {a['fired']:,} | {a['seconds']:.2f} | {a['per_s']:,.0f} | "
                         f"{per_m:.2f} | {ref_s:.2f} | {per_m / ref_s:.1f} | {mark} |")
            summary.append((f"advance {key} {a['fired']:,} transitions", f"{a['seconds']:.2f} s "
                            f"({per_m:.2f} s per 1M)", f"{per_m / ref_s:.1f}", mark))

    # 7: soak
    if res.get("soak"):
        s = res["soak"]
        ok = abs(s["growth"]) <= TARGET_SOAK_GROWTH
        miss = f"by {abs(s['growth']) - TARGET_SOAK_GROWTH:.1%}"
        lines += ["", "## 7. Soak: GET status round-robin over every provider's job", "",
                  "| requests | RSS before | RSS after | growth (ratio - 1) | target within 10% |",
                  "|---:|---:|---:|---:|---|",
                  f"| {s['requests']:,} | {_mib(s['rss_before'])} | {_mib(s['rss_after'])} | {s['growth']:+.1%} | "
                  f"{_mark(ok, miss)} |"]
        summary.append((f"soak {s['requests']:,} requests", f"{_mib(s['rss_before'])} -> {_mib(s['rss_after'])}",
                        f"{1 + s['growth']:.2f}", _mark(ok, miss)))

    # 8-10: live figures
    if res.get("live"):
        from bench import live

        lines += live.report_lines(res["live"], summary)

    prev = res.get("previous") or {}
    if prev:
        head = ["", "## Summary", "",
                f"With the figures of the previous RESULTS.md ({res.get('previous_when') or 'undated'}) where it "
                "measured the same figure: each run's ratios are against its own same-run references.", "",
                "| figure | value | ratio | target | previous value | previous ratio |",
                "|---|---|---:|---|---|---:|"]
        for a, b, c, d in summary:
            pv, pr = prev.get(a) or prev.get(_earlier_name(a)) or ("not measured", "-")
            head.append(f"| {a} | {b} | {c} | {d} | {pv} | {pr} |")
    else:
        head = ["", "## Summary", "", "| figure | value | ratio | target |", "|---|---|---:|---|"]
        head += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary]
    notes = res.get("notes")
    text = "\n".join([*lines, *head, *(["", "## Notes", "", *notes] if notes else [])]) + "\n"
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    res["summary"] = summary
    return text


def _loads(loads: Any) -> str:
    return "n/a" if not loads else ", ".join(f"{x:.2f}" for x in loads)


def _earlier_name(figure: str) -> str:
    """The name an earlier report gave a figure: list rows did not name the list (one list per provider)."""
    m = re.fullmatch(r"list (\S+) .+? (first|deep \(row [\d,]+\)) @ (.+)", figure)
    return f"list {m.group(1)} {m.group(2)} @ {m.group(3)}" if m else figure


def previous_results(path: str) -> tuple[dict[str, tuple[str, str]], str | None]:
    """The Summary rows of an earlier report at `path`, by figure: (value, ratio); and when it was made."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return {}, None
    when = re.search(r"^Generated by .* on (.+?) \(mode", text, re.M)
    rows: dict[str, tuple[str, str]] = {}
    section = text.split("\n## Summary", 1)[1].split("\n## ", 1)[0] if "\n## Summary" in text else ""
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] not in ("figure", "") and not set(cells[0]) <= set("-:"):
            rows[cells[0]] = (cells[1], cells[2])
    return rows, when.group(1) if when else None


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (no 1M jobs), 1 run, 3 s loads (~2 min)")
    ap.add_argument("--tiny", action="store_true", help="CI smoke mode: hundreds of jobs, 1 s loads (seconds)")
    ap.add_argument("--repeat", type=int, default=None, help="runs per figure (median is reported)")
    ap.add_argument("--seconds", type=float, default=None, help="seconds per load run")
    ap.add_argument("--providers", default=None, help="comma list (default: every provider in this build)")
    ap.add_argument("--only", default="http,engine,live", help="http, engine, live (comma list; default all)")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install wrk; use the fallback")
    ap.add_argument("--out", default=None, help="report path (default: bench/RESULTS.md for a full run; --quick "
                                                "and --tiny only print it, so a smoke run never rewrites the "
                                                "tracked figures)")
    ap.add_argument("--json", default=None, help="also write the raw results as JSON here")
    args = ap.parse_args(argv)
    name = "tiny" if args.tiny else "quick" if args.quick else "full"
    mode = dict(MODES[name])
    if args.repeat:
        mode["repeat"] = args.repeat
    if args.seconds:
        mode["seconds"] = args.seconds
    providers, skipped = enabled_providers(args.providers.split(",") if args.providers else None)
    if not providers:
        print("bench: no provider to measure", file=sys.stderr)
        return 2
    import aiohttp

    wrk = H.ensure_wrk(install=not args.no_install)
    res: dict[str, Any] = {
        "command": "python -m bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "mode": name, "repeat": mode["repeat"],
        "machine": machine(), "python": platform.python_version(), "aiohttp": aiohttp.__version__,
        "load_tool": (subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
                      if wrk else "aiohttp-client fallback (wrk not installable here; it caps the figures)"),
        "providers": providers, "skipped": skipped,
    }
    out = args.out or (RESULTS if name == "full" else None)
    res["previous"], res["previous_when"] = previous_results(out or RESULTS)
    res["load_before"] = os.getloadavg()
    parts = set(args.only.split(","))
    t0 = time.perf_counter()
    if "http" in parts:
        http_figures(providers, mode, wrk, res)
    if "engine" in parts:
        engine_figures(providers, mode, res)
    if "live" in parts:
        from bench import live

        live.figures(name, res)
    res["elapsed_s"] = time.perf_counter() - t0
    res["load_after"] = os.getloadavg()
    text = report(res, out)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=1, default=str)
    print(text)
    log(f"done in {res['elapsed_s']:.0f} s; " + (f"wrote {out}" if out else "report printed, not written (--out PATH)"))
    return 0
