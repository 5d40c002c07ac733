// The clock bar in the header: mode, speed and virtual now; advance by N seconds; freeze (manual) and
// resume (back to the mode it had before freezing).

import { conn, get, post } from "./api.js";
import { kick } from "./live.js";
import { when } from "./format.js";
import { notify } from "./notice.js";

let last = null;      // the server's last clock answer
let seenAt = 0;       // performance.now() when it came

const $ = (id) => document.getElementById(id);
const savedKey = () => `emulator.resume.${conn.session}`;

/** Virtual seconds now, extrapolated between answers on a running clock. */
export function virtualNow() {
  if (!last) return null;
  if (last.mode === "manual" || last.mode === "step") return last.now;
  return last.now + ((performance.now() - seenAt) / 1000) * (last.speed || 1);
}

export function show(clock) {
  last = clock;
  seenAt = performance.now();
  const frozen = clock.mode === "manual";
  const mode = $("clock-mode");
  mode.textContent = clock.mode === "scaled" ? `scaled ×${clock.speed}` : clock.mode;
  mode.className = `mode ${frozen ? "frozen" : "running"}`;
  $("clock-now").textContent = when(clock.now);
  $("clock-now").title = `virtual time ${clock.iso}`;
  $("freeze").textContent = frozen ? "Resume" : "Freeze";
  $("freeze").title = frozen ? `back to ${resumeTarget().mode} time` : "stop the clock (manual mode)";
}

export async function refresh() {
  show(await get("/_emulator/clock"));
}

function resumeTarget() {
  try {
    return JSON.parse(localStorage.getItem(savedKey())) || { mode: "real" };
  } catch {
    return { mode: "real" };
  }
}

async function freezeOrResume() {
  if (!last) return;
  if (last.mode === "manual") {
    const target = resumeTarget();
    const body = { mode: target.mode };
    if (target.mode === "scaled") body.speed = target.speed;
    if (target.mode === "step" && target.reads) body.reads = target.reads;
    show(await post("/_emulator/clock", body));
  } else {
    localStorage.setItem(savedKey(), JSON.stringify({ mode: last.mode, speed: last.speed, reads: last.reads }));
    show(await post("/_emulator/clock", { mode: "manual" }));
  }
  kick();
}

async function advance(event) {
  event.preventDefault();
  const seconds = Number($("advance-seconds").value);
  const answer = await post("/_emulator/clock/advance", { seconds });
  show(answer);
  notify(`advanced ${seconds} s: ${answer.transitions} transition${answer.transitions === 1 ? "" : "s"}`, "info");
  kick();
}

export function setup() {
  $("advance-form").addEventListener("submit", (e) => advance(e).catch(notify));
  $("freeze").addEventListener("click", () => freezeOrResume().catch(notify));
  // between answers a running clock still moves on screen
  setInterval(() => {
    if (last && last.mode !== "manual" && last.mode !== "step") $("clock-now").textContent = when(virtualNow());
  }, 250);
}
