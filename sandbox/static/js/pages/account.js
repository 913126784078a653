// Manage account: the Webhooks tab (list, Create new webhook, Actions -> Update / Send test event /
// Remove), recent deliveries, and the account's details. Each webhook's last delivery follows the
// live log, so a test event is seen going from pending to its outcome.

import { _, formatNumber, ngettext } from "../i18n.js";
import { entityTypeLabel } from "../labels.js";
import { del, get, post, routes, withQuery } from "../api.js";
import {
  $, avatarColour, clock, copyText, dateTime, debounce, fill, h, initials, pageData, relative, toast,
} from "../dom.js";
import { confirmDialog } from "../dialog.js";
import { LiveFeed } from "../live.js";
import { actionsMenu } from "../menu.js";
import { statusPill } from "../status.js";
import { tabs } from "../tabs.js";
import { middleUrl } from "../url.js";

const accountId = pageData("accountId");
const base = `/accounts/${encodeURIComponent(accountId)}`;
let account = null;

const MAX_CHIPS = 3;

function eventsCell(list) {
  if (!list.length) return h("span", { class: "pill pill-info no-dot" }, _("All events"));
  const chip = (key) => h("span", { class: "chip" }, key);
  const box = h("div", { class: "chips" }, list.slice(0, MAX_CHIPS).map(chip));
  if (list.length > MAX_CHIPS) {
    // A button, so the rest is reachable by Tab and click as well as by hover (its tooltip).
    const rest = list.slice(MAX_CHIPS);
    const more = h("button", { type: "button", class: "chip chip-more", "aria-expanded": "false", title: rest.join(", ") },
      _("+{{n}} more", { n: formatNumber(rest.length) }));
    const extra = rest.map(chip);
    more.addEventListener("click", () => {
      const open = more.getAttribute("aria-expanded") !== "true";
      more.setAttribute("aria-expanded", String(open));
      if (open) more.before(...extra);
      else extra.forEach((el) => el.remove());
      more.textContent = open ? _("Show fewer") : _("+{{n}} more", { n: formatNumber(rest.length) });
    });
    box.append(more);
  }
  return box;
}

function lastDeliveryCell(delivery) {
  if (!delivery) return h("span", { class: "muted" }, _("No deliveries yet"));
  const when = delivery.lastAttemptAt || delivery.createdDate;
  return h("a", { href: `/deliveries/${encodeURIComponent(delivery.id)}`, class: "nowrap", title: dateTime(when) },
    statusPill(delivery.status, delivery.statusCode), " ",
    h("span", { class: "secondary" }, relative(when)));
}

function row(hook, lastDelivery, others = []) {
  const editUrl = `${base}/webhooks/${encodeURIComponent(hook.id)}/edit`;
  return h("tr", { "data-webhook": hook.id },
    h("td", { "data-label": _("Name"), class: "name-cell" }, h("div", {},
      h("a", { href: editUrl, class: "primary" }, hook.name),
      h("div", { class: "secondary" }, _("v{{version}} · updated {{when}}", { version: hook.version, when: relative(hook.lastUpdate) })))),
    h("td", { "data-label": "URL" }, middleUrl(hook.eventUrl, { among: others })),
    h("td", { "data-label": _("Events") }, eventsCell(hook.eventList)),
    h("td", { "data-label": _("Enabled") }, hook.enabled
      ? h("span", { class: "pill pill-ok" }, _("Enabled")) : h("span", { class: "pill pill-idle" }, _("Disabled"))),
    h("td", { "data-label": _("Last delivery"), class: "last-delivery" }, lastDeliveryCell(lastDelivery)),
    h("td", { class: "actions-cell" }, actionsMenu([
      { label: _("Update"), href: editUrl },
      { label: _("Send event"), href: withQuery("/send", { account: accountId, event: hook.eventList[0] }) },
      { label: _("Send test event"), onSelect: () => sendTestEvent(hook) },
      { label: _("Deliveries"), href: withQuery("/log", { entity: accountId, webhookId: hook.id }) },
      { label: _("Hold queue"), href: `/webhooks/${encodeURIComponent(hook.id)}/hold` }, // docs/hold.md
      "separator",
      { label: _("Remove"), danger: true, onSelect: () => removeHook(hook) },
    ], { label: _("Actions for {{name}}", { name: hook.name }) })));
}

/** The latest delivery of each webhook, from GET /api/webhooks. */
async function lastDeliveries() {
  try {
    const all = await get("/api/webhooks");
    return Object.fromEntries(all.map((hook) => [hook.id, hook.lastDelivery || null]));
  } catch {
    return {};
  }
}

async function loadWebhooks() {
  const hooks = await get(`${routes.webhooks(accountId)}/list`);
  const count = $("#webhook-count");
  count.textContent = formatNumber(hooks.length);
  count.dataset.count = String(hooks.length);
  count.hidden = false;
  $("#webhooks-loading").hidden = true;
  $("#webhooks-empty").hidden = hooks.length > 0;
  $("#webhooks-table").hidden = hooks.length === 0;
  const urls = hooks.map((hook) => hook.eventUrl);
  fill($("#webhooks"), hooks.map((hook) => row(hook, undefined, urls)));
  await showLastDeliveries();
}

async function showLastDeliveries() {
  const last = await lastDeliveries();
  for (const row of document.querySelectorAll("#webhooks tr[data-webhook]")) {
    fill(row.querySelector(".last-delivery"), lastDeliveryCell(last[row.dataset.webhook]));
  }
}

/** Wink's send-test-event: one letter to this webhook only; the toast links to its delivery. */
async function sendTestEvent(hook) {
  try {
    const event = await post(`${routes.webhook(accountId, hook.id)}/test`);
    const stored = await get(`/api/events/${encodeURIComponent(event.id)}`);
    const delivery = stored.deliveries[0];
    toast(h("span", {}, _('Test event {{type}} sent to "{{name}}"', { type: event.type, name: hook.name }), " · ",
      h("a", { href: `/deliveries/${encodeURIComponent(delivery.id)}` }, _("View delivery"))), "ok");
    await showLastDeliveries();
  } catch (error) {
    toast(_("Could not send a test event: {{error}}", { error: error.message }), "bad");
  }
}

async function removeHook(hook) {
  const sure = await confirmDialog(_('Remove webhook "{{name}}"? Wink stops sending it events.', { name: hook.name }),
    { title: _("Remove webhook"), danger: true });
  if (!sure) return;
  try {
    await del(routes.webhook(accountId, hook.id));
    toast(_('Webhook "{{name}}" removed', { name: hook.name }), "ok");
    await loadWebhooks();
    $("#create-webhook").focus();
  } catch (error) {
    toast(_("Could not remove: {{error}}", { error: error.message }), "bad");
  }
}

async function loadDeliveries() {
  const box = $("#deliveries");
  try {
    const body = await get(withQuery("/api/deliveries", { entity: accountId, limit: 20 }));
    const items = body.items;
    if (!items.length) {
      fill(box, h("div", { class: "empty" }, h("h3", {}, _("No deliveries yet")),
        h("p", {}, _("Send an event to this account to see its deliveries here.")),
        h("a", { class: "btn btn-primary", href: withQuery("/send", { account: accountId }) }, _("Send event"))));
      return;
    }
    fill(box, h("div", { class: "table-wrap" }, h("table", { class: "data stack-sm" },
      h("thead", {}, h("tr", {}, [_("Time"), _("Event"), _("Webhook"), _("Status")].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map((d) => h("tr", {},
        h("td", { "data-label": _("Time"), class: "time" }, clock(d.createdDate)),
        h("td", { "data-label": _("Event") }, h("a", { class: "mono", href: `/deliveries/${encodeURIComponent(d.id)}` }, d.event)),
        h("td", { "data-label": _("Webhook") }, d.webhookName || ""),
        h("td", { "data-label": _("Status") }, statusPill(d.status, d.lastStatusCode))))))));
  } catch (error) {
    fill(box, h("p", { class: "card-pad text-bad" }, _("Could not load deliveries: {{error}}", { error: error.message })));
  }
}

function showDetails() {
  const copy = h("button", { type: "button", class: "btn btn-sm", onclick: async () => {
    if (await copyText(account.id)) toast(_("Account id copied"));
  } }, _("Copy id"));
  fill($("#details"),
    h("dt", {}, _("Name")), h("dd", {}, account.name),
    h("dt", {}, _("Type")), h("dd", {}, entityTypeLabel(account.type)),
    h("dt", {}, _("Account id")), h("dd", { class: "row" }, h("code", {}, account.id), copy),
    h("dt", {}, _("Created")), h("dd", {}, dateTime(account.createdDate)),
    h("dt", {}, _("API base")), h("dd", {}, h("code", {}, `${routes.webhooks(account.id)}`)));
}

$("#delete-account").addEventListener("click", async () => {
  const count = Number($("#webhook-count").dataset.count || 0);
  const question = count
    ? ngettext('Delete account "{{name}}" and its {{n}} webhook?', 'Delete account "{{name}}" and its {{n}} webhooks?',
      count, { name: account.name })
    : _('Delete account "{{name}}"?', { name: account.name });
  if (!(await confirmDialog(question, { title: _("Delete account"), danger: true }))) return;
  try {
    await del(`${routes.account(accountId)}?cascade=true`);
    location.assign("/");
  } catch (error) {
    toast(error.message, "bad");
  }
});

/** No account (or no answer): say what is missing, and the way back, instead of an empty page. */
function showMissing(error) {
  const missing = error.status === 404;
  const title = missing ? _("Account not found") : _("Could not load this account");
  $("#load-error-title").textContent = title;
  $("#load-error-text").textContent = missing
    ? _("There is no account with the id {{id}}. It may have been deleted.", { id: accountId })
    : error.message;
  $("#load-error").hidden = false;
  $("#account-name").textContent = title;
  $("#crumb-account").textContent = title;
  document.title = `${title} · Webhook Sandbox`;
  for (const el of [$(".tabs"), $("#panel-webhooks"), $(".head-actions"), $("#account-avatar")]) el.hidden = true;
  $("main").setAttribute("aria-busy", "false");
}

async function start() {
  try {
    account = await get(routes.account(accountId));
  } catch (error) {
    showMissing(error);
    return;
  }
  document.title = `${account.name} · Webhook Sandbox`;
  $("#account-name").textContent = account.name;
  $("#crumb-account").textContent = account.name;
  $("#account-meta").textContent = _("{{type}} · created {{when}}",
    { type: entityTypeLabel(account.type), when: dateTime(account.createdDate) });
  const avatar = $("#account-avatar");
  avatar.classList.remove("skeleton");
  avatar.textContent = initials(account.name);
  avatar.style.background = avatarColour(account.name);
  showDetails();
  const flash = sessionStorage.getItem("webhook-sandbox-flash");
  if (flash) {
    sessionStorage.removeItem("webhook-sandbox-flash");
    toast(flash, "ok");
  }
  tabs($(".tabs"), (tab) => {
    if (tab.id === "tab-deliveries") loadDeliveries();
  });
  await loadWebhooks().catch((error) => toast(_("Could not load webhooks: {{error}}", { error: error.message }), "bad"));
  $("main").setAttribute("aria-busy", "false");
  // The live log's news refreshes each webhook's last delivery and, while it shows, the Recent deliveries tab.
  const refresh = debounce(() => {
    showLastDeliveries().catch(() => {});
    if (!$("#panel-deliveries").hidden) loadDeliveries();
  }, 150);
  new LiveFeed("/ws/deliveries", { params: { entity: accountId }, onMessages: refresh, onGap: refresh }).start();
}

start();
