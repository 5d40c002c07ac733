"""Schemas and input checks (emulator.core.validation): errors that name the field, strict JSON, text that
cannot be stored refused, schemas a provider mounts from its own folder, and missing schemas named in one
line."""

import json

import pytest

from emulator.core import validation
from emulator.core.errors import ApiError


def test_check_names_the_first_offending_field_and_lists_every_one():
    with pytest.raises(ApiError) as err:
        validation.check("control/clock.request", {"mode": "sideways", "speed": "fast"})
    e = err.value
    assert e.kind == "invalid" and e.field == "mode"  # violations sorted by path: mode before speed
    assert {d["field"] for d in e.details} >= {"mode", "speed"}
    assert e.message.startswith("mode: ") and "sideways" in e.message
    validation.check("control/clock.request", {"mode": "manual"})  # valid: no error


def test_a_missing_field_is_named_itself_not_its_parent():
    assert validation.errors_of("control/advance.request", {}) == [("seconds", "seconds is required")]


def test_field_path_reads_like_the_body():
    assert validation.field_path(["Job", "Tasks", 0, "Name"]) == "Job.Tasks[0].Name"
    assert validation.field_path([]) == ""


@pytest.mark.parametrize("raw, says", [
    (b'{"a": NaN}', "NaN is not a JSON number"),
    (b'{"a": 1e999}', "out of range"),
    (b'{"a": ', "not valid JSON"),
    (b"\xff", "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_parse_json_refuses_what_strict_json_has_not(raw, says):
    with pytest.raises(ApiError) as err:
        validation.parse_json(raw)
    assert err.value.field == "body" and says in err.value.message


def test_a_lone_surrogate_is_refused_naming_its_field_and_a_pair_is_kept():
    with pytest.raises(ApiError) as err:
        validation.parse_json(b'{"Job": {"Tasks": [{"Name": "x\\ud800"}]}}')
    assert err.value.field == "Job.Tasks[0].Name" and "lone surrogate" in err.value.message
    with pytest.raises(ApiError) as err:
        validation.parse_json(b'{"\\udfff": 1}')
    assert err.value.field == "body"
    assert validation.parse_json(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


def test_unencodable_and_bad_text_find_what_cannot_be_stored():
    assert validation.unencodable({"a": [1, {"b": "ok"}, "x\udc80"]}) == "a[2]"
    assert validation.unencodable({"a": ["fine"]}) is None
    assert validation.bad_text("a\nb") == "contains a control character"
    assert validation.bad_text("a\ud800") == "is not valid UTF-8"
    assert validation.bad_text("j-1") is None


def test_anycase_pattern_matches_the_words_in_any_case_and_only_them():
    import re

    pat = re.compile(validation.anycase_pattern(["json", "hocon.conf"], padded=True))
    assert pat.match("JSON") and pat.match(" Hocon.Conf ") and not pat.match("hoconXconf")
    assert not re.match(validation.anycase_pattern(["json"]), " json")


def test_blank_is_json_whitespace_only():
    assert validation.is_blank(b" \r\n\t") and not validation.is_blank(b"\x0c")


def test_ref_name_resolves_relative_files():
    assert validation.ref_name("bacalhau/job-submit.request", "../control/error.json") == "control/error"
    assert validation.ref_name("bacalhau/a", "./b.json") == "bacalhau/b"


def test_require_names_every_missing_schema_in_one_line():
    with pytest.raises(validation.SchemasMissing) as err:
        validation.require(["control/no-such", "control/nor-this"])
    assert "2 JSON Schemas missing" in str(err.value) and "control/no-such, control/nor-this" in str(err.value)
    with pytest.raises(validation.SchemasMissing, match="control/no-such missing"):
        validation.require(["control/no-such"])
    validation.require(["control/clock.request"])


def test_a_mounted_folder_serves_a_providers_schemas_and_unmount_restores(tmp_path):
    (tmp_path / "thing.request.json").write_text(json.dumps({
        "type": "object", "required": ["size"],
        "properties": {"size": {"$ref": "common.json#/$defs/size"}}}))
    (tmp_path / "common.json").write_text(json.dumps({"$defs": {"size": {"type": "integer", "minimum": 1}}}))
    validation.mount("toyprov", tmp_path)
    try:
        validation.require(["toyprov/thing.request"])
        assert validation.errors_of("toyprov/thing.request", {"size": 3}) == []
        assert validation.errors_of("toyprov/thing.request", {"size": 0})[0][0] == "size"
    finally:
        validation.unmount("toyprov")
    with pytest.raises(validation.SchemasMissing):
        validation.load_schema("toyprov/thing.request")
