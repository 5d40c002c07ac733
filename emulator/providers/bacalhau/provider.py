"""The Bacalhau provider class: profiles, options and error rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...core.errors import ApiError
from ...core.lifecycle import states_of
from ...kit import Call, Provider, Reply, Route
from . import errors
from .lifecycle import GRAPHS, graph_for
from .state import BacalhauState

if TYPE_CHECKING:
    from ...core.session import Session
    from ...core.store import Job


class Bacalhau(Provider[BacalhauState, None]):
    key = "bacalhau"
    title = "Bacalhau orchestrator Jobs API"
    api_version = "v1 (seed: docs of v1.1-v1.3; profiles v1.4, v1.5)"
    default_port = 1234
    # A profile is a set of small switches; the default follows the seed's documented shapes.
    # The seed's era (v1.1): a job list page's NextToken is always "" (its full page of 3 shows ""), a job needs
    # a Name, and an execution's empty published result (the noop publisher) is listed by /results.
    # v1.4+: list pages carry a token, Name defaults to the ID, /results skips empty results, history events
    # carry `Event`.
    _SEED_ERA: ClassVar[dict[str, Any]] = {"list_token": False, "name_required": True, "empty_results": True,
                                           "history_event": False}
    _MODERN: ClassVar[dict[str, Any]] = {"list_token": True, "name_required": False, "empty_results": False,
                                         "history_event": True}
    profiles: ClassVar[dict[str, dict[str, Any]]] = {
        "default": {"list_key": None, "queued": False, "token": "offset", "errors": "echo", "release": "v1.1",
                    **_SEED_ERA},
        "v1.4": {"list_key": "Items", "queued": True, "token": "base64", "errors": "echo", "release": "v1.4",
                 **_MODERN},
        "v1.5": {"list_key": "Items", "queued": True, "token": "base64", "errors": "apierror", "release": "v1.5",
                 **_MODERN},
    }
    match_keys: ClassVar[dict[str, str]] = {
        "name": "Job.Name", "labels": "Job.Labels (a key/value subset)", "type": "Job.Type (batch, ops, daemon, "
        "service)", "namespace": "Job.Namespace"}
    lifecycle = tuple(GRAPHS.values())
    # short ids are found through an index on "j-" + 4 hex digits: 65,536 buckets, shared by many jobs at scale
    store_options: Mapping[str, Any] = {"prefix_len": 6}
    job_param = "id"

    def routes(self) -> list[Route]:
        from .routes import routes

        return routes()

    def new_state(self, session: Session) -> BacalhauState:
        return BacalhauState()

    def state_to_snapshot(self, state: BacalhauState) -> dict[str, object]:
        return state.to_snapshot()

    def state_from_snapshot(self, value: dict[str, Any], session: Session) -> BacalhauState:
        return BacalhauState(list(value.get("nodes") or []), value.get("requester"))

    def on_transition(self, session: Session, job: Job, old: str | None, new: str, t_ns: int,
                      message: str) -> None:
        """Wake the log streams following this job."""
        state: BacalhauState = session.state(self.key)
        if state.watchers:
            state.moved(job.id)

    def documented_states(self) -> tuple[str, ...]:
        """The states of the graphs this profile's jobs walk (Queued only from v1.4)."""
        queued = self.profile["queued"]
        return states_of([graph_for("batch", queued), graph_for("service", queued)])

    def document_schema(self, name: str, schema: dict) -> dict:
        """The submit body as the handler takes it (job type, tasks, engine, a name where the profile needs one)."""
        if name != "bacalhau/job-submit.request":
            return schema
        from .routes import submit_contract

        return submit_contract(schema, self.profile["name_required"])

    def job_name(self, job: Job) -> str:
        from .model import name_of

        return name_of(job)

    def search_jobs(self, jobs: list[Job], needle: str) -> list[bool]:
        """Per job, whether its id or name casefolded holds `needle` (casefolded): the listing's search."""
        from .model import search_jobs

        return search_jobs(jobs, needle)

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        return errors.render_error(err, call, modern=self.profile["errors"] == "apierror")

    def error_schema(self, call: Call[Any] | None) -> str:
        return "bacalhau/apierror" if self.profile["errors"] == "apierror" else "bacalhau/error"

    def list_key(self, legacy: str) -> str:
        """`Jobs`/`History`/`Executions`/`Results` in the seed's shape, `Items` from v1.4."""
        return self.profile["list_key"] or legacy


BacalhauCall = Call[Bacalhau]
