// Scenario and fault rules: each listed with its counts, added from a form (the server validates the body
// against the same schema as any client's and the page shows its message), deleted one by one or all.

import { del, get, post } from "./api.js";
import { h, fill, options } from "./dom.js";
import { kick } from "./live.js";
import { notify } from "./notice.js";

const OUTCOMES = ["fail", "hang", "succeed", "flap", "tour"];

/** The form's fields as a request body: empty fields left out, numbers as numbers, JSON fields parsed. */
function bodyOf(form, numeric, json) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.value === "" || (el.type === "checkbox" && !el.checked)) continue;
    if (el.type === "checkbox") body[el.name] = true;
    else if (numeric.includes(el.name)) body[el.name] = Number(el.value);
    else if (json.includes(el.name)) {
      try {
        body[el.name] = JSON.parse(el.value);
      } catch (err) {
        throw new Error(`${el.name}: not JSON (${err.message})`);
      }
    } else body[el.name] = el.value;
  }
  return body;
}

function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

function errorBox(id) {
  return h("div", { class: "form-error", id, role: "alert", hidden: true });
}

async function submit(form, errors, path, numeric, json, done) {
  errors.hidden = true;
  let body;
  try {
    body = bodyOf(form, numeric, json);
    const rule = await post(path, body);
    notify(`added ${rule.id}`, "info");
    done();
  } catch (err) {
    errors.textContent = err.message;
    errors.hidden = false;
  }
}

function scenarioForm(providers, reload) {
  const provider = h("select", { name: "provider", id: "sc-provider" }, options(Object.keys(providers), "bacalhau", "any provider"));
  const states = h("datalist", { id: "sc-states" });
  const fillStates = () => {
    const names = provider.value ? providers[provider.value].states.map((s) => s.name)
      : [...new Set(Object.values(providers).flatMap((p) => p.states.map((s) => s.name)))];
    fill(states, names.map((n) => h("option", { value: n })));
  };
  provider.addEventListener("change", fillStates);
  fillStates();
  const errors = errorBox("scenario-error");
  const form = h("form", { id: "scenario-form", class: "rule-form" },
    field("provider", provider),
    field("match (JSON)", h("input", { name: "match", id: "sc-match", class: "mono", placeholder: '{"name": "nightly-etl"}' })),
    field("outcome", h("select", { name: "outcome", id: "sc-outcome" }, options(OUTCOMES, "fail"))),
    field("at", h("input", { name: "at", id: "sc-at", list: "sc-states", placeholder: "Running" })),
    field("to", h("input", { name: "to", id: "sc-to", list: "sc-states" })),
    field("message", h("input", { name: "message", id: "sc-message", placeholder: "OOM killed" })),
    field("durations (JSON)", h("input", { name: "durations", class: "mono", placeholder: '{"Running": 30}' })),
    field("count", h("input", { name: "count", type: "number", min: 1, placeholder: "all" })),
    field("times", h("input", { name: "times", type: "number", min: 0 })),
    field("every (s)", h("input", { name: "every", type: "number", step: "any" })),
    states,
    h("div", { class: "form-actions" }, h("button", { type: "submit", id: "sc-add" }, "Add scenario"), errors));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(form, errors, "/_emulator/scenarios", ["count", "times", "every"], ["match", "durations"], () => { reload(); kick(); });
  });
  return form;
}

function faultForm(providers, reload) {
  const errors = errorBox("fault-error");
  const form = h("form", { id: "fault-form", class: "rule-form" },
    field("provider", h("select", { name: "provider", id: "ft-provider" }, options(Object.keys(providers), "", "any provider"))),
    field("method", h("input", { name: "method", id: "ft-method", placeholder: "GET" })),
    field("path (glob)", h("input", { name: "path", id: "ft-path", class: "mono", placeholder: "/api/v1/orchestrator/jobs/*" })),
    field("status", h("input", { name: "status", id: "ft-status", type: "number", placeholder: "503" })),
    field("message", h("input", { name: "message" })),
    field("latency ms", h("input", { name: "latency_ms", type: "number", step: "any" })),
    field("jitter ms", h("input", { name: "jitter_ms", type: "number", step: "any" })),
    field("probability", h("input", { name: "probability", type: "number", step: "any", placeholder: "1" })),
    field("after N calls", h("input", { name: "after", type: "number" })),
    field("times", h("input", { name: "times", type: "number", placeholder: "always" })),
    h("label", { class: "field check" }, h("input", { name: "drop", type: "checkbox" }), h("span", {}, "drop the connection")),
    h("div", { class: "form-actions" }, h("button", { type: "submit", id: "ft-add" }, "Add fault"), errors));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(form, errors, "/_emulator/faults", ["status", "latency_ms", "jitter_ms", "probability", "after", "times"], [],
      () => { reload(); kick(); });
  });
  return form;
}

const show = (v) => (v === null || v === undefined || v === "" ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

function scenarioRow(r, reload) {
  return h("tr", { dataset: { rule: r.id } },
    h("td", { class: "mono" }, r.id), h("td", {}, show(r.provider)), h("td", { class: "mono" }, show(r.match)),
    h("td", {}, r.outcome, r.at ? ` at ${r.at}` : "", r.to ? ` → ${r.to}` : ""), h("td", {}, show(r.message)),
    h("td", { class: "num matched" }, String(r.matched)), h("td", { class: "num" }, show(r.count)),
    h("td", {}, h("button", { type: "button", class: "small danger", onclick: () => remove(`/_emulator/scenarios/${r.id}`, reload) }, "Delete")));
}

function faultRow(r, reload) {
  const what = [r.status ? `status ${r.status}` : "", r.drop ? "drop" : "", r.latency_ms ? `+${r.latency_ms} ms` : ""]
    .filter(Boolean).join(", ");
  return h("tr", { dataset: { rule: r.id } },
    h("td", { class: "mono" }, r.id), h("td", {}, show(r.provider)), h("td", { class: "mono" }, `${r.method || "*"} ${r.path}`),
    h("td", {}, what), h("td", { class: "num matched" }, String(r.matched)), h("td", { class: "num hits" }, String(r.hits)),
    h("td", { class: "num" }, show(r.times)),
    h("td", {}, h("button", { type: "button", class: "small danger", onclick: () => remove(`/_emulator/faults/${r.id}`, reload) }, "Delete")));
}

async function remove(path, reload) {
  try {
    await del(path);
  } catch (err) {
    notify(err);
  }
  reload();
  kick();
}

function table(id, headers, body) {
  return h("table", { class: "grid", id }, h("thead", {}, h("tr", {}, headers.map((t) => h("th", {}, t)))), body);
}

export async function render(root, { providers }) {
  const scBody = h("tbody", { id: "scenarios-body" });
  const ftBody = h("tbody", { id: "faults-body" });
  const load = async () => {
    const [sc, ft] = await Promise.all([get("/_emulator/scenarios"), get("/_emulator/faults")]);
    fill(scBody, sc.scenarios.length ? sc.scenarios.map((r) => scenarioRow(r, load))
      : h("tr", {}, h("td", { colspan: 8, class: "empty" }, "No scenario rules: jobs follow their default life.")));
    fill(ftBody, ft.faults.length ? ft.faults.map((r) => faultRow(r, load))
      : h("tr", {}, h("td", { colspan: 8, class: "empty" }, "No fault rules.")));
  };
  const clearAll = (kind) => h("button", { type: "button", class: "small danger", onclick: () => remove(`/_emulator/${kind}`, load) }, "Delete all");
  root.append(
    h("section", { class: "panel" }, h("div", { class: "toolbar" }, h("h2", {}, "Scenarios"),
      h("span", { class: "muted" }, "the fate of matching jobs, decided when they are submitted"), clearAll("scenarios")),
    table("scenarios", ["ID", "Provider", "Match", "Outcome", "Message", "Matched", "Count", ""], scBody),
    h("h3", {}, "Add a scenario"), scenarioForm(providers, load)),
    h("section", { class: "panel" }, h("div", { class: "toolbar" }, h("h2", {}, "Faults"),
      h("span", { class: "muted" }, "errors, latency and dropped connections on matching requests"), clearAll("faults")),
    table("faults", ["ID", "Provider", "Route", "Effect", "Matched", "Hits", "Times", ""], ftBody),
    h("h3", {}, "Add a fault"), faultForm(providers, load)));
  return { refresh: load };
}
