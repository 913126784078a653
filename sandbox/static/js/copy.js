// Copy buttons: a small button that copies a text to the clipboard and says so on itself
// ("Copied" for a moment, announced to screen readers), for ids, payloads, headers, signatures and
// secrets. One module so every page's copy looks and behaves the same.
//
//   import { copyButton, bindCopy } from "../copy.js";
//   h("dd", {}, h("code", {}, id), copyButton(id, { label: _("Copy the delivery id") }));
//   bindCopy($("#secret-copy"), () => plainSecret());   // a button the template already has
//
// ``value`` is a string, or a function returning a string (or a promise of one), read at the click,
// so a button can copy what is shown now or fetch it first (a secret).

import { copyText, h } from "./dom.js";
import { _ } from "./i18n.js";

const SHOWN_MS = 1500;

/** Make ``button`` copy ``value`` when clicked; ``label`` (optional) names what it copies. */
export function bindCopy(button, value, { label } = {}) {
  if (label) {
    button.setAttribute("aria-label", label);
    button.title = label;
  }
  const text = button.querySelector(".copy-text") || button;
  const idle = text.textContent;
  let timer = null;
  button.addEventListener("click", async (event) => {
    event.stopPropagation(); // a copy button inside a clickable row copies, never opens the row
    let copied = false;
    try {
      const data = typeof value === "function" ? await value() : value;
      copied = data !== null && data !== undefined && (await copyText(String(data)));
    } catch {
      copied = false;
    }
    clearTimeout(timer);
    button.dataset.copied = copied ? "yes" : "no";
    text.textContent = copied ? _("Copied") : _("Copy failed");
    status(copied ? _("Copied to the clipboard") : _("Could not copy: the browser refused the clipboard"));
    timer = setTimeout(() => {
      delete button.dataset.copied;
      text.textContent = idle;
    }, SHOWN_MS);
  });
  return button;
}

/** A new copy button for ``value``: ``text`` on it ("Copy"), ``label`` says what it copies
 * ("Copy the payload", its accessible name and tooltip). */
export function copyButton(value, { label = _("Copy"), text = _("Copy"), className = "" } = {}) {
  const button = h("button", { type: "button", class: `btn btn-sm btn-ghost copy-btn ${className}`.trim() },
    h("span", { class: "copy-text" }, text));
  return bindCopy(button, value, { label });
}

/** Tell screen readers what happened (one polite live region for every copy button). */
function status(message) {
  let region = document.getElementById("copy-status");
  if (!region) {
    region = h("div", { id: "copy-status", class: "visually-hidden", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  region.textContent = message;
}
