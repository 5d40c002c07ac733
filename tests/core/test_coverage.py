"""State coverage counts (emulator.core.coverage): what a report says was observed and never observed, how
commands fold into accepted/refused rows, that merging reports adds them with the same arithmetic, and the
terminal summary a suite prints."""

from emulator.core.coverage import Coverage, detail_lines, merge, summary_lines

DOCUMENTED = {"bacalhau": ["Pending", "Running", "Completed", "Failed"], "streams": ["submitted", "running"]}


def touched() -> Coverage:
    cov = Coverage()
    cov.observed("bacalhau", "Pending")
    cov.observed("bacalhau", "Pending")
    cov.observed("bacalhau", "Running")
    cov.transition("bacalhau", "Pending", "Running")
    cov.command("bacalhau", "stop", "Running", True)
    cov.command("bacalhau", "stop", "Completed", False)
    cov.command("bacalhau", "stop", "Running", True)
    cov.error("bacalhau", "not_found")
    cov.fault("bacalhau", "drop")
    return cov


def test_report_lists_what_was_observed_and_what_never_was():
    rep = touched().report(DOCUMENTED, session="s1")
    assert list(rep["providers"]) == ["bacalhau"]  # a provider the session never touched is left out
    pr = rep["providers"]["bacalhau"]
    assert pr["observed"] == {"Pending": 2, "Running": 1}
    assert pr["never_observed"] == ["Completed", "Failed"]
    assert (pr["covered"], pr["total"], pr["percent"]) == (2, 4, 50.0)
    assert pr["transitions"] == [{"from": "Pending", "to": "Running", "count": 1}]
    assert pr["commands"] == [{"command": "stop", "state": "Running", "accepted": 2, "refused": 0},
                              {"command": "stop", "state": "Completed", "accepted": 0, "refused": 1}]
    assert (pr["errors"], pr["faults"]) == ({"not_found": 1}, {"drop": 1})
    assert (rep["session"], rep["sessions"], rep["covered"], rep["total"], rep["percent"]) == ("s1", 1, 2, 4, 50.0)


def test_an_untouched_session_is_zero_percent_not_a_hundred():
    rep = Coverage().report(DOCUMENTED)
    assert (rep["providers"], rep["covered"], rep["total"], rep["percent"]) == ({}, 0, 0, 0.0)


def test_merge_adds_every_count_and_unites_states():
    other = Coverage()
    other.observed("bacalhau", "Completed")
    other.observed("streams", "running")
    other.command("bacalhau", "stop", "Completed", False)
    other.transition("bacalhau", "Pending", "Running")
    merged = merge([touched().report(DOCUMENTED), other.report(DOCUMENTED)], session="all")
    assert merged["sessions"] == 2 and list(merged["providers"]) == ["bacalhau", "streams"]
    b = merged["providers"]["bacalhau"]
    assert b["observed"] == {"Pending": 2, "Running": 1, "Completed": 1} and b["never_observed"] == ["Failed"]
    assert b["transitions"] == [{"from": "Pending", "to": "Running", "count": 2}]
    assert {"command": "stop", "state": "Completed", "accepted": 0, "refused": 2} in b["commands"]
    assert (merged["covered"], merged["total"]) == (4, 6)
    # merging one report gives that report back
    single = touched().report(DOCUMENTED)
    assert merge([single])["providers"] == single["providers"]


def test_clear_forgets_everything():
    cov = touched()
    cov.clear()
    assert cov.report(DOCUMENTED)["providers"] == {}


def test_summary_is_a_table_with_a_total_row():
    lines = summary_lines(touched().report(DOCUMENTED))
    assert lines[0].split() == ["provider", "observed", "total", "cover", "never", "observed"]
    assert set(lines[1]) == {"-"} and set(lines[-2]) == {"-"}
    assert lines[2].split() == ["bacalhau", "2", "4", "50%", "Completed,", "Failed"]
    assert lines[-1].split() == ["TOTAL", "2", "4", "50%"]


def test_details_wrap_between_items_at_the_width():
    cov = Coverage()
    for i in range(30):
        cov.transition("bacalhau", f"S{i}", f"S{i + 1}")
    lines = detail_lines(cov.report({"bacalhau": ["S0"]}), width=60)
    assert lines[0] == "bacalhau:"
    trans = [line for line in lines if line.startswith("  transitions:") or line.startswith("    ")]
    assert len(trans) > 1 and all(len(line) <= 60 for line in trans)
    assert "S29->S30 1" in " ".join(trans)
    assert "  commands: -" in lines and "  errors: -" in lines
