// Keeps the page current. When the server has the event stream (GET /_emulator/events), each journal event
// (a transition, request, fault or clock change) refreshes the open view; without it, the view is refreshed
// once a second. Either way the page also refreshes right after one of its own actions.

import { conn, get, prefix } from "./api.js";

const POLL_MS = 1000;
const QUIET_MS = 120; // coalesce a burst of events (an advance fires many) into one refresh
const KINDS = ["transition", "request", "fault", "clock"];

let features = null;
const listeners = new Set();
let timer = null;
let stream = null;
let pending = null;

/** Which optional control endpoints this server has, read once from its own OpenAPI document. */
export async function serverFeatures() {
  if (features) return features;
  try {
    const doc = await get("/_emulator/openapi/control.json");
    const paths = Object.keys(doc.paths || {});
    features = { jobs: paths.includes("/_emulator/jobs"), events: paths.includes("/_emulator/events") };
  } catch {
    features = { jobs: false, events: false };
  }
  return features;
}

/** Call `fn` whenever something may have changed; answers a function that stops it. */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Refresh everything now (after the page changed something itself). */
export function kick() {
  if (pending) clearTimeout(pending);
  pending = null;
  for (const fn of [...listeners]) {
    Promise.resolve(fn()).catch((err) => console.warn("refresh failed:", err));
  }
}

function soon() {
  if (!pending) pending = setTimeout(kick, QUIET_MS);
}

/** (Re)start the feed for the current session. */
export async function start() {
  stop();
  const f = await serverFeatures();
  if (f.events && !conn.token) { // EventSource cannot send the token header; with a token the page polls
    stream = new EventSource(`${prefix()}/_emulator/events`);
    for (const kind of KINDS) stream.addEventListener(kind, soon);
    stream.addEventListener("overflow", soon);
  } else {
    timer = setInterval(() => {
      if (document.visibilityState === "visible") kick();
    }, POLL_MS);
  }
}

export function stop() {
  if (timer) clearInterval(timer);
  if (stream) stream.close();
  timer = null;
  stream = null;
}

export const isStreaming = () => stream !== null;
