"""The toy's per-session state: how many jobs this session's toy service has accepted (it numbers them)."""

from dataclasses import dataclass


@dataclass
class ToyState:
    accepted: int = 0
