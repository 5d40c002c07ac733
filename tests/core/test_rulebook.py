"""The rule lists of a session (emulator.core.rulebook): ids in order, a refused rule takes no id, remove and
the dict round trip keep order and the next id."""

from dataclasses import asdict, dataclass

import pytest

from emulator.core.rulebook import RuleBook


@dataclass
class Rule:
    id: str
    word: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


class Book(RuleBook[Rule]):
    rule_type = Rule
    prefix = "r"


def test_ids_follow_the_prefix_in_the_order_added():
    book = Book()
    assert [book.add({"word": w}).id for w in ("a", "b", "c")] == ["r1", "r2", "r3"]
    assert [r.word for r in book.rules] == ["a", "b", "c"]


def test_an_unknown_field_is_a_type_error_and_uses_no_id():
    book = Book()
    with pytest.raises(TypeError, match="colour"):
        book.add({"colour": "red"})
    assert book.add({"word": "x"}).id == "r1"


def test_a_rule_the_check_refuses_is_not_added_and_uses_no_id():
    book = Book()

    def never(rule: Rule) -> None:
        raise ValueError(f"rule {rule.word!r} can never match")

    with pytest.raises(ValueError, match="'z' can never match"):
        book.add({"word": "z"}, check=never)
    assert book.rules == [] and book.add({"word": "ok"}).id == "r1"


def test_remove_says_whether_it_removed_and_ids_are_never_reused():
    book = Book()
    book.add({"word": "a"})
    book.add({"word": "b"})
    assert book.remove("r1") is True
    assert book.remove("r1") is False
    assert [r.id for r in book.rules] == ["r2"]
    assert book.add({"word": "c"}).id == "r3"
    book.clear()
    assert book.rules == [] and book.add({}).id == "r4"


def test_dict_round_trip_keeps_rules_order_and_next_id():
    book = Book()
    for w in ("a", "b", "c"):
        book.add({"word": w})
    book.remove("r2")
    data = book.to_dict()
    assert data == {"next_id": 4, "rules": [{"id": "r1", "word": "a"}, {"id": "r3", "word": "c"}]}
    again = Book.from_dict(data)
    assert again.rules == book.rules and again.add({}).id == "r4"
