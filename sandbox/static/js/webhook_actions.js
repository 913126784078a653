// A webhook's outbox actions for people: Wink's send-test-event and redeliver-dead, each asked for in a
// confirmation dialog of the page's own (not the browser's confirm()) and answered in words.

import { get, post, routes, withQuery } from "./api.js";
import { h } from "./dom.js";

/**
 * Ask a yes/no question in a modal <dialog>; resolve true when the confirm button is chosen.
 * Escape, the Cancel button and a click outside answer false; focus returns to what had it.
 */
export function confirmDialog({ title, message, confirmLabel = "OK", danger = false }) {
  const back = document.activeElement;
  const heading = `confirm-title-${Math.random().toString(36).slice(2, 8)}`;
  const ok = h("button", { type: "submit", value: "ok", class: `btn ${danger ? "btn-danger" : "btn-primary"}` },
    confirmLabel);
  const dialog = h("dialog", { class: "confirm-dialog", "aria-labelledby": heading },
    h("form", { method: "dialog" },
      h("h2", { id: heading }, title),
      h("p", {}, message),
      h("div", { class: "row confirm-buttons" },
        h("button", { type: "submit", value: "cancel", class: "btn" }, "Cancel"), ok)));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close("cancel"); });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (back && typeof back.focus === "function") back.focus();
      resolve(dialog.returnValue === "ok");
    }, { once: true });
    dialog.showModal();
    ok.focus();
  });
}

/** Confirm, then send Wink's test event to ``hook``; return {text, link?} to show, or null if cancelled. */
export async function sendTestEvent(accountId, hook) {
  const agreed = await confirmDialog({
    title: "Send a test event?",
    message: `Wink sends one test event to “${hook.name}” only, at ${hook.eventUrl}. Other webhooks get nothing.`,
    confirmLabel: "Send test event",
  });
  if (!agreed) return null;
  const event = await post(`${routes.webhook(accountId, hook.id)}/test`);
  const stored = await get(`/api/events/${encodeURIComponent(event.id)}`);
  const delivery = stored.deliveries[0];
  return { text: `Test event ${event.type} sent to “${hook.name}”.`,
    link: delivery ? { href: `/deliveries/${encodeURIComponent(delivery.id)}`, label: "View delivery" } : null };
}

/** Confirm, then send every dead delivery of ``hook`` again (Wink's redeliver-dead); return {text}. */
export async function redeliverDead(accountId, hook, dead) {
  const some = dead === 1 ? "its dead delivery" : `its ${dead} dead deliveries`;
  const agreed = await confirmDialog({
    title: "Redeliver dead deliveries?",
    message: `“${hook.name}” gets ${some} again now, each with its retry schedule started over and the same event id.`,
    confirmLabel: dead === 1 ? "Redeliver 1" : `Redeliver ${dead}`,
  });
  if (!agreed) return null;
  const answer = await post(`${routes.webhook(accountId, hook.id)}/redeliver-dead`);
  const count = Number(answer.value);
  if (!count) return { text: `“${hook.name}” has no dead deliveries left to send again.` };
  return { text: `${count === 1 ? "1 dead delivery" : `${count} dead deliveries`} of “${hook.name}” `
    + `${count === 1 ? "is" : "are"} being sent again.`,
  link: { href: withQuery("/log", { entity: accountId, webhookId: hook.id }), label: "Watch in live log" } };
}
