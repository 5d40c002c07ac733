"""The Streams sandbox recipe: the seed's example requests, Faker-made variety, and how to find and cancel a
created job (see emulator.kit.recipe)."""

from __future__ import annotations

import hashlib
import random

from ...core import fakes
from ...kit.recipe import Recipe, request

_ST = "/streams/instances/inst1"
_SAB = b"PK\x03\x04 sample.sab bytes"


def _streams_setup() -> list[dict]:
    return [request("seed-upload-bundle", "POST", f"{_ST}/applicationbundles", raw=_SAB,
                    headers={"Accept": "application/json", "Content-Type": "application/x-jar"})]


def _streams_examples() -> list[dict]:
    bid = hashlib.sha224(_SAB).hexdigest()  # Streams names a bundle by its content
    return [request("seed-submit-by-bundle-id", "POST", f"{_ST}/jobs", {"application": f"bundleId:{bid}"}),
            request("seed-submit-by-url", "POST", f"{_ST}/jobs", {"application": "https://myserver.com/sample.sab"})]


def _streams_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    name = f"{f.word()}{f.word().capitalize()}"
    overlay = {"jobConfigOverlays": [{"jobConfig": {
        "jobName": f"{name}_{i}", "jobGroup": "default",
        "submissionParameters": [{"name": "rate", "value": str(rng.randint(1, 500))},
                                 {"name": "topic", "value": f.word()}]},
        "deploymentConfig": {"fusionScheme": rng.choice(["automatic", "legacy", "manual"])}}]}
    body = {"application": f"https://{f.domain_name()}/apps/{name}.sab", "jobConfigurationOverlay": overlay}
    return request("submit-with-overlay", "POST", f"{_ST}/jobs", body)


RECIPE = Recipe(
    _streams_examples, _streams_variety,
    job_ref=lambda status, headers, body: str(body["id"]) if isinstance(body, dict) and "id" in body else None,
    cancel=lambda ref: request("cancel-job", "DELETE", f"{_ST}/jobs/{ref}"),
    setup=_streams_setup,
)
