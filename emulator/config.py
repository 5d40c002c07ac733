"""One Settings object: CLI flags > EMULATOR_* environment variables > optional JSON config file > defaults.

Invalid values raise ConfigError with a one-line reason; the CLI prints it and exits non-zero.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .core.clock import MAX_SPEED, MODES


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message is the one line the user sees."""


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = 0
    clock: str = "real"
    speed: float = 1.0
    providers: list[str] = field(default_factory=list)  # empty = every available provider
    durations: dict[str, dict[str, float]] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    provider_ports: dict[str, int] = field(default_factory=dict)
    jitter: float = 0.0
    max_body: int = 10 * 1024 * 1024
    max_snapshot: int = 256 * 1024 * 1024
    retain_finished: int | None = None
    retain_seconds: float | None = None
    journal_size: int = 10_000
    journal_bytes: int = 4 * 1024 * 1024
    max_sessions: int = 1000
    auto_sessions: bool = False
    control_token: str | None = None
    trust_forwarded: bool = False
    idle_timeout: float = 75.0
    body_timeout: float = 30.0
    header_timeout: float = 10.0
    max_rules: int = 1000
    log_level: str = "warning"
    check_responses: bool = False
    state_file: str | None = None
    preload: str | None = None
    cors: list[str] = field(default_factory=list)  # allowed browser origins; empty = CORS off

    def to_dict(self, reveal: bool = False) -> dict:
        """The settings as JSON; secrets (the control token, provider options named like passwords or
        tokens) read `<redacted>` unless `reveal`."""
        out = asdict(self)
        if reveal:
            return out
        if out["control_token"]:
            out["control_token"] = REDACTED
        out["options"] = {prov: redact_options(opts) for prov, opts in out["options"].items()}
        return out


REDACTED = "<redacted>"
SECRET_OPTION = re.compile(r"pass(word|wd)?|secret|token|api[-_]?key|credential", re.I)


def redact_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Provider options with the values of secret ones (tokens, passwords) redacted."""
    return {k: REDACTED if SECRET_OPTION.search(k) and v not in (None, "", []) else v for k, v in options.items()}


# name -> (env var, help); the CLI builds its flags from this table so flags, env and help never drift.
ENV = {
    "host": ("EMULATOR_HOST", "address to listen on (0.0.0.0 to accept other hosts)"),
    "port": ("EMULATOR_PORT", "port of the shared listener serving every provider"),
    "seed": ("EMULATOR_SEED", "seed for ids, fake data, duration jitter and random faults"),
    "clock": ("EMULATOR_CLOCK", "clock mode: real, scaled (uses --speed) or manual (moves only via the control API)"),
    "speed": ("EMULATOR_SPEED", "emulated seconds per wall second; any value other than 1 implies --clock scaled"),
    "providers": ("EMULATOR_PROVIDERS", "comma list of providers to enable (default: all)"),
    "durations": ("EMULATOR_DURATIONS",
                  "state durations in seconds, e.g. bacalhau.Running=10,seatunnel.RUNNING=5 (repeatable flag)"),
    "profiles": ("EMULATOR_PROFILES", "version profile per provider, e.g. bacalhau=v1.4 (repeatable flag)"),
    "options": ("EMULATOR_OPTIONS", "provider option, e.g. streams.instances=inst1|inst2 (repeatable flag)"),
    "provider_ports": ("EMULATOR_PROVIDER_PORTS", "extra per-provider listener, e.g. bacalhau=1234 (repeatable flag)"),
    "jitter": ("EMULATOR_JITTER", "fraction (0..1) by which state durations vary, drawn from the seed"),
    "max_body": ("EMULATOR_MAX_BODY", "largest accepted request body in bytes (bigger: 413 in the API's format)"),
    "max_snapshot": ("EMULATOR_MAX_SNAPSHOT", "largest snapshot POST /_emulator/snapshot takes, in bytes "
                                              "(about 1.2 KB per job)"),
    "retain_finished": ("EMULATOR_RETAIN_FINISHED", "finished jobs kept per provider and session (default: all)"),
    "retain_seconds": ("EMULATOR_RETAIN_SECONDS", "emulated seconds a finished job is kept (default: forever)"),
    "journal_size": ("EMULATOR_JOURNAL_SIZE", "request journal capacity per session in entries (a ring buffer)"),
    "journal_bytes": ("EMULATOR_JOURNAL_BYTES", "request journal bound per session in bytes of kept text; a "
                                                "request keeps 64 headers of 1 KiB and 16 KiB of body at most"),
    "max_sessions": ("EMULATOR_MAX_SESSIONS", "sessions kept at once; past it the least recently used session "
                                              "without jobs goes, and when all hold jobs a new one is refused (409)"),
    "auto_sessions": ("EMULATOR_AUTO_SESSIONS", "create a session on first use of an unknown key (default: only "
                                                "POST /_emulator/sessions creates one; an unknown key is a 404)"),
    "control_token": ("EMULATOR_CONTROL_TOKEN", "require this token on /_emulator/ (except health) as "
                                                "X-Emulator-Control-Token or Authorization: Bearer; set it whenever "
                                                "the port is reachable from other hosts"),
    "trust_forwarded": ("EMULATOR_TRUST_FORWARDED", "build Location headers and links from X-Forwarded-Host/Proto "
                                                    "(only behind a proxy you run)"),
    "idle_timeout": ("EMULATOR_IDLE_TIMEOUT", "wall seconds an idle keep-alive connection stays open"),
    "body_timeout": ("EMULATOR_BODY_TIMEOUT", "wall seconds a request body may take to arrive (slower: 408)"),
    "header_timeout": ("EMULATOR_HEADER_TIMEOUT", "wall seconds a request line and headers may take to arrive "
                                                  "(slower: 408 and the connection closes)"),
    "max_rules": ("EMULATOR_MAX_RULES", "scenario rules and fault rules per session, each (more: 409)"),
    "log_level": ("EMULATOR_LOG_LEVEL", "debug, info (adds one line per request), warning or error"),
    "check_responses": ("EMULATOR_CHECK_RESPONSES", "validate every response against schemas/ (for tests)"),
    "state_file": ("EMULATOR_STATE_FILE", "load state from this file at start and save it on shutdown"),
    "preload": ("EMULATOR_PRELOAD", "directory of fixtures to load at start (e.g. fixtures/sandbox)"),
    "cors": ("EMULATOR_CORS", "browser origins allowed to call the APIs and /_emulator/ (CORS), comma list, e.g. "
                              "http://localhost:3000, or * for any (default: CORS off)"),
}

LOG_LEVELS = ("debug", "info", "warning", "error")


def _kv_list(text: str, what: str) -> list[tuple[str, str]]:
    out = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        if "=" not in item:
            raise ConfigError(f"{what}: expected key=value, got {item!r}")
        k, v = item.split("=", 1)
        out.append((k.strip(), v.strip()))
    return out


def _coerce(name: str, value: Any) -> Any:
    """Turn a raw (string or parsed) value into the Settings field's type, or raise ConfigError."""
    if name == "check_responses":
        low = value if isinstance(value, bool) else str(value).strip().lower()
        if low not in (True, False, "1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ConfigError(f"--check-responses: must be true or false, got {value!r}")
        return low in (True, "1", "true", "yes", "on")
    try:
        if name in ("port", "seed", "max_body", "max_snapshot", "journal_size", "journal_bytes",
                    "max_sessions", "max_rules"):
            return int(value)
        if name in ("retain_finished",):
            return None if value in (None, "") else int(value)
        if name in ("speed", "jitter", "idle_timeout", "body_timeout", "header_timeout"):
            return float(value)
        if name == "retain_seconds":
            return None if value in (None, "") else float(value)
        if name in ("auto_sessions", "trust_forwarded"):
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if name == "cors":
        from .cors import parse_origins

        try:
            return parse_origins(value if isinstance(value, (str, list)) else str(value))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if name == "providers":
        return [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else list(value)
    if name == "durations":
        if isinstance(value, Mapping):
            if not all(isinstance(v, Mapping) for v in value.values()):
                raise ConfigError("durations: expected {provider: {state: seconds}}")
            return {k: dict(v) for k, v in value.items()}
        items = value if isinstance(value, list) else [value]
        out: dict[str, dict[str, float]] = {}
        for text in items:
            for k, v in _kv_list(text, "durations"):
                if "." not in k:
                    raise ConfigError(f"durations: expected provider.State=seconds, got {k}={v}")
                prov, state = k.split(".", 1)
                try:
                    out.setdefault(prov, {})[state] = float(v)
                except ValueError:
                    raise ConfigError(f"durations: {k} must be a number of seconds, got {v!r}") from None
        return out
    if name in ("profiles", "provider_ports"):
        if isinstance(value, Mapping):
            pairs = list(value.items())
        else:
            pairs = [kv for text in (value if isinstance(value, list) else [value]) for kv in _kv_list(text, name)]
        if name == "provider_ports":
            try:
                return {k: int(v) for k, v in pairs}
            except ValueError:
                raise ConfigError("provider_ports: each port must be an integer") from None
        return {k: str(v) for k, v in pairs}
    if name == "options":
        if isinstance(value, Mapping):
            return {k: dict(v) for k, v in value.items()}
        opts: dict[str, dict[str, Any]] = {}
        for text in value if isinstance(value, list) else [value]:
            for item in (p.strip() for p in text.split(",")):  # list values inside one option use "|"
                if not item:
                    continue
                if "=" not in item or "." not in item.split("=", 1)[0]:
                    raise ConfigError(f"options: expected provider.name=value, got {item!r}")
                k, v = item.split("=", 1)
                prov, opt = k.split(".", 1)
                opts.setdefault(prov.strip(), {})[opt.strip()] = v.strip()
        return opts
    return value


def load(cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
         available: list[str] | None = None) -> Settings:
    """Build Settings from CLI values (None = not given), the environment and an optional config file."""
    cli = dict(cli or {})
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    config_file = cli.pop("config", None) or env.get("EMULATOR_CONFIG")
    if config_file:
        try:
            with open(config_file, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc}") from None
        names = {f.name for f in fields(Settings)}
        for k, v in data.items():
            if k not in names:
                raise ConfigError(f"config file {config_file}: unknown setting {k!r}")
            values[k] = _coerce(k, v)
    for name, (var, _) in ENV.items():
        if env.get(var) not in (None, ""):
            values[name] = _coerce(name, env[var])
    for name, v in cli.items():
        if v is not None and v != []:
            values[name] = _coerce(name, v)
    settings = Settings(**values)
    if "clock" not in values and settings.speed != 1.0:
        settings.clock = "scaled"
    validate(settings, available)
    return settings


def check_state_file(path: str) -> None:
    """The state file must be savable at shutdown: its directory exists and is writable (checked at start,
    not discovered on SIGTERM)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(f"state file {path}: directory {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"state file {path}: directory {folder} is not writable")
    if os.path.isdir(path):
        raise ConfigError(f"state file {path} is a directory")


def validate(s: Settings, available: list[str] | None) -> None:
    if s.clock not in MODES:
        raise ConfigError(f"clock must be one of {', '.join(MODES)}, got {s.clock!r}")
    if not 0 < s.speed <= MAX_SPEED:
        raise ConfigError(f"speed must be > 0 and <= {MAX_SPEED:g}, got {s.speed:g}")
    if not 0 <= s.port <= 65535:
        raise ConfigError(f"port must be 0..65535, got {s.port}")
    if not 0 <= s.jitter < 1:
        raise ConfigError(f"jitter must be in [0, 1), got {s.jitter:g}")
    if s.max_body <= 0:
        raise ConfigError("max_body must be > 0")
    if s.max_snapshot <= 0:
        raise ConfigError("max_snapshot must be > 0")
    if s.journal_bytes < 0:
        raise ConfigError("journal_bytes must be >= 0")
    if s.journal_size < 0:
        raise ConfigError("journal_size must be >= 0")
    if s.max_sessions < 1:
        raise ConfigError("max_sessions must be >= 1")
    for name in ("idle_timeout", "body_timeout", "header_timeout"):
        if not 0 < getattr(s, name) <= 86_400:
            raise ConfigError(f"{name} must be > 0 and <= 86400 seconds, got {getattr(s, name):g}")
    if s.max_rules < 0:
        raise ConfigError("max_rules must be >= 0")
    if s.state_file:
        check_state_file(s.state_file)
    if s.log_level.lower() not in LOG_LEVELS:
        raise ConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}, got {s.log_level!r}")
    s.log_level = s.log_level.lower()
    if available is not None:
        for group, names in (("providers", s.providers), ("durations", s.durations), ("profiles", s.profiles),
                             ("options", s.options), ("provider_ports", s.provider_ports)):
            for name in names:
                if name not in available:
                    raise ConfigError(f"{FLAGS[group]}: unknown provider {name!r}; known: {', '.join(available)}")
        if not s.providers:
            s.providers = list(available)
        check_provider_settings(s)


# the command-line flag of each provider-keyed setting, for messages that name what the user typed
FLAGS = {"providers": "--providers", "durations": "--duration", "profiles": "--profile", "options": "--option",
         "provider_ports": "--provider-port"}


def check_durations(durations: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """`durations` ({provider: {state: seconds}}) with each state spelled as the provider's graphs spell it;
    ConfigError naming the flag and the valid states for an unknown provider or state, and for a number that
    is not finite, below 0 or above the longest scriptable duration."""
    from .core.fates import MAX_DURATION
    from .providers import available, provider_class

    known = available()
    out: dict[str, dict[str, float]] = {}
    for prov, states in durations.items():
        if prov not in known:
            raise ConfigError(f"--duration {prov}: unknown provider; known: {', '.join(known)}")
        cls = provider_class(prov)
        for state, secs in states.items():
            st = cls.resolve_state(state)
            if st is None:
                raise ConfigError(f"--duration {prov}.{state}: unknown state; {prov} states: "
                                  f"{', '.join(cls.states())}")
            ok = isinstance(secs, (int, float)) and not isinstance(secs, bool) and math.isfinite(secs)
            if not ok or not 0 <= secs <= MAX_DURATION:
                raise ConfigError(f"--duration {prov}.{state}: seconds must be a finite number from 0 to "
                                  f"{MAX_DURATION:g}, got {secs!r}")
            out.setdefault(prov, {})[st] = float(secs)
    return out


def check_provider_settings(s: Settings) -> None:
    """Durations, profiles and options against each provider's declarations (options parsed to their types)."""
    from .kit import parse_options
    from .providers import provider_class

    s.durations = check_durations(s.durations)
    for prov, profile in s.profiles.items():
        cls = provider_class(prov)
        if profile not in cls.profiles:
            raise ConfigError(f"--profile {prov}={profile}: unknown profile; {prov} profiles: "
                              f"{', '.join(cls.profiles)}")
    for prov, given in list(s.options.items()):
        try:
            s.options[prov] = {k: v for k, v in parse_options(provider_class(prov), given).items() if k in given}
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
