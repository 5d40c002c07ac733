"""`job-emulator serve|openapi|fixtures`: the command line. Invalid configuration exits 2 with one line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Sequence

from . import __version__
from . import config as cfg

FLAG_KINDS = {
    "port": int, "seed": int, "speed": float, "jitter": float, "max_body": int, "max_snapshot": int,
    "retain_finished": int,
    "retain_seconds": float, "journal_size": int, "journal_bytes": int,
    "max_sessions": int, "max_rules": int,
    "idle_timeout": float, "body_timeout": float, "header_timeout": float,
}
REPEATABLE = ("durations", "profiles", "options", "provider_ports")
FLAG_NAMES = {"durations": "duration", "profiles": "profile", "options": "option", "provider_ports": "provider-port"}


def fixed_bounds() -> list[str]:
    """The bounds no flag changes, one line each, as `serve --help` prints them."""
    from .control.events import BUFFER, MAX_SUBSCRIBERS
    from .core.clock import MAX_NS, iso_utc
    from .core.fates import MAX_FLAPS, MIN_FLAP_EVERY
    from .core.session import ADVANCE_SLICE
    from .timers import TICK_SLICE

    return [f"flapping outcome: at least {MIN_FLAP_EVERY:g} s between flips, at most {MAX_FLAPS} rounds",
            f"a clock advance fires at most {ADVANCE_SLICE:,} transitions per slice, then yields to other requests",
            f"real and scaled clocks: a backlog of due transitions fires at most {TICK_SLICE:,} per turn of the "
            "event loop (timer wake-up or a request catching up)",
            f"event streams: {MAX_SUBSCRIBERS} open per session; a stream {BUFFER:,} events behind is cut off",
            f"the emulated clock ends at {iso_utc(MAX_NS, 0)} (2^62 ns)"]


def _serve_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from .providers import available, provider_class

    epilog = ["Every flag can also be set by its environment variable; flags win over variables.", "",
              "Providers, their profiles and options:"]
    from .providers.capabilities import help_lines

    for key in available():
        epilog += help_lines(provider_class(key))
    epilog += ["", "Fixed bounds (docs/bounds-and-safety.md):", *(f"  {line}" for line in fixed_bounds())]
    p = sub.add_parser("serve", help="run the emulator", epilog="\n".join(epilog),
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Serve the emulated job APIs and the control API under /_emulator/.")
    for name, (var, text) in cfg.ENV.items():
        flag = "--" + FLAG_NAMES.get(name, name).replace("_", "-")
        if name in ("check_responses", "auto_sessions", "trust_forwarded"):
            p.add_argument(flag, dest=name, action="store_const", const=True, default=None, help=f"{text} [{var}]")
        elif name in REPEATABLE:
            p.add_argument(flag, dest=name, action="append", default=None, help=f"{text} [{var}]")
        else:
            p.add_argument(flag, dest=name, default=None, help=f"{text} [{var}]")
    p.add_argument("--config", default=None, help="JSON file with settings (lowest precedence) [EMULATOR_CONFIG]")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="job-emulator", description="Emulator of five job-lifecycle REST APIs.")
    parser.add_argument("--version", action="version", version=f"job-emulator {__version__}")
    sub = parser.add_subparsers(dest="command")
    _serve_parser(sub)
    op = sub.add_parser("openapi", help="print a provider's OpenAPI document")
    op.add_argument("provider")
    fx = sub.add_parser("fixtures", help="write example requests and sandbox job sets")
    fx.add_argument("--seed", type=int, default=0)
    fx.add_argument("--out", default="fixtures")
    return parser


def settings_from_args(args: argparse.Namespace) -> cfg.Settings:
    from .providers import available

    values = {name: getattr(args, name, None) for name in cfg.ENV}
    values["config"] = getattr(args, "config", None)
    return cfg.load(values, available=available())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["serve", *argv]  # flags without a subcommand serve, like a bare `job-emulator`
    args = parser.parse_args(argv)
    if args.command in (None, "serve"):
        if args.command is None:
            args = parser.parse_args(["serve"])
        try:
            settings = settings_from_args(args)
        except cfg.ConfigError as exc:
            print(f"job-emulator: error: {exc}", file=sys.stderr)
            return 2
        try:
            return serve(settings)
        except (cfg.ConfigError, ValueError, OSError) as exc:
            print(f"job-emulator: error: {exc}", file=sys.stderr)
            return 2
    if args.command == "openapi":
        try:
            from .openapi import document
        except ImportError:
            print("job-emulator: error: OpenAPI generation is not available in this build", file=sys.stderr)
            return 2
        import json

        from .core.validation import SchemasMissing

        try:
            doc = document(args.provider)
        except SchemasMissing as exc:
            print(f"job-emulator: error: {exc}", file=sys.stderr)
            return 2
        except KeyError:
            from .providers import available

            print(f"job-emulator: error: unknown provider {args.provider!r}; known: "
                  f"{', '.join(available())}, control", file=sys.stderr)
            return 2
        print(json.dumps(doc, indent=2))
        return 0
    if args.command == "fixtures":
        try:
            from .fixtures import write_all
        except ImportError:
            print("job-emulator: error: fixture generation is not available in this build", file=sys.stderr)
            return 2
        write_all(args.out, args.seed)
        return 0
    parser.print_help()
    return 2


def serve(settings: cfg.Settings) -> int:
    """Run until SIGINT/SIGTERM."""
    from aiohttp import web

    from .app import create_app
    from .connections import bound_header_time

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger("emulator")

    async def run() -> None:
        app = create_app(settings)
        # What start-up made (modules, schemas, providers, a preloaded or restored job set) lives as long as
        # the process: frozen, it is no longer walked by each full collection (8.1 ms a pass on a 2.7x slower
        # machine than the bench's last; 2.2 % fewer instructions per served Bacalhau poll over 3,000 polls,
        # python -m bench.instructions). Jobs hold no reference cycle, so a frozen job that goes is still freed.
        gc.freeze()
        runners = []
        runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                keepalive_timeout=settings.idle_timeout)
        await runner.setup()
        bound_header_time(runner, settings.header_timeout)
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        runners.append(runner)
        port = settings.port or runner.addresses[0][1]
        base = f"http://{settings.host}:{port}"
        print(f"job-emulator {__version__} listening on {base} (clock {settings.clock}, seed {settings.seed})",
              flush=True)
        for key in app["providers"]:
            print(f"  provider {key} at {base}", flush=True)
        for key, pport in settings.provider_ports.items():
            papp = create_app(settings, only=key)
            papp["sessions"] = app["sessions"]  # one world: the same jobs on both ports
            prunner = web.AppRunner(papp, access_log=None, handle_signals=False,
                                     keepalive_timeout=settings.idle_timeout)
            await prunner.setup()
            bound_header_time(prunner, settings.header_timeout)
            await web.TCPSite(prunner, settings.host, pport).start()
            runners.append(prunner)
            print(f"  provider {key} also at http://{settings.host}:{pport}", flush=True)
        print(f"  control API at {base}/_emulator/health", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        if settings.state_file:
            from .core.snapshot import save_file

            save_file(app["sessions"], settings.state_file)
            log.info("state saved to %s", settings.state_file)
        for r in reversed(runners):
            await r.cleanup()

    asyncio.run(run())
    return 0
