// How times, durations and states read on the page. Virtual time is shown in UTC, as the APIs answer it.

export const seconds = (ns) => (ns === null || ns === undefined ? null : ns / 1e9);

/** "2026-01-01 00:00:03.5" (virtual, UTC). */
export function when(sec) {
  if (sec === null || sec === undefined) return "—";
  const iso = new Date(sec * 1000).toISOString();
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === "000" ? "" : "." + ms.replace(/0+$/, "")}`;
}

/** Time of day only, for axes and dense tables. */
export function clockOf(sec) {
  return when(sec).slice(11);
}

/** "45 s", "3 m 05 s", "2 h 10 m", "3 d 4 h". */
export function span(sec) {
  if (sec === null || sec === undefined || Number.isNaN(sec)) return "—";
  const neg = sec < 0;
  let s = Math.abs(sec);
  let out;
  if (s < 60) out = `${+s.toFixed(s < 10 ? 1 : 0)} s`;
  else if (s < 3600) out = `${Math.floor(s / 60)} m ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  else if (s < 86400) out = `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} m`;
  else out = `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  return neg ? `-${out}` : out;
}

// A state's colour family, from its name: only for colour, the name itself is always shown.
const FAMILIES = [
  ["bad", /fail|error|unhealthy|abort|reject|kill/i],
  ["stopped", /cancel|stop|savepoint|suspend|pause/i],
  ["good", /complet|finish|succe|done|^healthy$/i],
  ["waiting", /pend|queue|unknown|request|initial|creat|schedul|submit|wait/i],
  ["active", /run|progress|partially|doing|start|restart|healthy/i],
];

export function family(state) {
  for (const [name, re] of FAMILIES) if (re.test(state || "")) return name;
  return "other";
}

export function stateBadge(h, state, terminal) {
  return h("span", { class: `state ${family(state)}${terminal ? " terminal" : ""}`, "data-state": state }, state);
}

/** What an injected fault did, from its journal entry. */
export function faultText(e) {
  const effects = [e.status ? `status ${e.status}` : "", e.drop ? "dropped" : "", e.latency_ms ? `+${e.latency_ms} ms` : ""];
  return `fault ${e.rule ?? ""}: ${e.method ?? ""} ${e.path ?? ""} → ${effects.filter(Boolean).join(", ")}`;
}
