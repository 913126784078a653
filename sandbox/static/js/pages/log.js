// Live log: every delivery as it happens, over the /ws/deliveries websocket, with filters,
// pause/resume, and a reconnect that resumes from the last cursor seen. Filters the server refuses
// (an unknown event key, Until before From) stop the feed and say why next to the filters.

import { eventTypes, get, post, routes, withQuery } from "../api.js";
import { $, fill, h, toast } from "../dom.js";
import { DeliveryTable } from "../deliveries.js";
import { confirmDialog } from "../dialog.js";
import { _, formatNumber, ngettext } from "../i18n.js";
import { LiveFeed } from "../live.js";
import { scrollCue } from "../scrollcue.js";

const BACKLOG = 200;
const form = $("#filters");
const controls = {
  q: $("#f-q"), entity: $("#f-entity"), webhookId: $("#f-webhook"), event: $("#f-event"), status: $("#f-status"),
  from: $("#f-from"), to: $("#f-to"),
};
const pauseButton = $("#pause");
const webhookNames = new Map();
const table = new DeliveryTable($("#log"), {
  columns: ["time", "event", "webhook", "url", "status", "duration", "attempt", "actions"], max: 1000, webhookNames,
});

// Cancel a scheduled delivery from its row (Wink's cancel); the row turns Cancelled from the live log.
$("#log").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-cancel]");
  if (!button) return;
  if (!(await confirmDialog(_("Cancel this delivery? No further attempt starts."), { danger: true }))) return;
  button.disabled = true;
  try {
    await post(`${routes.webhooks(button.dataset.entity)}/delivery/${encodeURIComponent(button.dataset.cancel)}/cancel`);
    toast(_("Delivery cancelled"), "ok");
  } catch (error) {
    button.disabled = false;
    toast(_("Could not cancel: {{error}}", { error: error.message }), "bad");
  }
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

/** The filters for the REST list: the range's local date-times as UTC instants (``to`` takes its whole minute). */
function restQuery(query = filters()) {
  const out = { ...query };
  for (const [name, extra] of [["from", 0], ["to", 59999]]) {
    if (!out[name]) continue;
    const moment = new Date(out[name]);
    if (Number.isNaN(moment.getTime())) continue; // sent as typed: the server names the field
    out[name] = new Date(moment.getTime() + extra).toISOString();
  }
  return out;
}

/** The filters for the websocket, which knows no range or search: new deliveries are after ``from`` anyway. */
function liveQuery(query = filters()) {
  const { from, to, q, ...live } = query; // eslint-disable-line no-unused-vars
  return live;
}

/** Run the feed for ``query``: live with a backlog; with a ``from``, live news only, the past from the
 * REST list; with a ``to`` (the range is over) or a search (the server searches stored deliveries),
 * nothing live, the REST list only. */
function follow(query) {
  if (query.to || query.q) {
    feed.stop();
    state = query.q ? "search" : "range";
    showState();
  } else {
    feed.restart(liveQuery(query), { backlog: query.from ? 0 : BACKLOG });
  }
  if (query.from || query.to || query.q) loadOlder();
}

function showEmpty() {
  $("#log-empty").hidden = table.size > 0;
  $("#log-table").hidden = table.size === 0;
}

function showState() {
  // Pause holds back live news: a search or a range that has ended has none.
  pauseButton.disabled = state === "search" || state === "range";
  const conn = $("#conn");
  const shown = paused ? "paused" : state;
  conn.dataset.state = shown;
  conn.querySelector(".conn-text").textContent = {
    live: _("Live"), range: _("Time range"), search: _("Search results"), connecting: _("Connecting"), reconnecting: _("Reconnecting…"), paused: _("Paused"), refused: _("Stopped"),
  }[shown] || shown;
  const note = $("#paused-note");
  note.hidden = !paused;
  const count = deliveriesIn(buffered);
  note.textContent = count
    ? ngettext("Paused: news of {{n}} delivery is waiting. Resume to show it.",
      "Paused: news of {{n}} deliveries is waiting. Resume to show it.", count)
    : _("Paused: new deliveries wait until you resume.");
}

/** How many deliveries ``messages`` tell of (one event to 2 webhooks is 2; each sends several messages). */
function deliveriesIn(messages) {
  const keys = new Set();
  for (const message of messages) {
    if (message.type === "event.created") {
      for (const webhookId of message.webhookIds || []) keys.add(`${message.eventId}:${webhookId}`);
    } else if (message.deliveryId) {
      keys.add(message.eventId && message.webhookId ? `${message.eventId}:${message.webhookId}` : message.deliveryId);
    }
  }
  return keys.size;
}

function apply(messages) {
  for (const message of messages) {
    table.apply(message);
    if (message.type === "webhook.disabled") {
      toast(_('Webhook "{{name}}" was disabled ({{reason}})',
        { name: message.webhookName || message.webhookId, reason: message.reason || _("by the sandbox") }), "bad");
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
  onRefused: (error) => showRefusal(error),
});

/** The server refused the filters: name each wrong one by its label, next to the filters. */
function showRefusal(error) {
  const reasons = error.errors.length ? error.errors : [{ field: "", message: error.message }];
  const named = reasons.map(({ field, message }) => {
    const control = controls[field];
    if (control) control.setAttribute("aria-invalid", "true");
    const label = control && $(`label[for="${control.id}"]`);
    return label ? _("{{filter}} filter: {{problem}}", { filter: label.textContent, problem: message })
      : field ? `${field}: ${message}` : message;
  });
  $("#filter-error-text").textContent = _("The sandbox refused these filters. {{problems}}", { problems: named.join("; ") });
  $("#filter-error").hidden = false;
}

/** The REST list refused the filters (Until before From, a date it cannot read): say so next to the
 * filters, as a refused websocket does, and stop: the live feed would show deliveries outside them. */
function refuseRange(error) {
  feed.stop();
  Object.assign(older, { done: true, refused: true });
  state = "refused";
  showState();
  showRefusal(error);
}

function hideRefusal() {
  $("#filter-error").hidden = true;
  for (const control of Object.values(controls)) control.removeAttribute("aria-invalid");
}

/** After a gap the server could not replay: read the latest deliveries through the REST API. */
async function refill() {
  try {
    const body = await get(withQuery("/api/deliveries", { ...restQuery(), limit: 100 }));
    for (const delivery of [...(body.items || [])].reverse()) table.addDelivery(delivery, { fresh: false });
    showEmpty();
  } catch (error) {
    toast(_("Could not refill the log: {{error}}", { error: error.message }), "bad");
  }
}

// Load older: past the websocket's backlog, page through the REST list (same filters) with its
// cursor, appending below; rows already shown are skipped, so a delivery shows once.
const OLDER_PAGE = 50;
const PAGE_MAX = 500; // the REST list's largest limit
const SEARCH_PER_CLICK = 20000; // deliveries one search click reads at most (in calls of 2,000)
let older = { cursor: null, done: false, busy: false, scanned: 0, found: 0 };

function showOlder() {
  const button = $("#load-older");
  const searching = Boolean(JSON.parse(applied || "{}").q);
  button.hidden = older.done;
  button.disabled = older.busy;
  button.textContent = searching ? _("Search older") : _("Load older");
  let note;
  if (older.refused) {
    note = ""; // the refusal above the table says why
  } else if (searching) {
    const scanned = formatNumber(older.scanned);
    note = older.busy && !older.scanned ? _("Searching…")
      : older.done ? ngettext("{{n}} match in every delivery.", "{{n}} matches in every delivery.", older.found)
        : ngettext("{{n}} match in the newest {{scanned}} deliveries.",
          "{{n}} matches in the newest {{scanned}} deliveries.", older.found, { scanned });
  } else {
    const shown = older.added ? ngettext("{{n}} older delivery shown.", "{{n}} older deliveries shown.", older.added) : "";
    note = [shown, older.done ? _("Nothing older matches these filters.") : ""].filter(Boolean).join(" ");
  }
  $("#older-note").textContent = note;
}

function resetOlder() {
  older = { cursor: null, done: false, busy: false, scanned: 0, found: 0 };
  showOlder();
}

async function loadOlder() {
  if (older.busy || older.done) return;
  older.busy = true;
  showOlder();
  const query = applied;
  try {
    let added = 0;
    let scannedThisClick = 0;
    // A page can hold only rows the live backlog already shows: read on until one is new.
    while (!added && !older.done) {
      // The first page covers the rows shown too (one request, not one per 50 the backlog holds).
      const limit = older.cursor ? OLDER_PAGE : Math.min(PAGE_MAX, table.size + OLDER_PAGE);
      const body = await get(withQuery("/api/deliveries",
        { ...restQuery(), limit, ...(older.cursor ? { cursor: older.cursor } : {}) }));
      if (query !== applied) return; // the filters changed meanwhile: this answer is stale
      for (const delivery of body.items || []) {
        if (table.has(delivery.id) || table.has(`${delivery.eventId}:${delivery.webhookId}`)) continue;
        table.addDelivery(delivery, { fresh: false, older: true });
        added += 1;
      }
      older.cursor = body.nextCursor;
      older.done = !body.nextCursor;
      if (body.search) {
        // Each search call reads a bounded slice of the log (2,000 deliveries): one click reads on
        // until a match shows or SEARCH_PER_CLICK deliveries were read, then says how far it got.
        older.scanned += body.search.scanned;
        older.found += (body.items || []).length;
        scannedThisClick += body.search.scanned;
        if (scannedThisClick >= SEARCH_PER_CLICK) break;
        showOlder();
      }
    }
    showEmpty();
    older.added = added;
  } catch (error) {
    if (query !== applied) return;
    if (error.status === 400) {
      refuseRange(error);
    } else {
      toast(_("Could not load older deliveries: {{error}}", { error: error.message }), "bad");
    }
  } finally {
    if (query === applied) older.busy = false;
    showOlder();
  }
}

$("#load-older").addEventListener("click", loadOlder);

function fillWebhookChoices() {
  const entity = controls.entity.value;
  const current = controls.webhookId.value;
  const shown = webhooks.filter((hook) => !entity || hook.ownerIdentifier === entity);
  fill(controls.webhookId, h("option", { value: "" }, _("All webhooks")),
    shown.map((hook) => h("option", { value: hook.id, selected: hook.id === current }, hook.name)));
}

let applied = null; // the filters the feed runs with, so one change (change, then submit) restarts once

function applyFilters() {
  const query = filters();
  if (applied !== null && JSON.stringify(query) === applied) return;
  applied = JSON.stringify(query);
  history.replaceState(null, "", withQuery(location.pathname, query));
  buffered = [];
  table.clear();
  showEmpty();
  hideRefusal();
  resetOlder();
  follow(query);
}

async function start() {
  const params = new URLSearchParams(location.search);
  const [accounts, hooks, catalog] = await Promise.all([
    get("/api/managing-entity"), get("/api/webhooks").catch(() => []), eventTypes().catch(() => []),
  ]);
  webhooks = hooks;
  for (const hook of hooks) webhookNames.set(hook.id, hook.name);
  fill(controls.entity, h("option", { value: "" }, _("All accounts")),
    accounts.map((a) => h("option", { value: a.id }, a.name)));
  fill($("#event-keys"), catalog.map((item) => h("option", { value: item.key })));
  for (const [name, control] of Object.entries(controls)) {
    const value = params.get(name);
    if (name === "webhookId" || !value) continue;
    // A value the list does not offer (?status=bogus) is kept, so the server can say what is wrong
    // with it instead of the page quietly showing everything.
    if (control.tagName === "SELECT" && ![...control.options].some((option) => option.value === value)) {
      control.append(h("option", { value, dataset: { unlisted: "" } }, value));
    }
    control.value = value;
  }
  fillWebhookChoices();
  if (params.get("webhookId")) controls.webhookId.value = params.get("webhookId");
  if (applied !== null) {
    // A search was submitted while the page loaded: run it again with the address's filters too.
    applied = null;
    applyFilters();
    return;
  }
  applied = JSON.stringify(filters());
  follow(filters());
  showEmpty();
}

controls.entity.addEventListener("change", () => {
  fillWebhookChoices();
  applyFilters();
});
for (const name of ["webhookId", "status"]) controls[name].addEventListener("change", applyFilters);
for (const name of ["event", "from", "to", "q"]) controls[name].addEventListener("change", applyFilters);
// Clearing the search box with its own x (or Escape) goes back to the live log at once.
controls.q.addEventListener("search", () => { if (!controls.q.value) applyFilters(); });
form.addEventListener("submit", (event) => {
  event.preventDefault();
  applyFilters();
});
function clearFilters() {
  for (const option of form.querySelectorAll("option[data-unlisted]")) option.remove();
  for (const control of Object.values(controls)) control.value = "";
  fillWebhookChoices();
  applyFilters();
}
$("#clear-filters").addEventListener("click", clearFilters);
$("#filter-error-clear").addEventListener("click", clearFilters);
pauseButton.addEventListener("click", () => {
  paused = !paused;
  pauseButton.setAttribute("aria-pressed", String(paused));
  pauseButton.textContent = paused ? _("Resume") : _("Pause");
  if (!paused && buffered.length) {
    const waiting = buffered;
    buffered = [];
    apply(waiting);
  }
  showState();
});

start().catch((error) => toast(_("Could not load: {{error}}", { error: error.message }), "bad"));
scrollCue($("#log-table").closest(".table-wrap"));
