"""The Task API sandbox recipe: the seed's example requests, Faker-made variety, and how to find and cancel a
created job (see emulator.kit.recipe)."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from ...core import fakes
from ...kit.recipe import Recipe, request

_ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
_TASKS = [("geostatistics", "kriging"), ("geostatistics", "variogram"), ("meshing", "surface"),
          ("block-model", "estimate")]


def _taskapi_examples() -> list[dict]:
    return [request("seed-create-job", "POST", f"/compute/orgs/{_ORG}/geostatistics/kriging",
                    {"parameters": {"source": "grade"}}, headers={"Authorization": "Bearer <ACCESS_TOKEN>"})]


def _taskapi_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    topic, task = rng.choice(_TASKS)
    params = {"source": f"{f.word()}-{rng.randint(1, 99)}", "attribute": rng.choice(["grade", "density", "Au_ppm"]),
              "block_size": [rng.choice([5, 10, 20])] * 3, "max_samples": rng.randint(8, 64)}
    return request("create-job", "POST", f"/compute/orgs/{_ORG}/{topic}/{task}", {"parameters": params},
                   headers={"Authorization": "Bearer <ACCESS_TOKEN>"})


def _taskapi_ref(status: int, headers: Any, body: Any) -> str | None:
    loc = headers.get("Location") if status == 303 else None
    return urlsplit(loc).path.removesuffix("/status") if loc else None


RECIPE = Recipe(
    _taskapi_examples, _taskapi_variety, job_ref=_taskapi_ref,
    cancel=lambda ref: request("cancel-job", "DELETE", ref, headers={"Authorization": "Bearer <ACCESS_TOKEN>"}),
)
