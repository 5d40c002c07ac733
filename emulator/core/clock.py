"""Virtual clock: real, scaled (speed x), manual (moves only when told) or step (moves to a job's next
transition when a client has read its state `reads` times; the stepping itself is the session's, see
`emulator.core.stepping`).

Virtual time is kept as integer nanoseconds since the Unix epoch, so that APIs that report nanoseconds
(Bacalhau) get exact values and the manual clock is exactly reproducible.
"""

from __future__ import annotations

import time

NS = 1_000_000_000
MODES = ("real", "scaled", "manual", "step")
STILL = frozenset({"manual", "step"})  # modes in which time stands still until something moves it
MAX_READS = 1000
# The manual clock starts at a fixed instant so that the same seed and requests give the same bytes.
MAX_SPEED = 1_000_000.0  # beyond this, emulated time would leave the calendar within hours
DEFAULT_MANUAL_START_NS = 1_767_225_600 * NS  # 2026-01-01T00:00:00Z
# The latest emulated time, early 2116: every timestamp then fits a signed 64-bit integer (Go clients decode
# Bacalhau's nanosecond times as int64) with room left for the longest scripted duration.
MAX_NS = 2**62


class Clock:
    """A clock whose `now_ns()` is the emulated time.

    In `real` and `scaled` modes emulated time runs at `speed` times the wall clock (speed 1 for real); in
    `manual` and `step` modes it stands still until `advance()` moves it. `reads` is how many reads of a
    job's state the step mode lets a client make before it moves time on. Switching modes never makes time
    jump.
    """

    __slots__ = ("_anchor_virtual", "_anchor_wall", "mode", "reads", "speed")

    def __init__(self, mode: str = "real", speed: float = 1.0, start_ns: int | None = None, reads: int = 1) -> None:
        if mode not in MODES:
            raise ValueError(f"clock mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not 0 < speed <= MAX_SPEED:
            raise ValueError(f"clock speed must be > 0 and <= {MAX_SPEED:g}, not {speed}")
        self.mode = mode
        self.speed = float(speed) if mode == "scaled" else 1.0
        self.reads = _reads(reads)
        if start_ns is None:
            start_ns = DEFAULT_MANUAL_START_NS if mode in STILL else time.time_ns()
        if not 0 <= start_ns <= MAX_NS:
            raise ValueError(f"clock time must be 0..{MAX_NS} ns since the epoch, not {start_ns}")
        self._anchor_virtual = int(start_ns)
        self._anchor_wall = time.monotonic_ns()

    @property
    def still(self) -> bool:
        """Whether time stands still until something moves it (manual and step modes)."""
        return self.mode in STILL

    def now_ns(self) -> int:
        """The emulated time in integer nanoseconds since the epoch."""
        if self.mode in STILL:
            return self._anchor_virtual
        elapsed = time.monotonic_ns() - self._anchor_wall
        if self.speed != 1.0:
            elapsed = int(elapsed * self.speed)
        return self._anchor_virtual + elapsed

    def now(self) -> float:
        """The emulated time in float seconds since the epoch."""
        return self.now_ns() / NS

    def advance(self, seconds: float) -> int:
        """Move emulated time forward by `seconds` (any mode); returns the new time in ns."""
        if seconds < 0:
            raise ValueError("the clock only moves forward: seconds must be >= 0")
        target = self.now_ns() + round(seconds * NS)
        if target > MAX_NS:
            raise ValueError(f"the clock cannot pass {iso_utc(MAX_NS, 0)} ({MAX_NS} ns since the epoch)")
        self._reanchor(target)
        return self._anchor_virtual

    def advance_to(self, t_ns: int) -> None:
        """Move emulated time forward to `t_ns` (never backwards)."""
        self._reanchor(min(max(self.now_ns(), t_ns), MAX_NS))

    def set_mode(self, mode: str, speed: float | None = None, reads: int | None = None) -> None:
        """Switch mode (and speed for `scaled`, reads for `step`) without a jump in emulated time."""
        if mode not in MODES:
            raise ValueError(f"clock mode must be one of {', '.join(MODES)}, not {mode!r}")
        if speed is not None and not 0 < speed <= MAX_SPEED:
            raise ValueError(f"clock speed must be > 0 and <= {MAX_SPEED:g}, not {speed}")
        if reads is not None:
            self.reads = _reads(reads)
        now = self.now_ns()
        self.mode = mode
        if mode == "scaled":
            self.speed = float(speed if speed is not None else self.speed)
        else:
            self.speed = 1.0
        self._reanchor(now)

    def _reanchor(self, virtual_ns: int) -> None:
        self._anchor_virtual = virtual_ns
        self._anchor_wall = time.monotonic_ns()

    def describe(self) -> dict:
        """The clock as the control API reports it."""
        now = self.now_ns()
        out = {"mode": self.mode, "speed": self.speed, "now": now / NS, "now_ns": now, "iso": iso_utc(now)}
        if self.mode == "step":
            out["reads"] = self.reads
        return out

    def to_dict(self) -> dict:
        return {"mode": self.mode, "speed": self.speed, "now_ns": self.now_ns(), "reads": self.reads}

    @classmethod
    def from_dict(cls, data: dict) -> Clock:
        return cls(data["mode"], data.get("speed", 1.0), start_ns=data["now_ns"], reads=data.get("reads", 1))


def _reads(reads: int) -> int:
    if isinstance(reads, bool) or not isinstance(reads, int) or not 1 <= reads <= MAX_READS:
        raise ValueError(f"clock reads must be an integer from 1 to {MAX_READS}, not {reads!r}")
    return reads


def iso_utc(t_ns: int, digits: int = 9) -> str:
    """RFC 3339 UTC with `digits` fractional digits (9 = nanoseconds), e.g. 2023-09-28T07:23:01.352803607Z."""
    secs, frac = divmod(t_ns, NS)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    if digits <= 0:
        return base + "Z"
    return f"{base}.{frac:09d}"[: len(base) + 1 + digits] + "Z"


_DATETIMES: dict[int, str] = {}  # second -> local_datetime text: list rows repeat the same few seconds
_DATETIMES_MAX = 4096


def local_datetime(t_ns: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` in UTC, the shape several engines print. Remembered per second (strftime costs
    microseconds, and a list page of jobs made together formats the same second a hundred times)."""
    secs = t_ns // NS
    text = _DATETIMES.get(secs)
    if text is None:
        if len(_DATETIMES) >= _DATETIMES_MAX:
            _DATETIMES.clear()
        text = _DATETIMES[secs] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(secs))
    return text
