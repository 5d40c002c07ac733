"""The journal is bounded in bytes as well as entries, keeps a bounded view of headers and bodies, reads the
newest N entries in O(N), and redacts secrets. Asserted as bounds and counts, never as times."""

from emulator.core import journal as journal_module
from emulator.core.journal import BODY_LIMIT, HEADER_COUNT, HEADER_VALUE, REDACTED, Journal

BIG = b"x" * 100_000


def request(j: Journal, i: int, headers: tuple = ()) -> dict:
    return j.request(i, "bacalhau", "GET", f"/api/v1/orchestrator/jobs/{i}", "", headers)


def test_large_headers_are_kept_as_a_bounded_view_with_a_marker():
    j = Journal(100, max_bytes=10**9)
    headers = tuple((b"X-Big-%d" % n, BIG) for n in range(HEADER_COUNT + 10))
    request(j, 1, headers)
    kept = j.query()[0]["headers"]
    assert len(kept) == HEADER_COUNT + 1
    assert kept["X-Big-0"] == "x" * HEADER_VALUE + f"...[{len(BIG) - HEADER_VALUE} more bytes]"
    assert kept["X-Emulator-Journal"] == "10 more headers not kept"


def test_the_journal_never_holds_more_than_its_byte_bound():
    bound = 1_000_000
    j = Journal(10_000, max_bytes=bound)
    headers = tuple((b"X-Big-%d" % n, BIG) for n in range(8))
    for i in range(200):  # 200 GETs with large headers: 156 MB kept before the bound
        entry = request(j, i, headers)
        j.add_body(entry, BIG)
        assert j.bytes <= bound
    assert len(j) < 200 and j.dropped == 200 - len(j)
    assert j.bytes == sum(e["_b"] for e in j.entries)
    text = sum(len(str(e.get("raw_headers"))) + len(e.get("body", "")) for e in j.entries)
    assert text <= 2 * bound
    assert all(len(e["body"]) == BODY_LIMIT and e["body_truncated"] for e in j.entries)


def test_a_body_arriving_after_its_entry_left_the_ring_is_not_counted():
    j = Journal(2, max_bytes=10**9)
    first = request(j, 1)
    request(j, 2)
    request(j, 3)
    j.add_body(first, BIG)
    assert j.bytes == sum(e["_b"] for e in j.entries)


def test_reading_the_newest_entries_builds_only_their_views(monkeypatch):
    j = Journal(10_000)
    for i in range(10_000):
        request(j, i)
    built = []
    real = journal_module.view
    monkeypatch.setattr(journal_module, "view", lambda e, reveal=False: built.append(e) or real(e, reveal))
    count, page = j.page(limit=1)
    assert count == 10_000 and [e["seq"] for e in page] == [10_000]
    assert len(built) == 1
    count, page = j.page(method="GET", limit=3)
    assert count == 10_000 and [e["seq"] for e in page] == [9_998, 9_999, 10_000]
    assert len(built) == 4


def test_secrets_are_redacted_in_views_unless_revealed():
    j = Journal(10)
    entry = j.request(1, "seatunnel", "POST", "/submit-job", "token=abc&x=1",
                      ((b"Authorization", b"Basic dTpw"), (b"Accept", b"*/*")))
    j.add_body(entry, b'{"source": [{"plugin_name": "Jdbc", "password": "hunter2", "user": "u"}]}')
    entry = j.request(2, "seatunnel", "POST", "/submit-job", "", ())
    j.add_body(entry, b'source { Jdbc { password = "hunter2"\n user = "u" } }')
    shown = j.query()
    assert shown[0]["headers"] == {"Authorization": REDACTED, "Accept": "*/*"}
    assert shown[0]["query"] == {"token": REDACTED, "x": "1"}
    assert "hunter2" not in shown[0]["body"] and '"password": "<redacted>"' in shown[0]["body"]
    assert "hunter2" not in shown[1]["body"] and '"user" = "u"' in shown[1]["body"]  # parsed, re-written
    revealed = j.query(reveal=True)
    assert revealed[0]["headers"]["Authorization"] == "Basic dTpw" and "hunter2" in revealed[0]["body"]
