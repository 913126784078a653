// "Edit and resend" on a delivery's page (issue 15): edit the event's object with set paths or a JSON
// Patch, preview the diff (POST /api/events/{id}/resend with dryRun), then send it, keeping the event
// id or as a new letter. Also says, above the page, when this delivery is itself a resend and whether
// it was edited outside the contract. Its own module (and template partial, _resend.html), so the
// delivery page's script stays the delivery page's.

import { ApiError, get, post } from "./api.js";
import { $, fill, h, pageData, toast } from "./dom.js";
import { _, ngettext } from "./i18n.js";

const deliveryId = pageData("deliveryId");
const opener = $("#resend-open");
const dialog = $("#resend-dialog");
const edits = $("#resend-edits");
const sendButton = $("#resend-send");
const previewButton = $("#resend-preview-button");
let delivery = null;
let previewed = null; // the request body the shown diff belongs to

function chosen(name) {
  return dialog.querySelector(`input[name="${name}"]:checked`).value;
}

/** The request body from the form; throws an Error with a message for the reader. */
function requestBody() {
  const body = { mode: chosen("mode") };
  const text = edits.value.trim();
  if (chosen("format") === "patch") {
    if (text) {
      try {
        body.patch = JSON.parse(text);
      } catch (error) {
        throw new Error(_("The patch is not JSON: {{error}}", { error: error.message }));
      }
    }
  } else if (text) {
    body.set = text.split("\n").map((line) => line.trim()).filter(Boolean);
  }
  if (!$("#resend-all").checked) body.webhookId = delivery.webhookId;
  if ($("#resend-force").checked) body.validate = false;
  return body;
}

function showError(error) {
  const banner = $("#resend-error");
  if (error instanceof ApiError) {
    const lines = error.errors.map(({ field, message }) => h("li", {}, h("code", {}, field), " ", message));
    fill(banner, h("div", {}, h("strong", {}, error.message), lines.length ? h("ul", {}, lines) : null));
  } else {
    banner.textContent = error.message;
  }
  banner.hidden = false;
}

function diffView(text) {
  if (!text) return h("span", { class: "muted" }, _("No change to the object."));
  return text.split("\n").map((line) => {
    const kind = line.startsWith("+") && !line.startsWith("+++") ? "diff-add"
      : line.startsWith("-") && !line.startsWith("---") ? "diff-del" : line.startsWith("@@") ? "diff-hunk" : "";
    return h("span", { class: kind }, `${line}\n`);
  });
}

function showPreview(answer) {
  fill($("#resend-diff"), diffView(answer.changed ? answer.diff.text : ""));
  const names = answer.webhooks.map((hook) => hook.name).join(", ");
  $("#resend-targets").textContent = answer.webhooks.length
    ? _("Goes to: {{names}}", { names }) : (answer.message || _("No webhook would get it."));
  const problems = $("#resend-problems");
  problems.hidden = !answer.problems.length;
  fill(problems, answer.problems.length ? h("div", {},
    h("strong", {}, _("Outside the contract: this edit breaks Wink's schema")),
    h("ul", {}, answer.problems.map((p) => h("li", {}, h("code", {}, p.field), " ", p.message)))) : null);
  $("#resend-preview").hidden = false;
}

function forget() {
  previewed = null;
  sendButton.disabled = true;
}

async function preview() {
  $("#resend-error").hidden = true;
  let body;
  try {
    body = requestBody();
  } catch (error) {
    forget();
    showError(error);
    return;
  }
  previewButton.disabled = true;
  try {
    const answer = await post(`/api/events/${encodeURIComponent(delivery.eventId)}/resend`, { ...body, dryRun: true });
    showPreview(answer);
    previewed = JSON.stringify(body);
    sendButton.disabled = !answer.webhooks.length;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    forget();
    $("#resend-preview").hidden = true;
    showError(error);
  } finally {
    previewButton.disabled = false;
  }
}

async function send() {
  const body = requestBody();
  if (JSON.stringify(body) !== previewed) return forget(); // edited since the preview: preview again
  sendButton.disabled = true;
  try {
    const answer = await post(`/api/events/${encodeURIComponent(delivery.eventId)}/resend`, body);
    dialog.close();
    const [first] = answer.deliveries;
    toast(h("span", {}, ngettext("Resent to {{n}} webhook", "Resent to {{n}} webhooks", answer.deliveries.length), " ",
      first ? h("a", { href: `/deliveries/${encodeURIComponent(first.id)}` }, _("View delivery")) : null), "ok");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    sendButton.disabled = false;
    showError(error);
  }
}

/** Above the page: this delivery is a resend (of which event, how), maybe edited outside the contract. */
function describe(d) {
  const info = $("#resend-info");
  if (!d.resend) return;
  const how = d.resend.mode === "keep" ? _("Resent from event {{id}}: the same letter, same id and occurredAt", { id: d.resend.of })
    : _("Resent from event {{id}} as a new letter", { id: d.resend.of });
  fill(info, h("div", {}, h("strong", {}, how),
    d.outsideContract ? h("span", { class: "pill pill-bad", id: "outside-contract" }, _("Edited outside the contract")) : null,
    d.resend.patch.length ? h("pre", { class: "code wrap" }, JSON.stringify(d.resend.patch, null, 2)) : null));
  info.hidden = false;
}

async function start() {
  try {
    delivery = await get(`/api/deliveries/${encodeURIComponent(deliveryId)}`);
  } catch (error) {
    if (error instanceof ApiError) return; // the page itself says there is no such delivery
    throw error;
  }
  describe(delivery);
  opener.hidden = false;
  opener.addEventListener("click", () => {
    $("#resend-error").hidden = true;
    dialog.showModal();
    edits.focus();
  });
  $("#resend-cancel").addEventListener("click", () => dialog.close());
  previewButton.addEventListener("click", preview);
  sendButton.addEventListener("click", send);
  dialog.addEventListener("input", forget);
  dialog.addEventListener("change", forget);
  for (const radio of dialog.querySelectorAll('input[name="format"]')) {
    radio.addEventListener("change", () => {
      edits.placeholder = radio.value === "patch" ? '[{"op": "replace", "path": "/stay/adults", "value": 3}]' : "stay.adults=3";
    });
  }
}

if (opener && dialog) start();
