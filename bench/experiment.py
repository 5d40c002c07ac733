"""Measure a change to a file this suite does not own, without editing it: run `job-emulator serve` with
the change monkey-patched in, so the gain can be reported before the owner makes it for real.

    python -m bench.experiment [--orjson] [--uvloop] serve --port N --clock manual ...

--orjson: `emulator.web.respond.dumps` encodes with orjson (same compact output, UTF-8 kept as is).
--uvloop: `asyncio.run` runs on uvloop's event loop.
"""

from __future__ import annotations

import sys


def main() -> int:
    argv = sys.argv[1:]
    if "--orjson" in argv:
        argv.remove("--orjson")
        import orjson

        from emulator.web import respond

        respond.dumps = lambda body: orjson.dumps(body)  # what respond.dumps would become
    if "--uvloop" in argv:
        argv.remove("--uvloop")
        import asyncio

        import uvloop

        asyncio.run = uvloop.run  # type: ignore[assignment]
    from emulator.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
