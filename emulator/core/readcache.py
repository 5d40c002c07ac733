"""One bounded cache of what providers derive from a job on read (a parsed submission, a rendered resource),
so that a poll of an unchanged job reuses the work instead of redoing it.

A provider declares a `View`: a name, a `key(job, *args)` function that says what the value depends on
(the job's version, its progress, the base URL of the links, the profile...) and a `build(job, *args)`
that makes it. A read returns the cached value while the key is unchanged and builds it again otherwise, so
a transition (which bumps `job.version`) invalidates every view that keys on the version.

Entries are keyed by the job object's identity, held through a weak reference: two sessions' jobs are
different objects even when their ids and versions are equal, so no session ever sees another's data, and
the cache never keeps a dropped job alive. The bound is on entries (one per job and view): at most
`DEFAULT_LIMIT`, least recently read dropped first, so its memory is the size of that many rendered values
whatever the number of jobs or sessions. `View.json` keeps a view's value encoded, as a response sends it
(an entry of its own).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from .jsonbytes import dumps

V = TypeVar("V")
# Entries (job, view) across every provider and session of the process: the jobs a suite polls at once, with
# room to spare. A full cache is a fixed cost (submits seed it): at 8192 it was ~32 MiB, +330 B/job at 100,000
# Bacalhau jobs against 0.1.0's 2048 per provider (python -m bench.engine: 1,549 -> 1,217 B/job at 2048)
DEFAULT_LIMIT = 2048
_MISS = object()


class ReadCache:
    """At most `limit` values, each for one (job, view) and valid while its key is equal."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError(f"a read cache holds at least one entry, not {limit}")
        self.limit = limit
        self._entries: OrderedDict[tuple[int, str], tuple[weakref.ref, Hashable, Any]] = OrderedDict()

    def lookup(self, job: Any, view: str, key: Hashable) -> Any:
        """The value kept for `job` and `view` under an equal `key`, else the module's miss marker."""
        slot = (id(job), view)
        hit = self._entries.get(slot)
        # the identity check guards against a dead job whose id() a new object reuses
        if hit is None or hit[0]() is not job or hit[1] != key:
            return _MISS
        self._entries.move_to_end(slot)
        return hit[2]

    def put(self, job: Any, view: str, key: Hashable, value: V) -> V:
        """Keep `value` for `job` and `view` under `key` (dropping the least recently read past the bound)."""
        entries = self._entries
        slot = (id(job), view)
        entries[slot] = (weakref.ref(job), key, value)
        entries.move_to_end(slot)
        if len(entries) > self.limit:
            entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


CACHE = ReadCache()  # the process's one cache: every provider's views share its bound


class View(Generic[V]):
    """A cached read of a job: `view(job, *args)` is `build(job, *args)`, reused while `key(job, *args)`
    is unchanged. A key function that returns a constant keeps the value for the job's lifetime (what is
    derived from the submission alone)."""

    __slots__ = ("_encoded", "build", "cache", "key", "name")

    def __init__(self, name: str, key: Callable[..., Hashable], build: Callable[..., V],
                 cache: ReadCache | None = None) -> None:
        self.name = name
        self._encoded: View[bytes] | None = None  # this view encoded (json), made on first use
        self.key = key
        self.build = build
        self.cache = cache if cache is not None else CACHE

    def __call__(self, job: Any, *args: Any) -> V:
        key = self.key(job, *args)
        # ReadCache.lookup inlined: this runs on every read of a job
        entries = self.cache._entries
        slot = (id(job), self.name)
        hit = entries.get(slot)
        if hit is not None and hit[0]() is job and hit[1] == key:
            entries.move_to_end(slot)
            return hit[2]  # type: ignore[no-any-return]  # stored by put() from this view's build
        return self.cache.put(job, self.name, key, self.build(job, *args))

    def json(self, job: Any, *args: Any) -> bytes:
        """The value as the JSON bytes a response sends, kept under the same key (an entry of its own, holding
        only the bytes): a poll of an unchanged job sends the last poll's bytes instead of building and
        encoding the same body again (encoding was 4 % of a served Bacalhau poll, py-spy under wrk)."""
        encoded = self._encoded
        if encoded is None:
            build = self.build
            encoded = self._encoded = View(self.name + "/json", self.key,
                                           lambda job, *args: dumps(build(job, *args)), self.cache)
        return encoded(job, *args)

    def seed(self, job: Any, value: V, *args: Any) -> V:
        """Keep a value already made (a submit parsed what a read would derive again)."""
        return self.cache.put(job, self.name, self.key(job, *args), value)


def constant(job: Any, *args: Any) -> Hashable:
    """A key for values that depend on the submission only: they never change while the job lives."""
    return None


def version(job: Any, *args: Any) -> Hashable:
    """A key for values that change only with a transition (each one bumps the job's version)."""
    return job.version
