"""The Bacalhau sandbox recipe: the seed's example requests, Faker-made variety, and how to find and cancel a
created job (see emulator.kit.recipe)."""

from __future__ import annotations

import random
from typing import Any

from ...core import fakes
from ...kit.recipe import Recipe, request

_BAC = "/api/v1/orchestrator/jobs"
_IMAGES = ["ubuntu:22.04", "python:3.11-slim", "alpine:3.19",
           "ghcr.io/bacalhau-project/examples/stable-diffusion-gpu:0.0.1",
           "busybox:1.36", "node:20-alpine"]


def _bacalhau_examples() -> list[dict]:
    return [request("seed-create-job", "PUT", _BAC, {"Job": {
        "Name": "test-job", "Type": "batch", "Count": 1, "Labels": {"foo": "bar", "env": "dev"},
        "Tasks": [{"Name": "task1", "Engine": {"Type": "docker", "Params": {
            "Image": "ubuntu:latest", "Entrypoint": ["echo", "hello"]}}, "Publisher": {"Type": "noop"}}]}})]


def _bacalhau_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    word = f.word()
    jtype = rng.choice(["batch", "batch", "batch", "ops", "service"])
    task: dict[str, Any] = {"Name": "main", "Engine": {"Type": "docker", "Params": {
        "Image": rng.choice(_IMAGES), "Entrypoint": ["/bin/sh", "-c"],
        "Parameters": [f"echo {f.sentence(nb_words=4).rstrip('.')} && sleep {rng.randint(1, 30)}"]}},
        "Resources": {"CPU": f"{rng.choice([250, 500, 1000])}m", "Memory": f"{rng.choice([256, 512, 1024])}Mb"}}
    if rng.random() < 0.4:
        task["Publisher"] = {"Type": "local"}
        task["ResultPaths"] = [{"Name": "outputs", "Path": "/outputs"}]
    job = {"Name": f"{word}-{f.word()}-{i}", "Type": jtype, "Count": 1 if jtype != "service" else rng.randint(1, 3),
           "Namespace": "default", "Labels": {"team": f.word(), "env": rng.choice(["dev", "staging", "prod"])},
           "Meta": {"owner": f.user_name()}, "Tasks": [task]}
    if jtype == "service":
        job["ID"] = f"svc-{word}-{i}"
    return request(f"create-{jtype}-job", "PUT", _BAC, {"Job": job})


RECIPE = Recipe(
    _bacalhau_examples, _bacalhau_variety,
    job_ref=lambda status, headers, body: body.get("JobID") if isinstance(body, dict) else None,
    cancel=lambda ref: request("stop-job", "DELETE", f"{_BAC}/{ref}", query={"reason": "stopped from the sandbox"}),
)
