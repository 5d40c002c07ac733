"""Instabase Job API (platform API v1, `/api/v1/jobs/*`) for flow jobs.

Emulated: starting a flow binary (`POST /api/v1/flow/run_binary_async`), `jobs/status` (with `cur_status` as
a JSON-encoded string, `curProgress` rising with emulated time, `run_summary`, review fields and `results`),
`jobs/get_logs` (records appear as the job runs; `offset` is a page index), `jobs/list` with every documented
filter and `next_page`, `pause` / `resume` / `cancel` / `retry` (types all, checkpoint_failure, step_failure),
`pause_all` / `resume_all` / `cancel_all`, and `POST jobs/tags`. Actions answer GET (documented) and POST.
States: PENDING, RUNNING, PAUSED, COMPLETE, FAILED, CANCELLED, STOPPED_AT_CHECKPOINT (+ a hidden CANCELLING
step, shown as the state the job was cancelled from, because the seed says cancel is asynchronous).
Auth: `Authorization: Bearer <token>`; open by default, or a token->user map with admins (options `tokens`,
`admins`) that 401s unknown tokens and limits non-admins' bulk actions and `user` filter to their own jobs.
Scripted outcomes: `X-Emulator-Outcome: fail; at=RUNNING; message=OCR down` ends in FAILED; adding
`to=STOPPED_AT_CHECKPOINT` stops the flow at a checkpoint (its files go to review) instead.

Not emulated: running real flows or refiners, files in the Instabase Drive, `flow/run_step_async`,
`flow_binary/compile`, job types other than flow (any `type` value finds the job), Flow Review itself,
repository permissions on single-job actions, `flow_job_metrics` (always null).
Inferred (the seed's state diagram is missing): see lifecycle.py and docs/providers/instabase.md.
"""

from .provider import InstabaseProvider

PROVIDER = InstabaseProvider
