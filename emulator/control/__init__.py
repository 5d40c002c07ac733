"""The emulator's own API under /_emulator/: health, reset, clock (and the testing toolkit)."""
