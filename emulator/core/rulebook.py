"""The rules of one kind (scenarios, faults) in one session: kept in the order added, with ids `<prefix><n>`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, Self, TypeVar

R = TypeVar("R")


class RuleBook(Generic[R]):
    """Subclasses set `rule_type` (a dataclass with an `id` field and `to_dict()`) and `prefix`."""

    rule_type: ClassVar[type]
    prefix: ClassVar[str]

    def __init__(self, rules: list[R] | None = None, next_id: int = 1) -> None:
        self.rules: list[R] = rules or []
        self.next_id = next_id

    def add(self, spec: dict[str, Any], check: Callable[[R], None] | None = None) -> R:
        """A new rule from its fields; TypeError/ValueError for an unknown field or value, and whatever
        `check(rule)` raises for a rule that cannot work (it is then not added)."""
        rule = self.rule_type(id=f"{self.prefix}{self.next_id}", **spec)
        if check is not None:
            check(rule)
        self.next_id += 1
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        before = len(self.rules)
        # R is a dataclass with `id` (rule_type's contract), which a TypeVar cannot say
        self.rules = [r for r in self.rules if r.id != rule_id]  # type: ignore[attr-defined]
        return len(self.rules) != before

    def clear(self) -> None:
        self.rules.clear()

    def to_dict(self) -> dict:
        # R has `to_dict()` (rule_type's contract), which a TypeVar cannot say
        return {"next_id": self.next_id, "rules": [r.to_dict() for r in self.rules]}  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        return cls(rules=[cls.rule_type(**r) for r in data["rules"]], next_id=data["next_id"])
