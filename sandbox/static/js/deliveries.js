// A table of deliveries kept up to date from the live websocket's messages and the REST API.
// One row per delivery; a delivery announced by event.created (no id yet) shows as pending and
// takes its id when its first attempt is reported.

import { clock, duration, fill, h, parseDate } from "./dom.js";
import { _, formatDate } from "./i18n.js";
import { statusPill } from "./status.js";
import { middleUrl } from "./url.js";

const COLUMNS = {
  // The date under the time: a log kept across days (and rows paged in from the past) needs it.
  time: { label: _("Time"), cell: (d) => h("span", { class: "time", title: d.at || "" }, clock(d.at, { ms: true }),
    d.at ? h("span", { class: "row-date secondary" }, dayOf(d.at)) : null) },
  event: { label: _("Event"), cell: (d) => link(d, d.event, "event-link") },
  webhook: { label: _("Webhook"), cell: (d) => (d.webhookName === undefined ? h("span", { class: "muted" }, "…")
    : h("span", { class: "webhook-name", title: d.webhookName }, d.webhookName)) },
  webhookLink: { label: _("Webhook"), cell: (d) => h("span", { title: d.eventUrl || "" },
    link(d, d.webhookName || "webhook", "primary webhook-name")) },
  url: { label: "URL", cell: (d) => middleUrl(d.eventUrl) },
  status: { label: _("Status"), cell: (d) => h("span", {}, statusPill(d.status, d.statusCode),
    // The error text matters when there is no status code to tell it (timeouts, refused connections).
    d.error && !d.statusCode ? h("div", { class: "secondary truncate", title: d.error }, d.error) : null) },
  duration: { label: _("Duration"), num: true, cell: (d) => duration(d.durationMs) },
  attempt: { label: _("Attempt"), num: true, cell: (d) => (d.attempt ? String(d.attempt) : "–") },
  // Wink's cancel, for a delivery still scheduled (the page listens for clicks on [data-cancel]).
  actions: { label: _("Actions"), cell: (d) => (d.id && d.entity && SCHEDULED.includes(d.status)
    ? h("button", { type: "button", class: "btn btn-sm", "data-cancel": d.id, "data-entity": d.entity,
      "aria-label": _("Cancel delivery of {{event}} to {{webhook}}", { event: d.event || "", webhook: d.webhookName || "" }) }, _("Cancel"))
    : null) },
};
const SCHEDULED = ["pending", "retrying", "held"];

/** "2 Dec" (with the year when it is not this year), in the page's language. */
function dayOf(value) {
  const date = parseDate(value);
  if (!date) return "";
  const year = date.getFullYear() === new Date().getFullYear() ? undefined : "numeric";
  return formatDate(date, { day: "numeric", month: "short", year });
}

function link(d, text, cls) {
  if (!d.id) return h("span", { class: cls }, text);
  return h("a", { href: `/deliveries/${encodeURIComponent(d.id)}`, class: cls }, text);
}

/** Map a delivery from the REST API to a row's fields. */
export function fromDelivery(d) {
  return {
    id: d.id, eventId: d.eventId, event: d.event, entity: d.entity, webhookId: d.webhookId,
    webhookName: d.webhookName, eventUrl: d.eventUrl, status: d.status, statusCode: d.lastStatusCode,
    error: d.lastError, attempt: d.attemptCount, at: d.createdDate,
    durationMs: d.attempts?.length ? d.attempts[d.attempts.length - 1].durationMs : undefined,
  };
}

export class DeliveryTable {
  /** ``columns``: names from COLUMNS; ``max``: rows kept (oldest dropped); ``webhookNames``: id -> name. */
  constructor(tbody, { columns, max = 500, webhookNames = new Map() } = {}) {
    this.tbody = tbody;
    this.columns = columns;
    this.max = max;
    this.webhookNames = webhookNames;
    this.rows = new Map(); // key -> {data, tr}
    tbody.addEventListener("click", (event) => {
      if (event.target.closest("a, button")) return;
      const tr = event.target.closest("tr[data-id]");
      if (tr && tr.dataset.id) location.assign(`/deliveries/${encodeURIComponent(tr.dataset.id)}`);
    });
  }

  static header(columns) {
    return h("tr", {}, columns.map((name) => h("th", { scope: "col", class: COLUMNS[name].num ? "num" : "" },
      COLUMNS[name].label)));
  }

  get size() {
    return this.rows.size;
  }

  clear() {
    this.rows.clear();
    this.tbody.replaceChildren();
  }

  has(id) {
    return this.rows.has(id);
  }

  /** Merge ``patch`` into the row ``key`` (made when missing) and redraw it. */
  upsert(key, patch, { fresh = true, older = false } = {}) {
    let entry = this.rows.get(key);
    if (!entry) {
      entry = { data: {}, tr: h("tr", { class: fresh ? "fresh" : "" }) };
      if (older) {
        // Paged in from the past (Load older): below every row, and the first to go when trimmed;
        // the reader asked for it, so room is made instead of dropping newer rows.
        this.rows = new Map([[key, entry], ...this.rows]);
        this.tbody.append(entry.tr);
        this.max = Math.max(this.max, this.rows.size);
      } else {
        this.rows.set(key, entry);
        this.tbody.prepend(entry.tr);
        this.trim();
      }
    }
    for (const [name, value] of Object.entries(patch)) if (value !== undefined) entry.data[name] = value;
    if (entry.data.webhookName === undefined && this.webhookNames.has(entry.data.webhookId)) {
      entry.data.webhookName = this.webhookNames.get(entry.data.webhookId);
    }
    this.draw(entry);
    return entry.data;
  }

  trim() {
    while (this.rows.size > this.max) {
      const [oldest, entry] = this.rows.entries().next().value;
      entry.tr.remove();
      this.rows.delete(oldest);
    }
  }

  draw({ data, tr }) {
    tr.dataset.outcome = data.status || "pending";
    if (data.id) tr.dataset.id = data.id;
    // col-<name>: the stylesheet lets the text columns (event, webhook, URL) share the width left
    // and truncate, so the table fits its card instead of cutting off its last columns.
    fill(tr, this.columns.map((name) => h("td", {
      "data-label": COLUMNS[name].label, class: `col-${name}${COLUMNS[name].num ? " num" : ""}`,
    }, COLUMNS[name].cell(data))));
  }

  /** Show a delivery from the REST API. */
  addDelivery(delivery, options) {
    const row = fromDelivery(delivery);
    this.adopt(row.eventId, row.webhookId, row.id);
    const known = this.rows.get(row.id)?.data;
    // A REST answer can be older than the live messages already shown: never step back.
    if (known && (known.attempt || 0) >= (row.attempt || 0) && known.status && known.status !== "pending") {
      return known;
    }
    return this.upsert(row.id, row, options);
  }

  /** Give a pending row (known only by event and webhook) its delivery id. */
  adopt(eventId, webhookId, id) {
    const pendingKey = `${eventId}:${webhookId}`;
    const pending = this.rows.get(pendingKey);
    if (!pending || this.rows.has(id)) return;
    // Keep the row where it is in the table and in the map's order.
    const entries = [...this.rows.entries()].map(([key, entry]) => [key === pendingKey ? id : key, entry]);
    this.rows = new Map(entries);
  }

  /** Apply one live message; returns the row it touched, if any. */
  apply(message) {
    const { type } = message;
    if (type === "event.created") {
      const base = { eventId: message.eventId, event: message.event, entity: message.entity, status: "pending",
        at: message.at };
      return (message.webhookIds || []).map((webhookId) => {
        const key = `${message.eventId}:${webhookId}`;
        if (this.rows.has(key) || [...this.rows.values()].some((e) => e.data.eventId === message.eventId
          && e.data.webhookId === webhookId)) return null;
        return this.upsert(key, { ...base, webhookId });
      });
    }
    if (!message.deliveryId) return null;
    this.adopt(message.eventId, message.webhookId, message.deliveryId);
    const patch = {
      id: message.deliveryId, eventId: message.eventId, event: message.event, entity: message.entity,
      webhookId: message.webhookId, webhookName: message.webhookName, eventUrl: message.eventUrl,
    };
    if (type === "delivery.attempted") {
      Object.assign(patch, { status: message.status, statusCode: message.statusCode ?? null, error: message.error ?? null,
        durationMs: message.durationMs, attempt: message.attempt, nextAttemptAt: message.nextAttemptAt });
    } else if (type === "delivery.held" || type === "delivery.released" || type === "delivery.moved") {
      patch.status = message.status;   // held, or pending once released (docs/hold.md)
    } else if (type === "delivery.succeeded" || type === "delivery.failed" || type === "delivery.cancelled") {
      Object.assign(patch, { status: message.status || type.split(".")[1], attempt: message.attempt });
      if (message.statusCode !== undefined) patch.statusCode = message.statusCode;
    } else {
      return null;
    }
    if (!this.rows.has(message.deliveryId)) patch.at = message.at;
    return this.upsert(message.deliveryId, patch);
  }
}

export { COLUMNS };
