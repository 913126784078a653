// Inboxes: every inbox with its capture count and answer, and a form to open one by name.

import { get } from "../api.js";
import { _, formatNumber } from "../i18n.js";
import { $, dateTime, fill, h, relative } from "../dom.js";
import { codePill } from "../status.js";

const pageUrl = (name) => `/inboxes/${encodeURIComponent(name)}`;

/** The webhooks that deliver to an inbox, each a link to its form (the inbox lists before any delivery). */
function boundCell(hooks) {
  if (!hooks.length) return h("span", { class: "muted" }, _("No webhook"));
  return h("div", { class: "chips" }, hooks.map((hook) => h("span", { class: "chip" }, hook.name)));
}

async function load() {
  const box = $("#inboxes");
  try {
    const inboxes = await get("/api/inbox");
    if (!inboxes.length) {
      fill(box, h("div", { class: "empty" }, h("h3", {}, _("No inbox yet")),
        h("p", {}, _("Open one by name, or send an event to a webhook whose URL is an inbox."))));
      return;
    }
    fill(box, h("div", { class: "table-wrap" }, h("table", { class: "data stack-sm" },
      h("thead", {}, h("tr", {}, [_("Name"), _("Captures"), _("Last received"), _("Answers")].map((t) => h("th", { scope: "col" }, t)),
        h("th", { scope: "col" }, _("Webhooks")))),
      h("tbody", {}, inboxes.map((inbox) => h("tr", {},
        h("td", { "data-label": _("Name") }, h("a", { href: pageUrl(inbox.name), class: "primary mono" }, inbox.name)),
        h("td", { "data-label": _("Captures") }, String(inbox.captureCount)),
        h("td", { "data-label": _("Last received"), title: dateTime(inbox.lastReceived) },
          inbox.lastReceived ? relative(inbox.lastReceived)
            : h("span", { class: "muted" }, inbox.boundWebhooks?.length ? _("Waiting for its first delivery") : _("Never"))),
        h("td", { "data-label": _("Answers") }, codePill(inbox.response.status),
          inbox.failuresLeft ? h("span", { class: "secondary" }, [" ", _("then fails {{n}}×", { n: formatNumber(inbox.failuresLeft) })]) : null),
        h("td", { "data-label": _("Webhooks") }, boundCell(inbox.boundWebhooks || []))))))));
  } catch (error) {
    fill(box, h("p", { class: "card-pad text-bad" }, _("Could not load inboxes: {{error}}", { error: error.message })));
  }
}

$("#open-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("#inbox-name");
  const name = input.value.trim();
  if (!name) {
    // The inbox page reports any other problem with the name, as the API words it.
    $("#inbox-name-error").textContent = _("Name is required");
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  location.assign(pageUrl(name));
});

load();
