// The session's journal, newest first, live: filter by kind, provider, job, method, path glob and status;
// a row opens to the whole entry (headers and body as recorded, secrets redacted by the server).

import { get, query } from "./api.js";
import { h, fill, options } from "./dom.js";
import { seconds, clockOf, faultText } from "./format.js";

const LIMIT = 200;
const filters = { kind: "", provider: "", job: "", method: "", path: "", status: "" };
const open = new Set(); // seq numbers of the rows opened

function what(e) {
  if (e.kind === "transition") return `${e.from ?? "∅"} → ${e.to}${e.message ? ` — ${e.message}` : ""}`;
  if (e.kind === "fault") return faultText(e);
  if (e.kind === "request") return `${e.method} ${e.path} → ${e.status}`;
  if (e.kind === "clock") return `clock ${e.mode}${e.mode === "scaled" ? ` ×${e.speed}` : ""}`;
  return JSON.stringify(e).slice(0, 160);
}

function rows(entries) {
  const out = [];
  for (const e of [...entries].reverse()) {
    const job = e.job && e.provider ? h("a", { href: `#/job/${encodeURIComponent(e.provider)}/${encodeURIComponent(e.job)}`, class: "mono" }, e.job) : "";
    const tr = h("tr", { class: `entry kind-${e.kind}${e.status >= 400 ? " failed" : ""}`, dataset: { seq: e.seq, job: e.job || "" } },
      h("td", { class: "num muted" }, String(e.seq)), h("td", { class: "mono" }, clockOf(seconds(e.t))),
      h("td", {}, h("span", { class: `kind ${e.kind}` }, e.kind)), h("td", {}, e.provider || "—"), h("td", { class: "id" }, job),
      h("td", { class: "mono what" }, what(e)));
    tr.addEventListener("click", (ev) => {
      if (ev.target.closest("a")) return;
      if (open.has(e.seq)) open.delete(e.seq); else open.add(e.seq);
      tr.nextSibling && tr.nextSibling.classList.contains("detail") ? tr.nextSibling.remove()
        : tr.after(detail(e));
    });
    out.push(tr);
    if (open.has(e.seq)) out.push(detail(e));
  }
  return out;
}

function detail(e) {
  return h("tr", { class: "detail" }, h("td", { colspan: 6 }, h("pre", { class: "wire small" }, JSON.stringify(e, null, 2))));
}

export async function render(root, { providers, args }) {
  if (args[0]) filters.job = args[0]; // #/journal/<job id> comes from a job page
  const inputs = {
    kind: h("select", { id: "jr-kind", "aria-label": "kind" }, options(["request", "transition", "fault", "clock"], filters.kind, "every kind")),
    provider: h("select", { id: "jr-provider", "aria-label": "provider" }, options(Object.keys(providers), filters.provider, "all providers")),
    job: h("input", { id: "jr-job", type: "search", placeholder: "job id", value: filters.job, class: "mono" }),
    method: h("input", { id: "jr-method", placeholder: "method", value: filters.method, size: 6 }),
    path: h("input", { id: "jr-path", placeholder: "path glob, e.g. /job-info/*", value: filters.path, class: "mono" }),
    status: h("input", { id: "jr-status", type: "number", placeholder: "status", value: filters.status, class: "narrow" }),
  };
  const body = h("tbody", { id: "journal-body" });
  const status = h("span", { class: "muted", id: "journal-status" });
  const load = async () => {
    const j = await get(`/_emulator/requests${query({ ...filters, limit: LIMIT })}`);
    fill(body, j.entries.length ? rows(j.entries)
      : h("tr", {}, h("td", { colspan: 6, class: "empty" }, "Nothing in the journal matches.")));
    status.textContent = `${j.entries.length} of ${j.count} matching · ${j.dropped} dropped by the ring buffer (capacity ${j.capacity})`;
  };
  let typing = null;
  for (const [name, el] of Object.entries(inputs)) {
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => { filters[name] = el.value.trim(); load(); }, el.tagName === "SELECT" ? 0 : 200);
    });
  }
  root.append(h("section", { class: "panel" },
    h("div", { class: "toolbar" }, h("h2", {}, "Journal"), ...Object.values(inputs), status),
    h("table", { class: "grid", id: "journal" },
      h("thead", {}, h("tr", {}, ["#", "Time", "Kind", "Provider", "Job", "What"].map((t) => h("th", {}, t)))), body)));
  return { refresh: load };
}
