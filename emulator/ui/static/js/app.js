// The dashboard's entry point: the session picker, the clock bar, and one view at a time chosen by the URL
// hash (#/jobs, #/job/<provider>/<id>, #/rules, #/journal, #/session).

import { ApiError, conn, get, useSession, useToken } from "./api.js";
import * as clock from "./clock.js";
import { h, fill, options } from "./dom.js";
import * as live from "./live.js";
import { notify } from "./notice.js";
import * as jobs from "./jobs.js";
import * as job from "./job.js";
import * as rules from "./rules.js";
import * as journal from "./journal.js";
import * as session from "./session.js";

const VIEWS = { jobs, job, rules, journal, session };
let current = null; // {view, refresh, stop}
let providers = null;

/** What GET /_emulator/providers says, fetched once per page load. */
export async function providerInfo() {
  if (!providers) providers = (await get("/_emulator/providers")).providers;
  return providers;
}

export async function refreshSessions() {
  const { sessions } = await get("/_emulator/sessions");
  if (!sessions.some((s) => s.key === conn.session)) {
    useSession("default");
  }
  const picker = document.getElementById("session-picker");
  fill(picker, options(sessions.map((s) => [s.key, `${s.key} (${s.jobs} jobs)`]), conn.session));
  return sessions;
}

/** Switch every request of the page to session `key`. */
export async function switchSession(key) {
  useSession(key);
  await live.start();
  await route();
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const name = VIEWS[parts[0]] ? parts[0] : "jobs";
  return { name, args: parts.slice(1) };
}

async function route() {
  if (current && current.stop) current.stop();
  const { name, args } = parseHash();
  for (const a of document.querySelectorAll("#nav a")) {
    a.classList.toggle("active", a.dataset.page === (name === "job" ? "jobs" : name));
  }
  const root = fill(document.getElementById("view"));
  root.dataset.view = name;
  const ctx = { providers: await providerInfo(), args, switchSession, refreshSessions };
  current = (await VIEWS[name].render(root, ctx)) || {};
  await refreshAll();
}

async function refreshAll() {
  await Promise.all([clock.refresh(), refreshSessions()]);
  if (current && current.refresh) await current.refresh();
}

function askToken() {
  const root = fill(document.getElementById("view"));
  const input = h("input", { type: "password", id: "token", placeholder: "control token", autocomplete: "off" });
  root.append(h("form", {
    class: "panel narrow",
    onsubmit: (e) => {
      e.preventDefault();
      useToken(input.value);
      boot();
    },
  }, h("h2", {}, "This emulator needs its control token"),
  h("p", { class: "muted" }, "It runs with --control-token: enter it to use the dashboard (kept for this tab only)."),
  input, h("button", { type: "submit" }, "Use token")));
}

async function boot() {
  try {
    await refreshSessions();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return askToken();
    throw err;
  }
  await live.start();
  await route();
}

clock.setup();
live.onChange(() => refreshAll().catch(notify));
window.addEventListener("hashchange", () => route().catch(notify));
document.getElementById("session-picker").addEventListener("change", (e) => {
  switchSession(e.target.value).catch(notify);
});
boot().catch(notify);
