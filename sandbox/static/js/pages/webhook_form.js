// The webhook form (create and update), fields in Wink's order: Name, Enabled, Entity name,
// Events, Webhook URL. Save returns to the account's webhook list; API errors show by their field.

import { ApiError, eventTypes, get, patch, post, routes } from "../api.js";
import { $, copyText, dateTime, fill, h, pageData, toast } from "../dom.js";
import { multiEventPicker } from "../eventpicker.js";
import { clearErrors, showErrors } from "../forms.js";

const accountId = pageData("accountId");
const webhookId = pageData("webhookId");
const form = $("#webhook-form");
const enabled = $("#enabled");
let picker = null;
let version = null;
let secret = null;

const fields = {
  name: { error: $("#name-error"), control: $("#name"), label: "Name" },
  enabled: { error: $("#enabled-error"), control: enabled, label: "Enabled" },
  entity: { error: $("#entity-error"), control: $("#entity"), label: "Entity" },
  eventUrl: { error: $("#eventUrl-error"), control: $("#eventUrl"), label: "Webhook URL" },
  eventList: { error: $("#events-error"), control: $("#events-picker"), label: "Events:" },
};

const listUrl = (id) => `/accounts/${encodeURIComponent(id)}`;

function showEnabled() {
  $("#enabled-state").textContent = enabled.checked ? "On" : "Off";
}
enabled.addEventListener("change", showEnabled);

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "my-inbox";
}

$("#use-inbox").addEventListener("click", () => {
  const url = $("#eventUrl");
  url.value = `${location.origin}/inbox/${slug($("#name").value)}`;
  url.focus();
});

async function loadSecret() {
  try {
    const body = await get(`${routes.webhook(accountId, webhookId)}/secret`);
    secret = body.secret;
    const previous = $("#secret-previous");
    previous.hidden = !body.previous;
    if (body.previous) {
      previous.textContent = `The previous secret also signs deliveries until ${dateTime(body.previous.expires)}.`;
    }
    showSecret();
  } catch (error) {
    toast(`Could not load the secret: ${error.message}`, "bad");
  }
}

function showSecret() {
  const revealed = $("#secret-reveal").getAttribute("aria-pressed") === "true";
  $("#secret-value").textContent = revealed && secret ? secret : "whsec_" + "•".repeat(32);
}

function wireSecret() {
  const reveal = $("#secret-reveal");
  reveal.addEventListener("click", () => {
    const on = reveal.getAttribute("aria-pressed") !== "true";
    reveal.setAttribute("aria-pressed", String(on));
    reveal.textContent = on ? "Hide" : "Reveal";
    showSecret();
  });
  $("#secret-copy").addEventListener("click", async () => {
    if (secret && (await copyText(secret))) toast("Secret copied to the clipboard", "ok");
  });
  $("#secret-rotate").addEventListener("click", async () => {
    if (!window.confirm("Rotate the signing secret? The old one keeps signing for a grace period.")) return;
    try {
      await post(`${routes.webhook(accountId, webhookId)}/secret/rotate`);
      await loadSecret();
      toast("Secret rotated", "ok");
    } catch (error) {
      toast(`Could not rotate: ${error.message}`, "bad");
    }
  });
  loadSecret();
}

async function start() {
  const [accounts, catalog, hook] = await Promise.all([
    get(routes.accounts),
    eventTypes(),
    webhookId ? get(routes.webhook(accountId, webhookId)) : Promise.resolve(null),
  ]);
  const owner = hook ? hook.ownerIdentifier : accountId;
  const current = accounts.find((a) => a.id === accountId);
  if (current) $("#crumb-account").textContent = current.name;
  fill($("#entity"), accounts.map((a) => h("option", { value: a.id, selected: a.id === owner }, a.name)));
  if (hook) {
    $("#name").value = hook.name;
    enabled.checked = hook.enabled;
    $("#eventUrl").value = hook.eventUrl;
    version = hook.version;
    document.title = `Update ${hook.name} · Webhook Sandbox`;
  }
  showEnabled();
  picker = multiEventPicker(
    { list: $("#events-list"), summary: $("#events-summary"), search: $("#events-search"), clear: $("#events-clear") },
    catalog, { selected: hook ? hook.eventList : [] });
  if (webhookId) wireSecret();
  $("#name").focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const entity = $("#entity");
  const chosen = entity.selectedOptions[0];
  const body = {
    name: $("#name").value,
    enabled: enabled.checked,
    entity: { identifier: entity.value, name: chosen ? chosen.textContent : "" },
    eventUrl: $("#eventUrl").value.trim(),
    eventList: picker ? picker.value() : [],
  };
  const save = $("#save");
  save.disabled = true;
  try {
    let saved;
    if (webhookId) {
      saved = await patch(routes.webhook(accountId, webhookId), body, { headers: { "If-Match": String(version) } });
    } else {
      // A new webhook is created under the chosen entity (Wink's path names the owner).
      saved = await post(routes.webhooks(entity.value), body);
    }
    sessionStorage.setItem("webhook-sandbox-flash", `Webhook "${saved.name}" saved`);
    location.assign(listUrl(saved.ownerIdentifier));
  } catch (error) {
    save.disabled = false;
    if (!(error instanceof ApiError)) throw error;
    const first = showErrors(error, fields, $("#form-error"));
    if (first === fields.eventList.control) $("#events-search").focus();
    else if (first) first.focus();
    else $("#form-error").scrollIntoView({ block: "center" });
  }
});

start().catch((error) => {
  const banner = $("#form-error");
  banner.textContent = error.status === 404 ? "This webhook or account does not exist." : `Could not load: ${error.message}`;
  banner.hidden = false;
});
