"""Toy Jobs API: a test-only system that proves the provider kit's seam. A client submits a job
(`POST /toy/v1/jobs`), reads it (`GET /toy/v1/jobs/{job_id}`) and lists them (`GET /toy/v1/jobs`); a job
goes QUEUED -> RUNNING -> DONE on timers, or FAILED when a scenario rule or the outcome header says so, and
can be cancelled. Everything it needs lives in this folder; the test registers it."""

from .provider import ToyProvider

PROVIDER = ToyProvider
