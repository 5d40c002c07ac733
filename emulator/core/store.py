"""Jobs and where they are kept: by id, in creation order, by state, with retention of finished jobs.

Get-by-id is a dict lookup; a page walks creation order from a cursor (a bisect, then the page's own rows
plus what the filter skips); jobs in a given state come from a per-state index, so listing finished jobs
never scans the running ones.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from operator import not_
from typing import Any

from .lifecycle import Fate, Graph
from .seqindex import SeqIndex

# a job's pending timed transition: (due_ns, to_state, message), and a fourth item (True) for a flap's step
Timer = tuple[int, str, str] | tuple[int, str, str, bool]


class Job:
    """One emulated job. `spec` is exactly what the client submitted; `data` holds what the provider
    derives and must keep (node ids, row counts, links); `history` lists (t_ns, from, to, message)."""

    __slots__ = (
        "__weakref__",
        "created_ns",
        "data",
        "entered_ns",
        "evicted",
        "fate",
        "finished_ns",
        "flips",
        "graph",
        "history",
        "id",
        "message",
        "modified_ns",
        "provider",
        "seq",
        "spec",
        "state",
        "timer",
        "version",
    )

    def __init__(self, job_id: str, provider: str, graph: Graph, spec: Any, data: Any,
                 fate: Fate | None, created_ns: int) -> None:
        self.id = job_id
        self.provider = provider
        self.graph = graph
        self.state = graph.initial
        self.seq = 0
        self.created_ns = created_ns
        self.modified_ns = created_ns
        self.entered_ns = created_ns
        self.finished_ns: int | None = None
        self.version = 0
        self.history: list[tuple[int, str | None, str, str]] = [(created_ns, None, graph.initial, "")]
        self.spec = spec
        # the provider's own record (a slotted class, or a dict): only its provider reads it
        self.data: Any = data if data is not None else {}
        self.fate = fate
        self.message = ""
        self.timer: Timer | None = None  # (due_ns, to_state, message), plus True for a flap's step
        self.flips = 0
        self.evicted = False

    @property
    def terminal(self) -> bool:
        return self.state in self.graph.terminal

    def entered(self, state: str) -> int | None:
        """When the job last entered `state` (ns), or None."""
        for t, _, to, _ in reversed(self.history):
            if to == state:
                return t
        return None

    def unspent(self, state: str) -> int | None:
        """Nanoseconds a command left unspent in resumable `state` (a paused run), or None."""
        if not self.graph.resumable:
            return None
        return self.data.get("_left", {}).get(state)

    def progress(self, now_ns: int) -> float:
        """Fraction (0..1) of the current state's timed span that has elapsed; 1.0 when there is no timer."""
        if self.timer is None:
            return 1.0
        span = self.timer[0] - self.entered_ns
        if span <= 0:
            return 1.0
        return min(1.0, max(0.0, (now_ns - self.entered_ns) / span))

    def to_dict(self) -> dict:
        return {"id": self.id, "provider": self.provider, "graph": self.graph.name, "state": self.state,
                "seq": self.seq, "created_ns": self.created_ns, "modified_ns": self.modified_ns,
                "entered_ns": self.entered_ns, "finished_ns": self.finished_ns, "version": self.version,
                "history": [list(h) for h in self.history], "spec": self.spec, "data": self.data,
                "fate": self.fate.to_dict() if self.fate else None, "message": self.message,
                "timer": list(self.timer) if self.timer else None, "flips": self.flips}

    @classmethod
    def from_dict(cls, d: dict, graphs: dict[str, Graph]) -> Job:
        job = cls(d["id"], d["provider"], graphs[d["graph"]], d["spec"], d["data"],
                  Fate.from_dict(d["fate"]) if d["fate"] else None, d["created_ns"])
        job.state = d["state"]
        job.seq = d["seq"]
        job.modified_ns = d["modified_ns"]
        job.entered_ns = d["entered_ns"]
        job.finished_ns = d["finished_ns"]
        job.version = d["version"]
        job.history = [tuple(h) for h in d["history"]]
        job.message = d["message"]
        job.timer = tuple(d["timer"]) if d["timer"] else None
        job.flips = d["flips"]
        return job


@dataclass(frozen=True)
class Group:
    """A store group as a provider declares it (store option `groups`): see JobStore.add_group."""

    name: str
    keys: Callable[[Job, str], Sequence[Any]]
    order: Callable[[Job], Any] | None = None
    by_state: bool = False  # keys(job, state) depends on the state alone (worked out once per state)


CHUNK = 512  # jobs per chunk of an OrderedJobs: a move costs one chunk, a deep page walks len/CHUNK lengths
SETTLE_ONE_BY_ONE = 8  # pending changes below 1/8 of the held rows go in one by one; more rebuild the chunks


class OrderedJobs:
    """Jobs sorted by a key (unique per job), in chunks of at most 2 * CHUNK: adding or removing a job
    costs a bisect and a move inside one chunk, the row at any offset costs a walk over the chunk lengths
    (2,000 of them at a million jobs) plus the page itself, so a page 500,000 rows deep is as cheap as the
    first (measured: SeaTunnel's running-jobs built and sorted every live job per request, 49 ms at 100k).

    Changes wait until something reads: a removal is noted in `_gone` (the key stays in its chunk), an
    addition below the highest key in `_new`, and the first read settles them, one by one when they are few,
    else in one pass that rebuilds the chunks. A clock advance moves every job of a big store at one instant,
    and one bisect and chunk shift per job per key was most of the store's regroup, itself 30 % (SeaTunnel)
    and 47 % (Instabase) of a transition (py-spy of python -m bench.engine --advance at 100,000 jobs).
    An addition above every key (jobs entering in the order they were made or ended, the usual) goes
    straight to the end of the last chunk: deferred too, a million submits left the first list page a sort of
    a million keys (284 ms, Instabase at 1M, bench.engine)."""

    __slots__ = ("_gone", "_held", "_jobs", "_keys", "_len", "_maxes", "_new", "_top")

    def __init__(self) -> None:
        self._keys: list[list[Any]] = []
        self._jobs: list[list[Job]] = []
        self._maxes: list[Any] = []
        self._held = 0  # rows in the chunks
        self._len = 0   # rows once settled (at most that: a removal of a key not held is found out then)
        self._gone: set[Any] = set()  # keys removed but still in the chunks
        self._new: dict[Any, Job] = {}  # jobs added but not in the chunks yet
        self._top: Any = None  # no key held or waiting is above this one (None: none ever added)

    def __len__(self) -> int:
        if self._gone or self._new:
            self.settle()
        return self._len

    @property
    def vacant(self) -> bool:
        """Nothing held (exact without settling: a removal that would leave none settles first)."""
        return self._len == 0

    def add(self, key: Any, job: Job) -> None:
        """Hold `job` under `key` (a key removed since the last read is the same job: it just stays)."""
        self._len += 1
        gone = self._gone
        if key in gone:
            gone.remove(key)
        elif self._top is None or key > self._top:
            self._top = key
            self._put(key, job)  # above every key: an append to the last chunk, nothing to sort later
        else:
            self._new[key] = job

    def discard(self, key: Any) -> None:
        """Stop holding the job held under `key` (nothing when there is none)."""
        new = self._new
        if key in new:
            del new[key]
            self._len -= 1
        elif key not in self._gone:
            if self._len <= 1:  # the last row or none: settle, so `vacant` never claims an empty group wrongly
                self.settle()
                if self._cut(key):
                    self._len -= 1
                return
            self._gone.add(key)
            self._len -= 1

    def settle(self) -> None:
        """Apply the changes waiting since the last read."""
        gone, new = self._gone, self._new
        if not gone and not new:
            return
        if (len(gone) + len(new)) * SETTLE_ONE_BY_ONE < self._held:
            for key in gone:
                self._cut(key)
            for key, job in new.items():
                self._put(key, job)
        else:
            self._rebuild()
        gone.clear()
        new.clear()
        self._len = self._held

    def _rebuild(self) -> None:
        """Every chunk again, without the removed keys and with the added jobs in place: one pass over the
        rows in C (compress, sort) instead of one bisect and shift per change."""
        keys: list[Any] = list(chain.from_iterable(self._keys))
        jobs: list[Job] = list(chain.from_iterable(self._jobs))
        if self._gone:
            keep = list(map(not_, map(self._gone.__contains__, keys)))
            keys = list(compress(keys, keep))
            jobs = list(compress(jobs, keep))
        new = self._new
        if new:
            # the keys alone, not (key, job) pairs: a hundred thousand tuples at once set off a full
            # collection of the whole heap, 1.5 s of an Instabase advance at 100,000 jobs (py-spy)
            added = sorted(new)
            if keys and added[0] < keys[-1]:  # not all above the held keys: sort them all together
                held = dict(zip(keys, jobs, strict=True))
                held.update(new)
                new = held
                keys = added = sorted(held)
                jobs = []
            else:
                keys.extend(added)
            jobs.extend(map(new.__getitem__, added))
        self._keys = [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)]
        self._jobs = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
        self._maxes = [chunk[-1] for chunk in self._keys]
        self._held = len(keys)

    def _put(self, key: Any, job: Job) -> None:
        """Insert `job` under `key` into the chunks (a key above every other appends to the last chunk)."""
        self._held += 1
        maxes = self._maxes
        if not maxes:
            self._keys.append([key])
            self._jobs.append([job])
            maxes.append(key)
            return
        if key > maxes[-1]:  # above every key (jobs enter a group in the order they move): append, no bisect
            i = len(maxes) - 1
            maxes[i] = key
            keys = self._keys[i]
            keys.append(key)
            self._jobs[i].append(job)
        else:
            i = bisect_left(maxes, key)
            keys = self._keys[i]
            j = bisect_left(keys, key)
            keys.insert(j, key)
            self._jobs[i].insert(j, job)
        if len(keys) > 2 * CHUNK:
            jobs = self._jobs[i]
            self._keys[i:i + 1] = [keys[:CHUNK], keys[CHUNK:]]
            self._jobs[i:i + 1] = [jobs[:CHUNK], jobs[CHUNK:]]
            maxes[i:i + 1] = [keys[CHUNK - 1], keys[-1]]

    def _cut(self, key: Any) -> bool:
        """Take the row under `key` out of the chunks; False when there is none."""
        maxes = self._maxes
        i = bisect_left(maxes, key)
        if i == len(maxes):
            return False
        keys = self._keys[i]
        j = bisect_left(keys, key)
        if j == len(keys) or keys[j] != key:
            return False
        del keys[j]
        del self._jobs[i][j]
        self._held -= 1
        if not keys:
            del self._keys[i], self._jobs[i], maxes[i]
        elif j == len(keys):
            maxes[i] = keys[-1]
        return True

    def page(self, offset: int, limit: int | None, reverse: bool = False) -> list[Job]:
        """At most `limit` jobs from `offset` rows into key order (from the highest key when `reverse`)."""
        n = len(self)
        if offset >= n or (limit is not None and limit <= 0):
            return []
        want = n - offset if limit is None else min(limit, n - offset)
        start = n - offset - want if reverse else offset  # the page is rows [start, start + want) ascending
        out: list[Job] = []
        for chunk in self._jobs:
            size = len(chunk)
            if start >= size:
                start -= size
                continue
            out.extend(chunk[start:start + want - len(out)])
            start = 0
            if len(out) >= want:
                break
        if reverse:
            out.reverse()
        return out

    def __iter__(self) -> Iterator[Job]:
        self.settle()
        for chunk in self._jobs:
            yield from chunk


def _hold(groups: dict[Any, OrderedJobs], keys: Iterable[Any], at: Any, job: Job) -> None:
    """Hold `job` under each of `keys` of one group, at order key `at`."""
    for k in keys:
        held = groups.get(k)
        if held is None:
            held = groups[k] = OrderedJobs()
        held.add(at, job)


def _release(groups: dict[Any, OrderedJobs], keys: Iterable[Any], at: Any) -> None:
    """Stop holding the job at order key `at` under each of `keys` of one group (a key left empty goes)."""
    for k in keys:
        held = groups.get(k)
        if held is not None:
            held.discard(at)
            if held.vacant:
                del groups[k]


class JobStore:
    """The jobs of one provider in one session.

    `retain_finished` caps how many finished jobs are kept and `retain_seconds` how long (emulated time);
    the oldest finished go first. `prefix_len` adds an index on the first characters of the id, for APIs
    that accept short ids (Bacalhau's `j-1a2b3c4d`).
    """

    def __init__(self, provider: str, *, retain_finished: int | None = None,
                 retain_seconds: float | None = None, prefix_len: int | None = None,
                 groups: Iterable[Group] = ()) -> None:
        self.provider = provider
        self.retain_finished = retain_finished
        self.retain_ns = int(retain_seconds * 1e9) if retain_seconds else None
        self.prefix_len = prefix_len
        self._by_id: dict[str, Job] = {}
        self._order: list[Job] = []       # creation order; evicted jobs are skipped and compacted lazily
        self._seqs: list[int] = []        # parallel to _order, for bisect
        self._next_seq = 1
        self._dead = 0
        self._by_state: dict[str, dict[str, Job]] = {}
        self._finished: deque[Job] = deque()
        # state -> its jobs in creation order, built on first use by a listing of that state, then kept
        self._sorted: dict[str, SeqIndex] = {}
        # hash of an id's first `prefix_len` characters -> the job, or a list when several share it (rare):
        # a million jobs make this index's size matter, and the hash is verified by startswith on lookup
        self._by_prefix: dict[int, Job | list[Job]] = {}
        self._index_keys: dict[str, Callable[[Job], Iterable[Any]]] = {}
        self._indexes: dict[str, dict[Any, list[Job]]] = {}
        self._index_dead: dict[str, dict[Any, int]] = {}
        # groups: jobs by keys that follow their state (running, finished in some state...), each key's jobs
        # ordered by seq or by the group's own order; `_group_at` keeps the order key a member went in with
        self._group_keys: dict[str, Callable[[Job, str], Sequence[Any]]] = {}
        self._group_order: dict[str, Callable[[Job], Any] | None] = {}
        # a `by_state` group's keys of each state met so far (None for a group whose keys read the job)
        self._group_state_keys: dict[str, dict[str, Sequence[Any]] | None] = {}
        # what a move reads of each group, in one tuple (keys, order, keys by state, held, order keys): the
        # regroup's four lookups by name per group were a fifth of its own time (py-spy, SeaTunnel at 100k)
        self._regroups: list[tuple[Callable[[Job, str], Sequence[Any]], Callable[[Job], Any] | None,
                                   dict[str, Sequence[Any]] | None, dict[Any, OrderedJobs], dict[int, Any]]] = []
        self._groups: dict[str, dict[Any, OrderedJobs]] = {}
        self._group_at: dict[str, dict[int, Any]] = {}
        self.created_min: int | None = None  # earliest and latest created_ns of any job ever added
        self.created_max: int | None = None
        for group in groups:  # declared up front (store option `groups`), so no listing pays for a build
            self.add_group(group.name, group.keys, group.order, group.by_state)

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def next_seq(self) -> int:
        """The sequence number the next job added will get (snapshots keep it, so numbering continues)."""
        return self._next_seq

    def continue_from(self, seq: int) -> None:
        """Number later jobs from at least `seq` (after a restore)."""
        self._next_seq = max(self._next_seq, seq)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self._by_id

    def get(self, job_id: str) -> Job | None:
        return self._by_id.get(job_id)

    def add(self, job: Job) -> Job:
        if job.id in self._by_id:
            raise KeyError(job.id)
        job.seq = self._next_seq
        self._next_seq += 1
        self._by_id[job.id] = job
        self._order.append(job)
        self._seqs.append(job.seq)
        self._by_state.setdefault(job.state, {})[job.id] = job
        if self._sorted and job.state in self._sorted:
            self._sorted[job.state].add(job)
        if self.prefix_len:
            h = hash(job.id[: self.prefix_len])
            held = self._by_prefix.get(h)
            if held is None:
                self._by_prefix[h] = job
            elif isinstance(held, list):
                held.append(job)
            else:
                self._by_prefix[h] = [held, job]
        for name, keys in self._index_keys.items():
            idx = self._indexes[name]
            for k in keys(job):
                idx.setdefault(k, []).append(job)
        if self._group_keys:
            self._enter_groups(job, job.state)
        t = job.created_ns
        if self.created_min is None or t < self.created_min:
            self.created_min = t
        if self.created_max is None or t > self.created_max:
            self.created_max = t
        if job.terminal:
            self._finished.append(job)
        return job

    # --- groups: keys that follow a job's state ------------------------------------------------------------
    def add_group(self, name: str, keys: Callable[[Job, str], Sequence[Any]],
                  order: Callable[[Job], Any] | None = None, by_state: bool = False) -> None:
        """Group jobs by `keys(job, state)`, a sequence (re-evaluated on every transition, unlike an index's), so that a
        page of one key's jobs at any offset costs the page: e.g. SeaTunnel's running jobs, or its finished
        jobs of one end state. A key's jobs are in creation order, or ascending `order(job)` (taken when the
        job enters the key and unique per job, e.g. (finished_ns, seq) for the order jobs ended in).
        `by_state`: the keys depend on the state alone, so a move looks them up instead of calling `keys`."""
        if name in self._group_keys:
            return
        self._group_keys[name] = keys
        self._group_order[name] = order
        self._group_state_keys[name] = {} if by_state else None
        self._groups[name] = {}
        self._group_at[name] = {}
        self._regroups.append((keys, order, self._group_state_keys[name], self._groups[name], self._group_at[name]))
        for job in self:
            self._enter(name, job, job.state)

    def has_group(self, name: str) -> bool:
        return name in self._group_keys

    def page_group(self, name: str, key: Any, offset: int, limit: int | None,
                   reverse: bool = False) -> tuple[list[Job], int]:
        """(at most `limit` of group `name`'s `key` jobs from `offset` rows in, how many that key holds)."""
        held = self._groups[name].get(key)
        if held is None:
            return [], 0
        return held.page(offset, limit, reverse), len(held)

    def settle(self) -> None:
        """Apply the group changes waiting for a read (after a clock advance: the next list page then costs
        its own rows, not the advance's million changes)."""
        for groups in self._groups.values():
            for held in groups.values():
                held.settle()

    def group_size(self, name: str, key: Any) -> int:
        held = self._groups[name].get(key)
        return 0 if held is None else len(held)

    def _enter_groups(self, job: Job, state: str) -> None:
        for name in self._group_keys:
            self._enter(name, job, state)

    def _enter(self, name: str, job: Job, state: str) -> None:
        order = self._group_order[name]
        groups = self._groups[name]
        keys = self._group_keys[name](job, state)
        if not keys:
            return
        at = job.seq if order is None else order(job)
        _hold(groups, keys, at, job)
        if order is not None:
            self._group_at[name][job.seq] = at

    def _leave_groups(self, job: Job, state: str) -> None:
        for name, keys in self._group_keys.items():
            groups = self._groups[name]
            at = job.seq if self._group_order[name] is None else self._group_at[name].pop(job.seq, None)
            if at is not None:
                _release(groups, keys(job, state), at)

    def _regroup(self, job: Job, old_state: str) -> None:
        """Move `job` between each group's keys after it left `old_state`. The keys of both states are
        worked out once each, and a group whose keys and order the move keeps is left alone: a clock advance
        over a million jobs spent a third of each transition leaving and re-entering the same places
        (py-spy of python -m bench.engine --advance, SeaTunnel's live group and Instabase's CANCELLING)."""
        state = job.state
        for keys, order, of_state, groups, at_of in self._regroups:
            old_keys: Sequence[Any] | None
            new_keys: Sequence[Any] | None
            if of_state is None:
                old_keys = keys(job, old_state)
                new_keys = keys(job, state)
            else:
                # SeaTunnel's groups: two calls of `keys` per group were a quarter of the regroup (py-spy)
                old_keys = of_state.get(old_state)
                if old_keys is None:
                    old_keys = of_state[old_state] = keys(job, old_state)
                new_keys = of_state.get(state)
                if new_keys is None:
                    new_keys = of_state[state] = keys(job, state)
                if not old_keys and not new_keys:
                    continue  # held by this group neither before nor after
            at: Any
            new_at: Any
            if order is None:
                at = new_at = job.seq
            else:
                at = at_of.get(job.seq)
                new_at = order(job) if new_keys else None
            if old_keys == new_keys and at == new_at:
                continue
            if at is not None:
                _release(groups, old_keys, at)
            if order is not None:
                if new_keys:
                    at_of[job.seq] = new_at
                else:
                    at_of.pop(job.seq, None)
            _hold(groups, new_keys, new_at, job)

    # --- secondary indexes --------------------------------------------------------------------------------
    def add_index(self, name: str, keys: Callable[[Job], Iterable[Any]]) -> None:
        """Index jobs by `keys(job)` (computed once, at add: the keys must not change over a job's life, e.g.
        labels or an instance id), so that a page of one key's jobs costs the page, not a scan."""
        if name in self._index_keys:
            return
        self._index_keys[name] = keys
        idx: dict[Any, list[Job]] = {}
        for job in self:
            for k in keys(job):
                idx.setdefault(k, []).append(job)
        self._indexes[name] = idx
        self._index_dead[name] = {}

    def has_index(self, name: str) -> bool:
        return name in self._index_keys

    def page_at(self, offset: int, limit: int | None, *, index: str | None = None, key: Any = None,
                reverse: bool = False) -> tuple[list[Job], bool]:
        """Jobs `offset` rows deep in creation order (of index `index`'s `key`, or of all jobs), at most
        `limit` of them; returns (jobs, whether more follow). A direct slice while nothing was removed from
        that list, otherwise a walk that skips removed jobs."""
        if index is None:
            lst, dead = self._order, self._dead
        else:
            lst = self._indexes[index].get(key, [])
            dead = self._index_dead[index].get(key, 0)
        if dead == 0:
            n = len(lst)
            if reverse:
                hi = n - offset
                lo = max(0, hi - limit) if limit is not None else 0
                chunk = lst[lo:max(hi, 0)][::-1]
                return chunk, lo > 0
            end = offset + limit if limit is not None else n
            return lst[offset:end], end < n
        live = (j for j in (reversed(lst) if reverse else lst) if not j.evicted)
        out: list[Job] = []
        skipped = 0
        for job in live:
            if skipped < offset:
                skipped += 1
                continue
            if limit is not None and len(out) >= limit:
                return out, True
            out.append(job)
        return out, False

    def restore(self, job: Job) -> None:
        """Put back a job read from a snapshot, keeping its sequence number."""
        seq = job.seq
        self.add(job)
        if self._group_keys:  # add() grouped it under the number it drew
            self._leave_groups(job, job.state)
        job.seq = seq
        self._sorted.clear()  # add() indexed it under the number it drew; rebuilt on next use
        if self._group_keys:
            self._enter_groups(job, job.state)
        self._seqs[-1] = seq
        self._next_seq = max(self._next_seq, seq + 1)

    def regrouped(self, job: Job, change: Callable[[], None]) -> None:
        """Run `change`, which alters what `job`'s group keys read other than its state (Instabase's tags),
        keeping every group true: the job leaves its keys before and enters its new ones after."""
        if self._group_keys:
            self._leave_groups(job, job.state)
        change()
        if self._group_keys:
            self._enter_groups(job, job.state)

    def moved(self, job: Job, old_state: str) -> None:
        """Keep the state index true after `job` left `old_state`."""
        by_state = self._by_state
        bucket = by_state.get(old_state)
        if bucket is not None:
            bucket.pop(job.id, None)
        bucket = by_state.get(job.state)
        if bucket is None:  # (not setdefault: it built an empty dict on every transition)
            bucket = by_state[job.state] = {}
        bucket[job.id] = job
        if self._sorted:
            if old_state in self._sorted:
                self._sorted[old_state].discard(job)
            if job.state in self._sorted:
                self._sorted[job.state].add(job)
        if self._group_keys:
            self._regroup(job, old_state)
        if job.state in job.graph.terminal:  # (job.terminal, without the property's call)
            self._finished.append(job)
            if self.retain_finished is not None:
                self._trim_count()

    def count_in(self, state: str) -> int:
        """How many jobs are in `state` now."""
        return len(self._by_state.get(state, ()))

    def state_index(self, state: str) -> SeqIndex:
        """The jobs in `state` in creation order, kept from now on (the first call sorts that state's jobs)."""
        idx = self._sorted.get(state)
        if idx is None:
            idx = self._sorted[state] = SeqIndex(self._by_state.get(state, {}).values())
        return idx

    def before(self, bound: int) -> Iterator[Job]:
        """Live jobs with sequence number < `bound`, newest first, lazily."""
        order = self._order
        i = bisect_left(self._seqs, bound) - 1
        while i >= 0:
            job = order[i]
            i -= 1
            if not job.evicted:
                yield job

    def count_by_state(self) -> dict[str, int]:
        return {st: len(b) for st, b in self._by_state.items() if b}

    def in_states(self, states: Iterable[str]) -> list[Job]:
        """Jobs currently in any of `states`, in creation order."""
        found: list[Job] = []
        for st in states:
            found.extend(self._by_state.get(st, {}).values())
        found.sort(key=lambda j: j.seq)
        return found

    def with_prefix(self, prefix: str) -> list[Job]:
        """Jobs whose id starts with `prefix` (indexed when `prefix` is at least `prefix_len` long)."""
        if self.prefix_len and len(prefix) >= self.prefix_len:
            held = self._by_prefix.get(hash(prefix[: self.prefix_len]))
            cands = held if isinstance(held, list) else ([held] if held is not None else [])
            return [j for j in cands if j.id.startswith(prefix)]
        return [j for j in self._by_id.values() if j.id.startswith(prefix)]

    def __iter__(self) -> Iterator[Job]:
        """All live jobs in creation order."""
        return (j for j in self._order if not j.evicted)

    def page(self, *, after: int = 0, limit: int | None = None, where: Callable[[Job], bool] | None = None,
             reverse: bool = False) -> tuple[list[Job], int | None]:
        """Jobs in creation order after sequence number `after` (before it when `reverse`; 0 = from the
        start/end), filtered by `where`, at most `limit` of them. Returns (jobs, cursor of the next page or
        None when nothing is left)."""
        order = self._order
        out: list[Job] = []
        if limit is not None and limit <= 0:
            return out, None
        if not reverse:
            i = bisect_right(self._seqs, after) if after else 0
            n = len(order)
            while i < n:
                job = order[i]
                i += 1
                if job.evicted or (where is not None and not where(job)):
                    continue
                if limit is not None and len(out) >= limit:
                    return out, out[-1].seq
                out.append(job)
            return out, None
        i = (bisect_left(self._seqs, after) if after else len(order)) - 1
        while i >= 0:
            job = order[i]
            i -= 1
            if job.evicted or (where is not None and not where(job)):
                continue
            if limit is not None and len(out) >= limit:
                return out, out[-1].seq
            out.append(job)
        return out, None

    def remove(self, job: Job) -> None:
        """Forget `job` (a cancelled Streams job leaving its list, retention, reset of one job)."""
        if self._by_id.pop(job.id, None) is None:
            return
        job.evicted = True
        job.version += 1  # any pending timer is now stale
        self._by_state.get(job.state, {}).pop(job.id, None)
        if self._sorted and job.state in self._sorted:
            self._sorted[job.state].discard(job)
        if self._group_keys:
            self._leave_groups(job, job.state)
        if self.prefix_len:
            h = hash(job.id[: self.prefix_len])
            held = self._by_prefix.get(h)
            if held is job:
                del self._by_prefix[h]
            elif isinstance(held, list) and job in held:
                held.remove(job)
        for name, keys in self._index_keys.items():
            dead, idx = self._index_dead[name], self._indexes[name]
            for k in keys(job):
                dead[k] = dead.get(k, 0) + 1
                lst = idx.get(k)
                if lst is not None and dead[k] * 2 > len(lst):
                    idx[k] = [j for j in lst if not j.evicted]
                    dead[k] = 0
        self._dead += 1
        if self._dead > 1024 and self._dead * 2 > len(self._order):
            self._order = [j for j in self._order if not j.evicted]
            self._seqs = [j.seq for j in self._order]
            self._dead = 0

    def _trim_count(self) -> None:
        if self.retain_finished is None:
            return
        fin = self._finished
        while len(fin) > self.retain_finished:
            job = fin.popleft()
            if job.terminal and not job.evicted:
                self.remove(job)
            elif not fin:
                break

    def expire(self, now_ns: int) -> int:
        """Drop finished jobs older than the retention age; returns how many went."""
        gone = 0
        fin = self._finished
        if self.retain_ns is None:
            # still drop entries of jobs that left a terminal state (retry) so the deque cannot grow forever
            while fin and (fin[0].evicted or not fin[0].terminal):
                fin.popleft()
            return 0
        limit = now_ns - self.retain_ns
        while fin:
            job = fin[0]
            if job.evicted or not job.terminal:
                fin.popleft()
                continue
            if (job.finished_ns or 0) > limit:
                break
            fin.popleft()
            self.remove(job)
            gone += 1
        return gone

    def clear(self) -> None:
        for job in list(self._by_id.values()):
            job.evicted = True
            job.version += 1
        index_keys = self._index_keys
        groups = [Group(name, keys, self._group_order[name], self._group_state_keys[name] is not None)
                  for name, keys in self._group_keys.items()]
        # one constructor for a new and a cleared store (mypy refuses a call of __init__ on an instance)
        self.__init__(self.provider, retain_finished=self.retain_finished,  # type: ignore[misc]
                      retain_seconds=self.retain_ns / 1e9 if self.retain_ns else None,
                      prefix_len=self.prefix_len, groups=groups)
        for name, keys in index_keys.items():
            self.add_index(name, keys)
