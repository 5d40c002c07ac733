"""Bacalhau orchestrator Jobs API v1 (`/api/v1/orchestrator/jobs`).

Emulated: create (PUT/POST) with the real validation messages and ignored-field warnings; describe by full or
unique short id (with `include=history,executions`); list with namespace, Kubernetes label selectors, limit,
next_token, order_by and reverse; stop with the per-state semantics of the real orchestrator; history,
executions (one per `Count`, on distinct fake nodes, with `RunOutput` that echoes what `echo` prints),
published results and the log stream (a WebSocket). batch/ops jobs complete; daemon/service jobs run until stopped.

Profiles: `default` follows the seed's shapes (list keys `Jobs`/`History`/`Executions`/`Results`, decimal
paging tokens, echo-style `{message,error}` errors, unknown job = 500); `v1.4` keys every list `Items`, adds
the `Queued` state and base64 paging tokens (what bacalhau-apiclient 1.4 expects); `v1.5` adds the
`APIError` body with 404 for an unknown job.

Not emulated: node endpoints, job versions/rerun/diff (v1.8+), and the
execution-state renumbering of v1.6+ (execution states are numbered as in <= v1.5: Completed = 7).
"""

from .provider import Bacalhau

PROVIDER = Bacalhau
