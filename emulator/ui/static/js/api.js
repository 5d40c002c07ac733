// The one way the page talks to the emulator: the chosen session's URL prefix, the control token when the
// server asks for one, JSON in and out, and the server's own error message on a 4xx/5xx.

const SESSION_KEY = "emulator.session";
const TOKEN_KEY = "emulator.controlToken";

export const conn = {
  session: new URLSearchParams(location.search).get("session") || localStorage.getItem(SESSION_KEY) || "default",
  token: sessionStorage.getItem(TOKEN_KEY) || "",
};

export function useSession(key) {
  conn.session = key;
  localStorage.setItem(SESSION_KEY, key);
}

export function useToken(token) {
  conn.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** The path prefix that puts a request in the chosen session (the default session needs none). */
export function prefix() {
  return conn.session === "default" ? "" : `/_session/${encodeURIComponent(conn.session)}`;
}

export class ApiError extends Error {
  constructor(status, message, field, body) {
    super(message);
    this.status = status;
    this.field = field;
    this.body = body;
  }
}

/** Pull a readable message out of any of the five APIs' error bodies or the control API's. */
export function errorMessage(data, text, status) {
  if (data && typeof data === "object") {
    const e = data.error;
    if (e && typeof e === "object" && e.message) return e.field ? `${e.message} (field: ${e.field})` : e.message;
    for (const key of ["message", "Message", "msg", "error", "errorMsg", "detail"]) {
      if (typeof data[key] === "string" && data[key]) return data[key];
    }
  }
  return text ? String(text).slice(0, 300) : `HTTP ${status}`;
}

function headersFor(path, extra, hasBody) {
  const headers = { ...extra };
  if (conn.token && path.startsWith("/_emulator/")) headers["X-Emulator-Control-Token"] = conn.token;
  if (hasBody && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
  return headers;
}

/** Any request in the session: answers {status, headers, data, text} whatever the status. */
export async function raw(method, path, body, headers = {}) {
  const hasBody = body !== undefined;
  const resp = await fetch(prefix() + path, {
    method,
    headers: headersFor(path, headers, hasBody),
    body: hasBody ? (typeof body === "string" ? body : JSON.stringify(body)) : undefined,
  });
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { status: resp.status, headers: resp.headers, data, text };
}

/** A control-API call: the parsed body, or an ApiError carrying the server's message. */
export async function api(method, path, body) {
  const r = await raw(method, path, body);
  if (r.status >= 400) {
    const field = r.data && r.data.error ? r.data.error.field : undefined;
    throw new ApiError(r.status, errorMessage(r.data, r.text, r.status), field, r.data);
  }
  return r.data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body === undefined ? {} : body);
export const del = (path) => api("DELETE", path);

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
