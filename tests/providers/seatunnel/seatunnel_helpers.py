"""Shared fixtures and job configs for the SeaTunnel tests (the seed's own examples)."""

from __future__ import annotations

import copy

import pytest

CDC_JOB = {  # seed 2.1
    "env": {"job.name": "my-cdc-job", "job.mode": "STREAMING", "checkpoint.interval": 30000},
    "source": [{"plugin_name": "MySQL-CDC", "plugin_output": "mysql_cdc_result",
                "base-url": "jdbc:mysql://localhost:3306/mydb", "username": "cdc_user", "password": "password",
                "database-names": ["mydb"], "table-names": ["mydb.orders"], "startup.mode": "initial",
                "server-id": "5400-5404"}],
    "transform": [],
    "sink": [{"plugin_name": "Console", "plugin_input": ["mysql_cdc_result"]}],
}

ETL_JOB = {  # seed 2.2
    "env": {"job.name": "etl-with-transforms", "job.mode": "BATCH"},
    "source": [{"plugin_name": "FakeSource", "plugin_output": "fake", "row.num": 100,
                "schema": {"fields": {"id": "int", "name": "string", "amount": "double"}}}],
    "transform": [
        {"plugin_name": "FieldMapper", "plugin_input": ["fake"], "plugin_output": "after_field_map",
         "field_mapper": {"id": "user_id", "name": "user_name"}},
        {"plugin_name": "Filter", "plugin_input": ["after_field_map"], "plugin_output": "filtered",
         "fields": ["user_id", "user_name", "amount"]},
    ],
    "sink": [{"plugin_name": "Console", "plugin_input": ["filtered"]}],
}


def cdc(**env) -> dict:
    cfg = copy.deepcopy(CDC_JOB)
    cfg["env"].update(env)
    return cfg


def etl(**env) -> dict:
    cfg = copy.deepcopy(ETL_JOB)
    cfg["env"].update(env)
    return cfg


@pytest.fixture(name="st")
async def st_fixture(emulator_factory):
    """An emulator serving only SeaTunnel (manual clock, seed 7, contract checking)."""
    return await emulator_factory(providers="seatunnel")


async def submit(emu, cfg, params=None, headers=None) -> str:
    resp = await emu.post("/submit-job", json=cfg, params=params or {}, headers=headers or {})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["jobId"]


async def info(emu, job_id) -> dict:
    resp = await emu.get(f"/job-info/{job_id}")
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def fail(resp, status: int, message: str | None = None) -> dict:
    """Assert the engine's error shape and return the body."""
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert body["status"] == "fail" and set(body) == {"status", "message"}
    if message is not None:
        assert body["message"] == message
    return body
