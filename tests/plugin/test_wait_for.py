"""`EmulatorClient.wait_for` (and so the `job_emulator` fixture's): waits on the event stream for a job's
state. The jobs here run on the real clock with short durations set by the outcome header; nothing polls and
no assertion is about wall time."""

from __future__ import annotations

import json
import urllib.request

import pytest

from emulator.client import EmulatorClient


def submit(client: EmulatorClient, outcome: str) -> str:
    body = {"Job": {"Name": "waited", "Type": "batch", "Count": 1,
                    "Tasks": [{"Name": "t", "Engine": {"Type": "docker", "Params": {"Image": "ubuntu"}}}]}}
    req = urllib.request.Request(client.url + "/api/v1/orchestrator/jobs", data=json.dumps(body).encode(),
                                 method="PUT", headers={"Content-Type": "application/json",
                                                        "X-Emulator-Outcome": outcome})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["JobID"]


@pytest.fixture
def real_clock(job_emulator_url):
    client = EmulatorClient(job_emulator_url).new_session(clock="real")
    yield client
    client.close()


def test_wait_for_returns_once_the_job_reaches_the_state_on_the_real_clock(real_clock):
    job = submit(real_clock, "succeed; Pending=0.05; Running=0.05")
    view = real_clock.wait_for("bacalhau", job, "completed", timeout=10)  # state names match in any case
    assert view["state"] == "Completed"
    assert [h["to"] for h in view["history"]] == ["Pending", "Running", "Completed"]


def test_wait_for_a_failure_sees_the_failed_state_and_its_message(real_clock):
    job = submit(real_clock, "fail; at=Running; message=disk full; Pending=0.02; Running=0.05")
    view = real_clock.wait_for("bacalhau", job, "Failed", timeout=10)
    assert (view["state"], view["message"]) == ("Failed", "disk full")


def test_wait_for_a_state_the_job_is_already_in_returns_at_once(job_emulator):
    job = submit(job_emulator, "succeed")
    assert job_emulator.wait_for("bacalhau", job, "Pending", timeout=10)["state"] == "Pending"


def test_wait_for_a_misspelt_state_fails_at_once_naming_the_states(job_emulator):
    job = submit(job_emulator, "succeed")
    with pytest.raises(ValueError, match=r"'Done' is not a state of bacalhau job .*Pending, Running, Completed"):
        job_emulator.wait_for("bacalhau", job, "Done", timeout=10)


def test_wait_for_times_out_naming_the_states_seen(job_emulator):
    job = submit(job_emulator, "succeed")  # manual clock: it stays Pending
    with pytest.raises(TimeoutError, match=r"did not reach Running within 0.05 s \(states seen: Pending\)"):
        job_emulator.wait_for("bacalhau", job, "Running", timeout=0.05)
