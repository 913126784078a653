// The product's own confirmation dialog, in place of the browser's confirm() ("127.0.0.1 says..."):
// a modal <dialog role="alertdialog"> with the question, Cancel and OK. Focus starts on OK, Tab and
// Shift+Tab stay inside it, Escape (or a click on the backdrop) cancels, and focus goes back to
// whatever had it before.

import { _ } from "./i18n.js";
import { h } from "./dom.js";

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

/** Keep Tab and Shift+Tab inside ``dialog``. */
function trapFocus(dialog, event) {
  if (event.key !== "Tab") return;
  const stops = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled && el.checkVisibility());
  if (!stops.length) return;
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Ask ``message``; resolve true on OK, false on Cancel, Escape or a click outside.
 * ``title`` heads the dialog; ``ok`` and ``cancel`` name its buttons; ``danger`` paints OK red.
 */
export function confirmDialog(message, { title = _("Please confirm"), ok = _("OK"), cancel = _("Cancel"), danger = false } = {}) {
  const returnTo = document.activeElement;
  const id = `confirm-${Math.random().toString(36).slice(2, 9)}`;
  const okButton = h("button", { type: "button", class: `btn ${danger ? "btn-danger-solid" : "btn-primary"}`, value: "ok" }, ok);
  const cancelButton = h("button", { type: "button", class: "btn", value: "cancel" }, cancel);
  const dialog = h("dialog", {
    class: "modal confirm", role: "alertdialog", "aria-modal": "true",
    "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-message`,
  },
  h("div", { class: "modal-head" }, h("h2", { id: `${id}-title` }, title)),
  h("p", { class: "modal-body", id: `${id}-message` }, message),
  h("div", { class: "form-foot" }, cancelButton, okButton));

  return new Promise((resolve) => {
    const finish = (answer) => {
      if (!dialog.open) return;
      dialog.close();
      dialog.remove();
      if (returnTo && returnTo.isConnected && typeof returnTo.focus === "function") returnTo.focus();
      resolve(answer);
    };
    okButton.addEventListener("click", () => finish(true));
    cancelButton.addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", (event) => { // Escape
      event.preventDefault();
      finish(false);
    });
    dialog.addEventListener("keydown", (event) => trapFocus(dialog, event));
    dialog.addEventListener("click", (event) => { // the backdrop is the dialog itself, outside its box
      const box = dialog.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right
        && event.clientY >= box.top && event.clientY <= box.bottom;
      if (event.target === dialog && !inside) finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    okButton.focus();
  });
}
