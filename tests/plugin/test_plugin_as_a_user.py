"""Written only against the plugin's public fixture (`job_emulator`), as a user of the package would write it:
the code under test is a small polling client; the emulator makes the hard cases happen on purpose."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from emulator.client import polls_before


# --- "the user's code": a tiny Bacalhau client with retries and a timeout ------------------------------------
class JobTimeout(Exception):
    pass


class TinyBacalhau:
    def __init__(self, base_url: str, pause, retries: int = 3):
        # `pause(seconds)` is how the client waits between polls and retries; the tests give it the emulator's
        # clock, so no test ever waits on the wall clock
        self.base = base_url + "/api/v1/orchestrator/jobs"
        self.pause = pause
        self.retries = retries

    def _call(self, method: str, url: str, body=None):
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as err:
                if err.code < 500 or attempt == self.retries:
                    raise
                self.pause(1)  # back off, then retry a server error

    def submit(self, name: str) -> str:
        job = {"Job": {"Name": name, "Type": "batch", "Count": 1,
                       "Tasks": [{"Name": "main", "Engine": {"Type": "docker",
                                                             "Params": {"Entrypoint": ["echo", "done"]}}}]}}
        return self._call("PUT", self.base, job)["JobID"]

    def wait(self, job_id: str, timeout_s: float = 60, every_s: float = 1) -> dict:
        waited = 0.0
        while True:
            state = self._call("GET", f"{self.base}/{job_id}")["Job"]["State"]
            if state["StateType"] in ("Completed", "Failed", "Stopped"):
                return state
            if waited >= timeout_s:
                raise JobTimeout(f"{job_id} still {state['StateType']} after {timeout_s} s")
            self.pause(every_s)
            waited += every_s


# --- the tests ---------------------------------------------------------------------------------------------
def client(job_emulator) -> TinyBacalhau:
    # the client pauses on the emulator's clock: no wall-clock waiting, same code path as production
    return TinyBacalhau(job_emulator.url, pause=job_emulator.advance)


def test_a_job_that_fails_at_a_chosen_state(job_emulator):
    job_emulator.scenario("fail", "bacalhau", {"name": "nightly-etl"}, at="Running", message="OOM killed",
                          durations={"Running": 30})
    bac = client(job_emulator)
    job_id = bac.submit("nightly-etl")
    assert bac.wait(job_id) == {"StateType": "Failed", "Message": "OOM killed"}
    assert job_emulator.scenarios()[0]["matched"] == 1
    assert bac.wait(bac.submit("other")) == {"StateType": "Completed", "Message": ""}


def test_a_hang_is_caught_by_the_client_side_timeout(job_emulator):
    job_emulator.scenario("hang", "bacalhau", {"name": "stuck"}, at="Running")
    bac = client(job_emulator)
    job_id = bac.submit("stuck")
    with pytest.raises(JobTimeout, match="still Running after 120 s"):
        bac.wait(job_id, timeout_s=120)
    assert job_emulator.job("bacalhau", job_id)["state"] == "Running"


def test_a_fault_burst_then_recovery(job_emulator):
    bac = client(job_emulator)
    job_id = bac.submit("flaky")
    job_emulator.fault("bacalhau", "/api/v1/orchestrator/jobs/*", method="GET", status=503, times=3)
    assert bac.wait(job_id) == {"StateType": "Completed", "Message": ""}   # retried through the burst
    [rule] = job_emulator.faults()
    assert rule["hits"] == 3
    statuses = [e["status"] for e in job_emulator.journal(kind="request", method="GET", job=job_id)]
    assert statuses[:4] == [503, 503, 503, 200]


def test_journal_verification_in_job_terms(job_emulator):
    bac = client(job_emulator)
    job_id = bac.submit("watched")
    bac.wait(job_id, every_s=2)     # Pending 2 s + Running 5 s, polled every 2 s
    timeline = job_emulator.timeline("bacalhau", job_id)
    assert polls_before(timeline, "Running") == 1     # t=0; Running began at t=2, during the pause
    assert polls_before(timeline, "Completed") == 4   # t=0, 2, 4, 6; Completed at t=7
    assert [e["to"] for e in timeline if e["kind"] == "transition"] == ["Pending", "Running", "Completed"]


def test_each_test_gets_a_fresh_session(job_emulator):
    assert job_emulator.health()["jobs"] == 0
    assert job_emulator.clock()["mode"] == "manual"


def test_advance_until_from_the_client(job_emulator):
    bac = client(job_emulator)
    job_id = bac.submit("quick")
    out = job_emulator.advance_until("bacalhau", job_id, "Completed")
    assert out["state"] == "Completed" and out["advanced_seconds"] == 7
