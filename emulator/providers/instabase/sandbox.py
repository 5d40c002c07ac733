"""The Instabase sandbox recipe: the seed's example requests, Faker-made variety, and how to find and cancel a
created job (see emulator.kit.recipe)."""

from __future__ import annotations

import copy
import random
from typing import Any

from ...core import fakes
from ...kit.recipe import Recipe, request

_IB_RUN = {"binary_path": "jaydoe/my-repo/fs/Instabase Drive/flow/single.ibflowbin",
           "input_dir": "jaydoe/my-repo/fs/Instabase Drive/flow", "settings": {}}


def _instabase_examples() -> list[dict]:
    return [request("seed-run-flow-binary", "POST", "/api/v1/flow/run_binary_async", copy.deepcopy(_IB_RUN))]


def _instabase_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    repo = f"{f.word()}-{f.word()}"
    flow = f"{f.word()}_{f.word()}"
    body = {"binary_path": f"jaydoe/{repo}/fs/Instabase Drive/flows/{flow}.ibflowbin",
            "input_dir": f"jaydoe/{repo}/fs/Instabase Drive/inputs/{f.word()}",
            "settings": {"tags": [f.word(), rng.choice(["invoices", "claims", "receipts", "contracts"])],
                         "priority": rng.randint(1, 9)}}
    return request("run-flow-binary", "POST", "/api/v1/flow/run_binary_async", body)


def _instabase_ref(status: int, headers: Any, body: Any) -> str | None:
    data = body.get("data") if isinstance(body, dict) else None
    return data.get("job_id") if isinstance(data, dict) else None


RECIPE = Recipe(
    _instabase_examples, _instabase_variety, job_ref=_instabase_ref,
    cancel=lambda ref: request("cancel-job", "POST", "/api/v1/jobs/cancel", query={"job_id": ref}),
)
