// Manage account > Webhooks: a health card per webhook (GET /api/webhooks/{id}/health, the last hour):
// success rate, answers, p50/p95/p99 latency, a latency chart, how many attempts were slower than Wink's
// 10 s deadline and other senders' deadlines, and the webhook's Send test event / Redeliver dead. The
// cards follow the live log: each new attempt of the account's webhooks refreshes the figures.

import { get, routes } from "./api.js";
import { $, debounce, fill, h, pageData } from "./dom.js";
import { formatMs, latencyChart } from "./latency_chart.js";
import { LiveFeed } from "./live.js";
import { redeliverDead, sendTestEvent } from "./webhook_actions.js";

const accountId = pageData("accountId");
const section = $("#webhook-health");
const grid = $("#health-cards");
const cards = new Map();   // webhook id -> {card, figures, result, buttons, hook, report}

const ANSWERS = [["2xx", "2xx"], ["3xx", "3xx"], ["4xx", "4xx"], ["5xx", "5xx"], ["none", "no answer"]];
const STATUSES = [["succeeded", "Succeeded"], ["failed", "Dead"], ["retrying", "Retrying"], ["pending", "Pending"],
  ["cancelled", "Cancelled"]];

function percent(rate) {
  return rate === null ? "–" : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`;
}

function stat(label, value, extra = {}) {
  return h("div", { class: "health-stat", ...extra }, h("dt", {}, label), h("dd", {}, value));
}

function budget(report) {
  const wink = report.winkDeadline;
  const late = wink.overDeadline;
  const headline = late
    ? h("p", { class: "budget-alert", "data-late": String(late) },
      `${late} attempt${late === 1 ? "" : "s"} took longer than Wink's ${wink.seconds} s deadline`
      + (wink.answeredOkButLate ? `: ${wink.answeredOkButLate} answered 2xx here, a failure on Wink.` : "."))
    : h("p", { class: "budget-ok", "data-late": "0" },
      report.attempts.total ? `Every attempt answered within Wink's ${wink.seconds} s deadline.`
        : "No attempts in the last hour.");
  const rows = report.deadlines.filter((d) => d.sender !== "Wink").map((d) => h("tr", { "data-sender": d.sender },
    h("th", { scope: "row" }, d.sender),
    h("td", {}, d.seconds === null ? "not published" : `${d.seconds} s`),
    h("td", { class: "num" }, d.seconds === null ? h("span", { class: "muted", title: d.note }, "–")
      : `${d.overDeadline}${d.measurable ? "" : "+"}`)));
  return h("div", { class: "budget" }, headline,
    h("details", {}, h("summary", {}, "Other senders' deadlines"),
      h("table", { class: "budget-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Sender"), h("th", { scope: "col" }, "Deadline"),
          h("th", { scope: "col", class: "num" }, "Slower"))),
        h("tbody", {}, rows)),
      h("p", { class: "muted small" }, "+: at least this many (attempts are cut at the sandbox's own "
        + `${report.requestTimeoutSeconds} s timeout). Sources: docs/timeout-budget.md.`)));
}

function figures(report) {
  const { attempts, latencyMs } = report;
  const answers = ANSWERS.filter(([key]) => attempts.byAnswer[key])
    .map(([key, label]) => h("span", { class: `chip answer-${key}` }, `${label} ${attempts.byAnswer[key]}`));
  const statuses = STATUSES.filter(([key]) => report.deliveries[key])
    .map(([key, label]) => h("span", { class: "chip", "data-status": key }, `${label} ${report.deliveries[key]}`));
  const summary = attempts.total
    ? `Latency over the last hour: p50 ${formatMs(latencyMs.p50)}, p95 ${formatMs(latencyMs.p95)}, `
      + `slowest ${formatMs(latencyMs.max)}`
    : "No attempts in the last hour";
  return [
    h("dl", { class: "health-stats" },
      stat("Success", percent(report.successRate), { "data-figure": "success" }),
      stat("Attempts", String(attempts.total), { "data-figure": "attempts" }),
      stat("p50", formatMs(latencyMs.p50), { "data-figure": "p50" }),
      stat("p95", formatMs(latencyMs.p95), { "data-figure": "p95" }),
      stat("p99", formatMs(latencyMs.p99), { "data-figure": "p99" })),
    answers.length ? h("div", { class: "chips", "aria-label": "Answers" }, answers) : null,
    latencyChart(report.series, { deadlineMs: report.winkDeadline.seconds * 1000, label: summary }),
    budget(report),
    h("p", { class: "health-deliveries muted" }, "Deliveries, all time: ",
      statuses.length ? statuses : "none yet"),
  ];
}

function showResult(entry, outcome, kind) {
  const { text, link } = outcome;
  fill(entry.result, h("span", {}, text, link ? [" ", h("a", { href: link.href }, link.label)] : null));
  entry.result.dataset.kind = kind;
}

async function run(entry, action, failure) {
  for (const button of entry.buttons) button.disabled = true;
  try {
    const outcome = await action();
    if (outcome) showResult(entry, outcome, "ok");
  } catch (error) {
    showResult(entry, { text: `${failure}: ${error.message}` }, "bad");
  } finally {
    await refresh();
  }
}

function newCard(hook) {
  const entry = { hook, report: null };
  const test = h("button", { type: "button", class: "btn btn-sm", "data-action": "test",
    "aria-label": `Send test event to ${hook.name}` }, "Send test event");
  const dead = h("button", { type: "button", class: "btn btn-sm", "data-action": "redeliver-dead",
    "aria-label": `Redeliver dead deliveries of ${hook.name}` }, "Redeliver dead");
  test.addEventListener("click", () => run(entry, () => sendTestEvent(accountId, entry.hook),
    "Could not send a test event"));
  dead.addEventListener("click", () => run(entry, () => redeliverDead(accountId, entry.hook,
    entry.report?.deliveries.failed ?? 0), "Could not redeliver"));
  entry.buttons = [test, dead];
  entry.figures = h("div", { class: "health-figures" }, h("p", { class: "muted" }, "Loading the last hour…"));
  entry.result = h("p", { class: "health-result", role: "status" });
  entry.title = h("h3", {}, hook.name);
  entry.card = h("article", { class: "health-card", "data-webhook": hook.id, "aria-label": `Health of ${hook.name}` },
    h("div", { class: "health-card-head" }, entry.title, h("div", { class: "row" }, test, dead)),
    entry.figures, entry.result);
  return entry;
}

function update(entry, hook, report) {
  entry.hook = hook;
  entry.report = report;
  entry.title.textContent = hook.name;
  const open = entry.figures.querySelector("details")?.open;
  fill(entry.figures, ...figures(report));
  if (open) entry.figures.querySelector("details").open = true;
  const [test, dead] = entry.buttons;
  const deadCount = report.deliveries.failed;
  test.disabled = !hook.enabled;
  test.title = hook.enabled ? "" : "The webhook is disabled: enable it to send events";
  dead.disabled = !hook.enabled || deadCount === 0;
  dead.textContent = deadCount ? `Redeliver dead (${deadCount})` : "Redeliver dead";
  dead.title = deadCount ? "" : "No dead deliveries";
}

let running = null;

/** Reload the webhooks and their health; cards are kept (and their buttons keep focus) across reloads. */
async function refresh() {
  running ||= (async () => {
    try {
      const hooks = await get(`${routes.webhooks(accountId)}/list`);
      const reports = await Promise.all(hooks.map((hook) => get(`/api/webhooks/${encodeURIComponent(hook.id)}/health`)));
      for (const id of [...cards.keys()]) {
        if (!hooks.some((hook) => hook.id === id)) { cards.get(id).card.remove(); cards.delete(id); }
      }
      hooks.forEach((hook, i) => {
        if (!cards.has(hook.id)) cards.set(hook.id, newCard(hook));
        const entry = cards.get(hook.id);
        update(entry, hook, reports[i]);
        grid.append(entry.card);   // keeps the list's order
      });
      section.hidden = hooks.length === 0;
      grid.setAttribute("aria-busy", "false");
      $("#health-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (error.status !== 404) $("#health-updated").textContent = `Could not load health: ${error.message}`;
    } finally {
      running = null;
    }
  })();
  return running;
}

refresh();
const later = debounce(() => refresh(), 800);
new LiveFeed("/ws/deliveries", { params: { entity: accountId }, onMessages: later, onGap: later }).start();
