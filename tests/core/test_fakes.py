"""Seeded fake data (emulator.core.fakes): the same generator state gives the same values, different seeds
give different ones, and each helper returns the shape its callers print."""

import ipaddress
import random
import re

from emulator.core import fakes


def values(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [fakes.sentence(rng), fakes.user_name(rng), fakes.hostname(rng), fakes.ipv4(rng),
            fakes.file_name(rng, "parquet"), fakes.output_lines(rng, 4)]


def test_the_same_seed_gives_the_same_values_whatever_was_drawn_before():
    first = values(7)
    random.Random(99).random()
    fakes.sentence(random.Random(123))  # the shared Faker was used in between
    assert values(7) == first


def test_different_seeds_give_different_values():
    assert values(1) != values(2)


def test_each_helper_returns_its_shape():
    rng = random.Random(3)
    sentence = fakes.sentence(rng, words=4)
    assert sentence and not sentence.endswith(".")
    assert re.fullmatch(r"[a-z0-9_.]+", fakes.user_name(rng))
    assert "." in fakes.hostname(rng)
    assert ipaddress.ip_address(fakes.ipv4(rng)).is_private
    assert fakes.file_name(rng, "parquet").endswith(".parquet")
    lines = fakes.output_lines(rng, 5)
    assert lines.endswith("\n") and len(lines.splitlines()) == 5
    assert all(line.strip() for line in lines.splitlines())


def test_a_draw_advances_the_callers_generator_so_two_draws_differ():
    rng = random.Random(5)
    assert fakes.sentence(rng) != fakes.sentence(rng)
