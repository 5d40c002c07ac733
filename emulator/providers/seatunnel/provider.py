"""The SeaTunnel provider class: key, version profiles, options, graphs and the error renderer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...core.errors import ApiError
from ...core.journal import REDACTED, is_secret_field, register_text_redactor
from ...core.validation import anycase_pattern
from ...kit import Call, Option, Provider
from . import errors, hocon, listing, plugins
from .auth import check_auth
from .lifecycle import GRAPHS
from .state import ClusterState

if TYPE_CHECKING:
    from ...config import Settings
    from ...core.session import Session
    from ...core.store import Job
    from ...kit import Reply, Route

# Switches where the seed and the real engine disagree (docs/providers/seatunnel.md lists them with their sources).
_SEED = {
    "force_immediate": True,         # seed: `force: true` cancels at once (engine: ignored, always CANCELING)
    "savepoint_path": True,          # seed: job-info of a SAVEPOINT_DONE job reports `savepointPath`
    "env_job_id": True,              # seed: restart via env."job.id"; restore via env restore.mode/savepoint.path
    "duplicate_live": "error",       # seed: "Job already exists with same job.id" (engine: silent 200)
    "resubmit_finished": "restore",  # seed: same id again restores its checkpoint (engine: 500 JobException)
    "page_envelope": True,           # seed's ?page=&rows= -> {"data": [...], "total": N} (newer engines)
    "error_prefix": False,           # plain messages, as the 2.3.9 engine and the REST v1 e2e tests show
    "hocon": True,                   # format=hocon accepted (the MCP client sends HOCON by default)
    "config_error_status": 400,      # seed: "Submit returns 400 Bad Request" for missing fields
    "pending_jobs": True,            # overview has pendingJobs (newer engines)
    "project_version": "2.3.10",
}
_ENGINE = {**_SEED, "force_immediate": False, "savepoint_path": False, "env_job_id": False, "duplicate_live": "ok",
           "resubmit_finished": "error", "page_envelope": False, "hocon": False, "config_error_status": 500,
           "pending_jobs": False, "project_version": "2.3.9-SNAPSHOT"}
_NEWER = {**_ENGINE, "page_envelope": True, "error_prefix": True, "hocon": True, "pending_jobs": True,
          "project_version": "2.3.10"}



# HOCON job configs carry connector passwords and keys: the journal shows them redacted, as parsed HOCON
register_text_redactor("seatunnel", lambda text: hocon.redacted(text, is_secret_field, REDACTED))


class SeaTunnelProvider(Provider[ClusterState, None]):
    """Apache SeaTunnel (Zeta engine) REST API v2."""

    key = "seatunnel"
    title = "Apache SeaTunnel engine REST API v2"
    api_version = "v2"
    default_port = 8080
    profiles: ClassVar[dict[str, dict[str, Any]]] = {"default": _SEED, "engine-2.3.9": _ENGINE, "engine-newer": _NEWER}
    lifecycle = tuple(GRAPHS.values())
    # the logs answer HTML (the default) or text besides JSON, chosen by `format=`
    media: ClassVar[dict[str, tuple[str, ...]]] = {"seatunnel/logs.response": ("text/html", "text/plain")}
    match_keys: ClassVar[dict[str, str]] = {
        "name": "the job name (jobName parameter, else env.job.name)", "jobName": "the same as name",
        "type": "env.job.mode: BATCH or STREAMING", "jobMode": "the same as type",
        "jobId": "the jobId parameter (a string; absent when the engine assigns one)",
        "source": "the plugin names of the sources (a list; match one or several)"}
    options = (
        Option("basic_auth", bool, False, "require HTTP Basic auth (the engine's enable-basic-auth)"),
        Option("basic_auth_username", str, "admin", "Basic auth user (basic-auth-username)"),
        Option("basic_auth_password", str, "admin", "Basic auth password (basic-auth-password)"),
        Option("history_job_expire_minutes", float, 1440.0,
               "emulated minutes a finished job stays queryable (history-job-expire-minutes)"),
        Option("rows_per_second", float, 100.0, "rows each job reads per emulated second"),
        Option("default_rows", int, 1000, "rows a bounded non-FakeSource source yields in a BATCH job"),
        Option("checkpoint_interval_ms", int, 10000, "checkpoint interval when env.checkpoint.interval is absent"),
        Option("id_epoch_start_ms", int, 1_609_459_200_000,
               "flake-id epoch start (Hazelcast's epoch-start; 1514764800000 is Hazelcast's default, which gives "
               "19-digit ids after mid-2025; the default keeps the seed's 18 digits until 2028)"),
        Option("extra_plugins", str, "",
               "plugin_name values accepted besides the shipped connectors and transforms, '|'-separated"),
        Option("worker_tags", str, "", "tags of the emulated worker, e.g. group=platform|zone=a (overview filter)"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        minutes = self.opts["history_job_expire_minutes"]
        extra = [n.strip() for n in str(self.opts["extra_plugins"] or "").split("|") if n.strip()]
        self.known_plugins = plugins.catalogue(extra)
        # the engine's history-job-expire-minutes, unless the global --retain-seconds says otherwise
        self.store_options = {"groups": listing.GROUPS}
        if settings.retain_seconds is None:
            self.store_options["retain_seconds"] = minutes * 60

    def new_state(self, session: Session) -> ClusterState:
        return ClusterState(session, int(self.opts["id_epoch_start_ms"]))

    def on_transition(self, session: Session, job: Job, old: str | None, new: str, t_ns: int,
                      message: str) -> None:
        """The cluster state keeps its checkpoint storage from every transition."""
        self.state_of(session).on_transition(job, old, new, t_ns, message)

    def job_id_of(self, call: Call[Any]) -> str | None:
        """The job a request names: the handler's, else the path's or query's `jobId`, else (stop-job) the
        body's."""
        if call.job_id:
            return call.job_id
        found = call.path.get("jobId") or call.request.query.get("jobId")
        if found is None and isinstance(call.body, dict):
            found = call.body.get("jobId")
        return None if found is None else str(found)

    def authenticate(self, call: Call[Any]) -> None:
        """Basic auth as the engine's BasicAuthFilter does it, when enabled (option basic_auth). Imported once
        at the top: an import on every request was 3.6% of a status poll (py-spy, wrk -c64 on /job-info)."""
        check_auth(call)

    def flag(self, name: str) -> bool:
        """A boolean option (parsed once by its declaration)."""
        return bool(self.opts[name])

    def worker_tags(self) -> dict[str, str]:
        """The worker's tags from option worker_tags (`k=v|k2=v2`)."""
        out = {}
        for item in str(self.opts["worker_tags"] or "").split("|"):
            if "=" in item:
                k, v = item.split("=", 1)
                out[k.strip()] = v.strip()
        return out

    def document_schema(self, name: str, schema: dict) -> dict:
        """The job config's plugin_name in each section is one of this deployment's plugins (any case, as the
        engine finds them; the catalogue plus option extra_plugins)."""
        if name != "seatunnel/job-config.request":
            return schema
        for kind, known in self.known_plugins.items():
            section = schema["properties"][kind]
            names = {"pattern": anycase_pattern(sorted(known.values()), padded=True)}
            section["items"] = {"allOf": [section["items"], {"properties": {"plugin_name": names}}]}
        return schema

    def routes(self) -> list[Route]:
        from .routes import routes

        return routes(paged=self.profile["page_envelope"])

    def job_name(self, job: Job) -> str:
        return job.data.name  # the jobName parameter, else env.job.name, else SeaTunnel's default

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        return errors.render_error(err, call, prefix=self.profile["error_prefix"])

    def error_schema(self, call: Call[Any] | None) -> str | None:
        return "seatunnel/error"

    def describe(self) -> dict[str, Any]:
        return {"key": self.key, "profile": self.profile_name}


SeaTunnelCall = Call[SeaTunnelProvider]
