"""Teracloud Streams (successor of IBM Streams): the job life cycle REST API.

Emulated (seed: Teracloud "Job Life Cycle" page; shapes from IBM Streams 4.x REST docs and the `streamsx`
2.1 / streamsx.topology Java clients):

- `POST /streams/instances/{instanceId}/applicationbundles`: raw `.sab` bytes kept in memory per instance up
  to `bundle_limit`; 200 with a 56-hex `bundleId` derived from the content (profile `legacy`: 201 + Location).
- `POST .../jobs` with `application` = `bundleId:<id>`, a bare bundle id, or an http(s) URL (recorded, never
  fetched), `applicationCredentials` (kept, never echoed), `jobConfigurationOverlay` (job name, group, data
  directory, submission parameters and parallel-region widths are applied; the rest is kept as sent),
  `preview`. 201 with the full job resource and a `Location` header.
- `GET .../jobs`, `GET .../jobs/{jobId}`, the job's link collections (operators, pes, views, ...),
  `PATCH .../jobs/{jobId}` (update operators: parallel-region width), `DELETE .../jobs/{jobId}` (cancel).
- Health on timers: `unknown` -> `partiallyHealthy` -> `healthy`; a width change dips to `partiallyHealthy`;
  a scripted failure makes the job `unhealthy`; cancel: `canceling`, then the job leaves the list.
- The same resources under `/streams/rest/...` and `/streams/v1/...`; the root resource document
  `/streams/rest/resources`, the instance list and instance resources; optional bearer-token auth.
- Errors as `{"message": "CDISW5000E ...", "id": "CDISW5000E"}`.

Not emulated: the bundle is not unpacked or run (its application name is read from the .adl entry name when
it is a zip), no metrics, views carry no data, no application log trace archive, no job groups or
permissions, no operator-level updates other than parallel-region width, no 4.x collection query parameters.
"""

from .provider import Streams

PROVIDER = Streams
