"""Mismatches between the served OpenAPI documents and the handlers, found by the schemathesis contract run
(tests/ship/test_ship_contract.py): each one pinned here, both what the document says and what the server
does, so the two cannot drift apart again."""

from __future__ import annotations

import re

import pytest

from emulator.openapi import document

ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
JOB = "11111111-2222-4333-8444-555555555555"


def _op(doc: dict, path: str, method: str) -> dict:
    return doc["paths"][path][method]


def _param(op: dict, name: str, where: str = "query") -> dict:
    return next(p for p in op.get("parameters", ()) if p["name"] == name and p["in"] == where)


async def test_a_405_lists_the_methods_the_path_takes(emu):
    resp = await emu.patch("/api/v1/orchestrator/jobs")
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET, HEAD, POST, PUT"
    assert (await resp.json())["error"].startswith("code=405")  # still Bacalhau's own error body
    resp = await emu.request("TRACE", f"/compute/orgs/{ORG}/t/k/{JOB}/status")
    assert resp.status == 405 and resp.headers["Allow"] == "GET, HEAD"
    resp = await emu.put("/_session/default/api/v1/orchestrator/jobs/j1")  # the session-prefixed path too
    assert resp.status == 405 and resp.headers["Allow"] == "DELETE, GET, HEAD"


def test_every_path_parameter_documents_what_the_server_refuses():
    """A control character in any path segment is refused before a handler runs (400) and a brace is never
    routed: every document says so with a pattern, so no schema-valid path is refused."""
    for key in ("streams", "bacalhau", "seatunnel", "instabase", "control"):
        for path, item in document(key)["paths"].items():
            for op in item.values():
                for p in op.get("parameters", ()):
                    if p["in"] == "path":
                        assert p["schema"]["minLength"] == 1, (key, path, p["name"])
                        pattern = p["schema"]["pattern"]
                        assert re.fullmatch(pattern, "job-1\u00e9") and not re.fullmatch(pattern, "a\nb")
                        assert not re.fullmatch(pattern, "{x}")


async def test_task_api_ids_are_documented_and_checked_as_uuids(emu):
    doc = document("taskapi")
    base = "/compute/orgs/{org_id}/{topic}/{task}"
    for path, method, names in ((base, "post", ("org_id",)), (base + "/{job_id}", "get", ("org_id", "job_id")),
                                (base + "/{job_id}", "delete", ("org_id", "job_id")),
                                (base + "/{job_id}/status", "get", ("org_id", "job_id")),
                                ("/compute/orgs/{org_id}/tasks", "get", ("org_id",))):
        for name in names:
            schema = _param(_op(doc, path, method), name, "path")["schema"]
            assert schema["format"] == "uuid" and re.fullmatch(schema["pattern"], ORG.upper()), (path, name)
    # the handler takes exactly the documented form: 8-4-4-4-12 hex digits, any case
    assert (await emu.get(f"/compute/orgs/{ORG.upper()}/tasks")).status == 200
    for other in (ORG.replace("-", ""), "urn:uuid:" + ORG, ORG[:-1]):
        resp = await emu.get(f"/compute/orgs/{other}/tasks")
        assert resp.status == 422, other
        assert (await resp.json())["invalid-params"] == [{"name": "org_id", "reason": "value is not a valid uuid"}]


async def test_task_api_create_documents_its_body_as_required(emu):
    op = _op(document("taskapi"), "/compute/orgs/{org_id}/{topic}/{task}", "post")
    assert op["requestBody"]["required"] is True
    resp = await emu.post(f"/compute/orgs/{ORG}/geostatistics/kriging", data=b"")
    assert resp.status == 422
    assert (await resp.json())["invalid-params"] == [{"name": "parameters", "reason": "field required"}]


@pytest.mark.parametrize("prefix", ["/streams", "/streams/rest", "/streams/v1"])
async def test_streams_bodies_that_would_be_refused_are_outside_the_schema(emu, prefix):
    doc = document("streams")
    submit = _op(doc, prefix + "/instances/{instanceId}/jobs", "post")
    assert submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("job-submit.request")
    pattern = doc["components"]["schemas"]["job-submit.request"]["properties"]["application"]["pattern"]
    assert not re.search(pattern, " \t") and re.search(pattern, " bundleId:b1 ")
    for blank in ("", "  "):
        resp = await emu.post(prefix + "/instances/inst1/jobs", json={"application": blank})
        assert resp.status == 400 and "application" in (await resp.json())["message"]
    upload = _op(doc, prefix + "/instances/{instanceId}/applicationbundles", "post")["requestBody"]
    assert upload["required"] is True
    assert upload["content"]["application/octet-stream"]["schema"]["minLength"] == 1
    resp = await emu.post(prefix + "/instances/inst1/applicationbundles", data=b"",
                          headers={"Content-Type": "application/octet-stream"})
    assert resp.status == 400
