"""bench.instructions: the count it reports is the dump taken after zeroing (not the start-up's), and a
misspelled provider is refused before any server starts, naming the valid ones."""

from __future__ import annotations

import pytest

from bench import instructions


def test_the_count_is_the_dump_after_zeroing_and_every_dump_is_removed(tmp_path):
    prefix = str(tmp_path / "run.")
    # callgrind's files: the final dump (the whole life, start-up included) and part 1 (after zeroing)
    (tmp_path / "run.41").write_text("version: 1\ncreator: callgrind-3.19.0\nsummary: 987654321\n")
    (tmp_path / "run.41.1").write_text("version: 1\ncreator: callgrind-3.19.0\npart: 1\nsummary: 315000000\n")
    assert instructions._dumped_total(prefix) == 315_000_000
    assert list(tmp_path.iterdir()) == []


def test_a_dump_without_part_one_is_an_error_not_a_figure(tmp_path):
    (tmp_path / "run.41").write_text("summary: 987654321\n")
    with pytest.raises(RuntimeError, match="no dump after zeroing"):  # not the start-up's total
        instructions._dumped_total(str(tmp_path / "run."))


def test_an_unknown_provider_is_refused_naming_the_valid_ones(capsys):
    assert instructions.main(["--providers", "bacalhau,steams"]) == 2
    err = capsys.readouterr().err
    assert "unknown providers steams" in err and "streams" in err and "seatunnel" in err
