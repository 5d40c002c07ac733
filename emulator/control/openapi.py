"""GET /_emulator/openapi/{provider}.json: the OpenAPI 3.1 document of a provider (or `control`), generated
from the running application's route table and schemas/, with this server as its `servers` entry."""

from __future__ import annotations

from ..core.errors import ApiError
from ..kit import Call, Reply, Route

P = "/_emulator"
# The registered media type of OpenAPI documents in JSON (it is still plain JSON to any client).
MEDIA_TYPE = "application/vnd.oai.openapi+json"


async def get_openapi(call: Call) -> Reply:
    """The document of one provider; 404 naming the provider when it is not enabled."""
    from .. import openapi

    app = call.request.app
    key = call.path["provider"]
    enabled = ["control", *app["providers"]]
    if key not in enabled:
        raise ApiError("not_found", f"provider {key!r} is not enabled; documents exist for {', '.join(enabled)}",
                       field="provider")
    doc = openapi.document(key, app=app, base_url=call.base_url())
    return Reply(200, openapi.dumps(doc).encode(), content_type=MEDIA_TYPE)


def routes() -> list[Route]:
    """The OpenAPI routes of the control API."""
    route = Route("GET", f"{P}/openapi/{{provider}}.json", get_openapi, "OpenAPI 3.1 document of a provider",
                  responses={200: "control/openapi.response"}, tags=("control",),
                  path_params={"provider": lambda keys: {"type": "string", "enum": ["control", *keys]}})
    route.media = {200: (MEDIA_TYPE,)}  # type: ignore[attr-defined]  # served as this, the schema is JSON's
    return [route]
