"""The emulated systems. `PROVIDERS` maps each key to the module that defines its `Provider` class."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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
    module = importlib.import_module(PROVIDERS[key])
    return module.PROVIDER
