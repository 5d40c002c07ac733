// The jobs table: every job of every provider in the session, newest first, filtered by provider, state and
// a search over id and name; rows link to the job page.

import { get, query } from "./api.js";
import { virtualNow } from "./clock.js";
import { h, fill, options } from "./dom.js";
import { seconds, span, stateBadge, clockOf } from "./format.js";
import { serverFeatures, isStreaming } from "./live.js";

const PAGE = 100;
const filters = { provider: "", state: "", q: "" };

// GET /_emulator/jobs: times are emulated unix seconds; `next` is the timer's transition or null.
async function fromListing(cursor) {
  const page = await get(`/_emulator/jobs${query({ ...filters, limit: PAGE, cursor })}`);
  return {
    items: page.items.map((j) => ({ ...j, next_state: j.next ? j.next.state : null,
      next_at: j.next ? j.next.at : null })),
    cursor: page.next_cursor,
    total: page.total ?? undefined, // null with a search: the listing does not count every match
  };
}

// Without GET /_emulator/jobs: the jobs the journal has seen, each completed by its engine view.
async function fromJournal() {
  const { entries } = await get(`/_emulator/requests${query({ kind: "transition", provider: filters.provider })}`);
  const seen = new Map();
  for (const e of entries) {
    const key = `${e.provider}/${e.job}`;
    const row = seen.get(key) || { provider: e.provider, id: e.job, name: null, created: seconds(e.t) };
    row.state = e.to;
    seen.set(key, row);
  }
  const q = filters.q.toLowerCase();
  const rows = [...seen.values()].reverse()
    .filter((r) => (!filters.state || r.state === filters.state) && (!q || r.id.toLowerCase().includes(q)))
    .slice(0, PAGE);
  const views = await Promise.all(rows.map((r) =>
    get(`/_emulator/jobs/${r.provider}/${encodeURIComponent(r.id)}`).catch(() => null)));
  const items = [];
  rows.forEach((r, i) => {
    const v = views[i];
    if (!v) return; // gone since (cancelled and removed, or past retention)
    items.push({ ...r, state: v.state, created: seconds(v.created_ns),
      next_state: v.next ? v.next.state : null, next_at: v.next ? seconds(v.next.at_ns) : null });
  });
  return { items, cursor: null, total: items.length };
}

function row(job, now) {
  const link = `#/job/${encodeURIComponent(job.provider)}/${encodeURIComponent(job.id)}`;
  return h("tr", { dataset: { provider: job.provider, job: job.id }, class: "job-row" },
    h("td", {}, h("span", { class: `provider p-${job.provider}` }, job.provider)),
    h("td", { class: "mono id" }, h("a", { href: link, title: job.id }, job.id)),
    h("td", { class: "name" }, job.name || h("span", { class: "muted" }, "—")),
    h("td", { class: "state-cell" }, stateBadge(h, job.state)),
    h("td", { class: "num" }, now !== null && job.created !== null ? span(now - job.created) : "—"),
    h("td", {}, job.next_state ? stateBadge(h, job.next_state) : h("span", { class: "muted" }, "—")),
    h("td", { class: "num", title: job.next_at ? clockOf(job.next_at) : "" },
      job.next_at && now !== null ? `in ${span(job.next_at - now)}` : ""));
}

export async function render(root, { providers }) {
  const allStates = [...new Set(Object.values(providers).flatMap((p) => p.states.map((s) => s.name)))];
  const stateSelect = h("select", { id: "filter-state", "aria-label": "state" });
  const fillStates = () => {
    const states = filters.provider ? providers[filters.provider].states.map((s) => s.name) : allStates;
    if (!states.includes(filters.state)) filters.state = "";
    fill(stateSelect, options(states, filters.state, "any state"));
  };
  fillStates();
  const providerSelect = h("select", { id: "filter-provider", "aria-label": "provider" },
    options(Object.keys(providers), filters.provider, "all providers"));
  const search = h("input", { id: "filter-q", type: "search", placeholder: "search id or name", value: filters.q });
  const status = h("span", { class: "muted", id: "jobs-status" });
  const body = h("tbody", { id: "jobs-body" });
  const more = h("button", { type: "button", id: "jobs-more", hidden: true }, "More");
  let cursor = null;
  let shown = [];

  const draw = (items, append) => {
    shown = append ? [...shown, ...items] : items;
    const now = virtualNow();
    if (!shown.length) {
      fill(body, h("tr", {}, h("td", { colspan: 7, class: "empty" },
        "No jobs in this session yet. Submit one through any of the APIs; it shows up here at once.")));
    } else {
      fill(body, shown.map((j) => row(j, now)));
    }
  };

  const load = async (append) => {
    const features = await serverFeatures();
    const page = features.jobs ? await fromListing(append ? cursor : undefined) : await fromJournal();
    cursor = page.cursor;
    more.hidden = !cursor;
    draw(page.items, append);
    const feed = isStreaming() ? "live" : "live, polled every second";
    status.textContent = `${shown.length}${page.total !== undefined && page.total > shown.length
      ? ` of ${page.total}` : ""} job${shown.length === 1 ? "" : "s"} · ${feed}`;
  };

  let typing = null;
  providerSelect.addEventListener("change", () => { filters.provider = providerSelect.value; fillStates(); load(); });
  stateSelect.addEventListener("change", () => { filters.state = stateSelect.value; load(); });
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { filters.q = search.value.trim(); load(); }, 200);
  });
  more.addEventListener("click", () => load(true));

  root.append(h("section", { class: "panel" },
    h("div", { class: "toolbar" }, h("h2", {}, "Jobs"), providerSelect, stateSelect, search, status),
    h("table", { class: "grid", id: "jobs" },
      h("thead", {}, h("tr", {}, ["Provider", "ID", "Name", "State", "Age", "Next", "When"].map((t) => h("th", {}, t)))),
      body),
    more));
  return { refresh: () => load(false) };
}
