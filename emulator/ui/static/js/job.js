// One job: its timeline (state bands and the journal on the virtual time axis), its wire view as its own API
// answers it, its journal entries, and actions — step, set state, advance until, and the API's own
// stop/cancel command.

import { ApiError, get, post, raw } from "./api.js";
import { virtualNow } from "./clock.js";
import { h, fill, options } from "./dom.js";
import { seconds, span, stateBadge, when, clockOf, faultText } from "./format.js";
import { kick } from "./live.js";
import { notify } from "./notice.js";
import { legend, timeline } from "./timeline.js";
import { requestsFor } from "./wire.js";

// On the job's own page its id in a path is only noise: "/jobs/j-6513270e…" reads better than the whole id.
function shorten(text, id) {
  return id.length > 14 ? text.split(id).join(`${id.slice(0, 10)}…`) : text;
}

function describe(e, id) {
  if (e.kind === "transition") return `${e.from ?? "∅"} → ${e.to}${e.message ? ` — ${e.message}` : ""}`;
  if (e.kind === "fault") return shorten(faultText(e), id);
  const q = e.query && Object.keys(e.query).length ? "?" + new URLSearchParams(e.query) : "";
  return shorten(`${e.method} ${e.path}${q} → ${e.status}`, id);
}

function entryRows(entries, t0, id) {
  return [...entries].reverse().map((e) => h("tr", { class: `kind-${e.kind}` },
    h("td", { class: "mono" }, clockOf(seconds(e.t))),
    h("td", { class: "num muted" }, `+${span(seconds(e.t) - t0)}`),
    h("td", {}, h("span", { class: `kind ${e.kind}` }, e.kind)),
    h("td", { class: "mono", title: e.path || "" }, describe(e, id))));
}

export async function render(root, { providers, args }) {
  const [provider, id] = args;
  const base = `/_emulator/jobs/${encodeURIComponent(provider)}/${encodeURIComponent(id)}`;
  const info = providers[provider];
  const head = h("div", { class: "job-head" });
  const chart = h("div", { class: "chart", id: "timeline" });
  const entriesBody = h("tbody", { id: "job-entries" });
  const wire = h("pre", { class: "wire", id: "wire" }, "…");
  const wireTitle = h("span", { class: "mono muted", id: "wire-request" });
  const engine = h("pre", { class: "wire small", id: "engine" });
  const actions = h("div", { class: "actions", id: "actions" });
  let job = null;
  let entries = [];

  async function act(fn) {
    try {
      await fn();
    } catch (err) {
      notify(err);
    }
    await readWire();
    kick();
  }

  // Built once (a live refresh must not reset what the user picked), then only enabled or disabled.
  let controls = null;
  function drawActions() {
    if (controls) {
      controls.step.disabled = !job.next;
      controls.step.title = job.next ? `apply the next transition now (${job.next.state})` : "no timed transition is due";
      if (controls.command) controls.command.disabled = job.terminal;
      return;
    }
    const states = job.states;
    const setSel = h("select", { id: "set-state", "aria-label": "state to set" }, options(states, job.state));
    const msg = h("input", { id: "set-message", placeholder: "message (optional)" });
    const untilSel = h("select", { id: "until-state", "aria-label": "state to advance until" },
      options(states, states.find((s) => s !== job.state)));
    const { command } = requestsFor(provider, id, entries, info || {});
    controls = {
      step: h("button", { id: "step", type: "button",
        onclick: () => act(async () => { await post(`${base}/step`); notify(`stepped ${id}`, "info"); }) }, "Step"),
      command: command ? h("button", { id: "command", type: "button", class: "danger",
        title: `${command.method} ${command.path} — the API's own command`,
        onclick: () => act(async () => {
          const r = await raw(command.method, command.path, command.body, command.headers || {});
          notify(`${command.label}: ${command.method} ${command.path} answered ${r.status}`, r.status < 400 ? "info" : "error");
        }) }, command.label) : null,
    };
    fill(actions, controls.step,
      h("span", { class: "group" }, setSel, msg, h("button", { id: "set", type: "button", onclick: () => act(async () => {
        const body = { state: setSel.value };
        if (msg.value) body.message = msg.value;
        await post(`${base}/state`, body);
        notify(`${id} set to ${setSel.value}`, "info");
      }) }, "Set state")),
      h("span", { class: "group" }, untilSel, h("button", { id: "until", type: "button", onclick: () => act(async () => {
        const r = await post(`${base}/advance-until`, { state: untilSel.value });
        notify(`advanced ${span(r.advanced_seconds)}: ${id} is ${r.state}`, "info");
      }) }, "Advance until")),
      controls.command);
    drawActions();
  }

  async function readWire() {
    const { read } = requestsFor(provider, id, entries, info || {});
    if (!read) {
      wireTitle.textContent = "";
      wire.textContent = "This API reads a job at a path that depends on its submit request, which the journal no longer holds.";
      return;
    }
    const r = await raw("GET", read.path, undefined, read.headers || {});
    wireTitle.textContent = `GET ${read.path} → ${r.status}`;
    wire.textContent = r.data !== null ? JSON.stringify(r.data, null, 2) : r.text;
  }

  async function refresh() {
    let tl;
    try {
      [job, tl] = await Promise.all([get(base), get(`${base}/timeline`)]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        fill(head, h("h2", {}, `${provider} job ${id}`), h("p", { class: "muted" }, err.message));
        return;
      }
      throw err;
    }
    entries = tl.entries;
    const now = virtualNow() ?? seconds(job.modified_ns);
    const t0 = seconds(job.created_ns);
    fill(head,
      h("div", { class: "crumbs" }, h("a", { href: "#/jobs" }, "Jobs"), " / ", h("span", { class: `provider p-${provider}` }, provider)),
      h("h2", { class: "mono" }, id, " ", stateBadge(h, job.state, job.terminal)),
      h("div", { class: "facts" },
        h("span", {}, "created ", h("b", {}, when(t0)), ` (${span(now - t0)} ago)`),
        job.next ? h("span", { id: "next" }, "next ", stateBadge(h, job.next.state), ` in ${span(seconds(job.next.at_ns) - now)}`)
          : h("span", { class: "muted" }, job.terminal ? "finished" : "no timed transition (waits for a command)"),
        job.message ? h("span", {}, "message ", h("b", {}, job.message)) : null,
        job.fate ? h("span", { class: "fate" }, `scenario: ${job.fate.kind}${job.fate.at ? ` at ${job.fate.at}` : ""}`,
          job.fate.rule_id ? ` (rule ${job.fate.rule_id})` : "") : null));
    const width = Math.max(chart.clientWidth || 900, 400);
    fill(chart, timeline(job, entries, now, width), legend());
    fill(entriesBody, entryRows(entries, t0, id));
    engine.textContent = JSON.stringify(job, null, 2);
    drawActions();
  }

  root.append(
    h("section", { class: "panel" }, head, actions, chart),
    h("div", { class: "columns" },
      h("section", { class: "panel" }, h("div", { class: "toolbar" }, h("h3", {}, "Wire view"),
        h("button", { type: "button", class: "small", id: "wire-refresh", onclick: () => readWire().catch(notify) }, "Read again")),
      h("p", { class: "muted small" }, wireTitle, h("br"), "read through the API's own route, as its clients see it (the read is journaled)"), wire),
      h("section", { class: "panel" }, h("div", { class: "toolbar" }, h("h3", {}, "Journal of this job"),
        h("a", { href: `#/journal/${encodeURIComponent(id)}`, id: "job-journal-link" }, "open in the journal")),
        h("table", { class: "grid compact" }, h("thead", {}, h("tr", {}, ["Time", "", "Kind", "What"].map((t) => h("th", {}, t)))),
          entriesBody),
        h("details", {}, h("summary", {}, "Engine view"), engine))));
  await refresh();
  await readWire();
  return { refresh };
}
