// A small latency chart drawn by the page as SVG (no library, no CDN): one column per time bucket, the
// bar reaching the bucket's p95 and a dot at its p50, and Wink's 10 s deadline as a dashed line when the
// latencies come near it. Columns over the deadline are drawn in the failure colour.

import { _, formatNumber, ngettext } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const HEIGHT = 96;
const TOP = 8;
const BOTTOM = 16;

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** "850 ms", "4.2 ms", "1.25 s" ("1,25 s" in Portuguese): a latency for people. */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms >= 1000) {
    const digits = ms >= 10000 ? 1 : 2;
    return `${formatNumber(ms / 1000, { minimumFractionDigits: digits, maximumFractionDigits: digits })} s`;
  }
  const digits = ms >= 10 ? 0 : 1;
  return `${formatNumber(ms, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`;
}

/**
 * Draw ``series`` ([{from, attempts, p50Ms, p95Ms, maxMs}]) as an SVG element; ``deadlineMs`` is Wink's.
 * ``label`` is the chart's accessible name (a one-line summary of what it shows).
 */
export function latencyChart(series, { deadlineMs = 10000, label = "" } = {}) {
  const peak = Math.max(1, ...series.map((b) => b.p95Ms ?? 0));
  const showDeadline = peak >= deadlineMs * 0.5;
  const top = (showDeadline ? Math.max(peak, deadlineMs) : peak) * 1.15;
  const plot = HEIGHT - TOP - BOTTOM;
  const y = (ms) => TOP + plot - (Math.min(ms, top) / top) * plot;
  const step = WIDTH / Math.max(series.length, 1);
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "latency-chart", role: "img",
    "aria-label": label });
  svg.append(el("line", { x1: 0, x2: WIDTH, y1: TOP + plot, y2: TOP + plot, class: "axis" }));
  series.forEach((bucket, i) => {
    if (!bucket.attempts) return;
    const x = i * step + 0.5;
    const late = bucket.p95Ms > deadlineMs;
    const bar = el("rect", { x, y: y(bucket.p95Ms), width: Math.max(step - 1, 1),
      height: Math.max(TOP + plot - y(bucket.p95Ms), 1), class: late ? "bar late" : "bar" });
    bar.append(el("title", {}, ngettext("{{n}} attempt: p50 {{p50}}, p95 {{p95}}",
      "{{n}} attempts: p50 {{p50}}, p95 {{p95}}", bucket.attempts,
      { p50: formatMs(bucket.p50Ms), p95: formatMs(bucket.p95Ms) })));
    svg.append(bar, el("circle", { cx: x + step / 2 - 0.5, cy: y(bucket.p50Ms), r: 1.6, class: "median" }));
  });
  if (showDeadline) {
    svg.append(el("line", { x1: 0, x2: WIDTH, y1: y(deadlineMs), y2: y(deadlineMs), class: "deadline" }),
      el("text", { x: WIDTH - 2, y: y(deadlineMs) - 2, "text-anchor": "end", class: "deadline-label" },
        _("Wink {{seconds}} s", { seconds: formatNumber(deadlineMs / 1000) })));
  }
  svg.append(el("text", { x: 2, y: TOP + 2, class: "tick", "dominant-baseline": "hanging" }, formatMs(top)),
    el("text", { x: 2, y: HEIGHT - 3, class: "tick" }, _("−60 min")),
    el("text", { x: WIDTH - 2, y: HEIGHT - 3, class: "tick", "text-anchor": "end" }, _("now")));
  return svg;
}
