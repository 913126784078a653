// The bundle page's Replay form: POST /api/bundles/{id}/replay with the options chosen, then the
// answer's counts and each attempt's outcome. It sends requests out; the bundle itself is not changed.

import { post } from "./api.js";
import { $, fill, h } from "./dom.js";
import { _ } from "./i18n.js";
import { codePill } from "./status.js";

function options() {
  const body = { signatures: $("#replay-signatures").value, timing: $("#replay-timing").value };
  const to = $("#replay-to").value.trim();
  const secret = $("#replay-secret").value.trim();
  const factor = Number($("#replay-factor").value || 1);
  if (to) body.to = to;
  if (secret) body.secret = secret;
  if (body.timing === "original") body.factor = factor;
  return body;
}

function outcomeRow(outcome) {
  return h("tr", { "data-ok": String(outcome.ok) },
    h("td", { class: "num" }, String(outcome.position + 1)),
    h("td", { class: "mono small" }, `${outcome.deliveryId} #${outcome.attempt}`),  // i18n-ignore
    h("td", { class: "mono small" }, outcome.url || ""),
    h("td", {}, outcome.statusCode !== null ? codePill(outcome.statusCode) : h("span", { class: "text-bad" }, outcome.error)));
}

export function mountReplay(base) {
  const form = $("#replay-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("#replay-button");
    $("#replay-error").textContent = "";
    button.disabled = true;
    fill($("#replay-result"), h("p", { class: "card-pad muted" }, _("Replaying…")));
    try {
      const summary = await post(`${base}/replay`, options());
      fill($("#replay-result"),
        h("p", { class: "card-pad", id: "replay-summary" }, _("Replayed {{sent}} attempts: {{ok}} succeeded, {{failed}} failed.",
          { sent: summary.sent, ok: summary.succeeded, failed: summary.failed })),
        h("div", { class: "table-wrap" }, h("table", { class: "data", id: "replay-outcomes" },
          h("thead", {}, h("tr", {}, [_("Order"), _("Attempt"), _("Sent to"), _("Answer")].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, summary.outcomes.map(outcomeRow)))));
    } catch (error) {
      fill($("#replay-result"));
      $("#replay-error").textContent = (error.errors || []).length ? error.errors.map((e) => `${e.field}: ${e.message}`).join("; ") : error.message;
    } finally {
      button.disabled = false;
    }
  });
}
