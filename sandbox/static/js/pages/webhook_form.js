// The webhook form (create and update), fields in Wink's order: Name, Enabled, Entity name,
// Events, Webhook URL, then the sandbox's signing profile. Create shows the new signing secret once
// (Wink's {secret, webhook} answer); update returns to the account's webhook list. API errors show
// by their field.

import { _ } from "../i18n.js";
import { ApiError, del, eventTypes, get, patch, post, put, routes } from "../api.js";
import { $, copyText, dateTime, fill, h, pageData, toast } from "../dom.js";
import { confirmDialog } from "../dialog.js";
import { multiEventPicker } from "../eventpicker.js";
import { clearErrors, showErrors } from "../forms.js";

const accountId = pageData("accountId");
const webhookId = pageData("webhookId");
const serverProfile = pageData("serverProfile");
const form = $("#webhook-form");
const enabled = $("#enabled");
const profile = $("#profile");
const FLASH = "webhook-sandbox-flash";
let picker = null;
let version = null;
let secret = null; // the plaintext secret, once the API answered it (create, rotate, or Reveal)
let secretHint = "";
let savedProfile = serverProfile;

const fields = {
  name: { error: $("#name-error"), control: $("#name"), label: _("Name") },
  enabled: { error: $("#enabled-error"), control: enabled, label: _("Enabled") },
  entity: { error: $("#entity-error"), control: $("#entity"), label: _("Entity name") },
  eventUrl: { error: $("#eventUrl-error"), control: $("#eventUrl"), label: _("Webhook URL") },
  eventList: { error: $("#events-error"), control: $("#events-picker"), label: _("Events:") },
  profile: { error: $("#profile-error"), control: profile, label: _("Signing profile") },
};

const listUrl = (id) => `/accounts/${encodeURIComponent(id)}`;
const editUrl = (owner, id) => `${listUrl(owner)}/webhooks/${encodeURIComponent(id)}/edit`;
const profileUrl = (id) => `/api/webhooks/${encodeURIComponent(id)}/profile`;

function showEnabled() {
  $("#enabled-state").textContent = enabled.checked ? _("On") : _("Off");
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

/** Save the chosen signing profile: the server's own choice means "follow the server" (DELETE). */
async function saveProfile(id) {
  if (profile.value === savedProfile) return;
  if (profile.value === serverProfile) await del(profileUrl(id));
  else await put(profileUrl(id), { profile: profile.value });
  savedProfile = profile.value;
}

// ---- the secret (update page): masked with its hint; the plaintext after Rotate or on Reveal --------

function showPrevious(expiresAt) {
  const previous = $("#secret-previous");
  previous.hidden = !expiresAt;
  previous.textContent = expiresAt ? _("The previous secret also signs deliveries until {{when}}.", { when: dateTime(expiresAt) }) : "";
}

function showHint(hook) {
  secretHint = hook.secretHint || "";
  $("#secret-hint").textContent = secretHint;
  showPrevious(hook.previousSecretExpiresAt);
}

function revealed() {
  return $("#secret-reveal").getAttribute("aria-pressed") === "true";
}

function showSecret() {
  $("#secret-value").textContent = revealed() && secret ? secret : `whsec_${"•".repeat(24)}${secretHint}`;
}

function setRevealed(on) {
  const reveal = $("#secret-reveal");
  reveal.setAttribute("aria-pressed", String(on));
  reveal.textContent = on ? _("Hide") : _("Reveal");
  showSecret();
}

/** The plaintext secret: the one the API answered, else read through the sandbox's GET .../secret. */
async function plainSecret() {
  if (!secret) secret = (await get(`${routes.webhook(accountId, webhookId)}/secret`)).secret;
  return secret;
}

function wireSecret(hook) {
  showHint(hook);
  showSecret();
  $("#secret-reveal").addEventListener("click", async () => {
    try {
      if (!revealed()) await plainSecret();
      setRevealed(!revealed());
    } catch (error) {
      toast(_("Could not load the secret: {{error}}", { error: error.message }), "bad");
    }
  });
  $("#secret-copy").addEventListener("click", async () => {
    try {
      if (await copyText(await plainSecret())) toast(_("Secret copied to the clipboard"), "ok");
    } catch (error) {
      toast(_("Could not load the secret: {{error}}", { error: error.message }), "bad");
    }
  });
  $("#secret-rotate").addEventListener("click", async () => {
    const sure = await confirmDialog(_("Rotate the signing secret? The old one keeps signing for a grace period."),
      { title: _("Rotate secret") });
    if (!sure) return;
    try {
      const rotated = await post(`${routes.webhook(accountId, webhookId)}/rotate-secret`);
      secret = rotated.secret;
      showHint(rotated.webhook);
      setRevealed(true);
      $("#secret-once").hidden = false;
      toast(_("Secret rotated"), "ok");
    } catch (error) {
      toast(_("Could not rotate: {{error}}", { error: error.message }), "bad");
    }
  });
}

// ---- after create: the secret, once ---------------------------------------------------------------

function showCreated({ secret: created, webhook }) {
  form.hidden = true;
  $("#form-title").textContent = _("Webhook created");
  $("#form-sub").textContent = _('"{{name}}" is saved. Its receiver needs the signing secret below.', { name: webhook.name });
  document.title = `${_("Created {{name}}", { name: webhook.name })} · Webhook Sandbox`;
  $("#created-secret").textContent = created;
  $("#created-hint").textContent = webhook.secretHint;
  $("#created-edit").href = editUrl(webhook.ownerIdentifier, webhook.id);
  const done = $("#created-done");
  done.href = listUrl(webhook.ownerIdentifier);
  done.addEventListener("click", () => sessionStorage.setItem(FLASH, _('Webhook "{{name}}" saved', { name: webhook.name })));
  $("#created-copy").addEventListener("click", async () => {
    if (await copyText(created)) toast(_("Secret copied to the clipboard"), "ok");
  });
  $("#created").hidden = false;
  $("#created-title").focus();
}

// ---- loading, and what is missing --------------------------------------------------------------

/** Say what is missing (or failed) and offer the way back, in place of a form that cannot load. */
function showMissing(title, text, back) {
  form.hidden = true;
  $("#form-title").textContent = title;
  $("#form-sub").textContent = "";
  document.title = `${title} · Webhook Sandbox`;
  form.after(h("section", { class: "card card-pad empty", id: "missing", role: "alert" },
    h("h2", {}, title), h("p", {}, text), h("a", { class: "btn btn-primary", href: back.href }, back.label)));
  loaded();
}

/** The form can be used: until now it was inert (no fake values to edit, nothing to save). */
function loaded() {
  form.inert = false;
  form.removeAttribute("aria-busy");
}

const MISSING = Symbol("missing");
const unless404 = (promise) => promise.catch((error) => (error.status === 404 ? MISSING : Promise.reject(error)));

async function start() {
  const [accounts, catalog, hook, signing] = await Promise.all([
    get(routes.accounts),
    eventTypes(),
    webhookId ? unless404(get(routes.webhook(accountId, webhookId))) : Promise.resolve(null),
    webhookId ? get(profileUrl(webhookId)).catch(() => null) : Promise.resolve(null),
  ]);
  const current = accounts.find((a) => a.id === accountId);
  if (!current) {
    showMissing(_("Account not found"),
      _("There is no account with the id {{id}}. It may have been deleted.", { id: accountId }),
      { href: "/", label: _("Back to accounts") });
    return;
  }
  $("#crumb-account").textContent = current.name;
  if (hook === MISSING) {
    showMissing(_("Webhook not found"),
      _('Account "{{account}}" has no webhook with the id {{id}}. It may have been removed.',
        { account: current.name, id: webhookId }),
      { href: listUrl(accountId), label: _("Back to {{account}}", { account: current.name }) });
    return;
  }
  const owner = hook ? hook.ownerIdentifier : accountId;
  fill($("#entity"), accounts.map((a) => h("option", { value: a.id, selected: a.id === owner }, a.name)));
  if (hook) {
    $("#name").value = hook.name;
    enabled.checked = hook.enabled;
    $("#eventUrl").value = hook.eventUrl;
    version = hook.version;
    document.title = `${_("Update {{name}}", { name: hook.name })} · Webhook Sandbox`;
  }
  showEnabled();
  picker = multiEventPicker(
    { list: $("#events-list"), summary: $("#events-summary"), search: $("#events-search"), clear: $("#events-clear"),
      field: $("#events-field") },
    catalog, { selected: hook ? hook.eventList : [] });
  if (signing) profile.value = savedProfile = signing.profile;
  if (hook) wireSecret(hook);
  loaded();
  $("#name").focus();
}

/** Someone saved this webhook since the page loaded: say so in words, with a Reload button. */
function showConflict() {
  const banner = $("#form-error");
  const reload = h("button", { type: "button", class: "btn btn-sm", onclick: () => location.reload() }, _("Reload"));
  fill(banner, h("span", {}, _("Someone else changed this webhook after you opened it, so your changes were not saved. Reload to see the webhook as it is now, then make your changes again.")), " ", reload);
  banner.hidden = false;
  reload.focus();
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
    eventList: new FormData(form).getAll("eventList"), // the picker's hidden inputs, one per key
  };
  const save = $("#save");
  save.disabled = true;
  try {
    if (webhookId) {
      const saved = await patch(routes.webhook(accountId, webhookId), body, { headers: { "If-Match": String(version) } });
      version = saved.version;
      await saveProfile(webhookId);
      sessionStorage.setItem(FLASH, _('Webhook "{{name}}" saved', { name: saved.name }));
      location.assign(listUrl(saved.ownerIdentifier));
      return;
    }
    // A new webhook is created under the chosen entity (Wink's path names the owner).
    const created = await post(routes.webhooks(entity.value), body);
    try {
      await saveProfile(created.webhook.id);
    } catch (error) {
      toast(_("The webhook was created, but its signing profile was not saved: {{error}}", { error: error.message }), "bad");
    }
    showCreated(created);
  } catch (error) {
    save.disabled = false;
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409) {
      showConflict();
      return;
    }
    const first = showErrors(error, fields, $("#form-error"));
    if (first === fields.eventList.control) $("#events-search").focus();
    else if (first) first.focus();
    else $("#form-error").scrollIntoView({ block: "center" });
  }
});

start().catch((error) => {
  showMissing(_("Could not load this page"), error.message, { href: listUrl(accountId), label: _("Back to the account") });
});
