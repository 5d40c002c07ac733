"""The emulated systems. `PROVIDERS` maps each key to the module that defines its `Provider` class (as
`PROVIDER`): adding a system is its folder plus one line here. `register` adds one from elsewhere for a while
(a test's own provider); `registered` does so for a `with` block."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..core import codec, validation

if TYPE_CHECKING:
    from ..kit import Provider

PROVIDERS: dict[str, str] = {
    "streams": "emulator.providers.streams",
    "bacalhau": "emulator.providers.bacalhau",
    "seatunnel": "emulator.providers.seatunnel",
    "instabase": "emulator.providers.instabase",
    "taskapi": "emulator.providers.taskapi",
}


def available() -> list[str]:
    """Provider keys whose module is present in this build."""
    found = []
    for key, mod in PROVIDERS.items():
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                continue
            raise
        if hasattr(module, "PROVIDER"):  # a folder still being written has no PROVIDER yet
            found.append(key)
    return found


def provider_class(key: str) -> type[Provider]:
    """The Provider class of `key`; a provider that keeps its schemas in its own folder gets them served."""
    cls: type[Provider] = importlib.import_module(PROVIDERS[key]).PROVIDER
    if cls.schema_folder is not None:
        validation.mount(key, cls.schema_folder)
    return cls


def register(key: str, module: str) -> None:
    """Serve provider `key` from `module` (whose `PROVIDER` is its class); its state classes may then appear
    in snapshots. ValueError when the key is taken."""
    if key in PROVIDERS:
        raise ValueError(f"provider {key!r} is already registered ({PROVIDERS[key]})")
    PROVIDERS[key] = module
    if not module.startswith("emulator.providers."):
        codec.allow_package(module)


def unregister(key: str) -> None:
    """Undo `register(key, ...)`."""
    module = PROVIDERS.pop(key)
    if not module.startswith("emulator.providers."):
        codec.disallow_package(module)
    validation.unmount(key)


@contextmanager
def registered(key: str, module: str) -> Iterator[None]:
    """Provider `key` from `module` is served inside the block (apps built there serve it when enabled)."""
    register(key, module)
    try:
        yield
    finally:
        unregister(key)
