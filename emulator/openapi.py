"""OpenAPI 3.1 documents generated from the route table and schemas/: one per provider (and one for the
control API), so the published contract can never drift from what the server serves and checks.

What goes in:
- every route of the provider (method, path, summary, tags, query parameters with their types, choices,
  minimums and defaults, path parameters), its request body (the JSON Schema the server validates against,
  or raw bytes for upload routes) and every declared response with its schema;
- error responses: `4XX` and `5XX` carry the provider's own error schema (`provider.error_schema`), since any
  route can answer a client mistake, and an injected fault or a documented engine error can answer 5xx;
- every JSON Schema file of the provider under `components/schemas`, with `$ref`s between files rewritten to
  component references (the files stay the one source of truth; nothing here is hand-written).

What stays out: the `/_session/{key}` path prefix and the `X-Emulator-*` headers are emulator conveniences,
described in `info.description` and offered as reusable `components/parameters`, not added to each
operation (a generated client should look like the real system's).
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .core.validation import FALSE_TEXT, PATH_TEXT, TRUE_TEXT, anycase_pattern, load_schema, ref_name, schema_folder

if TYPE_CHECKING:
    from aiohttp import web

    from .kit import Param, Provider, Route

OPENAPI_VERSION = "3.1.0"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_PATH_PARAM = re.compile(r"\{([^{}:]+)(?::[^{}]*)?\}")
_COMPONENT_OK = re.compile(r"[^A-Za-z0-9._-]")
# Schemas the emulator's own routes need but schemas/ does not (yet) hold; used only when the file is absent.
_INLINE = {
    "control/openapi.response": {
        "title": "OpenAPI 3.1 document", "type": "object", "required": ["openapi", "info", "paths"],
        "properties": {"openapi": {"type": "string"}, "info": {"type": "object"}, "paths": {"type": "object"}},
    },
}


# --- entry points -------------------------------------------------------------------------------------------
def document(provider: str, *, app: web.Application | None = None, base_url: str | None = None) -> dict:
    """The OpenAPI 3.1 document of `provider` (a provider key, or `control` for the emulator's own API).

    With `app`, the routes and profile are those the running application serves; without it, the provider
    is built from the environment's settings (EMULATOR_PROFILES, EMULATOR_OPTIONS apply) as `serve` would."""
    if app is None:
        app_routes, prov, settings = _standalone(provider)
        served = _served_providers(settings) if provider == "control" else {}
    else:
        if provider != "control" and provider not in app["providers"]:
            raise KeyError(provider)
        app_routes = [r for key, r in app["route_table"] if key == provider]
        prov = app["providers"].get(provider)
        settings = app["settings"]
        served = app["providers"]
    enabled = list(app["providers"]) if app is not None else list(settings.providers)
    return build(provider, app_routes, prov, servers=_servers(provider, prov, settings, base_url), enabled=enabled,
                 providers=served)


def build(key: str, routes: Iterable[Route], provider: Provider | None,
          servers: list[dict] | None = None, enabled: list[str] | None = None,
          providers: dict[str, Provider] | None = None) -> dict:
    """Assemble the document for `routes` of provider `key` (`provider` None for the control API);
    `enabled`: the provider keys served, for path parameters whose schema depends on them; `providers`:
    the served providers, for query parameters whose choices depend on them (Param.choices_of)."""
    routes = list(routes)
    error_schema = _error_schema(key, provider)
    used: set[str] = set()
    paths: dict[str, dict] = {}
    op_ids: set[str] = set()
    ops: dict[str, dict] = {}  # "METHOD /aiohttp/path" -> operation, for links
    for route in routes:
        oa_path, path_names = _oa_path(route.path)
        op = _operation(route, key, path_names, error_schema, used, enabled or [], providers or {}, provider)
        op_id = _operation_id(route.method, oa_path, op_ids)
        op["operationId"] = op_id
        paths.setdefault(oa_path, {})[route.method.lower()] = op
        ops[f"{route.method} {route.path}"] = op
    for route in routes:
        if route.links:
            _add_links(route, ops)
    components = _components(key, used, provider)
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": DIALECT,
        "info": _info(key, provider),
        "servers": servers or [{"url": "http://127.0.0.1:8080"}],
        "tags": [{"name": t} for t in sorted({t for r in routes for t in (r.tags or (key,))})],
        "paths": paths,
        "components": {"schemas": components, "parameters": _emulator_parameters()},
    }
    return doc


def dumps(doc: dict) -> str:
    """The document as stable, human-readable JSON (sorted keys are not used: order follows the route table)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- pieces -------------------------------------------------------------------------------------------------
def _standalone(provider: str) -> tuple[list[Route], Provider | None, Any]:
    from . import config as cfg
    from .providers import available, provider_class

    known = available()
    if provider == "control":
        from .control import all_routes

        settings = cfg.load({}, available=known)
        return all_routes(), None, settings
    if provider not in known:
        raise KeyError(provider)
    settings = cfg.load({"providers": provider}, available=known)
    prov = provider_class(provider)(settings)
    return prov.routes(), prov, settings


def _served_providers(settings: Any) -> dict[str, Provider]:
    from .app import build_providers

    return build_providers(settings)


def _servers(key: str, provider: Provider | None, settings: Any, base_url: str | None) -> list[dict]:
    if base_url:
        return [{"url": base_url, "description": "this emulator"}]
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    out = [{"url": f"http://{host}:{settings.port}", "description": "the emulator's shared port"}]
    port = settings.provider_ports.get(key) if provider is not None else None
    if port is None and provider is not None and provider.default_port:
        out.append({"url": f"http://{host}:{provider.default_port}",
                    "description": f"{key}'s own port when served with --provider-port {key}={provider.default_port}"})
    elif port is not None:
        out.append({"url": f"http://{host}:{port}", "description": f"{key}'s own port"})
    return out


def _info(key: str, provider: Provider | None) -> dict:
    if provider is None:
        return {"title": "Job API Emulator control API", "version": _package_version(),
                "description": "The emulator's own API under /_emulator/: health, reset, clock, and the "
                               "toolkit (scenarios, faults, journal, sessions) where present."}
    module = importlib.import_module(type(provider).__module__.rsplit(".", 1)[0])
    doc = (module.__doc__ or "").strip()
    desc = (f"{doc}\n\nEmulated by the Job API Emulator (profile `{provider.profile_name}`). Every path also "
            "answers under `/_session/{key}/...`; the headers `X-Emulator-Session` (isolated session) and "
            "`X-Emulator-Outcome` (scripted outcome of a submit, e.g. `fail; at=Running; message=boom`) are "
            "accepted on every operation (see components/parameters).")
    return {"title": f"{provider.title} (emulated)", "version": provider.api_version or "unversioned",
            "description": desc}


def _package_version() -> str:
    from . import __version__

    return __version__


def _error_schema(key: str, provider: Provider | None) -> str | None:
    if provider is None:
        return "control/error"
    try:
        return provider.error_schema(None)  # type: ignore[arg-type]  # profile-based, the call is unused
    except (AttributeError, TypeError):
        return f"{key}/error"


def _oa_path(path: str) -> tuple[str, list[str]]:
    names = _PATH_PARAM.findall(path)
    return _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", path), names


def _operation_id(method: str, path: str, seen: set[str]) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", path.replace("{", "by_").replace("}", "")).strip("_")
    base = f"{method.lower()}_{slug}" if slug else method.lower()
    op_id, n = base, 2
    while op_id in seen:
        op_id, n = f"{base}_{n}", n + 1
    seen.add(op_id)
    return op_id


def _ref(name: str, key: str) -> dict:
    return {"$ref": f"#/components/schemas/{_component_name(name, key)}"}


def _component_name(name: str, key: str) -> str:
    """`bacalhau/job-get.response` -> `job-get.response` inside bacalhau's document; other folders keep
    theirs as a prefix (`control.error`)."""
    folder, _, stem = name.partition("/")
    return _COMPONENT_OK.sub("_", stem if folder == key else f"{folder}.{stem}")


def _param_schema(p: Param, providers: dict[str, Provider]) -> dict:
    if p.type is list:
        return {"type": "array", "items": {"type": "string"}}
    if p.type is bool:  # what parse_args takes: true/false and the spellings clients send (1, yes, empty...)
        schema: dict[str, Any] = {"anyOf": [{"type": "boolean"},
                                            {"type": "string", "pattern": anycase_pattern(TRUE_TEXT + FALSE_TEXT)}]}
        if p.default is not None:
            schema["default"] = p.default
        return schema
    kind = {int: "integer", float: "number", bool: "boolean"}.get(p.type, "string")
    schema = {"type": kind}
    if p.choices_of is not None:
        schema["enum"] = list(p.choices_of(providers))
    elif p.choices and p.nocase:  # the server takes any letter case, which an enum would deny
        schema["pattern"] = anycase_pattern(p.choices)
    elif p.choices:
        schema["enum"] = list(p.choices)
    if p.pattern is not None and kind == "string":
        schema["pattern"] = p.pattern
    if p.minimum is not None and kind in ("integer", "number"):
        schema["minimum"] = int(p.minimum) if kind == "integer" else p.minimum
    if p.maximum is not None and kind in ("integer", "number"):
        schema["maximum"] = int(p.maximum) if kind == "integer" else p.maximum
    if p.default is not None and p.default != [] and _json_able(p.default):
        schema["default"] = p.default
    return schema


def _json_able(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def _path_schema(route: Route, name: str, enabled: list[str]) -> dict:
    schema = route.path_params.get(name, PATH_TEXT)
    return schema(enabled) if callable(schema) else copy.deepcopy(schema)


def _operation(route: Route, key: str, path_names: list[str], error_schema: str | None, used: set[str],
               enabled: list[str], providers: dict[str, Provider], provider: Provider | None = None) -> dict:
    op: dict[str, Any] = {"summary": route.summary or f"{route.method} {route.path}",
                          "tags": list(route.tags or (key,))}
    doc = (getattr(route.handler, "__doc__", None) or "").strip()
    if doc:
        op["description"] = doc
    params: list[dict] = [{"name": n, "in": "path", "required": True, "schema": _path_schema(route, n, enabled)}
                          for n in path_names]
    for p in route.query:
        entry: dict[str, Any] = {"name": p.name, "in": "query", "required": bool(p.required),
                                 "schema": _param_schema(p, providers)}
        if p.description:
            entry["description"] = p.description
        if p.type is list:
            # the server takes repeated parameters and comma-separated values alike
            entry.update(style="form", explode=True)
        params.append(entry)
    if params:
        op["parameters"] = params
    body = _request_body(route, key, used)
    if body is not None:
        op["requestBody"] = body
    responses: dict[str, Any] = {}
    # other media types of a response: the route's own (`media = {status: (...)}`), else the provider's
    alt = getattr(route, "media", None) or {}
    by_schema = provider.media if provider is not None else {}
    for status, name in sorted(route.responses.items()):
        responses[str(status)] = _response(name, key, used, f"{status} response",
                                           tuple(alt.get(status) or by_schema.get(name or "") or ()))
    if error_schema is not None:
        for rng in ("4XX", "5XX"):
            desc = ("a client mistake, in the system's own error format" if rng == "4XX"
                    else "an injected fault or an error the real system reports as 5xx")
            responses[rng] = _response(error_schema, key, used, desc)
    if not responses:
        responses["default"] = {"description": "any response"}
    op["responses"] = responses
    return op


def _add_links(route: Route, ops: dict[str, dict]) -> None:
    """The route's `links` on its first success response, each naming its target by operationId (a target
    missing from the table, e.g. a route the profile leaves out, is a declaration error)."""
    op = ops[f"{route.method} {route.path}"]
    status = min((s for s in op["responses"] if s[0] == "2"), default=None)
    if status is None:
        raise ValueError(f"{route.method} {route.path} declares links but no 2xx response")
    links = {}
    for name, (target, values) in route.links.items():
        if target not in ops:
            raise ValueError(f"link {name} of {route.method} {route.path}: no route {target}")
        link: dict[str, Any] = {"operationId": ops[target]["operationId"]}
        params = {k: v for k, v in values.items() if k != "requestBody"}
        if params:
            link["parameters"] = params
        if "requestBody" in values:
            link["requestBody"] = values["requestBody"]
        links[name] = link
    op["responses"][status]["links"] = links


def _request_body(route: Route, key: str, used: set[str]) -> dict | None:
    if route.body is not None:
        used.add(route.body)
        media = _load(route.body).get("x-media-type", "application/json")  # e.g. multipart/form-data
        return {"required": bool(route.body_required), "content": {media: {"schema": _ref(route.body, key)}}}
    if route.method in ("GET", "HEAD", "DELETE"):
        return None  # bodies on these methods are tolerated by some routes, never part of the contract
    if route.body_format == "raw":
        schema: dict[str, Any] = {"type": "string", "format": "binary"}
        if route.body_required:  # the pipeline takes an empty body as no body
            schema["minLength"] = 1
        return {"required": bool(route.body_required), "content": {"application/octet-stream": {"schema": schema}}}
    if callable(route.body_format):
        # a provider-specific reader without a schema: an optional JSON object of the route's parameters
        return {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}
    return None


def _response(name: str | None, key: str, used: set[str], desc: str, alt: tuple[str, ...] = ()) -> dict:
    if name is None:
        return {"description": desc + " (empty body)"}
    used.add(name)
    schema = _load(name)
    # a string schema is a non-JSON body: its `contentMediaType` (default text/plain) is the media type served
    media = schema.get("contentMediaType", "text/plain") if schema.get("type") == "string" else "application/json"
    content = {media: {"schema": _ref(name, key)}}
    for other in alt:  # a +json alternative carries the same document; others (HTML, text) are text
        content.setdefault(other, {"schema": _ref(name, key) if other.endswith("+json") else {"type": "string"}})
    return {"description": schema.get("title") or desc, "content": content}


def _load(name: str) -> dict:
    if name in _INLINE and not (schema_folder(name.partition("/")[0]) / f"{name.partition('/')[2]}.json").is_file():
        return _INLINE[name]
    return load_schema(name)


def _components(key: str, used: set[str], provider: Provider | None = None) -> dict[str, dict]:
    """Every schema the operations use, every file of the provider's folder, and what they `$ref`."""
    todo = set(used)
    folder = schema_folder(key)
    if folder.is_dir():
        todo.update(f"{key}/{p.relative_to(folder).as_posix()[:-5]}" for p in folder.rglob("*.json"))
    done: dict[str, dict] = {}
    while todo:
        name = todo.pop()
        if name in done:
            continue
        schema = copy.deepcopy(_load(name))
        if provider is not None:
            schema = provider.document_schema(name, schema)
        refs: set[str] = set()
        done[name] = _rewrite(schema, name, key, refs, top=True)
        todo.update(refs - set(done))
    return {_component_name(n, key): done[n] for n in sorted(done)}


def _rewrite(node: Any, name: str, key: str, refs: set[str], top: bool = False) -> Any:
    """Rewrite file `$ref`s to component refs; drop `$schema`/`$id`, which would reset ref resolution."""
    if isinstance(node, list):
        return [_rewrite(v, name, key, refs) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("$schema", "$id") and top:
            continue
        if k == "$ref" and isinstance(v, str):
            out[k] = _rewrite_ref(v, name, key, refs)
        else:
            out[k] = _rewrite(v, name, key, refs)
    return out


def _rewrite_ref(ref: str, name: str, key: str, refs: set[str]) -> str:
    target, _, fragment = ref.partition("#")
    if not target:
        comp = _component_name(name, key)
    else:
        target_name = ref_name(name, target)
        refs.add(target_name)
        comp = _component_name(target_name, key)
    return f"#/components/schemas/{comp}{fragment}"


def _emulator_parameters() -> dict[str, dict]:
    return {
        "EmulatorSession": {"name": "X-Emulator-Session", "in": "header", "required": False,
                            "description": "an isolated emulator session (own jobs, clock and seed)",
                            "schema": {"type": "string"}},
        "EmulatorOutcome": {"name": "X-Emulator-Outcome", "in": "header", "required": False,
                            "description": "scripted outcome of the job a submit creates, e.g. "
                                           "`fail; at=Running; message=disk full`, `hang; at=Running`",
                            "schema": {"type": "string"}},
    }
