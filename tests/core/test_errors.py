"""The one error type: its kind decides the default status, an unknown kind is a mistake in the code that
raises it, and a refused command names the command, the job and its state."""

import pytest

from emulator.core.errors import DEFAULT_STATUS, ApiError, CommandRefused


def test_kind_gives_the_default_status_and_status_overrides_it():
    assert ApiError("not_found", "no job x", field="x").status == DEFAULT_STATUS["not_found"] == 404
    assert ApiError("invalid", "bad", status=422).status == 422


def test_an_unknown_kind_is_refused_naming_it():
    with pytest.raises(ValueError, match="unknown error kind 'oops'"):
        ApiError("oops", "x")


def test_a_refused_command_names_command_job_and_state():
    err = CommandRefused("stop", "j1", "Completed")
    assert (err.kind, err.status, err.field, err.message) == ("refused", DEFAULT_STATUS["refused"], "j1",
                                                              "cannot stop job j1 in state Completed")
