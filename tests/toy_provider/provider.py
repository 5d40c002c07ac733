"""The toy provider class: its key, graph, match keys, error format, per-session state and where its
schemas live (this folder, not the package's schemas/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from emulator.core.errors import ApiError
from emulator.kit import Call, Provider, Reply, Route

from .lifecycle import JOB
from .state import ToyState


class ToyProvider(Provider[ToyState, None]):
    """Toy Jobs API v1 (see the package docstring)."""

    key = "toy"
    title = "Toy Jobs API"
    api_version = "1"
    lifecycle = (JOB,)
    match_keys: ClassVar[dict[str, str]] = {"name": "the job's name"}
    job_param = "job_id"
    schema_folder: ClassVar[Path | None] = Path(__file__).parent / "schemas"

    def routes(self) -> list[Route]:
        from .routes import routes

        return routes()

    def new_state(self, session: Any) -> ToyState:
        return ToyState()

    def render_error(self, err: ApiError, call: Call[Any]) -> Reply:
        return Reply(err.status, {"error": {"kind": err.kind, "message": err.message, "field": err.field}})


ToyCall = Call[ToyProvider]
