// How each API itself answers for one job, and its own stop/cancel command: the page reads the job the way
// that API's clients do. Paths that depend on where the job was submitted (a Streams instance, a Task API
// org/topic/task) come from the job's submit request in its timeline.

const stripSession = (path) => path.replace(/^\/_session\/[^/]+/, "");

/** The job's submit request (the first accepted write in its timeline), or null. */
export function submitOf(entries) {
  return entries.find((e) => e.kind === "request" && e.method !== "GET" && e.status < 400) || null;
}

const enc = encodeURIComponent;

const API = {
  bacalhau: {
    read: (id) => ({ path: `/api/v1/orchestrator/jobs/${enc(id)}` }),
    command: (id) => ({ label: "Stop", method: "DELETE", path: `/api/v1/orchestrator/jobs/${enc(id)}?reason=${enc("stopped from the dashboard")}` }),
  },
  seatunnel: {
    read: (id) => ({ path: `/job-info/${enc(id)}` }),
    command: (id) => ({ label: "Stop", method: "POST", path: "/stop-job", body: { jobId: id } }),
  },
  streams: {
    read: (id, base) => base && { path: `${base}/${enc(id)}` },
    command: (id, base) => base && { label: "Cancel", method: "DELETE", path: `${base}/${enc(id)}` },
    base: (submit, info) => submit ? stripSession(submit.path)
      : `/streams/instances/${enc(info.option_values.default_instance)}/jobs`,
  },
  instabase: {
    read: (id) => ({ path: `/api/v1/jobs/status?job_id=${enc(id)}&type=flow` }),
    command: (id) => ({ label: "Cancel", method: "POST", path: `/api/v1/jobs/cancel?job_id=${enc(id)}` }),
  },
  taskapi: {
    read: (id, base) => base && { path: `${base}/${enc(id)}/status`, headers: { Authorization: "Bearer dashboard" } },
    command: (id, base) => base && { label: "Cancel", method: "DELETE", path: `${base}/${enc(id)}`,
      headers: { Authorization: "Bearer dashboard" } },
    base: (submit) => submit && stripSession(submit.path),
  },
};

/** {read, command} requests for one job (either may be null when the API gives no way to it). */
export function requestsFor(provider, id, timelineEntries, info) {
  const api = API[provider];
  if (!api) return { read: null, command: null };
  const base = api.base ? api.base(submitOf(timelineEntries), info) : null;
  return { read: api.read(id, base) || null, command: api.command(id, base) || null };
}
