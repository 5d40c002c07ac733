"""The contract every provider meets: its key, routes, lifecycle graphs, profiles, options, error format,
its per-session state, the principal its `authenticate` returns, its one transition hook and how a request
names a job.

A provider is a folder under providers/ with (by convention) `provider.py` (the Provider subclass and its
`Call` alias), `routes.py` (the route table and thin handlers), `state.py` (its per-session state dataclass),
`model.py` (wire model: job -> JSON), `lifecycle.py` (its graphs and state names) and `errors.py` (its error
renderer). Adding a system means adding a folder and its schemas/, nothing in core/.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from ..core.errors import ApiError
from ..core.lifecycle import Graph, states_of

if TYPE_CHECKING:
    from ..config import Settings
    from ..core.session import Session
    from ..core.store import Job, JobStore
    from .call import Call
    from .recipe import Recipe
    from .route import Reply, Route

S = TypeVar("S")
U = TypeVar("U")


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
# `object`: a JSON value or text the provider reads itself (the Task API catalogue: JSON, a path or an object)
TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", object: "json"}


@dataclass(frozen=True)
class Option:
    """A provider setting, given as `--option <provider>.<name>=<value>`, EMULATOR_OPTIONS or the config
    file. Declared once: parsing (`parse`), the CLI help and GET /_emulator/providers all read this."""

    name: str
    type: type
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None

    def parse(self, value: Any) -> Any:
        """`value` (a string from the command line or environment, or a JSON value) as this option's type;
        ValueError with the reason otherwise. Lists are '|'-separated in strings."""
        t = self.type
        if t is object:
            return value
        if t is bool:
            if isinstance(value, bool):
                return value
            low = str(value).strip().lower()
            if low in _TRUE or low in _FALSE:
                return low in _TRUE
            raise ValueError(f"must be true or false, got {value!r}")
        if t is list:
            if isinstance(value, (list, tuple)):
                return [str(v).strip() for v in value if str(v).strip()]
            return [v.strip() for v in str(value).split("|") if v.strip()]
        if t is str:
            if isinstance(value, (dict, list, bool)):
                raise ValueError(f"must be a string, got {value!r}")
            return str(value)
        try:
            if isinstance(value, bool) or (t is int and isinstance(value, float) and not value.is_integer()):
                raise ValueError
            out = t(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be {'an integer' if t is int else 'a number'}, got {value!r}") from None
        if t is float and not math.isfinite(out):
            raise ValueError(f"must be a finite number, got {value!r}")
        if (self.minimum is not None and out < self.minimum) or (self.maximum is not None and out > self.maximum):
            raise ValueError(f"must be from {self.minimum if self.minimum is not None else '-inf'} to "
                             f"{self.maximum if self.maximum is not None else 'inf'}, got {out}")
        return out

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": TYPE_NAMES[self.type], "default": self.default, "help": self.help,
                "minimum": self.minimum, "maximum": self.maximum}


class Provider(Generic[S, U]):
    """Base class of the providers, generic in the provider's per-session state `S` (a small dataclass, or
    None) and the principal `U` its `authenticate` returns (None when it has no notion of a user). Subclasses
    set the class attributes and implement the methods."""

    key: str = ""
    title: str = ""
    api_version: str = ""
    default_port: int | None = None
    profiles: ClassVar[dict[str, dict[str, Any]]] = {"default": {}}
    options: tuple[Option, ...] = ()
    # scenario match keys (key -> what it is): the common ones (core.scenarios.COMMON_MATCH_KEYS) where the
    # API has the concept, plus the provider's own; the submit handler reports each as a fact of the job
    match_keys: ClassVar[dict[str, str]] = {}
    store_options: Mapping[str, Any] = {}  # JobStore settings (a provider may set them per instance)
    # every graph a job of this provider can walk (config checks durations against their states)
    lifecycle: ClassVar[tuple[Graph, ...]] = ()
    # response schema name -> other media types the response is also served as (a `format=` query, say);
    # the OpenAPI document lists them beside application/json
    media: ClassVar[dict[str, tuple[str, ...]]] = {}
    # the folder holding this provider's JSON Schemas (`<key>/<stem>` -> `<folder>/<stem>.json`); None: the
    # package's schemas/<key>/ (a provider defined outside the package brings its own)
    schema_folder: ClassVar[Path | None] = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.profile_name = settings.profiles.get(self.key, "default")
        if self.profile_name not in self.profiles:
            raise ValueError(f"unknown profile {self.profile_name!r} for {self.key}; "
                             f"choose one of {', '.join(self.profiles)}")
        self.profile: dict[str, Any] = self.profiles[self.profile_name]
        self.opts: dict[str, Any] = parse_options(type(self), settings.options.get(self.key, {}))

    # --- what subclasses provide --------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        raise NotImplementedError

    def graphs(self) -> dict[str, Graph]:
        """The graphs by name (default: the declared `lifecycle`)."""
        return {g.name: g for g in self.lifecycle}

    @classmethod
    def states(cls) -> list[str]:
        """Every state of the declared graphs, first-seen order."""
        out: list[str] = []
        for g in cls.lifecycle:
            out += [s for s in g.states if s not in out]
        return out

    @classmethod
    def resolve_state(cls, name: str) -> str | None:
        """The state `name` means in any declared graph (case, aliases), or None."""
        for g in cls.lifecycle:
            st = g.resolve_state(name)
            if st is not None:
                return st
        return None

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        raise NotImplementedError

    def authenticate(self, call: Call[Any]) -> U:
        """Check the caller's credentials and return the principal (`call.user` then); raise
        ApiError('unauthorized') to refuse. Runs before query and body parsing, so a client without
        credentials gets 401 whatever it sent. Default: no auth, no principal."""
        return cast(U, None)

    @classmethod
    def sandbox_recipe(cls) -> Recipe | None:
        """The requests `job-emulator fixtures` makes this provider's examples and sandbox from: the `RECIPE`
        of the `sandbox` module in the provider's own package, or None (no fixtures) when it has none."""
        package = cls.__module__.rpartition(".")[0]
        try:
            module = importlib.import_module(f"{package}.sandbox")
        except ModuleNotFoundError as exc:
            if exc.name == f"{package}.sandbox":
                return None
            raise
        return cast("Recipe | None", getattr(module, "RECIPE", None))

    # --- per-session state (created, reset and snapshotted by the engine) ----------------------------------
    def new_state(self, session: Session) -> S:
        """This provider's state for a new `session` (uploaded bundles, counters, indexes the store does not
        keep); the engine calls it on the session's first use of it. Default: no state."""
        return cast(S, None)

    def state_of(self, session: Session) -> S:
        """`session`'s state of this provider (`call.state` in a handler)."""
        return cast(S, session.state(self.key))

    def state_to_snapshot(self, state: S) -> Any:
        """`state` as a snapshot keeps it: a value the snapshot codec encodes (JSON values, bytes, sets,
        dataclasses). Default: the state itself."""
        return state

    def state_from_snapshot(self, value: Any, session: Session) -> S:
        """The inverse of `state_to_snapshot`, once `session`'s jobs are restored (it may refer to them)."""
        return cast(S, value)

    # The one transition hook: `on_transition(session, job, old, new, t_ns, message)`, called by the engine
    # after each move of one of this provider's jobs (old is None at submit), or None. It records what the
    # system records on entry (a savepoint path, a finished index); it must not schedule anything itself.
    on_transition: Callable[[Session, Job, str | None, str, int, str], None] | None = None

    def job_id_of(self, call: Call[Any]) -> str | None:
        """The id of the job a request is about, for the journal and the log: the one the handler resolved
        (`call.job_id`), else the path parameter named `job_param`. A provider whose requests name jobs
        elsewhere (a query parameter, the body) says so by overriding this."""
        if call.job_id:
            return call.job_id
        return call.path.get(self.job_param) if self.job_param else None

    # the path parameter that names a job in this provider's routes (None: none does)
    job_param: ClassVar[str | None] = None

    def document_schema(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """Schema `name` as the OpenAPI document publishes it (a copy the caller may keep). A provider whose
        handlers refuse what the file cannot know (this deployment's plugin names) narrows it here, so the
        document says exactly what is taken. Default: the file as it is."""
        return schema

    def error_schema(self, call: Call[Any] | None) -> str | None:
        """Schema name of this provider's error body (may depend on the profile)."""
        return f"{self.key}/error"

    def documented_states(self) -> tuple[str, ...]:
        """The states a client of this provider can be shown, for coverage: every state reachable in its
        graphs, less the engine-internal ones (a provider whose profile picks among graphs narrows this)."""
        return states_of(self.graphs().values())

    def shown_state(self, job: Job) -> str:
        """The state a response shows for `job` (a provider hiding an internal state maps it here)."""
        return job.state

    def job_name(self, job: Job) -> str | None:
        """The job's name as its API shows it, for the cross-provider listing and its search (None: the API
        names no jobs). Called for many jobs per listing: read what the job keeps, do not build its wire view."""
        return None

    def search_jobs(self, jobs: list[Job], needle: str) -> list[bool]:
        """Per job, whether the casefolded `needle` is in its id or its `job_name` (the listing's search). A
        provider whose names take work to read may answer for many jobs at once, with the same answers."""
        from ..core.listing import match_ids_and_names

        return match_ids_and_names(jobs, [self.job_name(j) or "" for j in jobs], needle)

    # --- shared helpers -----------------------------------------------------------------------------------
    def store(self, session: Session) -> JobStore:
        """`session`'s jobs of this provider."""
        return session.store(self.key)


def parse_options(cls: type[Provider[Any, Any]], given: dict[str, Any]) -> dict[str, Any]:
    """Every option of provider `cls`: the declared default, or `given`'s value parsed to the declared type.
    ValueError naming `--option <key>.<name>` and the valid choices for an unknown option or a bad value."""
    declared = {o.name: o for o in cls.options}
    out = {o.name: o.default for o in cls.options}
    for name, value in given.items():
        opt = declared.get(name)
        if opt is None:
            valid = ", ".join(declared) if declared else "none (it has no options)"
            raise ValueError(f"--option {cls.key}.{name}: unknown option; {cls.key} options: {valid}")
        try:
            out[name] = opt.parse(value)
        except ValueError as exc:
            raise ValueError(f"--option {cls.key}.{name}: {exc}") from None
    return out
