"""Job API Emulator: the job-lifecycle REST APIs of five job-running systems, in one aiohttp process."""

__version__ = "0.2.0"
