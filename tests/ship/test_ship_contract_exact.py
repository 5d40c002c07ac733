"""Mismatches between the served OpenAPI documents and the handlers, found by the schemathesis contract run
(tests/ship/test_ship_contract.py): each one pinned here, both what the document says and what the server
does, so the two cannot drift apart again."""

from __future__ import annotations

import re

import pytest

from emulator.core.validation import PATH_TEXT
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
        assert re.fullmatch(document(key)["paths"] and PATH_TEXT["pattern"], "job-1\u00e9")
        for path, item in document(key)["paths"].items():
            for op in item.values():
                for p in op.get("parameters", ()):
                    if p["in"] == "path" and "enum" not in p["schema"]:  # (an enum names what it takes)
                        pattern = p["schema"]["pattern"]
                        for refused in ("", "a\nb", "1\x7f", "{x}", "1}"):
                            assert not re.search(pattern, refused), (key, path, p["name"], refused)


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


async def test_instabase_get_calls_document_job_id_as_required(emu):
    doc = document("instabase")
    for name in ("status", "get_logs", "pause", "resume", "cancel", "retry"):
        param = _param(_op(doc, f"/api/v1/jobs/{name}", "get"), "job_id")
        assert param["required"] is True and param["schema"]["pattern"] == ".", name
        for query in ("", "?job_id="):
            resp = await emu.get(f"/api/v1/jobs/{name}{query}")
            assert resp.status == 400 and (await resp.json())["msg"] == "job_id is required", (name, query)
    # the POST form may carry job_id in its JSON body instead, so its query parameter stays optional
    assert _param(_op(doc, "/api/v1/jobs/pause", "post"), "job_id")["required"] is False


async def test_instabase_list_priority_and_type_are_documented_as_checked(emu):
    doc = document("instabase")
    schema = _param(_op(doc, "/api/v1/jobs/list", "get"), "priority")["schema"]
    assert (schema["minimum"], schema["maximum"]) == (0, 9)
    for raw in ("-1", "10"):
        resp = await emu.get(f"/api/v1/jobs/list?priority={raw}")
        assert resp.status == 400 and (await resp.json())["msg"] == f"priority must be 0-9, got {raw}"
    # a choice the server takes in any case is a case-insensitive pattern, not an enum that would deny "FLOW"
    kind = _param(_op(doc, "/api/v1/jobs/status", "get"), "type")["schema"]
    assert "enum" not in kind and re.fullmatch(kind["pattern"], "FLOW") and not re.fullmatch(kind["pattern"], "x")


async def test_seatunnel_page_and_rows_are_documented_as_the_engine_reads_them(emu):
    schema = _param(_op(document("seatunnel"), "/running-jobs", "get"), "page")["schema"]
    for ok in ("", "1", "+001", "01"):
        assert re.search(schema["pattern"], ok), ok
        assert (await emu.get("/running-jobs", params={"page": ok, "rows": "2"})).status == 200, ok
    assert re.search(schema["pattern"], "999999999")  # well formed; past the last page is the engine's own 400
    resp = await emu.get("/running-jobs", params={"page": "999999999"})
    assert (await resp.json())["message"] == "Page number exceeds total pages"
    for bad, message in (("0", "Parameter 'page' must be greater than 0"),
                         ("-3", "Parameter 'page' must be greater than 0"),
                         ("x", "Parameter 'page' must be an integer, but was: x"),
                         ("\u0663", "Parameter 'page' must be an integer, but was: \u0663"),
                         ("1 ", "Parameter 'page' must be an integer, but was: 1 "),
                         ("9999999999", "Parameter 'page' must be an integer, but was: 9999999999")):
        assert not re.search(schema["pattern"], bad), bad
        resp = await emu.get("/running-jobs", params={"page": bad})
        assert resp.status == 400 and (await resp.json())["message"] == message, bad


async def test_seatunnel_plugin_names_are_documented_as_this_deployment_has_them(emu):
    components = document("seatunnel")["components"]["schemas"]
    source = components["job-config.request"]["properties"]["source"]["items"]["allOf"][1]
    pattern = source["properties"]["plugin_name"]["pattern"]
    assert re.fullmatch(pattern, "FakeSource") and re.fullmatch(pattern, " fakesource ")
    assert not re.fullmatch(pattern, "0") and not re.fullmatch(pattern, "Console")  # Console is a sink
    body = {"env": {}, "source": [{"plugin_name": "0"}], "sink": [{"plugin_name": "Console"}]}
    resp = await emu.post("/submit-job", json=body)
    assert resp.status == 400 and "plugin_name '0' is not a known source plugin" in (await resp.json())["message"]


async def test_seatunnel_job_ids_and_stop_flags_are_documented_as_checked(emu):
    doc = document("seatunnel")
    path_id = _param(_op(doc, "/job-info/{jobId}", "get"), "jobId", "path")["schema"]["pattern"]
    assert re.fullmatch(path_id, " 123 ") and not re.fullmatch(path_id, "12a")
    assert (await emu.get("/job-info/12a")).status == 400
    stop = doc["components"]["schemas"]["stop-job.request"]["properties"]
    assert not re.search(stop["jobId"]["pattern"], "")
    for flag in ("force", "isStopWithSavePoint"):
        resp = await emu.post("/stop-job", json={"jobId": "1", flag: {}})
        assert resp.status == 400 and (await resp.json())["message"] == f"{flag} must be true or false, got {{}}"


async def test_bacalhau_submit_documents_what_the_orchestrator_refuses(emu):
    doc = document("bacalhau")
    ref = _op(doc, "/api/v1/orchestrator/jobs", "put")["requestBody"]["content"]["application/json"]["schema"]
    narrowed = doc["components"]["schemas"]["job-submit.request"]
    assert ref["$ref"].endswith("/job-submit.request") and narrowed["allOf"][1]["required"] == ["Job"]
    job = narrowed["allOf"][1]["properties"]["Job"]
    assert job["required"] == ["Type", "Tasks", "Name"]  # the default profile (the seed's era) needs a Name
    assert job["properties"]["Type"]["enum"] == ["batch", "ops", "daemon", "service"]
    resp = await emu.put("/api/v1/orchestrator/jobs", json={"Job": {}})
    assert resp.status == 400 and (await resp.json())["message"] == "empty/nil job"
    # JSON Schema's integer includes 2.0: the orchestrator takes it as 2 (it once was a 500)
    spec = {"Name": "n", "Type": "batch", "Count": 2.0, "Tasks": [{"Name": "t", "Engine": {"Type": "docker"}}]}
    resp = await emu.put("/api/v1/orchestrator/jobs", json={"Job": spec})
    assert resp.status == 200, await resp.text()
    got = await (await emu.get(f"/api/v1/orchestrator/jobs/{(await resp.json())['JobID']}")).json()
    assert got["Job"]["Count"] == 2


async def test_bacalhau_paging_token_of_other_digits_is_refused(emu):
    resp = await emu.get("/api/v1/orchestrator/jobs", params={"next_token": "\u0663", "limit": "1"})
    assert resp.status == 400 and "invalid paging token" in (await resp.json())["message"]


async def test_query_numbers_refuse_empty_text_and_other_digits(emu):
    for raw in ("", "\u0663", "\u00b2"):
        resp = await emu.get("/api/v1/orchestrator/jobs", params={"limit": raw})
        assert resp.status == 400 and "limit" in (await resp.json())["message"], raw


async def test_control_document_names_the_enabled_providers(emu):
    doc = document("control", app=emu.app)
    job = _param(_op(doc, "/_emulator/jobs/{provider}/{job}", "get"), "provider", "path")["schema"]
    assert job["enum"] == list(emu.app["providers"])
    assert (await emu.get("/_emulator/jobs/nope/j1")).status == 400
    served = _op(doc, "/_emulator/openapi/{provider}.json", "get")
    assert _param(served, "provider", "path")["schema"]["enum"] == ["control", *emu.app["providers"]]
    media = served["responses"]["200"]["content"]
    assert media["application/vnd.oai.openapi+json"]["schema"] == media["application/json"]["schema"]
    resp = await emu.get("/_emulator/openapi/taskapi.json")
    assert resp.content_type == "application/vnd.oai.openapi+json"


async def test_a_json_null_body_is_a_body_the_schema_refuses(emu):
    resp = await emu.post("/_emulator/sessions", data=b"null", headers={"Content-Type": "application/json"})
    assert resp.status == 400
    resp = await emu.post("/_emulator/sessions", data=b"")  # no body at all: the defaults
    assert resp.status == 201


async def test_a_body_of_a_form_feed_is_malformed_json_not_no_body(emu):
    # JSON's whitespace is space, tab, CR and LF; bytes.strip() also drops \x0c, which once passed as no body
    resp = await emu.post("/_emulator/reset", data=b"\x0c", headers={"Content-Type": "application/json"})
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "body"
    assert (await emu.post("/_emulator/reset", data=b" \r\n")).status == 200


async def test_query_booleans_are_documented_as_the_spellings_taken(emu):
    schema = _param(_op(document("control", app=emu.app), "/_emulator/coverage", "get"), "all")["schema"]
    text = schema["anyOf"][1]["pattern"]
    for raw in ("true", "False", "1", "yes", ""):
        assert re.fullmatch(text, raw)
        assert (await emu.get("/_emulator/coverage", params={"all": raw})).status == 200, raw
    assert not re.fullmatch(text, "maybe")
    assert (await emu.get("/_emulator/coverage", params={"all": "maybe"})).status == 400
    # the pattern is unpadded, so is the server (a tab once read as the empty spelling, false: the large
    # contract run found it on GET /_emulator/requests?reveal=%09)
    for raw in ("\t", " true", "false "):
        assert not re.fullmatch(text, raw)
        resp = await emu.get("/_emulator/coverage", params={"all": raw})
        assert resp.status == 400 and (await resp.json())["error"]["field"] == "all", raw


async def test_seatunnel_configs_are_checked_against_the_published_types(emu):
    config = {"env": {"job.name": ["not", "text"]}, "source": [{"plugin_name": "FakeSource"}],
              "sink": [{"plugin_name": "Console"}]}
    for path, body in (("/submit-job", config), ("/submit-jobs", [config])):
        resp = await emu.post(path, json=body)
        assert resp.status == 400 and "job.name" in (await resp.json())["message"], path
    assert (await emu.get("/running-jobs")).status == 200 and not (await (await emu.get("/running-jobs")).json())


async def test_create_routes_declare_links_to_what_uses_their_ids(emu):
    """The stateful phase follows declared links: each names an operation of the same document, and following
    it with a real response's value is answered 2xx."""
    for key in ("seatunnel", "control"):
        doc = document(key)
        op_ids = {op["operationId"]: (path, method) for path, item in doc["paths"].items()
                  for method, op in item.items()}
        links = {name: link for item in doc["paths"].values() for op in item.values()
                 for resp in op["responses"].values() for name, link in resp.get("links", {}).items()}
        assert links, key
        assert all(link["operationId"] in op_ids for link in links.values()), key
    doc = document("seatunnel")
    links = doc["paths"]["/submit-job"]["post"]["responses"]["200"]["links"]
    assert links["GetJobInfo"] == {"operationId": "get_job_info_by_jobId",
                                   "parameters": {"jobId": "$response.body#/jobId"}}
    assert links["StopJob"]["requestBody"] == {"jobId": "$response.body#/jobId"}
    config = {"env": {"job.name": "l"}, "source": [{"plugin_name": "FakeSource"}],
              "sink": [{"plugin_name": "Console"}]}
    job_id = (await (await emu.post("/submit-job", json=config)).json())["jobId"]
    assert (await emu.get(f"/job-info/{job_id}")).status == 200
    assert (await emu.post("/stop-job", json={"jobId": job_id})).status == 200
    session = await (await emu.post("/_emulator/sessions", json={})).json()
    assert doc and (await emu.delete(f"/_emulator/sessions/{session['key']}")).status == 204
