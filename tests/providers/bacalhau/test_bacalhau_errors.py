"""Bad input and unknown ids answer Bacalhau's own error bodies, per profile, and store nothing."""

import pytest

from tests.providers.bacalhau.test_bacalhau_seed import BASE, echo_job, submit


async def jobs_held(emu):
    return (await (await emu.get("/_emulator/health")).json())["jobs_by_provider"]["bacalhau"]


@pytest.mark.parametrize("raw, status, fragment", [
    (b"{not json", 400, "not valid JSON"),
    (b"{}", 400, "empty/nil job"),
    (b'{"Job": {"Type": "batch"}}', 400, "missing job tasks"),
    (b'{"Job": {"Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}', 400, "missing job type"),
    (b'{"Job": {"Type": "cron", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}', 400,
     'invalid job type: "cron"'),
    (b'{"Job": {"Type": "batch", "Count": -1, "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}', 400,
     "job count must be >= 0"),
    (b'{"Job": {"Type": "batch", "Tasks": [{"Engine": {"Type": "docker"}}]}}', 400,
     "task  validation failed: missing task name"),
    (b'{"Job": {"Type": "batch", "Tasks": [{"Name": "t", "Engine": {}}]}}', 400,
     "task t validation failed: missing spec type"),
    (b'{"Job": {"Type": "batch", "Count": "two", "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}}', 400,
     "Job.Count"),
    (b'{"Job": {"Type": 3, "Tasks": []}}', 400, "Job.Type"),
])
async def test_bad_put_is_a_400_in_echo_format_and_stores_nothing(emu, raw, status, fragment):
    resp = await emu.put(BASE, data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == status
    body = await resp.json()
    assert fragment in body["message"]
    assert body["error"] == f"code={status}, message={body['message']}"
    assert await jobs_held(emu) == 0


async def test_body_over_the_limit_is_413(emulator_factory):
    emu = await emulator_factory(max_body=2048)
    resp = await emu.put(BASE, data=b'{"Job": {"Name": "' + b"x" * 4096 + b'"}}')
    assert resp.status == 413
    body = await resp.json()
    assert "exceeds the limit of 2048 bytes" in body["message"]
    assert await jobs_held(emu) == 0


async def test_unknown_job_is_500_in_seed_profile(emu):
    resp = await emu.get(f"{BASE}/j-deadbeef")
    assert resp.status == 500
    assert await resp.json() == {"message": "Internal Server Error", "error": "Job not found. ID: j-deadbeef"}


async def test_unknown_job_is_404_apierror_in_v15(emulator_factory):
    emu = await emulator_factory(profiles={"bacalhau": "v1.5"})
    resp = await emu.get(f"{BASE}/j-deadbeef", headers={"X-Request-ID": "req-1"})
    assert resp.status == 404
    body = await resp.json()
    assert body == {"Status": 404, "Message": "job not found: j-deadbeef", "RequestID": "req-1",
                    "Code": "NotFound", "Component": "JobStore"}


async def test_ambiguous_short_prefix_is_reported_with_both_ids(emu):
    ids = [(await submit(emu, echo_job(name=f"n{i}")))["JobID"] for i in range(40)]
    # find two ids sharing their first hex digit: a 3-character prefix "j-x" then matches both
    by_first: dict[str, list[str]] = {}
    for i in ids:
        by_first.setdefault(i[:3], []).append(i)
    prefix = next(p for p, g in by_first.items() if len(g) > 1)
    resp = await emu.get(f"{BASE}/{prefix}")
    assert resp.status == 500
    assert (await resp.json())["error"] == f"Duplicate jobs found for ID: {prefix}"


async def test_malformed_label_selector_is_400_naming_labels(emu):
    resp = await emu.get(BASE, params={"labels": "env in prod"})
    assert resp.status == 400
    body = await resp.json()
    assert body["message"].startswith("invalid labels selector:") and "'('" in body["message"]


async def test_bad_limit_and_paging_token_are_400(emu):
    resp = await emu.get(f"{BASE}?limit=ten")
    assert resp.status == 400 and "limit" in (await resp.json())["message"]
    resp = await emu.get(f"{BASE}?next_token=%%%")
    assert resp.status == 400 and "invalid paging token" in (await resp.json())["message"]


async def test_invalid_executions_order_by_is_400(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    resp = await emu.get(f"{BASE}/{job_id}/executions?order_by=color")
    assert resp.status == 400
    assert (await resp.json())["message"] == "invalid order_by: color"


async def test_invalid_history_event_type_is_400(emu):
    job_id = (await submit(emu, echo_job()))["JobID"]
    resp = await emu.get(f"{BASE}/{job_id}/history?event_type=node")
    assert resp.status == 400
    assert "event_type" in (await resp.json())["message"]


async def test_duplicate_service_id_is_rejected(emu):
    body = echo_job(jtype="service")
    body["Job"]["ID"] = "my-service"
    assert (await submit(emu, body))["JobID"] == "my-service"
    resp = await emu.put(BASE, json=body)
    assert resp.status == 500
    assert (await resp.json())["error"] == "job already exists: my-service"
    assert await jobs_held(emu) == 1


async def test_results_of_a_service_job_are_refused(emu):
    job_id = (await submit(emu, echo_job(jtype="service")))["JobID"]
    resp = await emu.get(f"{BASE}/{job_id}/results")
    assert resp.status == 500
    assert (await resp.json())["error"] == "job type service does not support results"
