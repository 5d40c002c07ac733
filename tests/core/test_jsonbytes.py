"""The one encoder of responses, event streams and kept poll bytes: compact UTF-8 JSON with the standard
library's bytes (its values, for float exponents), and what orjson refuses still encoded."""

import json

import pytest

from emulator.core.jsonbytes import _dumps_std, dumps


@pytest.mark.parametrize("value", [
    {"Job": {"ID": "j-1", "Labels": {"env": "ß"}, "Count": 1, "Rate": 0.1, "Tasks": [None, True, False]}},
    {1: "int key", "line\u2028sep": "é"},
    [1e16, 1.5, -0.0, 123456789.123],
    "",
])
def test_the_bytes_are_the_standard_librarys_compact_utf8(value):
    assert dumps(value) == _dumps_std(value)
    assert dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_small_float_keeps_its_value_and_a_huge_int_is_still_written():
    assert json.loads(dumps([1e-7])) == [1e-7]
    assert dumps({"n": 2**70}) == b'{"n":1180591620717411303424}'  # beyond 64 bits: the standard library's
