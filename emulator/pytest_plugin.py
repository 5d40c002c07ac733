"""pytest fixtures for users' own test suites (registered through the `pytest11` entry point)."""
