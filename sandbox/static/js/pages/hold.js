// Hold queue: a webhook's hold and release (docs/hold.md). Hold its deliveries, see them queue live,
// move them up, down or to a place, drop one, release one, the first N or all, then resume. Every
// change goes through /api/webhooks/{id}/hold...; every open page follows it from the live log.

import { get, post } from "../api.js";
import { $, clock, debounce, fill, h, pageData, toast } from "../dom.js";
import { LiveFeed } from "../live.js";
import { statusPill } from "../status.js";

const webhookId = pageData("webhookId");
const base = `/api/webhooks/${encodeURIComponent(webhookId)}`;
let state = null;

// Live-log messages that change the queue, and how the activity list tells them.
const TOLD = {
  "webhook.held": (m) => `Hold started: ${m.queued} waiting deliver${m.queued === 1 ? "y" : "ies"} queued`,
  "delivery.held": (m) => `${m.event} held at #${m.position}`,
  "delivery.moved": (m) => `${m.event} moved from #${m.previousPosition} to #${m.position}`,
  "delivery.released": (m) => `${m.event} released (was #${m.previousPosition}; ${m.queued} still held)`,
  "delivery.cancelled": (m) => `${m.event} dropped (${m.reason || "cancelled"})`,
  "delivery.succeeded": (m) => `${m.event} delivered: ${m.statusCode}`,
  "delivery.attempted": (m) => `${m.event} attempt ${m.attempt}: ${m.statusCode || m.error || "no answer"}`,
  "webhook.resumed": (m) => `Hold ended: ${m.released} released`,
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
  const label = `${item.event} (#${item.position})`;
  const input = h("input", { class: "input", type: "number", min: 1, max: count, value: item.position,
    style: "width:4.5em", "aria-label": `Position of ${label}` });
  const go = () => change("/hold/move", { deliveryId: item.id, position: Number(input.value) });
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") go(); });
  return h("div", { class: "row" },
    h("button", { type: "button", class: "btn btn-sm", disabled: item.position === 1, "aria-label": `Move up ${label}`,
      onclick: () => change("/hold/move", { deliveryId: item.id, direction: "up" }) }, "↑"),
    h("button", { type: "button", class: "btn btn-sm", disabled: item.position === count,
      "aria-label": `Move down ${label}`, onclick: () => change("/hold/move", { deliveryId: item.id, direction: "down" }) }, "↓"),
    input,
    h("button", { type: "button", class: "btn btn-sm", "aria-label": `Move ${label} to this position`, onclick: go }, "Move"));
}

function row(item, count) {
  const label = `${item.event} (#${item.position})`;
  return h("tr", { "data-delivery": item.id },
    h("td", { "data-label": "#", class: "num" }, String(item.position)),
    h("td", { "data-label": "Event" }, h("a", { class: "mono", href: `/deliveries/${encodeURIComponent(item.id)}` }, item.event),
      " ", statusPill(item.status)),
    h("td", { "data-label": "Made", class: "time" }, clock(item.createdDate, { ms: true })),
    h("td", { "data-label": "Delivery" }, h("code", { class: "truncate", title: item.id }, item.id.slice(0, 8))),
    h("td", { "data-label": "Move" }, moveCell(item, count)),
    h("td", { "data-label": "Actions", class: "row" },
      h("button", { type: "button", class: "btn btn-sm btn-primary", "aria-label": `Release ${label}`,
        onclick: () => change("/hold/release", { deliveryIds: [item.id] }, () => `Released ${item.event}`) }, "Release"),
      h("button", { type: "button", class: "btn btn-sm btn-danger", "aria-label": `Drop ${label}`,
        onclick: () => change("/hold/drop", { deliveryId: item.id }, () => `Dropped ${item.event}: it is cancelled`) }, "Drop")));
}

function show(next) {
  state = next;
  document.title = `Hold queue · ${state.webhookName} · Webhook Sandbox`;
  $("#title").textContent = `Hold queue · ${state.webhookName}`;
  const crumb = $("#crumb-account");
  crumb.href = `/accounts/${encodeURIComponent(state.entity)}`;
  fill($("#hold-state"), state.held
    ? h("span", { class: "pill pill-info", "data-held": "true" }, "On hold")
    : h("span", { class: "pill pill-ok", "data-held": "false" }, "Delivering"));
  $("#hold").hidden = state.held;
  $("#resume").hidden = !state.held;
  $("#release-form").hidden = !state.held || state.count === 0;
  $("#release-count").max = String(Math.max(1, state.count));
  $("#queue-count").textContent = String(state.count);
  $("#queue-table").hidden = state.count === 0;
  $("#queue-empty").hidden = state.count > 0;
  $("#empty-title").textContent = state.held ? "Nothing queued" : "Not on hold";
  $("#empty-text").textContent = state.held
    ? "New deliveries to this webhook queue here until you release them."
    : "Deliveries to this webhook go out as they come. Hold them to choose when and in what order they go.";
  fill($("#queue"), state.queue.map((item) => row(item, state.count)));
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

$("#hold").addEventListener("click", () => change("/hold", {}, (s) => `Holding deliveries to "${s.webhookName}"`));
$("#resume").addEventListener("click", () => change("/resume", {}, (s) =>
  `Resumed: ${s.released.length} released, new deliveries go out as they come`));
$("#release-all").addEventListener("click", () => change("/hold/release", { all: true }, (s) =>
  `Released ${s.released.length} deliver${s.released.length === 1 ? "y" : "ies"} in queue order`));
$("#release-form").addEventListener("submit", (event) => {
  event.preventDefault();
  change("/hold/release", { count: Number($("#release-count").value) }, (s) =>
    `Released the first ${s.released.length}`);
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
      conn.querySelector(".conn-text").textContent = { live: "Live", connecting: "Connecting",
        reconnecting: "Reconnecting…", refused: "Stopped" }[next] || next;
    },
    onGap: refreshSoon,
  }).start();
}

start();
