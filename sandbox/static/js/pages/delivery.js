// Delivery detail: the request (headers and pretty JSON body), each attempt's response, the
// attempt timeline with the next retry time, Redeliver, and Cancel while the delivery is scheduled
// (Wink's cancel). Updates live while attempts happen.

import { ApiError, get, post, routes } from "../api.js";
import { $, $$, bodyView, dateTime, debounce, duration, fill, h, headersTable, pageData, relative, toast } from "../dom.js";
import { copyButton } from "../copy.js";
import { _ } from "../i18n.js";
import { LiveFeed } from "../live.js";
import { codePill, statusPill } from "../status.js";

const deliveryId = pageData("deliveryId");
const path = `/api/deliveries/${encodeURIComponent(deliveryId)}`;
const redeliver = $("#redeliver");
const cancel = $("#cancel");
const SCHEDULED = ["pending", "retrying", "held"]; // held: Wink's PENDING, cancellable (docs/hold.md)
let delivery = null;
let feed = null;
let openAttempts = null; // attempt numbers whose response the reader opened, kept across redraws

/** A relative time ("in 12 s") that the ticker below keeps true. */
const ago = (iso) => h("span", { "data-relative": iso }, relative(iso));

const TRIGGERS = { initial: _("First try"), retry: _("Automatic retry"), manual: _("Redelivered by hand") };

function summary(d) {
  const items = [
    [_("Status"), h("span", {}, statusPill(d.status, d.lastStatusCode))],
    [_("Event"), h("code", {}, d.event)],
    [_("Webhook"), d.webhookName],
    ["URL", h("span", { class: "url" }, d.eventUrl)],
    [_("Attempts"), String(d.attemptCount)],
    [_("Created"), dateTime(d.createdDate)],
    [_("Last attempt"), d.lastAttemptAt ? [dateTime(d.lastAttemptAt), " (", ago(d.lastAttemptAt), ")"] : _("Not yet")],
    [_("Next retry"), d.nextAttemptAt ? [dateTime(d.nextAttemptAt), " (", ago(d.nextAttemptAt), ")"] : _("None scheduled")],
    [_("Delivery id"), h("span", { class: "copy-row" }, h("code", {}, d.id),
      copyButton(d.id, { label: _("Copy the delivery id") }))],
    [_("Event id"), h("span", { class: "copy-row" }, h("code", {}, d.eventId),
      copyButton(d.eventId, { label: _("Copy the event id") }))],
  ];
  if (d.chaos?.label) items.push([_("Chaos"), h("span", { class: "badge" }, d.chaos.label)]);
  if (d.lastError) items.push([_("Last error"), h("span", { class: "text-bad" }, d.lastError)]);
  return items.map(([term, value]) => h("div", { class: "kv-item" }, h("dt", {}, term), h("dd", {}, value)));
}

function requestPanel(d) {
  const last = d.attempts[d.attempts.length - 1];
  if (!last) {
    return h("p", { class: "muted" }, d.status === "cancelled"
      ? _("This delivery was cancelled before it was sent.") : _("Not sent yet: the first attempt is on its way."));
  }
  return [
    h("div", { class: "row" }, h("span", { class: "badge" }, "POST"), h("span", { class: "url" }, last.request.url)),
    section(_("Headers"), headersTable(last.request.headers), headersText(last.request.headers),
      _("Copy the request headers"), signatureCopy(last.request.headers)),
    section(_("Body"), bodyView(last.request.body), last.request.body ?? "", _("Copy the payload")),
  ];
}

/** A titled block with a copy button for ``text`` (and maybe more buttons) beside its title. */
function section(title, body, text, label, ...more) {
  return [h("div", { class: "row section-head" }, h("h3", {}, title), h("span", { class: "spacer" }), more,
    copyButton(text, { label })), body];
}

/** Headers as the lines of an HTTP message ("Name: value"), as one copies them. */
function headersText(headers) {
  const rows = Array.isArray(headers) ? headers : Object.entries(headers || {});
  return rows.map(([name, value]) => `${name}: ${value}`).join("\n");
}

/** A button copying the signature header's value (Wink-Signature, webhook-signature), when there is one. */
function signatureCopy(headers) {
  const rows = Array.isArray(headers) ? headers : Object.entries(headers || {});
  const found = rows.find(([name]) => /signature/i.test(name));
  if (!found) return null;
  return copyButton(String(found[1]), {
    label: _("Copy the signature ({{header}})", { header: found[0] }), text: _("Copy signature"),
  });
}

function attemptNode(attempt) {
  const response = attempt.response;
  const ok = attempt.status === "succeeded" || (response && response.status >= 200 && response.status < 300);
  // A failed attempt is red like its pill, whether or not a retry follows (the next-retry node is amber).
  const kind = ok ? "ok" : "bad";
  return h("li", { class: "attempt" },
    h("span", { class: `node ${kind}`, "aria-hidden": "true" }, String(attempt.attempt)),
    h("div", { class: "attempt-head" },
      h("strong", {}, _("Attempt {{n}}", { n: attempt.attempt })),
      response ? codePill(response.status) : h("span", { class: "pill pill-bad" }, _("No response")),
      h("span", { class: "muted small" }, TRIGGERS[attempt.trigger] || attempt.trigger || ""),
      h("span", { class: "spacer" }),
      h("span", { class: "time", title: attempt.startedAt }, dateTime(attempt.startedAt)),
      h("span", { class: "muted small" }, duration(attempt.durationMs))),
    attempt.error ? h("p", { class: "attempt-error" }, attempt.error) : null,
    response ? h("details", { open: openAttempts ? openAttempts.has(attempt.attempt)
      : attempt === delivery.attempts[delivery.attempts.length - 1], "data-attempt": attempt.attempt },
      h("summary", {}, response.truncated
        ? _("Response {{status}} (body truncated)", { status: response.status })
        : _("Response {{status}}", { status: response.status })),
      h("div", { class: "stack", style: "margin-top:10px" },
        section(_("Headers"), headersTable(response.headers), headersText(response.headers),
          _("Copy the response headers")),
        section(_("Body"), bodyView(response.body), response.body ?? "", _("Copy the response body")))) : null);
}

function nextNode(d) {
  if (!d.nextAttemptAt) return null;
  return h("li", { class: "attempt" },
    h("span", { class: "node warn", "aria-hidden": "true" }, "…"),
    h("div", { class: "attempt-head" }, h("strong", {}, d.attemptCount ? _("Next retry") : _("First attempt")),
      h("span", { class: "pill pill-warn" }, ago(d.nextAttemptAt)),
      h("span", { class: "spacer" }), h("span", { class: "time" }, dateTime(d.nextAttemptAt))));
}

function render(d) {
  delivery = d;
  document.title = `${d.event} to ${d.webhookName} · Webhook Sandbox`;
  $("#title").textContent = d.event;
  fill($("#title-status"), statusPill(d.status, d.lastStatusCode));
  fill($("#subtitle"), _("To"), " ", h("strong", {}, d.webhookName), " · ", h("span", { class: "url" }, d.eventUrl));
  const link = $("#webhook-link");
  link.href = `/accounts/${encodeURIComponent(d.entity)}/webhooks/${encodeURIComponent(d.webhookId)}/edit`;
  link.hidden = false;
  fill($("#summary"), summary(d));
  fill($("#request"), requestPanel(d));
  const attempts = $("#attempts");
  if (attempts.querySelector("details")) {
    openAttempts = new Set($$("details[open]", attempts).map((el) => Number(el.dataset.attempt)));
    const newest = d.attempts[d.attempts.length - 1];
    if (newest && !$(`details[data-attempt="${newest.attempt}"]`, attempts)) openAttempts.add(newest.attempt);
  }
  fill(attempts, d.attempts.map(attemptNode), nextNode(d));
  if (!d.attempts.length && !d.nextAttemptAt) fill(attempts, h("li", { class: "muted" }, _("No attempt yet.")));
  redeliver.disabled = d.inFlight;
  cancel.hidden = !SCHEDULED.includes(d.status);
  cancel.disabled = false;
  if (!feed) startFeed(d);
}

async function load() {
  try {
    render(await get(path));
  } catch (error) {
    if (error.status === 404) showMissing();
    else if (!delivery) showUnloaded(error);
    else showError(error);
  }
}

/** No delivery has this id: say so, offer the way back, and show nothing that looks like loading. */
function showMissing() {
  if (feed) feed.stop();
  document.title = _("No such delivery · Webhook Sandbox");
  $("#title").textContent = _("Delivery not found");
  $("#missing-id").textContent = deliveryId;
  $("#missing").hidden = false;
  for (const el of [$("#delivery-body"), $("#conn"), cancel, redeliver, $("#webhook-link"), $("#error")]) el.hidden = true;
}

/** The first load failed (the sandbox is down?): say why, with a retry, instead of a shimmer. */
function showUnloaded(error) {
  fill($("#summary"), h("p", { class: "muted" }, _("Not loaded.")));
  const conn = $("#conn");
  conn.dataset.state = "offline";
  conn.querySelector(".conn-text").textContent = _("Offline");
  const banner = $("#error");
  fill(banner, h("span", { style: "flex:1" }, _("Could not load this delivery: {{reason}}", { reason: error.message })),
    h("button", { type: "button", class: "btn btn-sm", onclick: () => { banner.hidden = true; load(); } }, _("Try again")));
  banner.hidden = false;
}

const reload = debounce(load, 100);

function startFeed(d) {
  feed = new LiveFeed("/ws/deliveries", {
    params: { webhookId: d.webhookId },
    onMessages: (messages) => {
      if (messages.some((m) => m.deliveryId === deliveryId)) reload();
    },
    onState: (state) => {
      const conn = $("#conn");
      conn.dataset.state = state;
      conn.querySelector(".conn-text").textContent = { live: _("Live"), connecting: _("Connecting"), reconnecting: _("Reconnecting…") }[state] || state;
      if (state === "live") reload();
    },
    onGap: () => reload(),
  }).start();
}

redeliver.addEventListener("click", async () => {
  redeliver.disabled = true;
  $("#error").hidden = true;
  try {
    // A cancelled delivery goes through Wink's redeliver; any other through the sandbox's retry,
    // which also sends a succeeded one again.
    const again = delivery.status === "cancelled"
      ? `${routes.webhooks(delivery.entity)}/delivery/${encodeURIComponent(deliveryId)}/redeliver` : `${path}/retry`;
    render(await post(again).then(() => get(path)));
    toast(_("Redelivery queued"), "ok");
  } catch (error) {
    redeliver.disabled = false;
    if (!(error instanceof ApiError)) throw error;
    const banner = $("#error");
    banner.textContent = error.message;
    banner.hidden = false;
  }
});

function showError(error) {
  if (!(error instanceof ApiError)) throw error;
  const banner = $("#error");
  banner.textContent = error.message;
  banner.hidden = false;
}

cancel.addEventListener("click", async () => {
  const question = delivery.inFlight
    ? _("Cancel this delivery? No further attempt starts. The attempt being sent now finishes and is recorded.")
    : _("Cancel this delivery? No further attempt starts.");
  if (!window.confirm(question)) return;
  cancel.disabled = true;
  $("#error").hidden = true;
  try {
    await post(`${routes.webhooks(delivery.entity)}/delivery/${encodeURIComponent(deliveryId)}/cancel`);
    render(await get(path));
    toast(_("Delivery cancelled"), "ok");
  } catch (error) {
    cancel.disabled = false;
    showError(error);
  }
});

// Relative times ("in 12 s") stay true while the page is open.
setInterval(() => {
  for (const el of $$("[data-relative]")) el.textContent = relative(el.dataset.relative);
}, 1000);
load();
