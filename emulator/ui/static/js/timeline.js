// A job's life on the virtual time axis: one band per state it was in, the next timed transition ahead,
// and the journal's requests, commands and faults for that job placed where they happened.

import { h } from "./dom.js";
import { family, seconds, span, clockOf } from "./format.js";

const HEIGHT = 150;
const BAND_Y = 28;
const BAND_H = 38;
const MARK_Y = 96;
const PAD = 12;

/** A round tick step (1, 2 or 5 times a power of ten seconds) close to `raw`. */
function niceStep(raw) {
  const base = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw) || raw;
}

function segments(job, now) {
  const hist = job.history;
  return hist.map((step, i) => {
    const start = seconds(step.t_ns);
    const end = i + 1 < hist.length ? seconds(hist[i + 1].t_ns) : Math.max(now, start);
    return { state: step.to, start, end, current: i + 1 === hist.length, message: step.message };
  });
}

function marker(kind, e) {
  if (kind === "fault") return { cls: "fault", shape: "triangle", label: `fault: ${e.status || ""} ${e.method || ""} ${e.path || ""}` };
  if (e.method && e.method !== "GET" && e.method !== "HEAD") return { cls: "command", shape: "diamond", label: `${e.method} ${e.path} → ${e.status}` };
  return { cls: e.status >= 400 ? "request error" : "request", shape: "circle", label: `${e.method} ${e.path} → ${e.status}` };
}

function shape(m, x, y) {
  const title = h("svg:title", {}, m.label);
  if (m.shape === "triangle") return h("svg:path", { d: `M${x} ${y - 7} L${x + 7} ${y + 6} L${x - 7} ${y + 6} Z`, class: `mark ${m.cls}` }, title);
  if (m.shape === "diamond") return h("svg:path", { d: `M${x} ${y - 7} L${x + 7} ${y} L${x} ${y + 7} L${x - 7} ${y} Z`, class: `mark ${m.cls}` }, title);
  return h("svg:circle", { cx: x, cy: y, r: 5, class: `mark ${m.cls}` }, title);
}

/** The SVG for `job` (the engine view) with its journal `entries`, at virtual time `now` (seconds). */
export function timeline(job, entries, now, width) {
  const segs = segments(job, now);
  const t0 = segs[0].start;
  const next = job.next ? { state: job.next.state, at: seconds(job.next.at_ns) } : null;
  const lastEntry = entries.length ? seconds(entries[entries.length - 1].t) : t0;
  const t1raw = Math.max(now, next ? next.at : now, lastEntry, segs[segs.length - 1].end);
  const t1 = t1raw > t0 ? t1raw + (t1raw - t0) * 0.04 : t0 + 10;
  const x = (t) => PAD + ((t - t0) / (t1 - t0)) * (width - 2 * PAD);

  const svg = h("svg:svg", { class: "timeline", width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`,
    role: "img", "aria-label": `timeline of ${job.id}` });
  // axis: ticks at a round step, labelled in time since the job was created (the first with the time of day)
  const step = niceStep((t1 - t0) / 6);
  for (let d = 0; t0 + d <= t1; d += step) {
    const t = t0 + d;
    svg.append(h("svg:line", { x1: x(t), x2: x(t), y1: 18, y2: HEIGHT - 20, class: "grid" }),
      h("svg:text", { x: x(t), y: HEIGHT - 6, class: "tick", "text-anchor": d === 0 ? "start" : "middle" },
        d === 0 ? clockOf(t) : `+${span(d)}`));
  }
  for (const s of segs) {
    const w = Math.max(x(s.end) - x(s.start), 2);
    svg.append(h("svg:g", { class: `band ${family(s.state)}${s.current ? " current" : ""}`, "data-state": s.state },
      h("svg:rect", { x: x(s.start), y: BAND_Y, width: w, height: BAND_H, rx: 3 },
        h("svg:title", {}, `${s.state}: ${clockOf(s.start)} for ${span(s.end - s.start)}${s.message ? ` — ${s.message}` : ""}`)),
      w > s.state.length * 7.5 + 12 ? h("svg:text", { x: x(s.start) + 6, y: BAND_Y + BAND_H / 2 + 4, class: "band-label" }, s.state) : null));
  }
  if (next && next.at > now) {
    svg.append(h("svg:g", { class: "band next", "data-next": next.state },
      h("svg:rect", { x: x(now), y: BAND_Y, width: Math.max(x(next.at) - x(now), 2), height: BAND_H, rx: 3 },
        h("svg:title", {}, `next: ${next.state} at ${clockOf(next.at)}`)),
      h("svg:text", { x: x(next.at) + 4, y: BAND_Y + BAND_H / 2 + 4, class: "next-label",
        "text-anchor": x(next.at) > width - 90 ? "end" : "start" }, `→ ${next.state}`)));
  }
  svg.append(h("svg:line", { x1: x(now), x2: x(now), y1: 10, y2: HEIGHT - 20, class: "now" }),
    h("svg:text", { x: x(now), y: 12, class: "now-label", "text-anchor": "middle" }, "now"));
  for (const e of entries) {
    if (e.kind === "transition") continue; // the bands show them
    svg.append(shape(marker(e.kind, e), x(seconds(e.t)), MARK_Y));
  }
  return svg;
}

/** The legend under the timeline. */
export function legend() {
  return h("div", { class: "legend muted" },
    h("span", { class: "key request" }, "request"), h("span", { class: "key command" }, "command"),
    h("span", { class: "key fault" }, "fault"), h("span", { class: "key next" }, "next transition"));
}
