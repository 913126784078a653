// Accounts: one card per account with an Actions menu; a dialog to add one.

import { del, get, post, routes } from "../api.js";
import { $, avatarColour, fill, h, initials, parseDate, toast } from "../dom.js";
import { confirmDialog } from "../dialog.js";
import { _, formatDate, formatNumber, ngettext } from "../i18n.js";
import { entityTypeLabel } from "../labels.js";
import { clearErrors, showErrors } from "../forms.js";
import { actionsMenu } from "../menu.js";

const grid = $("#accounts");
const dialog = $("#account-dialog");
const form = $("#account-form");

const shortDate = (value) => {
  const date = parseDate(value);
  return date ? formatDate(date, { day: "numeric", month: "short", year: "numeric" }) : "";
};
const manageUrl = (account) => `/accounts/${encodeURIComponent(account.id)}`;

function card(account, hooks) {
  const enabled = hooks.filter((hook) => hook.enabled).length;
  const menu = actionsMenu([
    { label: _("Manage account"), href: manageUrl(account) },
    { label: _("Create new webhook"), href: `${manageUrl(account)}/webhooks/new` },
    { label: _("Send event"), href: `/send?account=${encodeURIComponent(account.id)}` },
    "separator",
    { label: _("Delete account"), danger: true, onSelect: () => removeAccount(account, hooks.length) },
  ], { label: _("Actions for {{name}}", { name: account.name }) });
  return h("article", { class: "card account-card", "data-account": account.id },
    h("div", { class: "account-card-top" },
      h("div", { class: "avatar", style: `background:${avatarColour(account.name)}`, "aria-hidden": "true" },
        initials(account.name)),
      h("div", {},
        h("h2", {}, h("a", { href: manageUrl(account) }, account.name)),
        h("div", { class: "meta" }, h("span", { class: "badge badge-quiet" }, entityTypeLabel(account.type)))),
      menu),
    h("div", { class: "stats" },
      h("div", { class: "stat" }, h("b", {}, formatNumber(hooks.length)),
        h("span", {}, ngettext("webhook", "webhooks", hooks.length))),
      h("div", { class: "stat" }, h("b", {}, formatNumber(enabled)), h("span", {}, ngettext("enabled", "enabled", enabled))),
      h("div", { class: "stat" }, h("b", { class: "stat-text" }, shortDate(account.createdDate)), h("span", {}, _("created")))));
}

function addCard() {
  return h("button", { type: "button", class: "add-card", onclick: openDialog },
    h("span", { class: "plus", "aria-hidden": "true" }, "+"), _("Add account"));
}

async function load() {
  try {
    const accounts = await get(routes.accounts);
    const lists = await Promise.all(accounts.map((a) => get(`${routes.webhooks(a.id)}/list`).catch(() => [])));
    fill(grid, accounts.map((account, i) => card(account, lists[i])), addCard());
  } catch (error) {
    fill(grid, h("div", { class: "banner banner-bad", role: "alert" }, _("Could not load accounts: {{error}}", { error: error.message })));
  }
  grid.setAttribute("aria-busy", "false");
}

async function removeAccount(account, hookCount) {
  const question = hookCount
    ? ngettext('Delete account "{{name}}" and its {{n}} webhook?', 'Delete account "{{name}}" and its {{n}} webhooks?',
      hookCount, { name: account.name })
    : _('Delete account "{{name}}"?', { name: account.name });
  if (!(await confirmDialog(question, { title: _("Delete account"), danger: true }))) return;
  try {
    await del(`${routes.account(account.id)}?cascade=true`);
    toast(_('Account "{{name}}" deleted', { name: account.name }), "ok");
    load();
  } catch (error) {
    toast(error.message, "bad");
  }
}

function openDialog() {
  form.reset();
  clearErrors(form);
  dialog.showModal();
  $("#account-name").focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = { name: $("#account-name").value, type: $("#account-type").value };
  try {
    const account = await post(routes.accounts, body);
    dialog.close();
    toast(_('Account "{{name}}" added', { name: account.name }), "ok");
    await load();
    grid.querySelector(`[data-account="${CSS.escape(account.id)}"] h2 a`)?.focus();
  } catch (error) {
    const first = showErrors(error, {
      name: { error: $("#account-name-error"), control: $("#account-name"), label: _("Name") },
      type: { error: $("#account-type-error"), control: $("#account-type"), label: _("Type") },
    }, $("#account-form-error"));
    (first || $("#account-name")).focus();
  }
});

$("#account-cancel").addEventListener("click", () => dialog.close());
$("#add-account").addEventListener("click", openDialog);
load();
