// Live log: every delivery as it happens, over the /ws/deliveries websocket, with filters,
// pause/resume, and a reconnect that resumes from the last cursor seen.

import { eventTypes, get, withQuery } from "../api.js";
import { $, fill, h, toast } from "../dom.js";
import { DeliveryTable } from "../deliveries.js";
import { LiveFeed } from "../live.js";

const BACKLOG = 200;
const form = $("#filters");
const controls = { entity: $("#f-entity"), webhookId: $("#f-webhook"), event: $("#f-event"), status: $("#f-status") };
const pauseButton = $("#pause");
const webhookNames = new Map();
const table = new DeliveryTable($("#log"), {
  columns: ["time", "event", "webhook", "url", "status", "duration", "attempt"], max: 1000, webhookNames,
});
let webhooks = [];
let paused = false;
let buffered = [];
let state = "connecting";

function filters() {
  const out = {};
  for (const [name, control] of Object.entries(controls)) if (control.value.trim()) out[name] = control.value.trim();
  return out;
}

function showEmpty() {
  $("#log-empty").hidden = table.size > 0;
  $("#log-table").hidden = table.size === 0;
}

function showState() {
  const conn = $("#conn");
  const shown = paused ? "paused" : state;
  conn.dataset.state = shown;
  conn.querySelector(".conn-text").textContent = {
    live: "Live", connecting: "Connecting", reconnecting: "Reconnecting…", paused: "Paused",
  }[shown] || shown;
  const note = $("#paused-note");
  note.hidden = !paused;
  note.textContent = buffered.length
    ? `Paused: ${buffered.length} new message${buffered.length === 1 ? "" : "s"} waiting. Resume to show them.`
    : "Paused: new deliveries wait until you resume.";
}

function apply(messages) {
  for (const message of messages) {
    table.apply(message);
    if (message.type === "webhook.disabled") {
      toast(`Webhook "${message.webhookName || message.webhookId}" was disabled (${message.reason || "by the sandbox"})`, "bad");
    }
  }
  showEmpty();
}

const feed = new LiveFeed("/ws/deliveries", {
  backlog: BACKLOG,
  onMessages: (messages) => {
    if (paused) {
      buffered.push(...messages);
      showState();
    } else {
      apply(messages);
    }
  },
  onState: (next) => {
    state = next;
    showState();
  },
  onGap: () => refill(),
});

/** After a gap the server could not replay: read the latest deliveries through the REST API. */
async function refill() {
  try {
    const body = await get(withQuery("/api/deliveries", { ...filters(), limit: 100 }));
    for (const delivery of [...(body.items || [])].reverse()) table.addDelivery(delivery, { fresh: false });
    showEmpty();
  } catch (error) {
    toast(`Could not refill the log: ${error.message}`, "bad");
  }
}

function fillWebhookChoices() {
  const entity = controls.entity.value;
  const current = controls.webhookId.value;
  const shown = webhooks.filter((hook) => !entity || hook.ownerIdentifier === entity);
  fill(controls.webhookId, h("option", { value: "" }, "All webhooks"),
    shown.map((hook) => h("option", { value: hook.id, selected: hook.id === current }, hook.name)));
}

function applyFilters() {
  const query = filters();
  history.replaceState(null, "", withQuery(location.pathname, query));
  buffered = [];
  table.clear();
  showEmpty();
  feed.restart(query);
}

async function start() {
  const params = new URLSearchParams(location.search);
  const [accounts, hooks, catalog] = await Promise.all([
    get("/api/managing-entity"), get("/api/webhooks").catch(() => []), eventTypes().catch(() => []),
  ]);
  webhooks = hooks;
  for (const hook of hooks) webhookNames.set(hook.id, hook.name);
  fill(controls.entity, h("option", { value: "" }, "All accounts"),
    accounts.map((a) => h("option", { value: a.id }, a.name)));
  fill($("#event-keys"), catalog.map((item) => h("option", { value: item.key })));
  for (const [name, control] of Object.entries(controls)) {
    if (name !== "webhookId" && params.get(name)) control.value = params.get(name);
  }
  fillWebhookChoices();
  if (params.get("webhookId")) controls.webhookId.value = params.get("webhookId");
  feed.params = filters();
  feed.start();
  showEmpty();
}

controls.entity.addEventListener("change", () => {
  fillWebhookChoices();
  applyFilters();
});
for (const name of ["webhookId", "status"]) controls[name].addEventListener("change", applyFilters);
controls.event.addEventListener("change", applyFilters);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  applyFilters();
});
$("#clear-filters").addEventListener("click", () => {
  for (const control of Object.values(controls)) control.value = "";
  fillWebhookChoices();
  applyFilters();
});
pauseButton.addEventListener("click", () => {
  paused = !paused;
  pauseButton.setAttribute("aria-pressed", String(paused));
  pauseButton.textContent = paused ? "Resume" : "Pause";
  if (!paused && buffered.length) {
    const waiting = buffered;
    buffered = [];
    apply(waiting);
  }
  showState();
});

start().catch((error) => toast(`Could not load: ${error.message}`, "bad"));
