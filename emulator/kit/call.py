"""The call context a handler receives: the request, the session, and the provider's own objects with their
real types. `Call[P]` is generic in its provider, so a handler of provider P reads `call.provider` as a P,
`call.state` as P's per-session state dataclass and `call.user` as the principal P's `authenticate`
returned; each provider names its alias once (`SeaTunnelCall = Call[SeaTunnelProvider]`)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiohttp import web

from ..core.fates import OUTCOME_HEADER, LifecycleInput
from ..core.lifecycle import Graph
from ..core.session import Session
from ..core.store import Job, JobStore

if TYPE_CHECKING:
    from .provider import Provider
    from .route import Route

S = TypeVar("S")
U = TypeVar("U")
# covariant: a Call[SeaTunnelProvider] is a Call[Provider[ClusterState, None]], which is how `state` and `user`
# below learn the provider's state and principal types from P alone
P = TypeVar("P", bound="Provider[Any, Any] | None", covariant=True)


class Call(Generic[P]):
    """Everything a handler needs about one request. The control API's calls have no provider (P is None)."""

    __slots__ = ("_user", "args", "body", "job_id", "path", "provider", "raw", "read", "request", "route",
                 "session", "shown", "started")

    def __init__(self, request: web.Request, session: Session, provider: P, route: Route) -> None:
        self.request = request
        self.session = session
        self.provider = provider
        self.route = route
        self.path = request.match_info
        self.args: dict[str, Any] = {}
        self.body: Any = None
        self.raw: bytes = b""
        self.job_id: str | None = None
        # the job the route's `reads` found (set by the pipeline before the handler runs): a handler of a
        # status read takes it instead of resolving its job a second time (the resolution was up to 11 % of
        # a Streams status poll, cProfile in-process); None when the route reads none or it was not found
        self.read: Job | None = None
        self.shown: list[Job] | list[tuple[Job, str]] | None = None
        self.started = time.perf_counter_ns()  # (integer: the journal's milliseconds without round())
        self._user: Any = None

    @property
    def headers(self) -> Any:
        """The request's headers (case-insensitive)."""
        return self.request.headers

    @property
    def now_ns(self) -> int:
        """The session clock's now."""
        return self.session.clock.now_ns()

    @property
    def store(self: Call[Provider[Any, Any]]) -> JobStore:
        """This provider's jobs in this session."""
        return self.session.store(self.provider.key)

    @property
    def state(self: Call[Provider[S, Any]]) -> S:
        """This provider's per-session state (its `new_state`, created by the engine on first use)."""
        return self.provider.state_of(self.session)

    @property
    def user(self: Call[Provider[Any, U]]) -> U:
        """The principal the provider's `authenticate` returned for this request."""
        return self._user  # type: ignore[no-any-return]  # set by the pipeline from that very method

    def authenticated(self, user: object) -> None:
        """Record the principal (the pipeline calls this with `authenticate`'s answer)."""
        self._user = user

    def base_url(self) -> str:
        """Scheme and host exactly as the client called them (never rewritten to localhost); X-Forwarded-Host
        and -Proto only under --trust-forwarded."""
        req = self.request
        host, scheme = req.host, req.scheme
        # forwarded headers only behind a proxy the user runs: otherwise any client could point links elsewhere
        # (a provider's call reads its provider's settings, the app's own; looking them up in the app cost a
        # Streams poll 1,500 instructions of 320,000, callgrind)
        settings = self.provider.settings if self.provider is not None else req.app.get("settings")
        if getattr(settings, "trust_forwarded", False):
            host = req.headers.get("X-Forwarded-Host") or host
            scheme = req.headers.get("X-Forwarded-Proto") or scheme
        prefix = req.match_info.get("_session")
        base = f"{scheme}://{host}"
        return f"{base}/_session/{prefix}" if prefix else base

    def lifecycle(self: Call[Provider[Any, Any]], graph: Graph, facts: dict[str, Any],
                  body: Any = None) -> LifecycleInput:
        """The lifecycle input the engine decides, once, for the job of `graph` this submit creates: its fate
        (the outcome header, else the first fitting scenario rule) and its configured durations. `facts` are
        the provider's match keys for the job; rule body paths are read from `body` (default: the parsed
        request body). Give it to `submit`."""
        provider = self.provider
        app = self.request.app
        settings = app.get("settings")  # (absent in the engine benchmarks' bare calls)
        if settings is not None and settings.check_responses and set(facts) != set(provider.match_keys):
            app["contract_violations"].append(f"{provider.key} submit: facts {sorted(facts)} are not its match "
                                              f"keys {sorted(provider.match_keys)}")
        return self.session.decide(provider.key, graph, self.request.headers.get(OUTCOME_HEADER),
                                   self.body if body is None else body, facts)

    def submit(self, lifecycle: LifecycleInput, job_id: str, spec: Any, *, data: Any = None,
               initial: str | None = None) -> Job:
        """Create the job `lifecycle` was decided for (`spec`: what the client sent; `data`: the provider's
        own record) and arm its first timer."""
        return self.session.launch(lifecycle, job_id, spec, data=data, initial=initial)
