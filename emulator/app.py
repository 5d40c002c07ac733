"""create_app(settings): the aiohttp Application with every enabled provider and the control API mounted.

Each route is served at its own path and again under `/_session/{key}/...`, for clients that cannot send the
session header. On a real or scaled clock each session has one timer for its earliest due transition
(emulator/timers.py), so jobs move on time without a request.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable

from aiohttp import web

from . import providers as provider_registry
from .config import Settings
from .core import validation
from .core.clock import Clock
from .core.errors import ApiError
from .core.session import Session, Sessions
from .kit import Call, Provider, Reply, Route
from .timers import attach, stop_all, wake_all
from .web.pipeline import make_handler
from .web.router import remember_routes

log = logging.getLogger("emulator")

SESSION_PREFIX = "/_session/{_session}"


def session_factory(settings: Settings, providers: dict[str, Provider]) -> Callable[[str], Session]:
    def make(key: str) -> Session:
        store_options = {}
        for pkey, prov in providers.items():
            opts = dict(prov.store_options)
            opts.setdefault("retain_finished", settings.retain_finished)
            opts.setdefault("retain_seconds", settings.retain_seconds)
            store_options[pkey] = opts
        clock = Clock(settings.clock, settings.speed)
        return Session(key, seed=settings.seed, clock=clock, durations=settings.durations,
                       jitter=settings.jitter, store_options=store_options, journal_size=settings.journal_size,
                       journal_bytes=settings.journal_bytes, tenants=providers)
    return make


def build_providers(settings: Settings) -> dict[str, Provider]:
    return {key: provider_registry.provider_class(key)(settings) for key in settings.providers}


def create_app(settings: Settings, *, only: str | None = None) -> web.Application:
    """The application serving every enabled provider (or just `only`, for a per-provider port) and the
    control API."""
    from .control import all_routes
    from .control.routes import render_error as control_error

    app = web.Application(client_max_size=max(settings.max_body, settings.max_snapshot) + 1024)
    remember_routes(app)
    providers = build_providers(settings)
    app["settings"] = settings
    app["providers"] = providers
    make_session = session_factory(settings, providers)
    app["sessions"] = Sessions(lambda key: attach(make_session(key)), settings.max_sessions)
    app["session_counter"] = itertools.count(1)
    app["contract_violations"] = []
    app["route_table"] = []
    app["resources_by_path"] = {}
    for key, prov in providers.items():
        if only is not None and key != only:
            continue
        for route in prov.routes():
            add_route(app, route, prov, prov.render_error, prov.error_schema)
    app["route_prefixes"] = sorted({(key, _static_prefix(r.path)) for key, r in app["route_table"]})
    for route in all_routes():
        add_route(app, route, None, control_error, lambda call: "control/error")
    if only is None:  # the dashboard lives on the shared listener, not on per-provider ports
        from .ui.routes import mount as mount_dashboard

        mount_dashboard(app)
    add_fallbacks(app)
    from .cors import install as install_cors

    install_cors(app, settings.cors)  # nothing at all when off
    validation.require(schema_names(app, providers))  # cannot validate -> must not start (SchemasMissing)
    if settings.state_file:
        from .core.snapshot import load_file

        graphs = {key: prov.graphs() for key, prov in providers.items()}
        try:
            load_file(app["sessions"], settings.state_file, graphs)
        except RecursionError:
            raise ValueError(f"cannot load state file {settings.state_file}: nested too deeply") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            reason = " ".join(str(exc).split())  # one line, whatever the parser's message held
            raise ValueError(f"cannot load state file {settings.state_file}: {reason}") from None
    if settings.preload:
        from .fixtures import preload  # the sandbox loader; only needed when asked for

        preload(app, settings.preload)
    from .control.events import STREAMS, close_all

    app[STREAMS] = set()
    app.on_startup.append(_arm_timers)
    app.on_shutdown.append(close_all)
    app.on_cleanup.append(_stop_timers)
    return app


def schema_names(app: web.Application, providers: dict[str, Provider]) -> set[str]:
    """Every schema the mounted routes validate against: request bodies, responses, error bodies."""
    names = {"control/error"} | {p.error_schema(None) for p in providers.values()}
    for _, route in app["route_table"]:
        if isinstance(route.body, str):
            names.add(route.body)
        names.update(n for n in route.responses.values() if n)
    return {n for n in names if n}


def add_route(app: web.Application, route: Route, provider: Provider | None,
              render_error: Callable[[ApiError, Call], Reply], error_schema: Callable[[Call], str | None]) -> None:
    handler = make_handler(route, provider, render_error, error_schema)
    app["route_table"].append((provider.key if provider else "control", route))
    for path in (route.path, SESSION_PREFIX + route.path):
        resource = _resource(app, path)
        resource.add_route(route.method, handler)
        if route.method == "GET":  # HEAD answers the GET's status and headers without the body
            resource.add_route("HEAD", handler)


def _resource(app: web.Application, path: str) -> web.Resource:
    """The one aiohttp resource of `path`, made when its first route is added. aiohttp tries the resources
    under a path prefix one after the other, and made one per method and path here when the routes of a path
    were not added back to back: a Bacalhau status poll tried 4 resources, a Streams one 9 (py-spy: the
    router was 7 % of a served poll)."""
    by_path = app["resources_by_path"]
    resource = by_path.get(path)
    if resource is None:
        resource = by_path[path] = app.router.add_resource(path)
    return resource


def _static_prefix(path: str) -> tuple[str, ...]:
    segments = []
    for seg in path.strip("/").split("/"):
        if "{" in seg:
            break
        segments.append(seg)
    return tuple(segments[:3])


def provider_for_path(app: web.Application, path: str) -> Provider | None:
    """The provider whose routes share the most leading path segments with `path` (None on a tie or none):
    an unknown URL under a provider's own prefix is that provider's 404."""
    if path.startswith("/_session/"):
        path = "/" + path.split("/", 3)[-1] if path.count("/") >= 3 else "/"
    segs = tuple(s for s in path.strip("/").split("/"))
    best, best_len, tie = None, 0, False
    for key, prefix in app["route_prefixes"]:
        n = 0
        while n < len(prefix) and n < len(segs) and prefix[n] == segs[n]:
            n += 1
        if n > best_len:
            best, best_len, tie = key, n, False
        elif n == best_len and n and key != best:
            tie = True
    if best is None or tie:
        return None
    return app["providers"].get(best)


def add_fallbacks(app: web.Application) -> None:
    """Unknown URLs and methods under a provider's paths answer in that provider's error format instead of
    aiohttp's plain text, without a middleware on every request: a `*` route on each provider path answers
    the methods it lacks (405), and a catch-all under each provider prefix answers unknown URLs (404)."""
    paths: dict[str, set[str]] = {}
    for key, r in app["route_table"]:
        if key != "control":
            for p in (r.path, SESSION_PREFIX + r.path):
                paths.setdefault(p, set()).update({r.method, "HEAD"} if r.method == "GET" else {r.method})
    for path, methods in paths.items():
        app.router.add_route("*", path, _fallback(405, ", ".join(sorted(methods))))
    for _, prefix in app["route_prefixes"]:
        if prefix:
            base = "/" + "/".join(prefix)
            for path in (base + "/{_tail:.*}", SESSION_PREFIX + base + "/{_tail:.*}"):
                if path not in paths:
                    paths[path] = set()
                    app.router.add_route("*", path, _fallback(404))


def _fallback(status: int, allow: str = "") -> Callable:
    """The answer to an unknown URL (404) or to a method the path does not take (405, `Allow: <allow>`)."""
    async def answer(request: web.Request) -> web.StreamResponse:
        provider = provider_for_path(request.app, request.path)
        if provider is None:
            if status == 404:
                raise web.HTTPNotFound()
            raise web.HTTPMethodNotAllowed(request.method, allow.split(", "))
        from .web.respond import to_response

        session = request.app["sessions"].get(None)
        text = (f"The requested resource was not found: {request.path}" if status == 404
                else f"Method {request.method} is not allowed on {request.path}")
        call = Call(request, session, provider, Route(request.method, request.path, _unrouted))
        response = to_response(provider.render_error(ApiError("invalid", text, status=status), call), session)
        if status == 405:  # RFC 9110: a 405 lists the methods the resource does take
            response.headers["Allow"] = allow
        return response

    return answer


async def _unrouted(call: Call) -> Reply:
    """The handler of the stand-in route an unknown URL's error is rendered with: the error is the answer."""
    raise ApiError("invalid", f"no route for {call.request.method} {call.request.path}", status=404)


async def _arm_timers(app: web.Application) -> None:
    """Sessions made before the loop ran (a state file, a preload) arm their timers now."""
    wake_all(app["sessions"])


async def _stop_timers(app: web.Application) -> None:
    stop_all(app["sessions"])
