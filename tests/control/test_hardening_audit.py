"""Hardening items that had no test of their own: Instabase checks the token before it reads a body, an idle
keep-alive connection of the real server is closed after --idle-timeout, and the Docker image's docs say when
to set the control token. The waits here are on a connection closing, never on a clock."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

from tests.support import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[2]
CLOSED = {"instabase": {"tokens": "ta=alice", "admins": "alice"}}
RUN = "/api/v1/flow/run_binary_async"


async def test_instabase_refuses_a_missing_token_before_reading_the_body(emulator_factory):
    emu = await emulator_factory(options=CLOSED, max_body=1000)
    # a body over --max-body: read first, it would be a 413; the token is checked first, so it is a 401
    resp = await emu.post(RUN, data=b'{"binary_path": "' + b"x" * 5000 + b'"}',
                          headers={"Content-Type": "application/json"})
    assert resp.status == 401, await resp.text()
    assert await resp.json() == {"status": "ERROR", "msg": "missing Authorization: Bearer <token> header"}
    # a body that never arrives: answered at once (no --body-timeout wait), and nothing is stored
    server = emu.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(b"POST " + RUN.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 500\r\nAuthorization: Bearer nope\r\n\r\n{")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    writer.close()
    assert head.startswith(b"HTTP/1.1 401 "), head
    health = await (await emu.get("/_emulator/health")).json()
    assert health["jobs_by_provider"]["instabase"] == 0


async def test_an_idle_keep_alive_connection_is_closed_after_idle_timeout():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port), "--clock", "manual",
                             "--idle-timeout", "0.3", "--header-timeout", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_ready(proc)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /_emulator/health HTTP/1.1\r\nHost: t\r\n\r\n")  # keep-alive (HTTP/1.1 default)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert head.startswith(b"HTTP/1.1 200 "), head
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        await reader.readexactly(length)
        # the response said keep-alive; nothing more is sent, and the server closes the connection on its own
        # (the header timeout is 60 s here, so the close is the idle bound's)
        assert b"connection: close" not in head.lower()
        rest = await asyncio.wait_for(reader.read(), 30)
        assert rest == b""
        writer.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_docker_image_listens_on_all_hosts_and_its_docs_say_to_set_the_control_token():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "EMULATOR_HOST=0.0.0.0" in dockerfile
    docs = (ROOT / "docs" / "docker.md").read_text()
    assert re.search(r"Set `EMULATOR_CONTROL_TOKEN=<secret>` whenever the container's port is reachable from "
                     r"other hosts", docs)
    readme = (ROOT / "README.md").read_text()
    assert "EMULATOR_CONTROL_TOKEN" in readme
