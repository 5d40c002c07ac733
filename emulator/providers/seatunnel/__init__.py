"""Apache SeaTunnel (Zeta engine) REST API v2: the job lifecycle, emulated.

Real API: the Jetty REST v2 servlets of the SeaTunnel engine (port 8080; first in the 2.3.9 development tree,
documented in docs/en/engines/zeta/rest-api-v2.md), specified here by the "REST API Job Lifecycle Cookbook"
the project was created from.

Emulated: `POST /submit-job` (JSON, or HOCON with `format=hocon`; query jobId, jobName, isStartWithSavePoint),
`POST /submit-jobs`, `POST /stop-job` and `/stop-jobs` (cancel, stop with savepoint, the seed's `force`),
`GET /job-info/{id}` and the deprecated `/running-job/{id}`, `GET /running-jobs`, `GET /finished-jobs/{state}`
(with `page`/`rows`), `GET /logs[/{id}]`, `GET /overview`, `GET /system-monitoring-information`; the engine's
job states (PENDING, RUNNING, FINISHED, CANCELING, CANCELED, DOING_SAVEPOINT, SAVEPOINT_DONE, FAILING, FAILED),
a jobDag built from the plugin graph, metrics that grow with emulated time, restart from checkpoint and
restore from savepoint (metrics continue), finished-job expiry (history-job-expire-minutes), optional Basic auth,
and the engine's `{"status":"fail","message"}` errors. Version profiles: `default` (the seed), `engine-2.3.9`
(the 2.3.9-dev engine code), `engine-newer` (newer engines).

Not emulated: real connectors (no data is read or written; FakeSource `row.num` and a rows-per-second rate
drive the counters), SQL job files (`format=sql`), `/submit-job/upload`, `/encrypt-config`, `/update-tags`,
thread dumps and metrics exports, multiple cluster members, the REST v1 API on the Hazelcast port.
"""

from .provider import SeaTunnelProvider

PROVIDER = SeaTunnelProvider
