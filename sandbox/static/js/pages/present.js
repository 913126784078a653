// Presenter (/present): play a scenario step by step for an audience. The steps are built once by
// POST /api/fixtures/{name}/build (the run's own building, nothing fired); advancing to a step sends
// it live with POST /api/events (its built object, as a run would fire it) and follows its deliveries
// until each settles, retries included; "rehearse" sends nothing. Keyboard: → Space PageDown next,
// ← PageUp back, P payload, Esc back to the setup.
import { get, post, routes } from "../api.js";
import { $, fill, h } from "../dom.js";
import { _, lang } from "../i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const POLL_MS = 250;
const SETTLED = new Set(["succeeded", "failed", "cancelled", "held"]);

const state = { scenario: null, steps: [], sent: new Map(), index: -1, rehearse: false, entity: null, poll: 0 };

function svg(tag, attrs = {}, text = "") {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text) el.textContent = text;
  return el;
}

function items(answer) {
  return Array.isArray(answer) ? answer : answer.items || [];
}

async function setup() {
  const params = new URLSearchParams(location.search);
  const [list, accounts] = await Promise.all([get("/api/fixtures"), get(routes.accounts)]);
  const scenarios = items(list).filter((f) => f.kind === "scenario");
  fill($("#present-scenario"), scenarios.map((f) => h("option", { value: f.name }, f.name)));
  fill($("#present-account"), items(accounts).map((a) => h("option", { value: a.id }, `${a.name} (${a.type || ""})`)));
  if (params.get("scenario")) $("#present-scenario").value = params.get("scenario");
  if (params.get("entity")) $("#present-account").value = params.get("entity");
  $("#present-rehearse").checked = params.get("rehearse") === "1";
  state.list = scenarios;
  $("#present-setup").addEventListener("submit", (event) => { event.preventDefault(); start(); });
}

async function start() {
  const name = $("#present-scenario").value;
  state.entity = $("#present-account").value || null;
  state.rehearse = $("#present-rehearse").checked;
  $("#present-error").textContent = "";
  try {
    const built = await post(`/api/fixtures/${encodeURIComponent(name)}/build`, { entity: state.entity });
    state.scenario = state.list.find((f) => f.name === name) || { name, description: "" };
    state.steps = built.steps;
    state.sent = new Map();
  } catch (error) {
    $("#present-error").textContent = error.message;
    return;
  }
  $("#present-setup").hidden = true;
  $("#present-stage").hidden = false;
  state.index = -1;
  show();
  $("#present-next").focus();
}

function narration(step) {
  const lines = step.narration || {};
  return lines[lang] || lines[lang.split("-")[0]] || lines.en || step.description || "";
}

function show() {
  const total = state.steps.length;
  const step = state.steps[state.index];
  $("#present-prev").disabled = state.index < 0;
  $("#present-next").textContent = state.index >= total - 1 ? _("Finish") : _("Next");
  $("#present-payload").hidden = true;
  $("#present-payload-toggle").setAttribute("aria-expanded", "false");
  if (!step) {
    $("#present-count").textContent = state.rehearse ? _("Rehearsal: nothing is sent") : _("Live: each step is sent when you advance");
    $("#present-step").textContent = state.scenario.name;
    $("#present-narration").textContent = state.scenario.description || "";
    $("#present-outcome").textContent = "";
    $("#present-outcome").dataset.status = "";
    $("#present-payload-toggle").disabled = true;
    draw(null, "idle");
    return;
  }
  $("#present-payload-toggle").disabled = false;
  $("#present-count").textContent = _("Step {{n}} of {{total}}", { n: state.index + 1, total });
  $("#present-step").textContent = `${step.step} · ${step.type}`;
  $("#present-narration").textContent = narration(step);
  render(step);
}

function render(step) {
  const sent = state.sent.get(step.index);
  const outcome = $("#present-outcome");
  if (state.rehearse) {
    outcome.dataset.status = "rehearsed";
    outcome.textContent = _("Rehearsed: built, not sent");
    draw(step, "rehearsed");
  } else if (!sent || !sent.deliveries) {
    outcome.dataset.status = "sending";
    outcome.textContent = _("Sending…");
    draw(step, "sending");
  } else {
    const [status, text] = describe(sent.deliveries);
    outcome.dataset.status = status;
    outcome.textContent = text;
    draw(step, status, sent.deliveries);
  }
  const first = sent && sent.deliveries && sent.deliveries[0];
  const attempt = first && first.attempts && first.attempts[first.attempts.length - 1];
  $("#present-headers").textContent = attempt
    ? Object.entries(attempt.request.headers).map(([k, v]) => `${k}: ${v}`).join("\n")
    : _("Not sent yet: the headers are made when the letter is sent.");
  $("#present-body").textContent = JSON.stringify(step.envelope, null, 2);
}

function describe(deliveries) {
  if (!deliveries.length) return ["none", _("No webhook of this account listens to this event")];
  const d = deliveries[0];
  const code = d.lastStatusCode ? String(d.lastStatusCode) : (d.lastError || "—");
  if (deliveries.every((x) => x.status === "succeeded")) {
    return ["succeeded", _("Delivered: the receiver answered {{code}} (attempt {{n}})", { code, n: d.attemptCount })];
  }
  if (d.status === "failed") return ["failed", _("Failed after {{n}} attempts (last answer {{code}})", { n: d.attemptCount, code })];
  if (d.status === "retrying") return ["retrying", _("The receiver answered {{code}}: retry {{n}} is scheduled", { code, n: d.attemptCount })];
  if (d.status === "held") return ["held", _("Held: the webhook is paused")];
  return ["pending", _("Sending…")];
}

function draw(step, status, deliveries = []) {
  const diagram = $("#present-diagram");
  const stage = { idle: 0, rehearsed: 2, sending: 3, pending: 3, none: 2, held: 2, retrying: 4, failed: 4, succeeded: 4 }[status] ?? 0;
  const good = status === "succeeded";
  diagram.setAttribute("aria-label", step ? `${step.type}: ${$("#present-outcome").textContent}` : _("Sequence diagram"));
  const parts = [
    svg("rect", { x: 20, y: 20, width: 170, height: 60, rx: 10, class: "actor" }),
    svg("text", { x: 105, y: 57, class: "actor-name" }, "Wink"),
    svg("rect", { x: 710, y: 20, width: 170, height: 60, rx: 10, class: "actor" }),
    svg("text", { x: 795, y: 57, class: "actor-name" }, _("Receiver")),
    svg("line", { x1: 105, y1: 80, x2: 105, y2: 250, class: "lifeline" }),
    svg("line", { x1: 795, y1: 80, x2: 795, y2: 250, class: "lifeline" }),
  ];
  const arrows = [
    [1, 112, 110, 300, _("event built")],
    [2, 144, 300, 480, _("signed (HMAC)")],
    [3, 176, 480, 790, _("POST to the receiver")],
  ];
  for (const [n, y, x1, x2, label] of arrows) {
    if (stage < n) continue;
    parts.push(svg("line", { x1, y1: y, x2, y2: y, class: `arrow shown step-${n}` }),
      svg("text", { x: (x1 + x2) / 2, y: y - 6, class: "arrow-label" }, label));
  }
  if (stage >= 4) {
    const d = deliveries[0] || {};
    const cls = ["answer", good ? "ok" : "bad"].join(" ");
    parts.push(svg("line", { x1: 790, y1: 218, x2: 110, y2: 218, class: `arrow shown ${cls}` }),
      svg("text", { x: 450, y: 212, class: `arrow-label ${cls}` }, String(d.lastStatusCode || d.lastError || "")));
    if (!good && d.attemptCount) {
      parts.push(svg("text", { x: 450, y: 246, class: "arrow-label bad retries" },
        _("attempts: {{n}}", { n: d.attemptCount })));
    }
  }
  diagram.replaceChildren(...parts);
}

async function send(step) {
  const entry = { deliveries: null };
  state.sent.set(step.index, entry);
  try {
    const answer = await post("/api/events", { event: step.type, entity: step.entity, object: step.envelope.object,
      undelivered: step.undelivered || undefined });
    entry.ids = answer.events.flatMap((e) => e.deliveries.map((d) => d.id));
    entry.deliveries = entry.ids.length ? null : [];
    follow(step, entry);
  } catch (error) {
    $("#present-outcome").dataset.status = "error";
    $("#present-outcome").textContent = error.message;
  }
  if (entry.deliveries) render(step);
}

async function follow(step, entry) {
  while (entry.ids.length) {
    entry.deliveries = await Promise.all(entry.ids.map((id) => get(`/api/deliveries/${encodeURIComponent(id)}`)));
    if (state.steps[state.index] === step) render(step);
    if (entry.deliveries.every((d) => SETTLED.has(d.status))) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function next() {
  if (state.index >= state.steps.length - 1) { leave(); return; }
  state.index += 1;
  const step = state.steps[state.index];
  show();
  if (!state.rehearse && !state.sent.has(step.index)) send(step);
}

function back() {
  if (state.index < 0) return;
  state.index -= 1;
  show();
}

function leave() {
  $("#present-stage").hidden = true;
  $("#present-setup").hidden = false;
  $("#present-start").focus();
}

function togglePayload() {
  if ($("#present-payload-toggle").disabled) return;
  const panel = $("#present-payload");
  panel.hidden = !panel.hidden;
  $("#present-payload-toggle").setAttribute("aria-expanded", String(!panel.hidden));
}

document.addEventListener("keydown", (event) => {
  if ($("#present-stage").hidden || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest && event.target.closest("input, select, textarea")) return;
  const key = event.key;
  if (key === "ArrowRight" || key === " " || key === "PageDown") { event.preventDefault(); next(); }
  else if (key === "ArrowLeft" || key === "PageUp") { event.preventDefault(); back(); }
  else if (key === "p" || key === "P") { event.preventDefault(); togglePayload(); }
  else if (key === "Escape") { event.preventDefault(); leave(); }
});
$("#present-next").addEventListener("click", next);
$("#present-prev").addEventListener("click", back);
$("#present-payload-toggle").addEventListener("click", togglePayload);
setup().catch((error) => { $("#present-error").textContent = error.message; });
