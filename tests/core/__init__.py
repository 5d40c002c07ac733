"""Tests of emulator/core/, one module per core module (a package, so their names may repeat other folders')."""
