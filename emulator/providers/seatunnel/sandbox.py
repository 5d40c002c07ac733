"""The SeaTunnel sandbox recipe: the seed's example requests, Faker-made variety, and how to find and cancel a
created job (see emulator.kit.recipe)."""

from __future__ import annotations

import copy
import random

from ...core import fakes
from ...kit.recipe import Recipe, request

_CDC = {"env": {"job.name": "my-cdc-job", "job.mode": "STREAMING", "checkpoint.interval": 30000},
        "source": [{"plugin_name": "MySQL-CDC", "plugin_output": "mysql_cdc_result",
                    "base-url": "jdbc:mysql://localhost:3306/mydb", "username": "cdc_user", "password": "password",
                    "database-names": ["mydb"], "table-names": ["mydb.orders"], "startup.mode": "initial",
                    "server-id": "5400-5404"}],
        "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["mysql_cdc_result"]}]}
_ETL = {"env": {"job.name": "etl-with-transforms", "job.mode": "BATCH"},
        "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                    "schema": {"fields": {"id": "int", "name": "string", "amount": "double"}}}],
        "transform": [{"plugin_name": "FieldMapper", "plugin_input": ["fake"], "plugin_output": "after_field_map",
                       "field_mapper": {"id": "user_id", "name": "user_name"}},
                      {"plugin_name": "Filter", "plugin_input": ["after_field_map"], "plugin_output": "filtered",
                       "fields": ["user_id", "user_name", "amount"]}],
        "sink": [{"plugin_name": "Console", "plugin_input": ["filtered"]}]}


def _seatunnel_examples() -> list[dict]:
    return [request("seed-submit-cdc-job", "POST", "/submit-job", copy.deepcopy(_CDC)),
            request("seed-submit-etl-job", "POST", "/submit-job", copy.deepcopy(_ETL))]


def _seatunnel_variety(rng: random.Random, i: int) -> dict:
    f = fakes.faker(rng)
    table = f"{f.word()}_{f.word()}"
    if rng.random() < 0.7:
        cfg = {"env": {"job.name": f"{table}-batch-{i}", "job.mode": "BATCH", "parallelism": rng.randint(1, 4)},
               "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": rng.randint(100, 50000),
                           "schema": {"fields": {"id": "bigint", "name": "string", "email": "string",
                                                 "amount": "double"}}}],
               "transform": [],
               "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]}
    else:
        cfg = {"env": {"job.name": f"{table}-cdc-{i}", "job.mode": "STREAMING", "checkpoint.interval": 10000},
               "source": [{"plugin_name": "MySQL-CDC", "plugin_output": "cdc",
                           "base-url": f"jdbc:mysql://{f.hostname(levels=1)}:3306/{f.word()}",
                           "username": f.user_name(), "password": f.password(length=12, special_chars=False),
                           "table-names": [f"{f.word()}.{table}"], "startup.mode": "initial"}],
               "transform": [], "sink": [{"plugin_name": "Console", "plugin_input": ["cdc"]}]}
    return request("submit-job", "POST", "/submit-job", cfg)


RECIPE = Recipe(
    _seatunnel_examples, _seatunnel_variety,
    job_ref=lambda status, headers, body: str(body["jobId"]) if isinstance(body, dict) and "jobId" in body else None,
    cancel=lambda ref: request("stop-job", "POST", "/stop-job", {"jobId": int(ref) if ref.isdigit() else ref,
                                                                  "isStopWithSavePoint": False}),
)
