"""Benchmark suite of the Job API Emulator: `python -m bench --help`.

Every figure is a ratio against a reference measured in the same run (the machine is shared and noisy):
HTTP figures against a bare aiohttp JSON endpoint the suite starts itself, in-process figures against the
cheapest pure-Python equivalent of the same work. Results go to bench/RESULTS.md.
"""
