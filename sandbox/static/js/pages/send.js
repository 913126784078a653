// Send event: pick an account and an event, edit the generated envelope, send it, and watch the
// deliveries it caused update live.

import { ApiError, eventTypes, get, post, routes } from "../api.js";
import { $, debounce, fill, h } from "../dom.js";
import { DeliveryTable } from "../deliveries.js";
import { JsonEditor } from "../editor.js";
import { NEVER_SENT, isDelivered, singleEventPicker } from "../eventpicker.js";
import { clearErrors, showErrors } from "../forms.js";
import { _, ngettext } from "../i18n.js";
import { eventText } from "../labels.js";
import { LiveFeed } from "../live.js";
import { scrollCue } from "../scrollcue.js";

const params = new URLSearchParams(location.search);
const accountSelect = $("#account");
const seedInput = $("#seed");
const localeInput = $("#locale");
const sendButton = $("#send");
const editor = new JsonEditor($("#editor"), $("#payload-status"), {
  onChange: (valid) => { sendButton.disabled = !valid || !picker?.value(); },
});
let picker = null;
let catalog = [];
let accounts = [];
let sampleRequest = 0;
const sentIds = new Set();
const table = new DeliveryTable($("#sent"), { columns: ["time", "webhookLink", "status", "duration", "attempt"] });
let feed = null;

const errorFields = {
  entity: { error: $("#account-error"), control: accountSelect, label: _("Account") },
  event: { error: $("#event-error"), control: $("#event-search"), label: _("Event") },
  seed: { error: $("#seed-error"), control: seedInput, label: _("Seed") },
  locale: { error: $("#locale-error"), control: localeInput, label: _("Locale") },
  data: { error: $("#data-error"), control: $("#payload"), label: "data" },
};

const randomSeed = () => Math.floor(Math.random() * 1_000_000);

const chosenItem = () => catalog.find((item) => item.key === picker?.value());

/** Wink never sends this key: say so by the event and by the Send button (it goes out marked). */
function neverSentNote(item) {
  const note = $("#undelivered-note");
  note.hidden = !item || isDelivered(item);
  if (!note.hidden) {
    note.textContent = `${NEVER_SENT[item.kind] || _("Wink never sends this event.")} `
      + _("Sent from here it goes out marked undelivered.");
  }
}

function describe(item) {
  neverSentNote(item);
  if (!item) {
    fill($("#event-about"), h("p", { class: "muted" }, _("Choose an event to see what it means.")));
    return;
  }
  fill($("#event-about"), h("div", { class: "about-box" },
    h("div", { class: "row" }, h("code", { class: "about-key" }, item.key),
      item.label ? h("strong", {}, eventText(item.label)) : null,
      h("span", { class: "badge" }, item.category)),
    item.aliases?.length ? h("p", { class: "small muted", style: "margin:4px 0 0" },
      _("Also accepted as {{keys}}.", { keys: item.aliases.join(", ") })) : null,
    h("p", { style: "margin:8px 0 0" }, eventText(item.description) || ""),
    isDelivered(item) ? null : h("p", { class: "never-sent", style: "margin:8px 0 0" },
      h("span", { class: "pill pill-warn no-dot" }, _("Wink never sends this")), " ", NEVER_SENT[item.kind] || "")));
}

async function showTargets() {
  const target = $("#targets");
  const key = picker?.value();
  if (!accountSelect.value || !key) {
    target.textContent = "";
    return;
  }
  try {
    const hooks = await get(`${routes.webhooks(accountSelect.value)}/list`);
    const aliases = new Set([key, ...(chosenItem()?.aliases || [])]);
    const receiving = hooks.filter((hook) => hook.enabled && (!hook.eventList.length || hook.eventList.some((k) => aliases.has(k))));
    fill(target, receiving.length
      ? [ngettext("Goes to {{n}} webhook:", "Goes to {{n}} webhooks:", receiving.length), " ",
        receiving.map((hook, i) => [i ? ", " : "", h("strong", {}, hook.name)])]
      : h("span", {}, _("No enabled webhook of this account subscribes to this event."), " ",
        h("a", { href: `/accounts/${encodeURIComponent(accountSelect.value)}/webhooks/new` }, _("Create one"))));
  } catch {
    target.textContent = "";
  }
}

/** Ask the catalog API for a sample envelope with the current account, event, seed and locale. */
async function regenerate() {
  const key = picker?.value();
  if (!key) return;
  clearErrors(document);
  const mine = ++sampleRequest;
  const body = { entity: accountSelect.value || undefined, locale: localeInput.value.trim() || undefined };
  const seedText = seedInput.value.trim();
  if (seedText !== "") body.seed = /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  try {
    const envelope = await post(`/api/event-types/${encodeURIComponent(key)}/sample`, body);
    if (mine === sampleRequest) editor.value = envelope;
  } catch (error) {
    if (mine !== sampleRequest) return;
    if (error instanceof ApiError) showErrors(error, errorFields, $("#send-error"));
    else throw error;
  }
}

function startFeed() {
  if (feed) return;
  feed = new LiveFeed("/ws/deliveries", {
    params: { entity: accountSelect.value },
    onMessages: (messages) => {
      for (const message of messages) {
        if (message.eventId && sentIds.has(message.eventId)) table.apply(message);
      }
    },
    onState: (state) => {
      const conn = $("#conn");
      conn.dataset.state = state;
      conn.querySelector(".conn-text").textContent = { live: _("Live"), connecting: _("Connecting"), reconnecting: _("Reconnecting") }[state] || state;
      if (state === "live") refreshSent();
    },
    onGap: () => refreshSent(),
  }).start();
}

/** Read the state of every delivery sent from this page (after a reconnect or a gap). */
async function refreshSent() {
  for (const eventId of sentIds) {
    try {
      const body = await get(`/api/deliveries?eventId=${encodeURIComponent(eventId)}`);
      for (const delivery of body.items || []) table.addDelivery(delivery, { fresh: false });
    } catch {
      // The next message or reconnect fills it in.
    }
  }
}

async function send() {
  clearErrors(document);
  let envelope;
  try {
    envelope = editor.parse();
  } catch (error) {
    $("#data-error").textContent = _("The payload is not valid JSON: {{error}}", { error: error.message });
    $("#payload").focus();
    return;
  }
  if (!envelope || typeof envelope !== "object" || Array.isArray(envelope) || typeof envelope.object !== "object"
      || envelope.object === null || Array.isArray(envelope.object)) {
    $("#data-error").textContent = _("The payload must be an envelope with an \"object\".");
    $("#payload").focus();
    return;
  }
  if (feed && feed.params.entity !== accountSelect.value) {
    feed.stop();
    feed = null;
  }
  $("#sent-card").hidden = false;
  startFeed();
  sendButton.disabled = true;
  try {
    const body = { event: picker.value(), entity: accountSelect.value, object: envelope.object };
    if (!isDelivered(chosenItem() || {})) body.undelivered = true; // Wink never sends it: say we mean it
    const answer = await post("/api/events", body);
    const count = (answer.events || []).reduce((n, e) => n + (e.deliveries || []).length, 0);
    // Said in the card, above its rows: a toast in the corner would cover the newest of them.
    const note = $("#sent-note");
    note.hidden = false;
    note.textContent = count
      ? ngettext("Sent {{event}}: {{n}} delivery, shown below as it happens.",
        "Sent {{event}}: {{n}} deliveries, shown below as they happen.", count, { event: picker.value() })
      : answer.message || _("Event stored; no webhook receives it.");
    for (const event of answer.events || []) {
      sentIds.add(event.id);
      for (const delivery of event.deliveries || []) {
        table.upsert(delivery.id, { id: delivery.id, eventId: event.id, event: event.event, webhookId: delivery.webhookId,
          eventUrl: delivery.eventUrl, status: "pending", at: new Date().toISOString() });
      }
    }
    $("#sent-card").scrollIntoView({ block: "nearest" });
    refreshSent();
  } catch (error) {
    if (error instanceof ApiError) showErrors(error, errorFields, $("#send-error"));
    else throw error;
  } finally {
    sendButton.disabled = false;
  }
}

async function start() {
  [accounts, catalog] = await Promise.all([get(routes.accounts), eventTypes()]);
  const wanted = params.get("account");
  fill(accountSelect, accounts.map((a) => h("option", { value: a.id, selected: a.id === wanted }, a.name)));
  if (!accounts.length) {
    const banner = $("#send-error");
    fill(banner, _("There is no account yet."), " ", h("a", { href: "/" }, _("Add an account")));
    banner.hidden = false;
  }
  const first = params.get("event") || (catalog.find((item) => item.key === "booking.create") || catalog[0])?.key;
  seedInput.value = params.get("seed") || String(randomSeed());
  picker = singleEventPicker({ list: $("#event-list"), search: $("#event-search") }, catalog, {
    selected: first,
    onChange: (item) => {
      describe(item);
      regenerate();
      showTargets();
    },
  });
  picker.set(first);
  describe(chosenItem());
  regenerate();
  showTargets();
}

accountSelect.addEventListener("change", () => {
  regenerate();
  showTargets();
});
localeInput.addEventListener("change", regenerate);
seedInput.addEventListener("input", debounce(() => seedInput.value.trim() && regenerate(), 400));
$("#regenerate").addEventListener("click", () => {
  seedInput.value = String(randomSeed());
  regenerate();
});
$("#format").addEventListener("click", () => editor.format());
sendButton.addEventListener("click", send);

start().catch((error) => {
  const banner = $("#send-error");
  banner.textContent = _("Could not load: {{error}}", { error: error.message });
  banner.hidden = false;
});
scrollCue($("#sent-table").closest(".table-wrap"));
