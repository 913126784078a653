// Delivery detail: a summary, the attempt timeline (each attempt "N of M", its latency against Wink's
// 10 s deadline and when it would have gone out under Wink's retry schedule), and the chosen
// attempt's own request and response as tabs, with copy buttons. Actions follow Wink's rules:
// Redeliver a failed (DEAD) or cancelled delivery, Cancel a scheduled one; the sandbox's own "Send
// again" re-sends a succeeded one. "Export as fixture" downloads the event as a fixture file.
// Updates live while attempts happen.

import { ApiError, get, post, routes } from "../api.js";
import { copyButton } from "../copy.js";
import { confirmDialog } from "../dialog.js";
import { $, $$, bodyView, dateTime, debounce, duration, fill, h, headersTable, pageData, relative, toast } from "../dom.js";
import { _ } from "../i18n.js";
import { LiveFeed } from "../live.js";
import { tabs } from "../tabs.js";
import { codePill, statusPill } from "../status.js";

const deliveryId = pageData("deliveryId");
const path = `/api/deliveries/${encodeURIComponent(deliveryId)}`;
const redeliver = $("#redeliver");
const sendAgain = $("#send-again");
const cancel = $("#cancel");
const exportButton = $("#export-fixture");
const SCHEDULED = ["pending", "retrying", "held"]; // held: Wink's PENDING, cancellable (docs/hold.md)
const REDELIVERABLE = ["failed", "cancelled"]; // Wink's DEAD and CANCELLED
let delivery = null;
let feed = null;
let chosen = null; // the attempt number the reader chose; null follows the newest

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

/** A titled block with a copy button for ``text`` (and maybe more buttons) beside its title. */
function section(title, body, text, label, ...more) {
  return [h("div", { class: "row section-head" }, h("h3", {}, title), h("span", { class: "spacer" }), more,
    copyButton(text, { label })), body];
}

function rowsOf(headers) {
  return Array.isArray(headers) ? headers : Object.entries(headers || {});
}

/** Headers as the lines of an HTTP message ("Name: value"), as one copies them. */
function headersText(headers) {
  return rowsOf(headers).map(([name, value]) => `${name}: ${value}`).join("\n");
}

/** A button copying the signature header's value (Wink-Signature, webhook-signature), when there is one. */
function signatureCopy(headers) {
  const found = rowsOf(headers).find(([name]) => /signature/i.test(name));
  if (!found) return null;
  return copyButton(String(found[1]), {
    label: _("Copy the signature ({{header}})", { header: found[0] }), text: _("Copy signature"),
  });
}

function shownAttempt(d) {
  return d.attempts.find((a) => a.attempt === chosen) || d.attempts[d.attempts.length - 1] || null;
}

function ofM(attempt, d) {
  return _("Attempt {{n}} of {{m}}", { n: attempt.attempt, m: Math.max(d.maxAttempts || 0, attempt.attempt) });
}

function requestPanel(d, attempt) {
  if (!attempt) {
    return h("p", { class: "muted" }, d.status === "cancelled"
      ? _("This delivery was cancelled before it was sent.") : _("Not sent yet: the first attempt is on its way."));
  }
  const { request } = attempt;
  return [
    h("div", { class: "row" }, h("span", { class: "badge" }, "POST"), h("span", { class: "url" }, request.url)),
    section(_("Headers"), headersTable(request.headers), headersText(request.headers),
      _("Copy the request headers"), signatureCopy(request.headers)),
    section(_("Body"), bodyView(request.body), request.body ?? "", _("Copy the payload")),
  ];
}

function responsePanel(attempt) {
  if (!attempt) return h("p", { class: "muted" }, _("No response yet."));
  const { response } = attempt;
  const head = h("div", { class: "row" }, response ? codePill(response.status) : h("span", { class: "pill pill-bad" },
    _("No response")), h("span", { class: "muted small" }, duration(attempt.durationMs)));
  if (!response) return [head, attempt.error ? h("p", { class: "attempt-error" }, attempt.error) : null];
  return [
    head,
    response.truncated ? h("p", { class: "muted small" }, _("The body was cut at 64 KiB.")) : null,
    section(_("Headers"), headersTable(response.headers), headersText(response.headers),
      _("Copy the response headers")),
    section(_("Body"), bodyView(response.body), response.body ?? "", _("Copy the response body")),
  ];
}

/** The attempt's latency as a bar against Wink's deadline (10 s): past it, Wink counts a timeout. */
function latencyBar(attempt, d) {
  const deadline = d.wink?.deadlineMs || 10000;
  const ms = Number(attempt.durationMs) || 0;
  const share = Math.min(100, (ms / deadline) * 100);
  const over = ms >= deadline;
  const text = over ? _("{{took}}: past Wink's {{deadline}} deadline", { took: duration(ms), deadline: duration(deadline) })
    : _("{{took}} of Wink's {{deadline}} deadline", { took: duration(ms), deadline: duration(deadline) });
  return h("div", { class: "latency", "data-over": over ? "yes" : null, title: text },
    h("span", { class: "latency-track", role: "img", "aria-label": text },
      h("span", { class: "latency-fill", style: `width:${Math.max(share, 1).toFixed(1)}%` })),
    h("span", { class: "latency-text muted small" }, text));
}

/** When Wink would have sent it: a retry's time under Wink's own schedule. */
function winkLine(attempt) {
  if (attempt.trigger !== "retry") return null;
  if (!attempt.winkAt) return h("p", { class: "wink-at muted small" }, _("Wink would not have sent this retry: it stops after 10."));
  return h("p", { class: "wink-at muted small" }, _("Under Wink's schedule: {{when}}", { when: dateTime(attempt.winkAt) }));
}

function attemptNode(attempt, d) {
  const response = attempt.response;
  const ok = attempt.status === "succeeded" || (response && response.status >= 200 && response.status < 300);
  // A failed attempt is red like its pill, whether or not a retry follows (the next-retry node is amber).
  const kind = ok ? "ok" : "bad";
  const current = attempt === shownAttempt(d);
  return h("li", { class: "attempt", "data-attempt": attempt.attempt, "aria-current": current ? "true" : null },
    h("span", { class: `node ${kind}`, "aria-hidden": "true" }, String(attempt.attempt)),
    h("button", { type: "button", class: "attempt-pick", "aria-pressed": String(current),
      onclick: () => choose(attempt.attempt) },
    h("span", { class: "attempt-head" },
      h("strong", {}, ofM(attempt, d)),
      response ? codePill(response.status) : h("span", { class: "pill pill-bad" }, _("No response")),
      h("span", { class: "muted small" }, TRIGGERS[attempt.trigger] || attempt.trigger || "")),
    h("span", { class: "attempt-meta" },
      h("span", { class: "time", title: attempt.startedAt }, dateTime(attempt.startedAt)),
      h("span", { class: "muted small" }, duration(attempt.durationMs)))),
    latencyBar(attempt, d),
    winkLine(attempt),
    attempt.error ? h("p", { class: "attempt-error" }, attempt.error) : null);
}

function nextNode(d) {
  if (!d.nextAttemptAt) return null;
  return h("li", { class: "attempt attempt-next" },
    h("span", { class: "node warn", "aria-hidden": "true" }, "…"),
    h("div", { class: "attempt-head" }, h("strong", {}, d.attemptCount ? _("Next retry") : _("First attempt")),
      h("span", { class: "pill pill-warn" }, ago(d.nextAttemptAt))),
    h("div", { class: "attempt-meta" }, h("span", { class: "time" }, dateTime(d.nextAttemptAt))));
}

function choose(number) {
  chosen = number;
  render(delivery);
  $(`#attempts li[data-attempt="${number}"] .attempt-pick`)?.focus();
}

/** Redraw ``el`` only when what it shows changed: a live reload of the same data keeps its buttons
 * (a copy button's "Copied", the focus) as they are. */
function redraw(el, data, build) {
  const key = JSON.stringify(data);
  if (el.dataset.shown === key) return;
  el.dataset.shown = key;
  fill(el, build());
}

function showExchange(d) {
  const attempt = shownAttempt(d);
  const key = [attempt, d.status, d.maxAttempts];
  if ($("#exchange").dataset.shown === JSON.stringify(key)) return;
  $("#exchange").dataset.shown = JSON.stringify(key);
  $("#exchange-title").textContent = attempt ? ofM(attempt, d) : _("Request");
  $("#exchange-sub").textContent = attempt
    ? `${dateTime(attempt.startedAt)} · ${TRIGGERS[attempt.trigger] || attempt.trigger || ""}` : _("What the sandbox POSTs.");
  fill($("#request"), requestPanel(d, attempt));
  fill($("#response"), responsePanel(attempt));
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
  redraw($("#summary"), { ...d, attempts: d.attempts.length }, () => summary(d));
  showExchange(d);
  redraw($("#attempts"), [d, chosen], () => (d.attempts.length || d.nextAttemptAt
    ? [d.attempts.map((attempt) => attemptNode(attempt, d)), nextNode(d)]
    : h("li", { class: "muted" }, _("No attempt yet."))));
  showActions(d);
  exportButton.disabled = false;
  if (!feed) startFeed(d);
}

/** Wink's rules: Redeliver a DEAD (failed) or CANCELLED delivery; Cancel a scheduled one. */
function showActions(d) {
  const may = REDELIVERABLE.includes(d.status) && !d.inFlight;
  redeliver.disabled = !may;
  redeliver.title = may ? _("Send it again from the first attempt (Wink's redeliver)")
    : d.inFlight ? _("An attempt is being sent now")
      : _("Wink redelivers only failed (DEAD) or cancelled deliveries");
  sendAgain.hidden = d.status !== "succeeded";
  sendAgain.disabled = d.inFlight;
  sendAgain.title = _("Not in Wink: the sandbox sends the same letter once more");
  cancel.hidden = !SCHEDULED.includes(d.status);
  cancel.disabled = false;
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
  for (const el of [$("#delivery-body"), $("#conn"), cancel, redeliver, sendAgain, $("#webhook-link"), $("#error")]) {
    el.hidden = true;
  }
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

function showError(error) {
  if (!(error instanceof ApiError)) throw error;
  const banner = $("#error");
  banner.textContent = error.message;
  banner.hidden = false;
}

/** Run an action's request, then show the delivery as it is now. */
async function act(button, request, done) {
  button.disabled = true;
  $("#error").hidden = true;
  try {
    await request();
    chosen = null;
    render(await get(path));
    toast(done, "ok");
  } catch (error) {
    button.disabled = false;
    showError(error);
  }
}

const winkPath = (action) => `${routes.webhooks(delivery.entity)}/delivery/${encodeURIComponent(deliveryId)}/${action}`;

redeliver.addEventListener("click", () => act(redeliver, () => post(winkPath("redeliver")), _("Redelivery queued")));
sendAgain.addEventListener("click", () => act(sendAgain, () => post(`${path}/retry`), _("Sent again: a new attempt is queued")));

cancel.addEventListener("click", async () => {
  const question = delivery.inFlight
    ? _("Cancel this delivery? No further attempt starts. The attempt being sent now finishes and is recorded.")
    : _("Cancel this delivery? No further attempt starts.");
  if (!(await confirmDialog(question, { danger: true }))) return;
  await act(cancel, () => post(winkPath("cancel")), _("Delivery cancelled"));
});

/** Download the event as a fixture file (the fixture format; it loads back with the fixture loader). */
exportButton.addEventListener("click", async () => {
  exportButton.disabled = true;
  try {
    const answer = await post(`/api/events/${encodeURIComponent(delivery.eventId)}/fixture`, { save: false });
    const file = new Blob([`${JSON.stringify(answer.fixture, null, 2)}\n`], { type: "application/json" });
    const link = h("a", { href: URL.createObjectURL(file), download: `${answer.name}.json`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    toast(_("Fixture {{name}}.json downloaded", { name: answer.name }), "ok");
  } catch (error) {
    showError(error);
  } finally {
    exportButton.disabled = false;
  }
});

tabs($("#exchange-tabs"));

// Relative times ("in 12 s") stay true while the page is open.
setInterval(() => {
  for (const el of $$("[data-relative]")) el.textContent = relative(el.dataset.relative);
}, 1000);
load();
