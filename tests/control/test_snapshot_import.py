"""Snapshot import is all-or-nothing, validated before anything is installed, with its own body limit; the
state file is checked at start and a corrupt one is one line and exit 2."""

import copy
import gzip
import json
import zlib

import pytest

from emulator.cli import main

BAC = "/api/v1/orchestrator/jobs"
JOB = {"Job": {"Name": "n", "Type": "batch", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}


async def snapshot_with_a_job(emu) -> tuple[dict, bytes]:
    await emu.put(BAC, json=JOB)
    snap = await (await emu.get("/_emulator/snapshot")).json()
    return snap, await (await emu.get(BAC)).read()


def broken(snap: dict, how) -> dict:
    copy_ = copy.deepcopy(snap)
    how(copy_)
    return copy_


CASES = {
    "clock.now_ns beyond 2^62": (lambda s: s["clock"].__setitem__("now_ns", 10**30), "clock.now_ns"),
    "clock.now_ns a float": (lambda s: s["clock"].__setitem__("now_ns", 1e30), "clock.now_ns"),
    "unknown class": (lambda s: s["state"].__setitem__("x", {"__dataclass__": "emulator.providers.nope:Thing",
                                                              "fields": {}}), "state.x: snapshot names"),
    "unknown state": (lambda s: s["jobs"]["bacalhau"]["jobs"][0].__setitem__("state", "Exploded"),
                      "jobs.bacalhau.jobs[0].state: 'Exploded' is not a state"),
    "unknown graph": (lambda s: s["jobs"]["bacalhau"]["jobs"][0].__setitem__("graph", "nope"),
                      "jobs.bacalhau.jobs[0].graph 'nope'"),
    "history not a list": (lambda s: s["jobs"]["bacalhau"]["jobs"][0].__setitem__("history", 5), "history"),
    "rng short": (lambda s: s["rng"][1].pop(), "rng[1]"),
    "unknown provider": (lambda s: s["jobs"].__setitem__("nope", {"next_seq": 0, "jobs": []}),
                         "provider 'nope' is not enabled"),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_an_unrestorable_snapshot_is_400_and_installs_nothing(emu, case):
    snap, before = await snapshot_with_a_job(emu)
    how, names = CASES[case]
    resp = await emu.post("/_emulator/snapshot", json=broken(snap, how))
    assert resp.status == 400
    message = (await resp.json())["error"]["message"]
    assert names in message, message
    assert await (await emu.get(BAC)).read() == before
    assert (await emu.get("/_emulator/sessions")).status == 200
    assert (await emu.get("/_emulator/clock")).status == 200


async def test_the_clock_cannot_be_advanced_past_its_range(emu):
    resp = await emu.post("/_emulator/clock/advance", json={"seconds": 1e9})
    assert resp.status == 200
    for _ in range(3):
        resp = await emu.post("/_emulator/clock/advance", json={"seconds": 1e9})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "seconds"
    assert (await emu.get("/_emulator/clock")).status == 200


async def test_a_snapshot_larger_than_max_body_imports_under_its_own_limit(emulator_factory):
    emu = await emulator_factory(max_body=4096)
    for _ in range(20):
        await emu.put(BAC, json=JOB)
    raw = await (await emu.get("/_emulator/snapshot")).read()
    assert len(raw) > 4096
    resp = await emu.post("/_emulator/snapshot", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 200, await resp.text()
    assert (await (await emu.get("/_emulator/health")).json())["jobs_by_provider"]["bacalhau"] == 20
    resp = await emu.put(BAC, data=b" " * 5000, headers={"Content-Type": "application/json"})
    assert resp.status == 413   # other bodies keep --max-body


def test_the_default_snapshot_limit_takes_a_13000_job_session():
    from emulator.config import Settings

    per_job = 1200  # bytes of a Bacalhau job in a snapshot, the largest of the five
    assert Settings().max_snapshot > 13_000 * per_job > Settings().max_body


async def test_snapshot_over_its_limit_is_413(emulator_factory):
    emu = await emulator_factory(max_snapshot=1000)
    raw = await (await emu.get("/_emulator/snapshot")).read()
    resp = await emu.post("/_emulator/snapshot", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 413
    message = (await resp.json())["error"]["message"]
    assert message == f"request body of {len(raw)} bytes exceeds the limit of 1000 bytes"


async def test_compressed_body_counts_against_max_body_while_it_inflates(emulator_factory):
    emu = await emulator_factory(max_body=64 * 1024)
    bomb = gzip.compress(b"[" + b" " * (50 * 1024 * 1024) + b"]")
    assert len(bomb) < 100 * 1024
    resp = await emu.put(BAC, data=bomb, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert resp.status == 413
    assert (await resp.json())["message"] == "request body exceeds the limit of 65536 bytes once inflated"
    small = zlib.compress(json.dumps(JOB).encode())
    resp = await emu.put(BAC, data=small, headers={"Content-Type": "application/json",
                                                    "Content-Encoding": "deflate"})
    assert resp.status == 200


def run_cli(args, capsys) -> tuple[int, str]:
    code = main(["serve", "--port", "0", *args])
    return code, capsys.readouterr().err


def test_state_file_in_a_missing_directory_is_refused_at_start(tmp_path, capsys):
    code, err = run_cli(["--state-file", str(tmp_path / "nope" / "state.json")], capsys)
    assert code == 2
    assert err.startswith("job-emulator: error: state file ") and "does not exist" in err
    assert err.count("\n") == 1


CORRUPT = {
    "not json": b"{", "not utf-8": b"\xff\xfe", "a list": b"[]", "no sessions": b'{"format": "job-emulator-state/1"}',
    "wrong format": b'{"format": "other", "sessions": {}}',
    "session not an object": b'{"format": "job-emulator-snapshot/1", "sessions": {"default": 5}}',
    "session missing fields": b'{"format": "job-emulator-snapshot/1", "sessions": {"default": {}}}',
    "deep": b"[" * 100_000,
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_state_file_is_one_line_and_exit_2(tmp_path, capsys, case):
    path = tmp_path / "state.json"
    path.write_bytes(CORRUPT[case])
    code, err = run_cli(["--state-file", str(path)], capsys)
    assert code == 2, err
    assert err.startswith(f"job-emulator: error: cannot load state file {path}: ")
    assert err.count("\n") == 1, err
