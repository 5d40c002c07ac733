"""Seequent Evo Compute **Task API** 0.0.2 (the seed's "Task API"; developer.seequent.com/docs/api/task).

Emulated:
- `POST /compute/orgs/{org_id}/{topic}/{task}` `{"parameters": {...}}` -> 303 See Other, empty body,
  `Location: <scheme://host the client called>/compute/orgs/{org_id}/{topic}/{task}/{job_id}/status`.
- `GET .../{job_id}/status` -> 202 while `requested` / `in progress` / `cancelling`, 200 once `succeeded` /
  `failed` / `cancelled`; `{status, progress (0-100, rising with emulated time), message, error, links}`.
- `GET .../{job_id}` -> 202 `{status, links}` while ongoing; 200 `{status, results, error}` once finished.
- `DELETE .../{job_id}` -> 204; an ongoing job goes `cancelling` then `cancelled`.
- Errors as RFC 7807 problem details: 401 (option `auth`), 404 unknown org / task / job, 422 bad body,
  ids that are not UUIDs, parameters breaking a catalogue task's JSON Schema (`invalid-params`).
- A task catalogue (option `catalogue`) declaring per task its parameter schema, duration and results;
  profile `seed` for the one-L `canceling`/`canceled` spellings of the seed's prose.
- `GET /compute/orgs/{org_id}/tasks?details=&limit=&offset=`: the catalogue (a newer endpoint, optional).

Not emulated: real computation,
429 rate limiting (inject it with a fault rule), the `API-Preview: opt-in` header (accepted and ignored).
"""

from .provider import TaskApi

PROVIDER = TaskApi
