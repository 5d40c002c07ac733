"""Seeded fake data that looks real: node ids, hosts, log lines, output text.

Faker is imported and built on first use only (it costs a large share of start-up otherwise); every call
reseeds it from the session's generator, so the same seed and the same requests give the same data.
"""

from __future__ import annotations

import random
from typing import Any

_FAKER: Any = None


def faker(rng: random.Random) -> Any:
    """The shared Faker, reseeded from `rng` so what it returns next is fixed by the session's seed."""
    global _FAKER
    if _FAKER is None:
        from faker import Faker  # deferred: import and construction are the slowest part of start-up

        _FAKER = Faker("en_US")
    _FAKER.seed_instance(rng.getrandbits(64))
    return _FAKER


def sentence(rng: random.Random, words: int = 6) -> str:
    return faker(rng).sentence(nb_words=words).rstrip(".")


def user_name(rng: random.Random) -> str:
    return faker(rng).user_name()


def hostname(rng: random.Random) -> str:
    return faker(rng).hostname(levels=1)


def ipv4(rng: random.Random) -> str:
    return faker(rng).ipv4_private()


def file_name(rng: random.Random, ext: str = "csv") -> str:
    return faker(rng).file_name(extension=ext)


def output_lines(rng: random.Random, n: int = 3) -> str:
    """A few lines a batch program might print."""
    f = faker(rng)
    lines = []
    for _ in range(n):
        kind = rng.randrange(3)
        if kind == 0:
            lines.append(f"processed {rng.randint(10, 99999)} records from {f.file_name(extension='csv')}")
        elif kind == 1:
            lines.append(f"{f.word()}: {f.sentence(nb_words=5).rstrip('.')}")
        else:
            lines.append(f"wrote {rng.randint(1, 900)} KiB to /outputs/{f.file_name(extension='json')}")
    return "\n".join(lines) + "\n"
