// Hold queue: a webhook's hold and release (docs/hold.md). Hold its deliveries, see them queue live,
// move them up, down or to a place, drop one, release one, the first N or all, then resume. Every
// change goes through /api/webhooks/{id}/hold...; every open page follows it from the live log.

import { get, post } from "../api.js";
import { $, clock, debounce, fill, h, pageData, toast } from "../dom.js";
import { _, ngettext } from "../i18n.js";
import { LiveFeed } from "../live.js";
import { statusPill } from "../status.js";

const webhookId = pageData("webhookId");
const base = `/api/webhooks/${encodeURIComponent(webhookId)}`;
let state = null;
let shownQueue = null;

// Live-log messages that change the queue, and how the activity list tells them.
const TOLD = {
  "webhook.held": (m) => ngettext("Hold started: {{n}} waiting delivery queued",
    "Hold started: {{n}} waiting deliveries queued", m.queued),
  "delivery.held": (m) => _("{{event}} held at #{{position}}", m),
  "delivery.moved": (m) => _("{{event}} moved from #{{previousPosition}} to #{{position}}", m),
  "delivery.released": (m) => _("{{event}} released (was #{{previousPosition}}; {{queued}} still held)", m),
  "delivery.cancelled": (m) => _("{{event}} cancelled ({{reason}})", { reason: "", ...m }),
  "delivery.succeeded": (m) => _("{{event}} delivered: {{statusCode}}", m),
  "delivery.attempted": (m) => {
    const answer = m.statusCode || m.error || _("no answer");
    return _("{{event}} attempt {{attempt}}: {{answer}}", { ...m, answer });
  },
  "webhook.resumed": (m) => ngettext("Hold ended: {{n}} released", "Hold ended: {{n}} released", m.released),
};
const CHANGES_QUEUE = new Set(["webhook.held", "delivery.held", "delivery.moved", "delivery.released",
  "delivery.cancelled", "webhook.resumed"]);

function showError(error) {
  const banner = $("#error");
  banner.textContent = error ? error.message : "";
  banner.hidden = !error;
}

/** Call a hold route; show the new state, or say why the sandbox refused. */
async function change(path, body, done) {
  try {
    const answer = await post(`${base}${path}`, body);
    showError(null);
    show(answer);
    if (done) toast(done(answer), "ok");
  } catch (error) {
    toast(error.message, "bad");
    await refresh();
  }
}

function moveCell(item, count) {
  const label = `${item.event} (#${item.position})`; // i18n-ignore
  const input = h("input", { class: "input", type: "number", min: 1, max: count, value: item.position,
    style: "width:4.5em", "aria-label": _("Position of {{label}}", { label }) });
  const go = () => change("/hold/move", { deliveryId: item.id, position: Number(input.value) });
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") go(); });
  return h("div", { class: "row" },
    h("button", { type: "button", class: "btn btn-sm", disabled: item.position === 1,
      "aria-label": _("Move up {{label}}", { label }),
      onclick: () => change("/hold/move", { deliveryId: item.id, direction: "up" }) }, "↑"),
    h("button", { type: "button", class: "btn btn-sm", disabled: item.position === count,
      "aria-label": _("Move down {{label}}", { label }), onclick: () => change("/hold/move", { deliveryId: item.id, direction: "down" }) }, "↓"),
    input,
    h("button", { type: "button", class: "btn btn-sm", "aria-label": _("Move {{label}} to this position", { label }),
      onclick: go }, _("Move")));
}

function row(item, count) {
  const label = `${item.event} (#${item.position})`; // i18n-ignore
  return h("tr", { "data-delivery": item.id },
    h("td", { "data-label": "#", class: "num" }, String(item.position)),
    h("td", { "data-label": _("Event") }, h("a", { class: "mono", href: `/deliveries/${encodeURIComponent(item.id)}` }, item.event),
      " ", statusPill(item.status)),
    h("td", { "data-label": _("Made"), class: "time" }, clock(item.createdDate, { ms: true })),
    h("td", { "data-label": _("Delivery") }, h("code", { class: "truncate", title: item.id }, item.id.slice(0, 8))),
    h("td", { "data-label": _("Move") }, moveCell(item, count)),
    h("td", { "data-label": _("Actions") }, h("div", { class: "row" },
      h("button", { type: "button", class: "btn btn-sm btn-primary", "aria-label": _("Release {{label}}", { label }),
        onclick: () => change("/hold/release", { deliveryIds: [item.id] },
          () => _("Released {{event}}", item)) }, _("Release")),
      h("button", { type: "button", class: "btn btn-sm btn-danger", "aria-label": _("Drop {{label}}", { label }),
        onclick: () => change("/hold/drop", { deliveryId: item.id },
          () => _("Dropped {{event}}: it is cancelled", item)) }, _("Drop")))));
}

function show(next) {
  state = next;
  document.title = _("Hold queue · {{name}} · Webhook Sandbox", { name: state.webhookName });
  $("#title").textContent = _("Hold queue · {{name}}", { name: state.webhookName });
  const crumb = $("#crumb-account");
  crumb.href = `/accounts/${encodeURIComponent(state.entity)}`;
  fill($("#hold-state"), state.held
    ? h("span", { class: "pill pill-info", "data-held": "true" }, _("On hold"))
    : h("span", { class: "pill pill-ok", "data-held": "false" }, _("Delivering")));
  $("#hold").hidden = state.held;
  $("#resume").hidden = !state.held;
  $("#release-form").hidden = !state.held || state.count === 0;
  $("#release-count").max = String(Math.max(1, state.count));
  $("#queue-count").textContent = String(state.count);
  const more = $("#queue-more");
  more.hidden = state.queue.length >= state.count;
  more.textContent = _("Showing the first {{shown}} of {{total}}; release some to see the rest.",
    { shown: state.queue.length, total: state.count });
  $("#queue-table").hidden = state.count === 0;
  $("#queue-empty").hidden = state.count > 0;
  $("#empty-title").textContent = state.held ? _("Nothing queued") : _("Not on hold");
  $("#empty-text").textContent = state.held
    ? _("New deliveries to this webhook queue here until you release them.")
    : _("Deliveries to this webhook go out as they come. Hold them to choose when and in what order they go.");
  // Redraw the rows only when the queue changed: the answer to a click and the live log's news of
  // it bring the same queue, and a row redrawn under the pointer would lose the next click.
  const drawn = JSON.stringify(state.queue.map((item) => [item.id, item.position, item.status]));
  if (drawn !== shownQueue) fill($("#queue"), state.queue.map((item) => row(item, state.count)));
  shownQueue = drawn;
}

async function refresh() {
  try {
    show(await get(`${base}/hold`));
  } catch (error) {
    showError(error);
  }
}
const refreshSoon = debounce(refresh, 100);

function tell(message) {
  const text = TOLD[message.type];
  if (!text) return;
  const list = $("#activity");
  list.prepend(h("li", { "data-type": message.type },
    h("span", { class: "time" }, clock(message.at, { ms: true })), " ", text(message)));
  while (list.children.length > 100) list.lastElementChild.remove();
}

$("#hold").addEventListener("click", () => change("/hold", {}, (s) =>
  _('Holding deliveries to "{{name}}"', { name: s.webhookName })));
$("#resume").addEventListener("click", () => change("/resume", {}, (s) =>
  ngettext("Resumed: {{n}} released, new deliveries go out as they come",
    "Resumed: {{n}} released, new deliveries go out as they come", s.released.length)));
$("#release-all").addEventListener("click", () => change("/hold/release", { all: true }, (s) =>
  ngettext("Released {{n}} delivery in queue order", "Released {{n}} deliveries in queue order", s.released.length)));
$("#release-form").addEventListener("submit", (event) => {
  event.preventDefault();
  change("/hold/release", { count: Number($("#release-count").value) }, (s) =>
    ngettext("Released the first {{n}}", "Released the first {{n}}", s.released.length));
});

async function start() {
  await refresh();
  if (!state) return;
  new LiveFeed("/ws/deliveries", {
    params: { webhookId },
    onMessages: (messages) => {
      for (const message of messages) {
        tell(message);
        if (CHANGES_QUEUE.has(message.type)) refreshSoon();
      }
    },
    onState: (next) => {
      const conn = $("#conn");
      conn.dataset.state = next;
      conn.querySelector(".conn-text").textContent = { live: _("Live"), connecting: _("Connecting"),
        reconnecting: _("Reconnecting…"), refused: _("Stopped") }[next] || next;
    },
    onGap: refreshSoon,
  }).start();
}

start();
