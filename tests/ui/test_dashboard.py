"""The dashboard in a real browser, on the manual clock: every wait is on a page condition, never on time."""

from __future__ import annotations

import json

from playwright.sync_api import expect


def bands(dash) -> list[str]:
    return dash.page.locator("#timeline g.band[data-state]").evaluate_all("els => els.map(e => e.dataset.state)")


def test_job_submitted_through_bacalhau_appears_in_the_table_without_a_reload(dash):
    dash.open("jobs")
    expect(dash.page.locator("#jobs-body td.empty")).to_be_visible()
    dash.page.evaluate("window.notReloaded = true")
    job = dash.api.bacalhau_job("table-etl")

    row = dash.page.locator(f"#jobs-body tr[data-job='{job}']")
    expect(row).to_be_visible()
    expect(row.locator("td").nth(0)).to_have_text("bacalhau")
    expect(row.locator(".state-cell")).to_have_text("Pending")
    assert dash.page.evaluate("window.notReloaded") is True
    dash.shot("jobs")

    # the search box narrows the table to what it names
    dash.page.fill("#filter-q", job[:12])
    expect(dash.page.locator("#jobs-body tr.job-row")).to_have_count(1)
    dash.page.fill("#filter-q", "no-such-job")
    expect(dash.page.locator("#jobs-body td.empty")).to_be_visible()


def test_timeline_shows_pending_then_running_after_advancing_the_clock_from_the_page(dash):
    job = dash.api.bacalhau_job("timeline-etl")
    dash.open(f"job/bacalhau/{job}")
    expect(dash.page.locator("#timeline g.band[data-state]")).to_have_count(1)
    assert bands(dash) == ["Pending"]
    expect(dash.page.locator("#timeline g.band.next")).to_have_attribute("data-next", "Running")

    dash.page.fill("#advance-seconds", "3")
    dash.page.click("#advance")
    expect(dash.page.locator("#timeline g.band[data-state]")).to_have_count(2)
    assert bands(dash) == ["Pending", "Running"]
    expect(dash.page.locator(".job-head h2 .state")).to_have_text("Running")
    expect(dash.page.locator("#clock-now")).to_have_text("2026-01-01 00:00:03")
    assert dash.api.call("GET", "/_emulator/clock")[1]["now"] == 1767225603.0  # moved by exactly 3 s

    # the wire view is Bacalhau's own answer for the job, read through its GET route
    dash.page.click("#wire-refresh")
    expect(dash.page.locator("#wire-request")).to_have_text(f"GET /api/v1/orchestrator/jobs/{job} → 200")
    # (the title is the same before and after the read again: wait for the read's own answer)
    expect(dash.page.locator("#wire")).to_contain_text('"StateType": "Running"')
    wire = json.loads(dash.page.locator("#wire").text_content())
    assert wire["Job"]["ID"] == job and wire["Job"]["State"]["StateType"] == "Running"
    dash.shot("job")


def test_failing_scenario_added_through_the_form_fails_the_next_matching_job(dash):
    dash.open("rules")
    dash.page.select_option("#sc-provider", "bacalhau")
    dash.page.fill("#sc-match", '{"name": "doomed-etl"}')
    dash.page.select_option("#sc-outcome", "fail")
    dash.page.fill("#sc-at", "Runing")  # misspelled: the server refuses it and the form says why
    dash.page.fill("#sc-message", "OOM killed")
    dash.allow_http_error(400, "/_emulator/scenarios")
    dash.page.click("#sc-add")
    error = dash.page.locator("#scenario-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Runing")
    expect(error).to_contain_text("Running")  # the message names the valid states
    expect(dash.page.locator("#scenarios-body tr[data-rule]")).to_have_count(0)

    dash.page.fill("#sc-at", "Running")
    dash.page.click("#sc-add")
    expect(error).to_be_hidden()
    rule = dash.page.locator("#scenarios-body tr[data-rule]")
    expect(rule).to_have_count(1)
    expect(rule.locator(".matched")).to_have_text("0")

    spared = dash.api.bacalhau_job("other-etl")
    doomed = dash.api.bacalhau_job("doomed-etl")
    expect(rule.locator(".matched")).to_have_text("1")
    dash.shot("rules")

    dash.open("jobs")
    dash.page.fill("#advance-seconds", "60")
    dash.page.click("#advance")
    expect(dash.page.locator(f"#jobs-body tr[data-job='{doomed}'] .state-cell")).to_have_text("Failed")
    expect(dash.page.locator(f"#jobs-body tr[data-job='{spared}'] .state-cell")).to_have_text("Completed")

    dash.page.click(f"#jobs-body tr[data-job='{doomed}'] a")
    expect(dash.page.locator(".job-head h2 .state")).to_have_text("Failed")
    assert bands(dash) == ["Pending", "Running", "Failed"]
    expect(dash.page.locator(".facts")).to_contain_text("OOM killed")
    wire = json.loads(dash.page.locator("#wire").text_content())
    assert wire["Job"]["State"]["StateType"] == "Failed" and "OOM killed" in wire["Job"]["State"]["Message"]


def test_journal_view_filters_by_job(dash):
    first = dash.api.bacalhau_job("journal-a")
    second = dash.api.bacalhau_job("journal-b")
    dash.api.call("GET", f"/api/v1/orchestrator/jobs/{first}")
    dash.open("journal")
    rows = dash.page.locator("#journal-body tr.entry")
    expect(rows).to_have_count(6)  # the session's clock setting, two submits, two transitions into Pending, a read
    expect(rows.last).to_have_class("entry kind-clock")

    dash.page.fill("#jr-job", first)
    expect(rows).to_have_count(3)
    assert set(rows.evaluate_all("els => els.map(e => e.dataset.job)")) == {first}
    expect(dash.page.locator("#journal-body")).not_to_contain_text(second)
    dash.page.select_option("#jr-kind", "request")
    expect(rows).to_have_count(2)
    assert rows.locator("td.what").all_text_contents() == [f"GET /api/v1/orchestrator/jobs/{first} → 200",
                                                            "PUT /api/v1/orchestrator/jobs → 200"]
    dash.shot("journal")


def test_step_set_state_and_stop_from_the_job_page(dash):
    job = dash.api.bacalhau_job("actions-etl")
    dash.open(f"job/bacalhau/{job}")
    dash.page.click("#step")
    expect(dash.page.locator(".job-head h2 .state")).to_have_text("Running")
    dash.page.click("#command")  # Bacalhau's own DELETE /api/v1/orchestrator/jobs/{id}
    expect(dash.page.locator(".job-head h2 .state")).to_have_text("Stopped")
    status, body = dash.api.call("GET", f"/api/v1/orchestrator/jobs/{job}")
    assert status == 200 and body["Job"]["State"]["StateType"] == "Stopped"
    expect(dash.page.locator("#job-entries")).to_contain_text(f"DELETE /api/v1/orchestrator/jobs/{job[:10]}…")

    dash.page.select_option("#set-state", "Completed")
    dash.page.click("#set")
    expect(dash.page.locator(".job-head h2 .state")).to_have_text("Completed")
    assert bands(dash) == ["Pending", "Running", "Stopped", "Completed"]


def test_advance_until_a_state_moves_the_clock_to_it(dash):
    job = dash.api.bacalhau_job("until-etl")
    dash.open(f"job/bacalhau/{job}")
    dash.page.select_option("#until-state", "Completed")
    dash.page.click("#until")
    expect(dash.page.locator(".job-head h2 .state")).to_have_text("Completed")
    assert dash.api.call("GET", "/_emulator/clock")[1]["now"] == 1767225600.0 + 7  # Pending 2 s + Running 5 s
    expect(dash.page.locator("#clock-now")).to_have_text("2026-01-01 00:00:07")


def test_clock_freezes_and_resumes(dash):
    dash.open("jobs")
    expect(dash.page.locator("#clock-mode")).to_have_text("manual")
    dash.page.click("#freeze")  # on a manual clock the button resumes: real time by default
    expect(dash.page.locator("#clock-mode")).to_have_text("real")
    assert dash.api.call("GET", "/_emulator/clock")[1]["mode"] == "real"
    dash.page.click("#freeze")
    expect(dash.page.locator("#clock-mode")).to_have_text("manual")
    assert dash.api.call("GET", "/_emulator/clock")[1]["mode"] == "manual"


def test_fault_added_through_the_form_counts_its_hits_and_is_deleted(dash):
    dash.open("rules")
    dash.page.select_option("#ft-provider", "bacalhau")
    dash.page.fill("#ft-method", "GET")
    dash.page.fill("#ft-path", "/api/v1/orchestrator/jobs/*")
    dash.page.fill("#ft-status", "503")
    dash.page.click("#ft-add")
    rule = dash.page.locator("#faults-body tr[data-rule]")
    expect(rule).to_have_count(1)
    job = dash.api.bacalhau_job("faulty")
    status, _ = dash.api.call("GET", f"/api/v1/orchestrator/jobs/{job}")
    assert status == 503
    expect(rule.locator(".hits")).to_have_text("1")
    rule.locator("button").click()
    expect(rule).to_have_count(0)
    assert dash.api.call("GET", "/_emulator/faults")[1]["faults"] == []


def test_snapshot_downloads_loads_back_and_reset_empties_the_session(dash):
    job = dash.api.bacalhau_job("snap-etl")
    dash.open("session")
    with dash.page.expect_download() as got:
        dash.page.click("#snapshot-download")
    path = got.value.path()
    snap = json.loads(open(path).read())
    assert got.value.suggested_filename == f"emulator-{dash.api.session}-snapshot.json"

    dash.page.once("dialog", lambda d: d.accept())
    dash.page.click("#reset")
    expect(dash.page.locator(f"#sessions-body tr[data-session='{dash.api.session}'] td").nth(4)).to_have_text("0")
    assert dash.api.call("GET", f"/_emulator/jobs/bacalhau/{job}")[0] == 404

    dash.page.set_input_files("#snapshot-file", path)
    expect(dash.page.locator(f"#sessions-body tr[data-session='{dash.api.session}'] td").nth(4)).to_have_text("1")
    status, view = dash.api.call("GET", f"/_emulator/jobs/bacalhau/{job}")
    assert status == 200 and view["state"] == "Pending" and snap["clock"]
    dash.shot("session")


def test_every_page_renders_without_console_errors(dash):
    job = dash.api.bacalhau_job("tour-etl")
    for fragment, ready in [("jobs", "#jobs-body tr.job-row"), (f"job/bacalhau/{job}", "#timeline svg"),
                            ("rules", "#scenarios-body tr"), ("journal", "#journal-body tr.entry"),
                            ("session", "#sessions-body tr")]:
        dash.open(fragment)
        expect(dash.page.locator(ready).first).to_be_visible()
        dash.shot(fragment.split("/")[0])
    # the console is checked by the fixture at teardown; the root URL leads here
    dash.page.goto(dash.server.url + "/")
    assert dash.page.url == dash.server.url + "/_emulator/ui/"


SEATUNNEL_JOB = {"env": {"job.mode": "BATCH"}, "source": [{"plugin_name": "FakeSource", "plugin_output": "fake",
                                                         "row.num": 100000, "schema": {"fields": {"id": "int"}}}],
                 "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}


def test_the_table_pages_filters_and_searches_every_providers_jobs(dash):
    """130 jobs over two APIs through GET /_emulator/jobs: a first page of 100 newest first and More for the
    rest, the provider and state filters, and a search over names."""
    older = [dash.api.bacalhau_job(f"etl-{i}") for i in range(40)]
    assert dash.api.call("POST", "/_emulator/clock/advance", {"seconds": 10})[0] == 200  # these 40 complete
    newer = [dash.api.bacalhau_job(f"etl-{i}") for i in range(40, 70)]
    for i in range(60):
        status, body = dash.api.call("POST", f"/submit-job?jobName=sync-{i}", SEATUNNEL_JOB)
        assert status == 200, body
    dash.open("jobs")
    rows = dash.page.locator("#jobs-body tr.job-row")
    expect(rows).to_have_count(100)
    expect(dash.page.locator("#jobs-status")).to_contain_text("100 of 130 jobs")
    # newest first; at one instant of the manual clock, in the providers' enabled order
    assert rows.locator("td.name").all_text_contents()[:32] == [
        *(f"etl-{i}" for i in range(69, 39, -1)), "sync-59", "sync-58"]
    dash.page.click("#jobs-more")
    expect(rows).to_have_count(130)
    expect(dash.page.locator("#jobs-more")).to_be_hidden()
    assert rows.last.get_attribute("data-job") == older[0]
    assert set(rows.evaluate_all("els => els.map(e => e.dataset.provider)")) == {"bacalhau", "seatunnel"}
    dash.shot("jobs-all")

    dash.page.select_option("#filter-provider", "bacalhau")
    expect(rows).to_have_count(70)
    dash.page.select_option("#filter-state", "Completed")
    expect(rows).to_have_count(40)
    assert rows.evaluate_all("els => els.map(e => e.dataset.job)") == older[::-1]
    expect(dash.page.locator("#jobs-body .state-cell").first).to_have_text("Completed")
    dash.page.select_option("#filter-state", "Pending")
    expect(rows).to_have_count(30)
    assert rows.evaluate_all("els => els.map(e => e.dataset.job)") == newer[::-1]

    dash.page.select_option("#filter-state", "")
    dash.page.select_option("#filter-provider", "")
    dash.page.fill("#filter-q", "ETL-6")  # any case: etl-6 and etl-60 .. etl-69
    expect(rows).to_have_count(11)
    names = rows.locator("td.name").all_text_contents()
    assert names == [f"etl-{i}" for i in range(69, 59, -1)] + ["etl-6"]
    dash.shot("jobs-search")
