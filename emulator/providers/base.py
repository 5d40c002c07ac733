"""The contract every provider meets: its key, routes, lifecycle graphs, profiles, options and error format.

A provider is a folder under providers/ with (by convention) `routes.py` (the route table and thin
handlers), `model.py` (wire model: job -> JSON), `lifecycle.py` (its graphs and state names) and
`errors.py` (its error renderer). Adding a system means adding a folder and its schemas/, nothing in core/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..core.errors import ApiError
from ..core.lifecycle import Graph, states_of

if TYPE_CHECKING:
    from ..config import Settings
    from ..core.session import Session
    from ..core.store import Job
    from ..routing import Call, Reply, Route


@dataclass(frozen=True)
class Option:
    """A provider setting, given as `--option <provider>.<name>=<value>` or EMULATOR_OPTIONS."""

    name: str
    type: type
    default: Any
    help: str


class Provider:
    """Base class of the five providers. Subclasses set the class attributes and implement the methods."""

    key: str = ""
    title: str = ""
    api_version: str = ""
    default_port: int | None = None
    profiles: ClassVar[dict[str, dict[str, Any]]] = {"default": {}}
    options: tuple[Option, ...] = ()
    # scenario match keys (key -> what it is): the common ones (core.scenarios.COMMON_MATCH_KEYS) where the
    # API has the concept, plus the provider's own; the submit handler reports each as a fact of the job
    match_keys: ClassVar[dict[str, str]] = {}
    store_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.profile_name = settings.profiles.get(self.key, "default")
        if self.profile_name not in self.profiles:
            raise ValueError(f"unknown profile {self.profile_name!r} for {self.key}; "
                             f"choose one of {', '.join(self.profiles)}")
        self.profile: dict[str, Any] = self.profiles[self.profile_name]
        self.opts: dict[str, Any] = {o.name: o.default for o in self.options}
        self.opts.update(settings.options.get(self.key, {}))

    # --- what subclasses provide --------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        raise NotImplementedError

    def graphs(self) -> dict[str, Graph]:
        raise NotImplementedError

    def render_error(self, err: ApiError, call: Call) -> Reply:
        raise NotImplementedError

    def authenticate(self, call: Call) -> None:
        """Check the caller's credentials; raise ApiError('unauthorized') to refuse. Runs before query and
        body parsing, so a client without credentials gets 401 whatever it sent. Default: no auth."""

    def error_schema(self, call: Call) -> str | None:
        """Schema name of this provider's error body (may depend on the profile)."""
        return f"{self.key}/error"

    def documented_states(self) -> tuple[str, ...]:
        """The states a client of this provider can be shown, for coverage: every state reachable in its
        graphs, less the engine-internal ones (a provider whose profile picks among graphs narrows this)."""
        return states_of(self.graphs().values())

    def shown_state(self, job: Job) -> str:
        """The state a response shows for `job` (a provider hiding an internal state maps it here)."""
        return job.state

    # --- shared helpers -----------------------------------------------------------------------------------
    def store(self, session: Session):
        return session.store(self.key)
