// One imported bundle, read-only: what it holds (selection, scenario and its parameters, accounts,
// webhooks, counts), its events in firing order, and on demand an event's exact body, its deliveries
// and every attempt's request headers and response. Only GET routes are called.

import { get } from "../api.js";
import { mountReplay } from "../bundle_replay.js";
import { $, bodyView, dateTime, duration, fill, h, headersTable, jsonView, pageData } from "../dom.js";
import { _, formatNumber } from "../i18n.js";
import { codePill, statusPill } from "../status.js";

const bundleId = pageData("bundleId");
const base = `/api/bundles/${encodeURIComponent(bundleId)}`;
let cursor = null;

const text = (bytes) => (bytes ? (bytes.encoding === "utf-8" ? bytes.data : _("({{n}} bytes, base64)", { n: bytes.data.length })) : "");

function fact(term, ...value) {
  return [h("dt", {}, term), h("dd", {}, ...value)];
}

async function loadBundle() {
  const bundle = await get(base);
  $("#bundle-name").textContent = bundle.name;
  document.title = `${bundle.name} · Webhook Sandbox`;  // i18n-ignore
  const counts = Object.entries(bundle.counts).map(([kind, n]) => `${formatNumber(n)} ${kind}`).join(", ");  // i18n-ignore
  const selection = bundle.selection || {};
  fill($("#bundle-facts"),
    ...fact(_("Holds"), selection.kind === "run" ? _("Run of {{fixture}}", { fixture: selection.fixture })
      : _("{{from}} to {{to}}", { from: selection.from ? dateTime(selection.from) : _("the start"), to: selection.to ? dateTime(selection.to) : dateTime(bundle.createdAt) })),
    ...fact(_("Records"), counts || _("none")),
    ...fact(_("Format"), bundle.formatVersion),
    ...fact(_("Made by"), bundle.generator || "", " · ", dateTime(bundle.createdAt)),
    ...fact(_("Imported"), dateTime(bundle.importedAt)),
    ...fact(_("Accounts"), bundle.accounts.map((a) => a.name).join(", ") || _("none")),
    ...fact(_("Webhooks"), ...bundle.webhooks.map((w) => h("div", { class: "mono small" }, `${w.name} → ${w.eventUrl}`))),
    ...fact(_("Secrets"), bundle.secrets ? _("Included (never shown here)") : _("Left out")));
  if (bundle.scenario) {
    fill($("#bundle-scenario"), h("div", { class: "bundle-detail" },
      h("h3", {}, _("Scenario {{name}} and its parameters", { name: bundle.scenario.fixture })),
      jsonView(bundle.scenario.params)));
  }
}

function attemptView(attempt) {
  const response = attempt.response;
  return h("div", { class: "bundle-detail attempt" },
    h("h4", {}, _("Attempt {{n}}", { n: attempt.attempt }), " · ", dateTime(attempt.startedAt), " · ",
      response ? codePill(response.status) : h("span", { class: "text-bad" }, attempt.error || _("No answer")),
      " · ", duration(attempt.durationMs)),
    h("p", { class: "mono small" }, `POST ${attempt.request.url}`),  // i18n-ignore
    h("h5", {}, _("Request headers")), headersTable(attempt.request.headers),
    response ? [h("h5", {}, _("Response headers")), headersTable(response.headers),
      h("h5", {}, _("Response body")), bodyView(text(response.body))] : null);
}

async function showDelivery(delivery, slot, button) {
  button.disabled = true;
  const full = await get(`${base}/deliveries/${encodeURIComponent(delivery.id)}`);
  fill(slot, full.attempts.map(attemptView));
  button.remove();
}

async function showEvent(event, row) {
  const open = row.nextElementSibling;
  if (open && open.classList.contains("event-detail")) {
    open.remove();
    row.setAttribute("aria-expanded", "false");
    return;
  }
  const full = await get(`${base}/events/${encodeURIComponent(event.id)}`);
  const deliveries = full.deliveries.map((delivery) => {
    const slot = h("div", {});
    const button = h("button", { type: "button", class: "btn btn-sm", "data-delivery": delivery.id }, _("Show attempts"));
    button.addEventListener("click", () => showDelivery(delivery, slot, button));
    return h("div", { class: "bundle-detail delivery", "data-delivery-id": delivery.id },
      h("p", {}, statusPill(delivery.status, delivery.lastStatusCode), " ", delivery.webhookName, " ",
        h("span", { class: "mono small" }, delivery.eventUrl), " · ",
        _("Attempts: {{n}}", { n: delivery.attemptCount }), " "), button, slot);
  });
  const detail = h("tr", { class: "event-detail" }, h("td", { colspan: "4" },
    h("h4", {}, _("Exact body ({{n}} bytes, SHA-256 {{hash}})", { n: new TextEncoder().encode(full.body.data).length, hash: full.body.sha256.slice(0, 12) })),
    bodyView(text(full.body)),
    h("h4", {}, _("Deliveries")), deliveries.length ? deliveries : h("p", { class: "muted" }, _("No webhook received it."))));
  row.after(detail);
  row.setAttribute("aria-expanded", "true");
}

async function loadEvents() {
  const page = await get(cursor ? `${base}/events?cursor=${cursor}` : `${base}/events`);
  let body = $("#bundle-events tbody");
  if (!body) {
    body = h("tbody", {});
    fill($("#bundle-events"), h("div", { class: "table-wrap" }, h("table", { class: "data", id: "bundle-events-table" },
      h("thead", {}, h("tr", {}, [_("Time"), _("Event"), _("Account"), _("Id")].map((t) => h("th", { scope: "col" }, t)))), body)));
  }
  for (const event of page.items) {
    const row = h("tr", { class: "clickable", tabindex: "0", "data-event-id": event.id, "aria-expanded": "false" },
      h("td", {}, dateTime(event.createdAt)), h("td", { class: "mono" }, event.key),
      h("td", {}, event.accountName), h("td", { class: "mono small" }, event.id));
    const open = () => showEvent(event, row);
    row.addEventListener("click", open);
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
    body.append(row);
  }
  if (!page.items.length && !cursor) fill($("#bundle-events"), h("p", { class: "card-pad muted" }, _("This bundle holds no events.")));
  cursor = page.nextCursor;
  $("#more-events").hidden = !cursor;
}

$("#more-events").addEventListener("click", loadEvents);
mountReplay(base);

Promise.all([loadBundle(), loadEvents()]).catch((error) => {
  const banner = $("#bundle-error");
  banner.textContent = _("Could not load the bundle: {{message}}", { message: error.message });
  banner.hidden = false;
});
