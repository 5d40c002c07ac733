"""The provider kit: the whole surface a provider is written against, and nothing else of the engine.

- `Provider` (generic in its per-session state and its principal) and `Option`: what a provider declares.
- `Route`, `Param`, `Reply`, `finder`: its endpoints, their query parameters, what a handler returns.
- `Recipe`, `request`: its sandbox recipe (its folder's `sandbox.py`), for `job-emulator fixtures`.
- `Call[P]`: the call context of one request, typed by its provider (`call.provider`, `call.store`,
  `call.state`, `call.user`, `call.job_id`).

The request pipeline that runs a call (emulator.pipeline) is not part of it.
"""

from .call import Call
from .params import Param, parse_args
from .provider import Option, Provider, parse_options
from .recipe import Recipe, request
from .route import Reply, Route, finder

__all__ = ["Call", "Option", "Param", "Provider", "Recipe", "Reply", "Route", "finder", "parse_args", "parse_options",
           "request"]
