"""streamsx 2.1.0 (IBM's Python client for the Streams REST API), driven as its users drive it: standalone
discovery with `Instance.of_endpoint`, upload and submit a bundle, read health as it advances, list the job's
operators, PEs and connections, widen a parallel region, save the log trace, cancel. Every call below is the
library's own; the emulator session travels in a header the library's requests session carries."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest
import requests

rest_primitives = pytest.importorskip("streamsx.rest_primitives")
context = pytest.importorskip("streamsx.topology.context")

from tests.clients.polling import poll_until  # noqa: E402


def sab(tmp_path, name="com.acme.Main"):
    """A minimal application bundle: a zip holding the application's ADL, as `sc` builds it."""
    path = tmp_path / f"{name}.sab"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}.adl", "<applicationSet/>")
    return str(path)


def connect(emu):
    """The standalone discovery a streamsx user writes; the session header goes on the library's session."""
    inst = rest_primitives.Instance.of_endpoint(endpoint=emu.base_url, username="streamsadmin", password="pw",
                                                verify=False)
    inst.rest_client.session.headers["X-Emulator-Session"] = emu.session
    return inst


@pytest.fixture
def streams(emulator_for):
    emu = emulator_for()
    return emu, connect(emu)


def test_of_endpoint_takes_the_rest_path_and_uploads_the_bundle(streams, tmp_path):
    emu, inst = streams
    assert inst.id == "inst1"
    # no `domains` in /streams/rest/resources: streamsx chooses its REST delegator, which uploads the bundle
    assert type(inst._delegator).__name__ == "_StreamsRestDelegator"
    bundle = inst.upload_bundle(sab(tmp_path))
    assert bundle.applicationName == "com.acme::Main" and len(bundle.bundleId) == 56
    uploads = emu.journal(method="POST", path="/streams/rest/instances/inst1/applicationbundles")
    assert [e["status"] for e in uploads] == [200]


def test_submit_poll_health_list_update_and_cancel(streams, tmp_path):
    emu, inst = streams
    job = inst.submit_job(sab(tmp_path), context.JobConfig(job_name="wordcount", job_group="default"))
    assert (job.id, job.name, job.status, job.health) == ("0", "wordcount", "running", "unknown")
    assert job.applicationName == "com.acme::Main"
    emu.advance(2)
    job.refresh()
    assert job.health == "partiallyHealthy"
    emu.advance(3)
    job.refresh()
    assert job.health == "healthy"
    assert [j.id for j in inst.get_jobs()] == ["0"]
    assert [j.name for j in inst.get_jobs(name="word.*")] == ["wordcount"]
    assert inst.get_job("0").name == "wordcount"

    cfg = context.JobConfig()
    cfg.raw_overlay = {"configInstructions": {"adjustmentSection": [
        {"targetParallelRegion": {"regionName": "TransformedData", "newWidth": 3}}]}}
    assert job.update_operators(cfg) == 0
    job.refresh()
    assert job.parallelRegions == [{"name": "TransformedData", "width": 3}]
    assert job.health == "partiallyHealthy"  # a width change dips health while the new channel starts
    emu.advance(5)
    job.refresh()
    assert job.health == "healthy"
    assert [o.name for o in job.get_operators(name=r"Transformed.*")] == [
        "TransformedData[0]", "TransformedData[1]", "TransformedData[2]"]

    assert job.cancel() is True
    assert job.cancel() is False  # the library reads the 404 of a job already canceling as "not canceled"
    emu.advance(10)
    assert inst.get_jobs() == []
    with pytest.raises(ValueError, match="No resource matching: 0"):
        inst.get_job("0")


def test_operators_pes_and_connections_as_streamsx_caches_them(streams, tmp_path):
    _, inst = streams
    job = inst.submit_job(sab(tmp_path))
    ops = job.get_operators()
    assert [(o.name, o.indexWithinJob, o.resourceType) for o in ops] == [
        ("Source", 0, "operator"), ("TransformedData[0]", 1, "operator"), ("TransformedData[1]", 2, "operator"),
        ("Sink", 3, "operator")]
    assert ops[1].get_job().id == job.id
    assert job.get_operators() == ops  # the same cached objects, found again by their self links
    pes = job.get_pes()
    assert [p.operators for p in pes] == [["Source", "Sink"], ["TransformedData[0]"], ["TransformedData[1]"]]
    assert pes[0].get_job().name == job.name
    pes[1].refresh()  # GET of the PE's own self link
    assert pes[1].health == "unknown"
    conns = job.get_operator_connections()
    assert [c.resourceType for c in conns] == ["operatorConnection"] * 4
    pe_conns = job.get_pe_connections()
    assert [(c.source, c.destination, c.status) for c in pe_conns] == [
        ("0", "1", "connected"), ("0", "2", "connected"), ("1", "0", "connected"), ("2", "0", "connected")]
    assert job.get_views() == []


def test_retrieve_log_trace_saves_a_gzip_compressed_tar(streams, tmp_path):
    emu, inst = streams
    job = inst.submit_job(sab(tmp_path))
    emu.advance(5)
    saved = job.retrieve_log_trace(filename="trace.tar.gz", dir=str(tmp_path))
    with open(saved, "rb") as fh:
        raw = fh.read()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as tar:
        log = tar.extractfile("job_0/application.log").read().decode()
    assert "unknown -> partiallyHealthy" in log and "partiallyHealthy -> healthy" in log


def test_errors_reach_the_user_as_requests_http_errors(streams, tmp_path):
    _, inst = streams
    job = inst.submit_job(sab(tmp_path), context.JobConfig(job_name="dup"))
    with pytest.raises(requests.HTTPError) as err:
        inst.submit_job(sab(tmp_path), context.JobConfig(job_name="dup"))
    assert err.value.response.status_code == 409
    assert "job name dup is already used by job 0" in err.value.response.json()["message"]
    bad = context.JobConfig()
    bad.raw_overlay = {"configInstructions": {"adjustmentSection": [
        {"targetParallelRegion": {"regionName": "Nope", "newWidth": 2}}]}}
    with pytest.raises(requests.HTTPError) as err:
        job.update_operators(bad)
    assert err.value.response.status_code == 400 and "no parallel region named Nope" in err.value.response.text


def health_of(job):
    def read() -> str:
        job.refresh()  # the library's own GET of the job's self link
        return job.health
    return read


def test_step_clock_a_refresh_loop_sees_every_health_in_order(streams, tmp_path):
    emu, inst = streams
    emu.set_clock("step")
    job = inst.submit_job(sab(tmp_path))
    assert job.health == "unknown"  # as the submit response showed it
    assert poll_until(health_of(job), "healthy") == ["unknown", "partiallyHealthy", "healthy"]
    assert emu.job("streams", f"inst1/{job.id}")["state"] == "healthy"


def test_step_clock_a_cancel_after_the_first_partially_healthy_poll_always_cancels(streams, tmp_path):
    emu, inst = streams
    emu.set_clock("step")
    job = inst.submit_job(sab(tmp_path))
    assert poll_until(health_of(job), "partiallyHealthy") == ["unknown", "partiallyHealthy"]
    assert job.cancel() is True
    job.refresh()  # the next poll finds it as the cancel left it
    assert (job.status, job.health) == ("canceling", "partiallyHealthy")
    with pytest.raises(requests.HTTPError) as err:
        job.refresh()  # and the one after that finds it gone: a canceled job leaves the instance
    assert err.value.response.status_code == 404
    assert inst.get_jobs() == []
    moves = [(t["from"], t["to"]) for t in emu.coverage()["providers"]["streams"]["transitions"]]
    assert moves == [("unknown", "partiallyHealthy"), ("partiallyHealthy", "canceling"), ("canceling", "canceled")]
