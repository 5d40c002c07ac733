"""aiohttp's router, remembering where each (method, path) it has resolved leads.

aiohttp finds a request's route by trying, in registration order, every resource whose static prefix the
path starts with: a Streams status poll (`/streams/instances/{instanceId}/jobs/{jobId}`) tried 6 resources and
5 regular expressions, a Bacalhau one 3 (cProfile of in-process status polls: the router was 19 % of a Streams
poll). The routes never change once the app runs, so the first resolution of a (method, path) is the
answer for every later one: it is kept, with the path parameters it matched, and the next request on that
path skips the walk. Only matches are kept (aiohttp's own 404 or 405 walks again; a provider's are routes),
at most PATH_LIMIT of them: the cache is emptied when full, so a client walking a million job ids costs a
walk per path, as before, and no memory.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_urldispatcher import MatchInfoError, UrlDispatcher, UrlMappingMatchInfo

PATH_LIMIT = 4096  # (method, path) pairs remembered; a few MiB at most (a path and its few parameters each)


class RememberingRouter(UrlDispatcher):
    """A UrlDispatcher that keeps each resolved (method, path) and its match (see the module docstring)."""

    _paths: dict[tuple[str, str], tuple[dict[str, str], web.AbstractRoute]]

    async def resolve(self, request: web.Request) -> UrlMappingMatchInfo:
        key = (request.method, request.rel_url.path_safe)
        hit = self._paths.get(key)
        if hit is not None:
            return UrlMappingMatchInfo(dict(hit[0]), hit[1])  # a fresh match: aiohttp freezes each one
        found = await super().resolve(request)
        if isinstance(found, UrlMappingMatchInfo) and not isinstance(found, MatchInfoError):
            if len(self._paths) >= PATH_LIMIT:
                self._paths.clear()
            self._paths[key] = (dict(found), found.route)
        return found


def remember_routes(app: web.Application) -> None:
    """Make `app`'s router a RememberingRouter (its routes and state stay as they are)."""
    router = app.router
    router.__class__ = RememberingRouter  # aiohttp made a plain UrlDispatcher; passing one in is deprecated
    router._paths = {}  # type: ignore[attr-defined]  # a RememberingRouter since the line above
