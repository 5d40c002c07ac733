"""Slow request headers (slowloris): a client that sends its request line and headers a byte at a time is
answered 408 and cut once --header-timeout passes, while a client that sends its headers in time is served.
A real listener with a tiny timeout; the tests wait on the connection closing, not on a clock."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from emulator.app import create_app
from emulator.config import load
from emulator.connections import bound_header_time
from emulator.providers import available

TIMEOUT = 0.2  # seconds: the bound under test, small so the tests are quick
REQUEST = b"GET /_emulator/health HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.fixture
async def port():
    settings = load({"clock": "manual", "seed": 1, "header_timeout": TIMEOUT}, env={}, available=available())
    runner = web.AppRunner(create_app(settings), access_log=None, handle_signals=False)
    await runner.setup()
    bound_header_time(runner, settings.header_timeout)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield runner.addresses[0][1]
    await runner.cleanup()


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    # generous: the server closes after TIMEOUT; this only guards a hung test
    return await asyncio.wait_for(reader.read(), timeout=30)


async def test_headers_sent_a_byte_at_a_time_get_408_and_the_connection_closes(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    closed = asyncio.ensure_future(_read_until_closed(reader))
    # trickle the request line; never finish the headers. Each byte waits for the server to have it.
    for byte in REQUEST[:-2]:
        if closed.done():
            break
        writer.write(bytes([byte]))
        await writer.drain()
        sent += 1
        await asyncio.wait({closed}, timeout=TIMEOUT / 4)  # a slow client: a byte per quarter of the bound
    answer = await closed
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer
    assert b"Connection: close" in answer
    assert sent < len(REQUEST) - 2  # cut before the headers were done
    writer.close()


async def test_a_connection_that_sends_nothing_is_cut_too(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert (await _read_until_closed(reader)).startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_headers_in_time_are_served_and_the_next_request_gets_its_own_bound(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(REQUEST)
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), timeout=30)
    assert status.startswith(b"HTTP/1.1 200 ")
    headers = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
    length = int(next(h.split(b":")[1] for h in headers.split(b"\r\n") if h.lower().startswith(b"content-length")))
    assert b'"status":"ok"' in await reader.readexactly(length)
    # the kept-alive connection: a second request that stalls mid-headers is cut on its own bound
    writer.write(b"GET /_emulator/health HTTP/1.1\r\nHo")
    await writer.drain()
    assert (await _read_until_closed(reader)).startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_a_later_request_gets_its_whole_bound_not_what_is_left_of_the_first(port):
    # one timer per connection, armed when the connection opened: a request begun later is still given its
    # whole bound (the timer finds a later phase and waits out the rest of it) and not cut early
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    closed = asyncio.ensure_future(_read_until_closed(reader))
    writer.write(REQUEST)
    await writer.drain()
    await asyncio.wait({closed}, timeout=TIMEOUT * 3 / 4)  # kept alive, idle, for most of the first bound
    assert not closed.done()
    writer.write(b"GET /_emulator/health HTTP/1.1\r\nHo")
    await writer.drain()
    began = loop.time()
    answer = await closed
    assert loop.time() - began >= TIMEOUT * 0.9, "cut before its own bound"
    assert answer.count(b"HTTP/1.1 200 ") == 1 and answer.endswith(b"request headers did not arrive in time (408)")
    writer.close()


def test_header_timeout_is_a_documented_bounded_setting():
    s = load({"header_timeout": "2.5"}, env={})
    assert s.header_timeout == 2.5 and load({}, env={}).header_timeout == 10.0
    with pytest.raises(ValueError, match="header_timeout must be > 0"):
        load({"header_timeout": 0}, env={})
