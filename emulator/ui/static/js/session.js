// Sessions: pick, create and drop them; download the chosen session's snapshot or load one; reset it.

import { conn, del, get, post, raw } from "./api.js";
import { h, fill, options } from "./dom.js";
import { when } from "./format.js";
import { kick } from "./live.js";
import { notify } from "./notice.js";

async function download() {
  const r = await raw("GET", "/_emulator/snapshot");
  if (r.status !== 200) throw new Error(`snapshot: HTTP ${r.status}`);
  const url = URL.createObjectURL(new Blob([r.text], { type: "application/json" }));
  const a = h("a", { href: url, download: `emulator-${conn.session}-snapshot.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function upload(file) {
  const answer = await post("/_emulator/snapshot", await file.text());
  notify(`loaded ${file.name}: ${answer.jobs} jobs`, "info");
}

export async function render(root, { switchSession, refreshSessions }) {
  const body = h("tbody", { id: "sessions-body" });
  const load = async () => {
    const sessions = await refreshSessions();
    fill(body, sessions.map((s) => h("tr", { class: s.key === conn.session ? "chosen" : "", dataset: { session: s.key } },
      h("td", { class: "mono" }, s.key), h("td", { class: "num" }, String(s.seed)),
      h("td", {}, s.clock.mode === "scaled" ? `scaled ×${s.clock.speed}` : s.clock.mode), h("td", { class: "mono" }, when(s.clock.now)),
      h("td", { class: "num" }, String(s.jobs)),
      h("td", {}, s.key === conn.session ? h("b", {}, "in use")
        : h("button", { type: "button", class: "small", onclick: () => switchSession(s.key).catch(notify) }, "Use"),
      " ", s.key === "default" ? null : h("button", { type: "button", class: "small danger", onclick: async () => {
        try { await del(`/_emulator/sessions/${encodeURIComponent(s.key)}`); } catch (err) { notify(err); }
        if (s.key === conn.session) await switchSession("default"); else await load();
      } }, "Drop")))));
  };
  const key = h("input", { name: "key", id: "new-session-key", placeholder: "key (optional)", class: "mono" });
  const seed = h("input", { name: "seed", type: "number", placeholder: "seed" });
  const clock = h("select", { name: "clock" }, options(["manual", "real", "scaled", "step"], "manual"));
  const created = h("div", { class: "form-error", hidden: true, role: "alert" });
  const create = h("form", { class: "inline-form", id: "session-form", onsubmit: async (e) => {
    e.preventDefault();
    created.hidden = true;
    const bodyOut = { clock: clock.value };
    if (key.value) bodyOut.key = key.value;
    if (seed.value !== "") bodyOut.seed = Number(seed.value);
    try {
      const s = await post("/_emulator/sessions", bodyOut);
      await switchSession(s.key);
    } catch (err) {
      created.textContent = err.message;
      created.hidden = false;
    }
  } }, key, seed, clock, h("button", { type: "submit" }, "Create and use"), created);
  const file = h("input", { type: "file", id: "snapshot-file", accept: "application/json,.json", onchange: () => {
    if (file.files[0]) upload(file.files[0]).then(kick, notify).finally(() => { file.value = ""; load(); });
  } });
  root.append(
    h("section", { class: "panel" }, h("h2", {}, "Sessions"),
      h("p", { class: "muted" }, "Each session has its own jobs, clock, seed, rules and journal. The dashboard works in the one picked above."),
      h("table", { class: "grid", id: "sessions" }, h("thead", {}, h("tr", {},
        ["Key", "Seed", "Clock", "Now", "Jobs", ""].map((t) => h("th", {}, t)))), body),
      h("h3", {}, "New session"), create),
    h("section", { class: "panel" }, h("h2", {}, "This session's state"),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "snapshot-download", onclick: () => download().catch(notify) }, "Download snapshot"),
        h("label", { class: "button" }, "Load snapshot… ", file),
        h("button", { type: "button", class: "danger", id: "reset", onclick: async () => {
          if (!confirm(`Reset session ${conn.session}: drop every job, rule and journal entry?`)) return;
          try { await post("/_emulator/reset"); notify("reset", "info"); } catch (err) { notify(err); }
          kick();
          load();
        } }, "Reset session"))));
  return { refresh: load };
}
