"""The engine every provider shares. It knows no provider and no web framework, so it can be tested,
benchmarked and snapshotted without a server."""
