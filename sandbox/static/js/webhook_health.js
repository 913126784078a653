// Manage account > Webhooks: a health card per webhook (GET /api/webhooks/{id}/health, the last hour):
// success rate, answers, p50/p95/p99 latency, a latency chart, how many attempts were slower than Wink's
// 10 s deadline and other senders' deadlines, and the webhook's Send test event / Redeliver dead. The
// cards follow the live log: each new attempt of the account's webhooks refreshes the figures.

import { get, routes } from "./api.js";
import { $, clock, fill, h, pageData } from "./dom.js";
import { _, formatNumber, ngettext } from "./i18n.js";
import { formatMs, latencyChart } from "./latency_chart.js";
import { LiveFeed } from "./live.js";
import { redeliverDead, sendTestEvent } from "./webhook_actions.js";

const accountId = pageData("accountId");
const section = $("#webhook-health");
const grid = $("#health-cards");
const cards = new Map();   // webhook id -> {card, figures, result, buttons, hook, report}

const ANSWERS = [["2xx", "2xx"], ["3xx", "3xx"], ["4xx", "4xx"], ["5xx", "5xx"], ["none", _("no answer")]];
const STATUSES = [
  ["succeeded", (n) => ngettext("{{n}} succeeded", "{{n}} succeeded", n)],
  ["failed", (n) => ngettext("{{n}} dead", "{{n}} dead", n)],
  ["retrying", (n) => ngettext("{{n}} retrying", "{{n}} retrying", n)],
  ["pending", (n) => ngettext("{{n}} pending", "{{n}} pending", n)],
  ["cancelled", (n) => ngettext("{{n}} cancelled", "{{n}} cancelled", n)],
  ["held", (n) => ngettext("{{n}} held", "{{n}} held", n)],
];

function percent(rate) {
  if (rate === null) return "–";
  const digits = rate === 1 || rate === 0 ? 0 : 1;
  return formatNumber(rate, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function stat(label, value, extra = {}) {
  return h("div", { class: "health-stat", ...extra }, h("dt", {}, label), h("dd", {}, value));
}

function budget(report) {
  const wink = report.winkDeadline;
  const late = wink.overDeadline;
  const seconds = formatNumber(wink.seconds);
  let text = _("Every attempt answered within Wink's {{seconds}} s deadline.", { seconds });
  if (!report.attempts.total) text = _("No attempts in the last hour.");
  if (late) {
    text = wink.answeredOkButLate
      ? ngettext("{{n}} attempt took longer than Wink's {{seconds}} s deadline and answered 2xx here: a failure on Wink.",
        "{{n}} attempts took longer than Wink's {{seconds}} s deadline, {{ok}} of them answered 2xx here: failures on Wink.",
        late, { seconds, ok: formatNumber(wink.answeredOkButLate) })
      : ngettext("{{n}} attempt took longer than Wink's {{seconds}} s deadline.",
        "{{n}} attempts took longer than Wink's {{seconds}} s deadline.", late, { seconds });
  }
  const headline = h("p", { class: late ? "budget-alert" : "budget-ok", "data-late": String(late) }, text);
  const rows = report.deadlines.filter((d) => d.sender !== "Wink").map((d) => h("tr", { "data-sender": d.sender },
    h("th", { scope: "row" }, d.sender),
    h("td", {}, d.seconds === null ? _("not published") : _("{{seconds}} s", { seconds: formatNumber(d.seconds) })),
    h("td", { class: "num" }, d.seconds === null ? h("span", { class: "muted", title: d.note }, "–")
      : `${formatNumber(d.overDeadline)}${d.measurable ? "" : "+"}`)));
  return h("div", { class: "budget" }, headline,
    h("details", {}, h("summary", {}, _("Other senders' deadlines")),
      h("table", { class: "budget-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, _("Sender")), h("th", { scope: "col" }, _("Deadline")),
          h("th", { scope: "col", class: "num" }, _("Slower")))),
        h("tbody", {}, rows)),
      h("p", { class: "muted small" }, _("+: at least this many (attempts are cut at the sandbox's own {{seconds}} s timeout). Sources: docs/timeout-budget.md.",
        { seconds: formatNumber(report.requestTimeoutSeconds) }))));
}

function figures(report) {
  const { attempts, latencyMs } = report;
  const answers = ANSWERS.filter(([key]) => attempts.byAnswer[key])
    .map(([key, label]) => h("span", { class: `chip answer-${key}` }, `${label} ${formatNumber(attempts.byAnswer[key])}`));
  const statuses = STATUSES.filter(([key]) => report.deliveries[key])
    .map(([key, label]) => h("span", { class: "chip", "data-status": key }, label(report.deliveries[key])));
  const summary = attempts.total
    ? _("Latency over the last hour: p50 {{p50}}, p95 {{p95}}, slowest {{max}}",
      { p50: formatMs(latencyMs.p50), p95: formatMs(latencyMs.p95), max: formatMs(latencyMs.max) })
    : _("No attempts in the last hour.");
  return [
    h("dl", { class: "health-stats" },
      stat(_("Success"), percent(report.successRate), { "data-figure": "success" }),
      stat(_("Attempts"), formatNumber(attempts.total), { "data-figure": "attempts" }),
      stat("p50", formatMs(latencyMs.p50), { "data-figure": "p50" }),
      stat("p95", formatMs(latencyMs.p95), { "data-figure": "p95" }),
      stat("p99", formatMs(latencyMs.p99), { "data-figure": "p99" })),
    answers.length ? h("div", { class: "chips", "aria-label": _("Answers") }, answers) : null,
    latencyChart(report.series, { deadlineMs: report.winkDeadline.seconds * 1000, label: summary }),
    budget(report),
    h("p", { class: "health-deliveries muted" }, _("Deliveries, all time:"), " ",
      statuses.length ? statuses : _("none yet")),
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
    showResult(entry, { text: _("{{failure}}: {{reason}}", { failure, reason: error.message }) }, "bad");
  } finally {
    await refresh();
  }
}

function newCard(hook) {
  const entry = { hook, report: null };
  const test = h("button", { type: "button", class: "btn btn-sm", "data-action": "test",
    "aria-label": _("Send test event to {{name}}", { name: hook.name }) }, _("Send test event"));
  const dead = h("button", { type: "button", class: "btn btn-sm", "data-action": "redeliver-dead",
    "aria-label": _("Redeliver dead deliveries of {{name}}", { name: hook.name }) }, _("Redeliver dead"));
  test.addEventListener("click", () => run(entry, () => sendTestEvent(accountId, entry.hook),
    _("Could not send a test event")));
  dead.addEventListener("click", () => run(entry, () => redeliverDead(accountId, entry.hook,
    entry.report?.deliveries.failed ?? 0), _("Could not redeliver")));
  entry.buttons = [test, dead];
  entry.figures = h("div", { class: "health-figures" }, h("p", { class: "muted" }, _("Loading the last hour…")));
  entry.result = h("p", { class: "health-result", role: "status" });
  entry.title = h("h3", {}, hook.name);
  entry.card = h("article", { class: "health-card", "data-webhook": hook.id,
    "aria-label": _("Health of {{name}}", { name: hook.name }) },
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
  test.title = hook.enabled ? "" : _("The webhook is disabled: enable it to send events");
  dead.disabled = !hook.enabled || deadCount === 0;
  dead.textContent = deadCount ? _("Redeliver dead ({{n}})", { n: formatNumber(deadCount) }) : _("Redeliver dead");
  dead.title = deadCount ? "" : _("No dead deliveries");
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
      $("#health-updated").textContent = _("Updated {{time}}", { time: clock(new Date().toISOString()) });
    } catch (error) {
      if (error.status !== 404) {
        $("#health-updated").textContent = _("Could not load health: {{reason}}", { reason: error.message });
      }
    } finally {
      running = null;
    }
  })();
  return running;
}

refresh();
// At most one reload every 2 s however busy the webhooks are (a debounce would never fire on a steady
// stream, and each reload reads the hour's attempts).
let pending = null;
const later = () => {
  pending ||= setTimeout(() => { pending = null; refresh(); }, 2000);
};
new LiveFeed("/ws/deliveries", { params: { entity: accountId }, onMessages: later, onGap: later }).start();
