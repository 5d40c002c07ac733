"""Kubernetes label selectors, as Bacalhau's `labels=` query parses them (k8s apimachinery grammar).

    env=prod, env==prod, env!=prod, env in (prod,dev), env notin (a,b), env, !env, gpu>2, gpu<8
Requirements are joined by commas (AND). A malformed selector raises SelectorError naming the problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                  r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_TOKEN = re.compile(r"\s*(==|!=|=|!|\(|\)|,|<|>|[^\s=!(),<>]+)")


class SelectorError(ValueError):
    """A selector that does not parse."""


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", "gt", "lt"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        has = self.key in labels
        val = labels.get(self.key)
        op = self.op
        if op == "=" or op == "in":
            return has and val in self.values
        if op == "!=" or op == "notin":
            return not has or val not in self.values
        if op == "exists":
            return has
        if op == "!":
            return not has
        try:
            # val may be None (key absent): int(None) is the TypeError caught below, on purpose
            num, bound = int(val), int(self.values[0])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return num > bound if op == "gt" else num < bound


def parse(text: str) -> list[Requirement]:
    """Parse a selector into requirements (empty text = match everything)."""
    tokens = [t for t in _TOKEN.findall(text)]
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", text):
        raise SelectorError(f"unable to parse requirement: {text!r}")
    reqs: list[Requirement] = []
    i = 0
    n = len(tokens)

    def need(pos: int, what: str) -> str:
        if pos >= n:
            raise SelectorError(f"unable to parse requirement: found end of input, expected {what}")
        return tokens[pos]

    while i < n:
        tok = tokens[i]
        if tok == "!":
            key = need(i + 1, "key")
            _check_key(key)
            reqs.append(Requirement(key, "!"))
            i += 2
        else:
            _check_key(tok)
            key = tok
            i += 1
            if i >= n or tokens[i] == ",":
                reqs.append(Requirement(key, "exists"))
            else:
                op = tokens[i]
                if op in ("=", "==", "!="):
                    val = need(i + 1, "value") if i + 1 < n and tokens[i + 1] != "," else ""
                    _check_value(val)
                    reqs.append(Requirement(key, "!=" if op == "!=" else "=", (val,)))
                    i += 2 if val else 1
                elif op in ("<", ">"):
                    val = need(i + 1, "integer value")
                    if not re.fullmatch(r"-?\d+", val):
                        raise SelectorError(f"for 'gt', 'lt' operators, the value must be an integer, got {val!r}")
                    reqs.append(Requirement(key, "gt" if op == ">" else "lt", (val,)))
                    i += 2
                elif op.lower() in ("in", "notin"):
                    if need(i + 1, "(") != "(":
                        raise SelectorError(f"found {tokens[i + 1]!r}, expected: '('")
                    i += 2
                    vals: list[str] = []
                    while True:
                        t = need(i, "value or ')'")
                        if t == ")":
                            i += 1
                            break
                        if t == ",":
                            i += 1
                            continue
                        _check_value(t)
                        vals.append(t)
                        i += 1
                    if not vals:
                        raise SelectorError(f"for '{op}' operator, at least one value is required")
                    reqs.append(Requirement(key, op.lower(), tuple(vals)))
                else:
                    raise SelectorError(f"found {op!r}, expected: in, notin, =, ==, !=, gt, lt")
        if i < n:
            if tokens[i] != ",":
                raise SelectorError(f"found {tokens[i]!r}, expected: ','")
            i += 1
            if i >= n:
                raise SelectorError("found end of input after ',', expected: identifier")
    return reqs


def _check_key(key: str) -> None:
    if key in ("(", ")", ",", "=", "==", "!=", "!", "<", ">") or not _KEY.match(key):
        raise SelectorError(f"invalid label key {key!r}: must be a qualified name of at most 63 characters")


def _check_value(val: str) -> None:
    if val in ("(", ")", ",") or not _VALUE.match(val):
        raise SelectorError(f"invalid label value {val!r}: at most 63 alphanumerics, '-', '_' or '.'")


def matches(reqs: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)
