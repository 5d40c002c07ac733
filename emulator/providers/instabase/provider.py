"""The Instabase provider class: options, graphs, routes and error format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...core.errors import ApiError
from ...kit import Call, Option, Provider
from . import listing
from .auth import Auth, User
from .errors import render_error
from .lifecycle import GRAPHS, PAUSED, TERMINAL, wire_state

if TYPE_CHECKING:
    from ...config import Settings
    from ...core.store import Job
    from ...kit import Reply, Route


class InstabaseProvider(Provider[None, User]):
    """Instabase Job API v1: flow jobs started by run_binary_async and driven through /api/v1/jobs/*."""

    key = "instabase"
    title = "Instabase Job API"
    api_version = "v1"
    profiles: ClassVar[dict[str, dict[str, Any]]] = {"default": {}}
    store_options: Mapping[str, Any] = {"groups": listing.GROUPS}
    lifecycle = tuple(GRAPHS.values())
    match_keys: ClassVar[dict[str, str]] = {
        "labels": "the job's tags (a list; match one or several)", "tags": "the same as labels",
        "binary_path": "the flow binary's path", "input_dir": "the input folder", "priority": "the priority (0-9)",
        "username": "the user who started the job"}
    options = (
        Option("tokens", str, "", "token=user pairs separated by |; when set, other tokens get 401"),
        Option("admins", str, "", "users (| separated) whose bulk actions and user filter reach every job"),
        Option("default_user", str, "jaydoe", "user of requests without a token (open mode only)"),
        Option("paused_is_done", bool, True,
               "jobs/status reports a PAUSED job as state DONE with results, as the seed lists PAUSED among "
               "terminal states; false reports PENDING"),
        Option("log_page_size", int, 50, "log records per get_logs page", minimum=1),
        Option("retry_keeps_outcome", bool, False, "a retried job meets its scripted outcome again"),
        Option("default_priority", int, 5, "priority of a job submitted without one (0-9)", minimum=0, maximum=9),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        o = self.opts
        self.auth = Auth(o["tokens"], o["admins"], str(o["default_user"]))
        self.done_states = frozenset(TERMINAL | {PAUSED}) if o["paused_is_done"] else frozenset(TERMINAL)
        self.log_page_size = o["log_page_size"]
        self.retry_keeps_outcome = o["retry_keeps_outcome"]
        self.default_priority = o["default_priority"]

    def authenticate(self, call: Call[Any]) -> User:
        """The caller (`call.user`); closed mode (option tokens): a missing or unknown bearer token is a 401
        in Instabase's envelope, before the body is read."""
        return self.auth.user(call.headers)

    def job_id_of(self, call: Call[Any]) -> str | None:
        """The job a request names: the handler's, else the `job_id` query parameter or form field."""
        if call.job_id:
            return call.job_id
        found = call.request.query.get("job_id")
        if found is None and isinstance(call.body, dict):
            found = call.body.get("job_id")
        return None if found is None else str(found)

    def routes(self) -> list[Route]:
        from .routes import build

        return build()

    def shown_state(self, job: Job) -> str:
        return wire_state(job)

    def job_name(self, job: Job) -> str:
        # a flow job has no name of its own: its flow binary's file name is how Instabase's logs call it
        return job.spec["binary_path"].rstrip("/").rsplit("/", 1)[-1]

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        return render_error(err, call)


InstabaseCall = Call[InstabaseProvider]
