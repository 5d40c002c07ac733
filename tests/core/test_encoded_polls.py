"""Each provider's status poll sends bytes kept in the read cache while the job is unchanged: over a job's
whole life, on a clock moved in small steps, every poll must be byte for byte what a fresh build of the body
answers at that instant (a key that missed something the body shows would serve an old state, progress,
row count or link)."""

import json

import pytest

from bench.providers import TARGETS
from emulator.core.readcache import CACHE, ReadCache, View


def test_json_of_a_view_is_the_encoded_value_kept_under_the_same_key():
    from emulator.core.clock import Clock
    from emulator.core.lifecycle import Graph, Step
    from emulator.core.session import Session

    built = []
    graph = Graph(name="g", states=("NEW", "DONE"), initial="NEW", terminal=frozenset({"DONE"}),
                  timed={"NEW": Step("DONE", 2)})
    view = View("t.body", key=lambda job: job.version,
                build=lambda job: built.append(job.state) or {"state": job.state, "name": "ß"}, cache=ReadCache(8))
    s = Session("s", seed=1, clock=Clock("manual"))
    job = s.submit("p", graph, "j1", {})
    first = view.json(job)
    assert first == '{"state":"NEW","name":"ß"}'.encode() and view.json(job) is first and built == ["NEW"]
    assert view(job) == {"state": "NEW", "name": "ß"} and built == ["NEW", "NEW"]  # the dict is its own entry
    s.advance(2)
    assert json.loads(view.json(job)) == {"state": "DONE", "name": "ß"} and built == ["NEW", "NEW", "DONE"]


async def _poll(emu, url, headers):
    resp = await emu.get(url, headers=headers)
    assert resp.status in (200, 202), await resp.text()
    return resp.status, await resp.read()


@pytest.mark.parametrize("provider", sorted(TARGETS))
async def test_a_poll_sends_what_a_fresh_build_would_at_every_step_of_a_life(emu, provider):
    t = TARGETS[provider]
    resp = await emu.request(t.submit_method, t.submit_path, headers={**t.headers, "Content-Type": "application/json"},
                             data=t.body_bytes(), allow_redirects=False)
    assert resp.status in (200, 201, 202, 303), await resp.text()
    raw = await resp.read()
    url = t.poll(resp.status, dict(resp.headers), json.loads(raw) if raw else None)
    seen = []
    for _ in range(60):
        first = await _poll(emu, url, t.headers)
        again = await _poll(emu, url, t.headers)  # from the kept bytes
        CACHE.clear()
        fresh = await _poll(emu, url, t.headers)  # built and encoded anew
        assert first == again == fresh, (provider, len(seen))
        json.loads(first[1])
        seen.append(first)
        await emu.advance(0.5)
    assert len(set(seen)) >= 3, f"{provider}: the poll showed too few changes to test anything"
