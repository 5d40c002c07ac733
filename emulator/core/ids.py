"""Identifiers drawn from a session's seeded random generator, so that a seed fixes every id."""

from __future__ import annotations

import random

from .codec import rng_from_json, rng_to_json

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class IdSource:
    """Random ids in the formats the emulated systems use, all from one seeded `random.Random`."""

    __slots__ = ("_flake_seq", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._flake_seq = 0

    def uuid4(self) -> str:
        """A version-4 UUID string (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`)."""
        n = self.rng.getrandbits(128)
        n = (n & ~(0xF000 << 64)) | (0x4000 << 64)          # version 4
        n = (n & ~(0xC000 << 48)) | (0x8000 << 48)          # RFC 4122 variant
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(length * 4):0{length}x}"

    def digits(self, length: int) -> str:
        first = self.rng.randint(1, 9)
        rest = self.rng.getrandbits(64) % (10 ** (length - 1))
        return f"{first}{rest:0{length - 1}d}"

    def base58(self, length: int) -> str:
        r = self.rng.randrange
        return "".join(_B58[r(58)] for _ in range(length))

    def flake(self, t_ns: int, worker: int = 1) -> str:
        """A snowflake-style id (41-bit ms time, 10-bit worker, 12-bit sequence): 18-19 digits."""
        self._flake_seq = (self._flake_seq + 1) & 0xFFF
        ms = (t_ns // 1_000_000) - 1_288_834_974_657  # the Twitter epoch, as Hazelcast-style flake ids use
        return str((max(ms, 0) << 22) | ((worker & 0x3FF) << 12) | self._flake_seq)

    def state(self) -> dict:
        """The generator's state and the flake sequence, as JSON (snapshots keep both, so ids continue)."""
        return {"rng": rng_to_json(self.rng), "flake_seq": self._flake_seq}

    def set_state(self, data: dict) -> None:
        """Continue from a `state()` document."""
        rng_from_json(self.rng, data["rng"])
        self._flake_seq = data["flake_seq"]
