"""The Streams provider class: profiles, options and error rendering."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any, ClassVar

from ...core.errors import ApiError
from ...kit import Call, Option, Provider, Reply, Route
from . import errors
from .lifecycle import JOB
from .state import StreamsState

if TYPE_CHECKING:
    from ...config import Settings
    from ...core.session import Session
    from ...core.store import Job
    from .model import Instance


class Streams(Provider[StreamsState, None]):
    """Teracloud Streams job life cycle REST API (and the IBM Streams 4.x/5.x paths older clients use)."""

    key = "streams"
    title = "Teracloud Streams job life cycle REST API"
    api_version = "Teracloud Streams 7.x (seed); IBM Streams 4.x/5.x paths /streams/rest, /streams/v1"
    default_port = None
    # default: upload answers 200 + JSON (streamsx 2.1 rejects anything else); the root resource document
    # lists no `domains` (Streams 5.x+), so streamsx uploads bundles and submits through REST.
    # legacy: upload answers 201 + Location and the client GETs the bundle (older streamsx / Java clients);
    # the root document lists `domains`, as Streams 4.x does.
    profiles: ClassVar[dict[str, dict[str, Any]]] = {
        "default": {"upload_status": 200, "root_lists_domains": False},
        "legacy": {"upload_status": 201, "root_lists_domains": True},
    }
    lifecycle = (JOB,)
    match_keys: ClassVar[dict[str, str]] = {
        "name": "the job's name (jobConfigurationOverlay jobName, else the application's)",
        "applicationName": "the submitted application's name", "instance": "the instance id",
        "jobGroup": "the job group (default: default)"}
    options = (
        Option("instances", list, [], "instance ids that exist, '|'-separated; empty: any id works"),
        Option("default_instance", str, "inst1", "instance listed by GET .../instances when none is configured"),
        Option("bundle_limit", int, 64 * 1024 * 1024, "bytes of uploaded bundles kept per instance (over: 413)",
               minimum=0),
        Option("token", str, "", "bearer token required on every call; empty: auth off"),
        Option("user", str, "streamsadmin", "the startedBy user of submitted jobs"),
        Option("regions", list, ["TransformedData=2"],
               "parallel regions (name=width, '|'-separated) every job has unless its overlay says otherwise"),
        Option("first_job_id", int, 0, "id of the first job of each instance (Streams counts from 0)", minimum=0),
    )

    job_param = "jobId"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.default_regions = parse_regions(self.opts["regions"])

    def routes(self) -> list[Route]:
        from .routes import routes

        return routes()

    def new_state(self, session: Session) -> StreamsState:
        return StreamsState()

    def state_to_snapshot(self, state: StreamsState) -> dict[str, Instance]:
        return state.instances

    def state_from_snapshot(self, value: dict[str, Instance], session: Session) -> StreamsState:
        return StreamsState(dict(value))

    def job_name(self, job: Job) -> str:
        from .model import job_name

        return job_name(job)

    def search_jobs(self, jobs: list[Job], needle: str) -> list[bool]:
        """Per job, whether its id or name casefolded holds `needle` (casefolded): the listing's search."""
        from ...core.listing import match_ids_and_names
        from .model import job_names

        return match_ids_and_names(jobs, job_names(jobs), needle)

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        return errors.render_error(err, call)

    def authenticate(self, call: Call[Any]) -> None:
        """Bearer-token check when the `token` option is set (401 in Streams' format otherwise)."""
        token = self.opts["token"]
        if not token:
            return
        header = call.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if not header:
            raise ApiError("unauthorized", "The request has no Authorization header; send 'Authorization: Bearer "
                                           "<token>'.", field="Authorization")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise ApiError("unauthorized", "The bearer token in the Authorization header is not valid.",
                           field="Authorization")

    def error_schema(self, call: Call[Any] | None) -> str:
        return "streams/error"


StreamsCall = Call[Streams]


def parse_regions(items: list[str]) -> dict[str, int]:
    """`["TransformedData=2", "Other=1"]` -> {"TransformedData": 2, "Other": 1}; a bad item is a config error."""
    out: dict[str, int] = {}
    for item in items:
        name, _, width = item.partition("=")
        try:
            w = int(width) if width else 1
        except ValueError:
            raise ValueError(f"option streams.regions: width of {name!r} must be an integer, got {width!r}") from None
        if not name or w < 1:
            raise ValueError(f"option streams.regions: expected name=width with width >= 1, got {item!r}")
        out[name.strip()] = w
    return out
