"""Instabase has no pinned official Python client for its Job API: its documentation's Python samples call
the REST endpoints with `requests` and a bearer token. This drives the lifecycle exactly that way: run a flow
binary, poll jobs/status through PENDING, RUNNING and COMPLETE (cur_status is JSON inside the JSON), pause and
resume, cancel, page jobs/list with its next_page link, read the logs, and errors through
requests.HTTPError with Instabase's `{"status": "ERROR", "msg"}` body."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import pytest

requests = pytest.importorskip("requests")

from tests.clients.polling import poll_states, poll_until  # noqa: E402

ENDS = ("COMPLETE", "FAILED", "CANCELLED")

RUN = {"binary_path": "jaydoe/my-repo/fs/Instabase Drive/flow/single.ibflowbin",
       "input_dir": "jaydoe/my-repo/fs/Instabase Drive/flow", "settings": {}}


class Instabase:
    """What a user's script holds: a requests session with the token, and the API root."""

    def __init__(self, url: str) -> None:
        self.api = f"{url}/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer tok-jaydoe"

    def run(self, **fields) -> str:
        resp = self.http.post(f"{self.api}/flow/run_binary_async", json={**RUN, **fields})
        resp.raise_for_status()
        return resp.json()["data"]["job_id"]

    def status(self, job_id: str) -> dict:
        resp = self.http.get(f"{self.api}/jobs/status", params={"job_id": job_id, "type": "flow"})
        resp.raise_for_status()
        return json.loads(resp.json()["cur_status"])

    def action(self, name: str, job_id: str) -> dict:
        resp = self.http.get(f"{self.api}/jobs/{name}", params={"job_id": job_id})
        resp.raise_for_status()
        return resp.json()


@pytest.fixture
def instabase(emulator_for):
    emu = emulator_for()
    return emu, Instabase(emu.url)


def test_run_poll_every_state_and_list(instabase):
    emu, ib = instabase
    job_id = ib.run()
    seen = [ib.status(job_id)["status"]]
    for state in ("RUNNING", "COMPLETE"):
        emu.advance_until("instabase", job_id, state)
        seen.append(ib.status(job_id)["status"])
    assert seen == ["PENDING", "RUNNING", "COMPLETE"]
    logs = ib.http.get(f"{ib.api}/jobs/get_logs", params={"job_id": job_id}).json()
    assert logs["logs"] and all(line["job-id"] == job_id for line in logs["logs"])


def test_pause_resume_cancel(instabase):
    emu, ib = instabase
    job_id = ib.run()
    emu.advance_until("instabase", job_id, "RUNNING")
    assert ib.action("pause", job_id)["status"] == "OK"
    assert ib.status(job_id)["status"] == "PAUSED"
    ib.action("resume", job_id)
    assert ib.status(job_id)["status"] == "RUNNING"
    ib.action("cancel", job_id)
    emu.advance_until("instabase", job_id, "CANCELLED")
    assert ib.status(job_id)["status"] == "CANCELLED"


def test_list_pages_by_next_page(instabase):
    _, ib = instabase
    ids = [ib.run() for _ in range(5)]
    page = ib.http.get(f"{ib.api}/jobs/list", params={"limit": 2}).json()
    seen = [j["job_id"] for j in page["jobs"]]
    while page["next_page"]:
        page = ib.http.get(urljoin(ib.api, page["next_page"])).json()  # a URL relative to the server
        seen += [j["job_id"] for j in page["jobs"]]
    assert seen == ids[::-1]


def test_errors_are_http_errors_with_instabase_bodies(instabase):
    emu, ib = instabase
    with pytest.raises(requests.HTTPError) as err:
        ib.status("nope")
    assert err.value.response.status_code == 404
    assert err.value.response.json() == {"status": "ERROR", "msg": "job nope not found"}
    job_id = ib.run()
    emu.advance_until("instabase", job_id, "RUNNING")
    with pytest.raises(requests.HTTPError) as err:
        ib.action("resume", job_id)  # only a paused job resumes
    body = err.value.response.json()
    assert err.value.response.status_code == 409 and body["status"] == "ERROR" and "RUNNING" in body["msg"]


def status_of(ib, job_id):
    return lambda: ib.status(job_id)["status"]


def test_step_clock_a_script_polling_on_its_own_sees_every_state_in_order(instabase):
    emu, ib = instabase
    emu.set_clock("step")
    job_id = ib.run()
    assert poll_states(status_of(ib, job_id), ENDS) == ["PENDING", "RUNNING", "COMPLETE"]


def test_step_clock_a_cancel_after_the_first_running_poll_always_cancels(instabase):
    emu, ib = instabase
    emu.set_clock("step")
    job_id = ib.run()
    assert poll_until(status_of(ib, job_id), "RUNNING") == ["PENDING", "RUNNING"]
    assert ib.action("cancel", job_id)["status"] == "OK"
    # cancelling is asynchronous (the seed): one poll still shows the state it was cancelled from
    assert poll_states(status_of(ib, job_id), ENDS) == ["RUNNING", "CANCELLED"]
