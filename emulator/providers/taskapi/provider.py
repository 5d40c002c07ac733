"""The Task API provider class: options (auth, organisations, task catalogue) and profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...core.errors import ApiError
from ...core.lifecycle import Graph
from ...kit import Call, Option, Provider, Reply, Route
from . import errors
from .catalogue import load_catalogue
from .lifecycle import CANCELLING, IN_PROGRESS, JOB

if TYPE_CHECKING:
    from ...core.session import Session
    from ...core.store import Job


class TaskApi(Provider[None, None]):
    """Seequent Evo Compute Task API 0.0.2 (see the package docstring)."""

    key = "taskapi"
    title = "Seequent Evo Compute Task API"
    api_version = "0.0.2"
    default_port = None
    # default: the double-L spellings the official client (evo-compute) validates;
    # "seed": the seed's and doc prose's one-L `canceling`/`canceled`.
    profiles: ClassVar[dict[str, dict[str, Any]]] = {"default": {"one_l": False}, "seed": {"one_l": True}}
    match_keys: ClassVar[dict[str, str]] = {
        "type": "the task as topic/task", "key": "the same as type", "org_id": "the organisation UUID",
        "topic": "the task's topic", "task": "the task's name", "parameters": "the parameters (an object subset)"}
    lifecycle = (JOB,)  # catalogue tasks walk copies of it with their own run time
    job_param = "job_id"
    options = (
        Option("auth", bool, False, "require 'Authorization: Bearer <token>' (401 problem otherwise)"),
        Option("tokens", list, [], "accepted bearer tokens, '|'-separated (empty: any non-empty token)"),
        Option("orgs", list, [], "known organisation UUIDs, '|'-separated (empty: every UUID is an org)"),
        Option("catalogue", object, "", "task catalogue: JSON text or a path to a JSON file, keyed 'topic/task' "
                                     "(parameters JSON Schema, duration, results)"),
        Option("catalogue_only", bool, False, "only catalogue tasks exist; any other topic/task is a 404"),
    )

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.auth = self.opts["auth"]
        self.tokens = frozenset(self.opts["tokens"])
        self.orgs = frozenset(o.lower() for o in self.opts["orgs"])
        self.catalogue = load_catalogue(self.opts["catalogue"])
        self.catalogue_only = self.opts["catalogue_only"]
        self.one_l = bool(self.profile["one_l"])

    def routes(self) -> list[Route]:
        from .routes import routes

        return routes()

    def graphs(self) -> dict[str, Graph]:
        graphs = super().graphs()
        graphs.update({t.graph.name: t.graph for t in self.catalogue.values()})
        return graphs

    def job_name(self, job: Job) -> str:
        from .model import record

        d = record(job)  # a task job has no name of its own: the task it runs, as its path names it
        return f"{d.topic}/{d.task}"

    def search_jobs(self, jobs: list[Job], needle: str) -> list[bool]:
        """Per job, whether its id or name casefolded holds `needle` (casefolded): the listing's search."""
        from ...core.listing import match_ids_and_names
        from .model import record

        return match_ids_and_names(jobs, [f"{d.topic}/{d.task}" for d in map(record, jobs)], needle)

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        return errors.render_error(err, call)

    def on_transition(self, session: Session, job: Job, old: str | None, new: str, t_ns: int,
                      message: str) -> None:
        """Freeze the progress a job had reached when it is cancelled, so `cancelling`/`cancelled` keep
        reporting how far it got (the timer of the state it left is still on the job at this point)."""
        if new != CANCELLING or len(job.history) < 2:
            return
        prev_t, _, prev_state, _ = job.history[-2]
        frac = 0.0
        if prev_state == IN_PROGRESS and job.timer is not None:
            span = job.timer[0] - prev_t
            frac = 1.0 if span <= 0 else min(1.0, max(0.0, (t_ns - prev_t) / span))
        from .model import record  # model imports this package's lifecycle, as this module does

        record(job).progress_at_cancel = min(99, int(frac * 100))

    def authenticate(self, call: Call[Any]) -> None:
        """Raise 401 when auth emulation is on and the request carries no acceptable bearer token."""
        if not self.auth:
            return
        scheme, _, token = (call.headers.get("Authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError("unauthorized", "Missing or malformed bearer token in the Authorization header",
                           field="Authorization")
        if self.tokens and token.strip() not in self.tokens:
            raise ApiError("unauthorized", "The bearer token is not valid", field="Authorization")


TaskApiCall = Call[TaskApi]
