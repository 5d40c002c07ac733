"""The task catalogue option: per-task parameter JSON Schema (422 listing each invalid parameter), typical
duration and declared results; a bad catalogue is a start-up error naming the task."""

import json

import pytest

from emulator.providers.taskapi.catalogue import CatalogueError, load_catalogue

ORG = "8a9d7d1e-1c2b-4a5e-9f10-2b3c4d5e6f70"
KRIGING = f"/compute/orgs/{ORG}/geostatistics/kriging"
CATALOGUE = {
    "geostatistics/kriging": {
        "description": "Ordinary kriging",
        "duration": 30,
        "parameters": {
            "type": "object",
            "required": ["source", "target"],
            "properties": {
                "source": {"type": "string"},
                "target": {"type": "string"},
                "search": {"type": "object", "properties": {"max_samples": {"type": "integer", "minimum": 1}}},
            },
        },
        "results": {"message": "Kriging done", "target": {"name": "grid", "attribute": {"name": "kg"}}},
    }
}
GOOD = {"source": "pointset/grade", "target": "grid/kg", "search": {"max_samples": 20}}


@pytest.fixture
async def emu(emulator_factory):
    return await emulator_factory(providers=["taskapi"], options={"taskapi": {"catalogue": CATALOGUE}})


async def test_invalid_parameters_are_422_listing_each_parameter(emu):
    resp = await emu.post(KRIGING, json={"parameters": {"source": 5, "search": {"max_samples": 0}}})
    assert resp.status == 422
    body = await resp.json()
    assert body["type"] == "https://seequent.com/error-codes/compute/validation-error"
    assert body["status"] == 422 and body["title"] == "Unprocessable Entity"
    assert body["invalid-params"] == [
        {"name": "parameters.target", "reason": "field required"},
        {"name": "parameters.search.max_samples", "reason": "0 is less than the minimum of 1"},
        {"name": "parameters.source", "reason": "5 is not of type 'string'"},
    ]
    assert body["detail"].startswith("invalid parameters for task geostatistics/kriging: parameters.target")
    assert len(emu.session.store("taskapi")) == 0  # nothing was created


async def test_catalogue_duration_and_results(emu):
    resp = await emu.post(KRIGING, json={"parameters": GOOD}, allow_redirects=False)
    assert resp.status == 303
    status_url = resp.headers["Location"]
    path = status_url.split(str(emu.server.port), 1)[1]
    await emu.advance(1 + 15)
    body = await (await emu.get(path)).json()
    assert (body["status"], body["progress"]) == ("in progress", 50)
    await emu.advance(15)
    resp = await emu.get(path.removesuffix("/status"))
    assert resp.status == 200
    assert await resp.json() == {"status": "succeeded", "error": None,
                                 "results": {"message": "Kriging done",
                                             "target": {"name": "grid", "attribute": {"name": "kg"}}}}


async def test_other_tasks_still_work_without_catalogue_only(emu):
    resp = await emu.post(f"/compute/orgs/{ORG}/geostatistics/idw", json={"parameters": {"anything": [1]}},
                          allow_redirects=False)
    assert resp.status == 303
    status_url = resp.headers["Location"]
    assert "/geostatistics/idw/" in status_url and status_url.endswith("/status")
    path = "/" + status_url.split("/", 3)[3]
    body = await (await emu.get(path)).json()
    assert body["status"] == "requested"   # a task outside the catalogue runs with the default lifecycle


async def test_catalogue_from_a_file_path(emulator_factory, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(CATALOGUE))
    emu = await emulator_factory(providers=["taskapi"], options={"taskapi": {"catalogue": str(path)}})
    resp = await emu.post(KRIGING, json={"parameters": {}})
    assert resp.status == 422
    assert [p["name"] for p in (await resp.json())["invalid-params"]] == ["parameters.source", "parameters.target"]


@pytest.mark.parametrize("bad,message", [
    ({"kriging": {}}, "key 'kriging' must be 'topic/task'"),
    ({"a/b": {"parameters": {"type": "nonsense"}}}, "a/b.parameters is not a valid JSON Schema"),
    ({"a/b": {"duration": "soon"}}, "a/b.duration must be a number of seconds"),
    ({"a/b": {"results": [1]}}, "a/b.results must be an object"),
    ('["a/b"]', "must be a JSON object keyed 'topic/task'"),
    ('{"a/b": ', "taskapi catalogue is not valid JSON"),
    ("/nonexistent/catalogue.json", "cannot read /nonexistent/catalogue.json"),
])
def test_bad_catalogue_is_a_startup_error_naming_the_task(bad, message):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(bad)
    assert message in str(info.value)


async def test_task_listing_pages_the_catalogue(emulator_factory):
    catalogue = {**CATALOGUE, "geostatistics/idw": {"description": "Inverse distance", "version": "2.0.1"}}
    emu = await emulator_factory(providers=["taskapi"], options={"taskapi": {"catalogue": catalogue}})
    resp = await emu.get(f"/compute/orgs/{ORG}/tasks?limit=1")
    assert resp.status == 200
    assert await resp.json() == {"limit": 1, "offset": 0, "total": 2, "count": 1, "results": [
        {"key": "geostatistics/idw", "topic": "geostatistics", "name": "idw", "display_name": "Idw",
         "version": "2.0.1", "description": "Inverse distance"}]}
    body = await (await emu.get(f"/compute/orgs/{ORG}/tasks?details=true&offset=1")).json()
    assert body["count"] == 1 and body["offset"] == 1
    (kriging,) = body["results"]
    assert kriging["key"] == "geostatistics/kriging" and kriging["version"] == "1.0.0"
    assert kriging["parameters"] == CATALOGUE["geostatistics/kriging"]["parameters"]
    assert kriging["results"] == CATALOGUE["geostatistics/kriging"]["results"]


async def test_task_listing_bad_query_is_422_naming_the_parameter(emu):
    resp = await emu.get(f"/compute/orgs/{ORG}/tasks?limit=0")
    assert resp.status == 422
    body = await resp.json()
    assert body["detail"] == "query parameter limit must be >= 1, got 0"
    assert body["invalid-params"] == [{"name": "limit", "reason": "query parameter limit must be >= 1, got 0"}]
