"""Serves the dashboard's files at /_emulator/ui/ and sends `/` (unless a provider owns it) and `/_emulator/`
there. The files are read once at start-up into a fixed table, so a request can only ever name one of them
(no path from a URL reaches the file system)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from aiohttp import web

UI = "/_emulator/ui/"
STATIC = Path(__file__).with_name("static")
TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
# Everything the page loads comes from this server: a CDN or inline script would be refused by the browser.
HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
}


def load_files(root: Path = STATIC) -> dict[str, tuple[bytes, str]]:
    """Every file under `root` by its URL path relative to /_emulator/ui/: (bytes, content type)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            files[path.relative_to(root).as_posix()] = (path.read_bytes(), kind)
    return files


def mount(app: web.Application) -> None:
    """Add the dashboard routes to `app` (after the providers, so a provider serving `/` keeps it)."""
    files = load_files()

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "index.html"
        found = files.get(name)
        if found is None:
            raise web.HTTPNotFound(text=f"no dashboard file {name!r}")
        body, kind = found
        charset = "utf-8" if kind.startswith("text/") or kind.endswith("+xml") else None
        return web.Response(body=body, content_type=kind, charset=charset, headers=HEADERS)

    async def to_ui(request: web.Request) -> web.Response:
        raise web.HTTPFound(UI)

    app.router.add_get(UI, serve)
    app.router.add_get(UI + "{name:.+}", serve)
    app.router.add_get(UI.rstrip("/"), to_ui)
    app.router.add_get("/_emulator/", to_ui)
    app.router.add_get("/_emulator", to_ui)
    if not any(resource.canonical == "/" for resource in app.router.resources()):
        app.router.add_get("/", to_ui)
