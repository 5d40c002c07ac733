"""OpenAPI 3.1 per provider: generated from the route table, valid by openapi-spec-validator, every `$ref`
resolvable, every route present, served at /_emulator/openapi/{provider}.json and printed by the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openapi_spec_validator import validate

from emulator.openapi import _oa_path, document
from emulator.providers import available

ENABLED = [k for k in os.environ.get("EMULATOR_TEST_PROVIDERS", "").split(",") if k] or available()
KEYS = [*ENABLED, "control"]


def _refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                found.append(v)
            else:
                _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)
    return found


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


@pytest.mark.parametrize("key", KEYS)
def test_document_is_valid_openapi_31(key):
    doc = document(key)
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    for ref in _refs(doc, []):
        _resolve(doc, ref)  # KeyError here = a dangling reference


@pytest.mark.parametrize("key", KEYS)
def test_every_route_of_the_table_is_documented(emu, key):
    doc = document(key, app=emu.app)
    routes = [r for k, r in emu.app["route_table"] if k == key]
    assert routes
    for route in routes:
        path, _ = _oa_path(route.path)
        op = doc["paths"][path][route.method.lower()]
        for status in route.responses:
            assert str(status) in op["responses"]
        if route.body:  # JSON, or the media type its schema names (x-media-type: multipart/form-data)
            [content] = op["requestBody"]["content"].values()
            assert content["schema"]["$ref"].startswith("#/components/")
        for p in route.query:
            assert any(q["name"] == p.name and q["in"] == "query" for q in op["parameters"])


@pytest.mark.parametrize("key", [k for k in KEYS if k != "control"])
def test_errors_use_the_providers_error_schema(emu, key):
    doc = document(key, app=emu.app)
    prov = emu.app["providers"][key]
    comp = prov.error_schema(None).split("/", 1)[1]
    for ops in doc["paths"].values():
        for op in ops.values():
            ref = op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == f"#/components/schemas/{comp}"


def test_schemas_are_the_files_not_a_copy(emu):
    """A component is the schema file with only its file references rewritten."""
    from emulator.core.validation import load_schema

    doc = document("bacalhau", app=emu.app)
    comp = doc["components"]["schemas"]["job-get.response"]
    src = load_schema("bacalhau/job-get.response")
    assert comp["type"] == src["type"] and set(comp.get("properties", {})) == set(src.get("properties", {}))
    assert "$schema" not in comp


async def test_served_document_names_this_server(emu):
    resp = await emu.get("/_emulator/openapi/bacalhau.json")
    assert resp.status == 200
    assert resp.content_type == "application/vnd.oai.openapi+json"
    doc = json.loads(await resp.text())
    validate(doc)
    assert doc["servers"][0]["url"] == f"http://{emu.server.host}:{emu.server.port}"
    assert "/api/v1/orchestrator/jobs" in doc["paths"]


async def test_served_document_follows_the_profile(emulator_factory):
    emu = await emulator_factory(profiles={"bacalhau": "v1.5"})
    doc = json.loads(await (await emu.get("/_emulator/openapi/bacalhau.json")).text())
    op = doc["paths"]["/api/v1/orchestrator/jobs"]["put"]
    assert op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith("/apierror")


async def test_unknown_provider_is_a_404_naming_it(emu):
    resp = await emu.get("/_emulator/openapi/nope.json")
    assert resp.status == 404
    body = await resp.json()
    assert body["error"]["field"] == "provider" and "nope" in body["error"]["message"]


def test_cli_prints_the_document():
    key = KEYS[0]
    proc = subprocess.run([sys.executable, "-m", "emulator", "openapi", key], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    assert doc == json.loads(json.dumps(document(key)))


def test_available_providers_all_have_documents():
    for key in available():
        assert document(key)["paths"]
