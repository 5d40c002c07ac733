"""Equal immutable values share one object (small bodies, their parsed JSON); large bodies are kept as
they are."""

from emulator.core.sharing import BODY_SHARE_MAX, keep_body, share, shared_json


def test_equal_values_share_the_first_object():
    a, b = ("ns", "x" * 3), ("ns", "xxx")
    assert share(a) is share(b) is a


def test_small_bodies_are_shared_and_large_ones_kept_as_sent():
    small1, small2 = bytearray(b'{"a": 1}'), bytearray(b'{"a": 1}')
    assert keep_body(small1) is keep_body(small2) and isinstance(keep_body(small1), bytes)
    big = b"x" * (BODY_SHARE_MAX + 1)
    assert keep_body(big) is big


def test_parsed_json_of_identical_small_bodies_is_one_object():
    raw = b'{"shared-json-test": [1, 2]}'
    first = shared_json(raw, {"shared-json-test": [1, 2]})
    assert shared_json(raw, {"shared-json-test": [1, 2]}) is first
    assert shared_json(None, [1]) == [1]
