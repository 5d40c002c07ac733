"""Per-session Streams state the job store does not keep: each instance's uploaded bundles, job-id counter and
live job names. Made by the engine on a session's first Streams request, snapshotted with the session."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Instance


@dataclass
class StreamsState:
    """One session's Streams instances, by id (an instance exists from its first request)."""

    instances: dict[str, Instance] = field(default_factory=dict)
