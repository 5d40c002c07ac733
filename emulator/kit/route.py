"""What a provider declares about each endpoint: the `Route` (method, path, handler, schemas), its query
`Param`s and the `Reply` a handler returns. The request pipeline (emulator.pipeline) reads these; a provider
never sees the pipeline itself."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..core.errors import ApiError
from ..core.store import Job
from .params import Param

if TYPE_CHECKING:
    from .call import Call


@dataclass
class Route:
    """One endpoint: method, path (aiohttp syntax), handler, and what it takes and gives.

    `body` is the request schema name (`provider/name`), `body_format` how to read the body (`json`, `raw`
    bytes, or a provider-specific `parse(call, raw)` callable, which answers None for an empty body),
    `body_limit` the setting that bounds its size; `responses` maps status -> response schema name (None:
    empty body). `path_params` gives the JSON Schema of a path parameter whose handler takes less than any
    segment without control characters (validation.PATH_TEXT), or a function of the enabled provider keys
    giving it. `reads` marks a read of one job's state: it
    finds that job (None when there is none) so coverage counts the state the response shows and the step
    clock can move first; handlers of lists and histories name what they showed in `call.shown` instead.
    `links` names the operations a success response leads to (OpenAPI links): name -> (`METHOD /path` of a
    route of the same table, {path parameter or `requestBody`: runtime expression such as
    `$response.body#/jobId`})."""

    method: str
    path: str
    handler: Callable[[Call[Any]], Awaitable[Reply]]
    summary: str = ""
    body: str | None = None
    body_format: Any = "json"
    body_required: bool = True
    body_limit: str = "max_body"
    query: tuple[Param, ...] = ()
    responses: Mapping[int, str | None] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    reads: Callable[[Call[Any]], Job | None] | None = None
    path_params: Mapping[str, dict[str, Any] | Callable[[list[str]], dict[str, Any]]] = field(default_factory=dict)
    links: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Reply:
    """What a handler returns: a status, a JSON-able body (or bytes, or None) and headers.

    `websocket` (status 101): a factory of the async iterator of text messages to send once the connection is
    upgraded; the connection closes normally when the iterator ends, and the iterator is closed early if the
    client goes away.

    `stream` (the event stream): instead of a body, `stream(request, headers)` prepares and writes the response
    itself, with the session headers every answer carries."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] | None = None
    content_type: str = "application/json"
    websocket: Callable[[], AsyncGenerator[str, None]] | None = None
    stream: Callable[[web.Request, dict[str, str]], Awaitable[web.StreamResponse]] | None = None



def finder(resolve: Callable[[Call[Any]], Job | None]) -> Callable[[Call[Any]], Job | None]:
    """A `Route.reads` from a provider's own job resolver: the job, or None where the resolver refuses
    (the handler then answers the refusal itself)."""
    def find(call: Call[Any]) -> Job | None:
        try:
            return resolve(call)
        except (ApiError, KeyError, ValueError):
            return None
    return find
