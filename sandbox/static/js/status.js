// How delivery outcomes look: one pill style per status, shared by every page.

import { _ } from "./i18n.js";
import { h } from "./dom.js";

const KINDS = {
  succeeded: "ok", success: "ok", delivered: "ok", valid: "ok",
  failed: "bad", failure: "bad", dead: "bad", invalid: "bad", error: "bad",
  retrying: "warn", pending: "warn", scheduled: "warn", delivering: "info", sending: "info", held: "info",
  cancelled: "idle", skipped: "idle", unsigned: "idle", disabled: "idle",
};

/** The statuses in words (a function: i18n.js has the page's language by the time a pill is made). */
const labels = () => ({ succeeded: _("Succeeded"), failed: _("Failed"), retrying: _("Retrying"), pending: _("Pending"),
  delivering: _("Sending"), cancelled: _("Cancelled"), dead: _("Dead"), delivered: _("Delivered"),
  held: _("Held") });

export function kindOf(status) {
  return KINDS[String(status || "").toLowerCase()] || "idle";
}

/** A coloured pill for a delivery status, with the HTTP code when there is one. */
export function statusPill(status, code) {
  const key = String(status || "pending").toLowerCase();
  const label = labels()[key] || key.replace(/^./, (c) => c.toUpperCase());
  return h("span", { class: `pill pill-${kindOf(key)}`, "data-status": key },
    code ? `${code} · ${label}` : label);
}

/** A pill for an HTTP status code alone. */
export function codePill(code) {
  if (!code) return h("span", { class: "pill pill-bad" }, _("No response"));
  const kind = code >= 200 && code < 300 ? "ok" : code >= 500 ? "bad" : code >= 400 ? "warn" : "info";
  return h("span", { class: `pill pill-${kind} no-dot mono` }, String(code));
}
