// A webhook's outbox actions for people: Wink's send-test-event and redeliver-dead, each asked for in the
// product's own confirmation dialog (dialog.js, not the browser's confirm()) and answered in words.

import { get, post, routes, withQuery } from "./api.js";
import { confirmDialog } from "./dialog.js";
import { _, ngettext } from "./i18n.js";

/** Confirm, then send Wink's test event to ``hook``; return {text, link?} to show, or null if cancelled. */
export async function sendTestEvent(accountId, hook) {
  const agreed = await confirmDialog(
    _("Wink sends one test event to “{{name}}” only, at {{url}}. Other webhooks get nothing.",
      { name: hook.name, url: hook.eventUrl }),
    { title: _("Send a test event?"), ok: _("Send test event"), cancel: _("Cancel") });
  if (!agreed) return null;
  const event = await post(`${routes.webhook(accountId, hook.id)}/test`);
  const stored = await get(`/api/events/${encodeURIComponent(event.id)}`);
  const delivery = stored.deliveries[0];
  return {
    text: _("Test event {{event}} sent to “{{name}}”.", { event: event.type, name: hook.name }),
    link: delivery ? { href: `/deliveries/${encodeURIComponent(delivery.id)}`, label: _("View delivery") } : null,
  };
}

/** Confirm, then send every dead delivery of ``hook`` again (Wink's redeliver-dead); return {text, link?}. */
export async function redeliverDead(accountId, hook, dead) {
  const agreed = await confirmDialog(
    ngettext(
      "“{{name}}” gets its {{n}} dead delivery again now, with its retry schedule started over and the same event id.",
      "“{{name}}” gets its {{n}} dead deliveries again now, each with its retry schedule started over and the same event id.",
      dead, { name: hook.name }),
    { title: _("Redeliver dead deliveries?"), ok: ngettext("Redeliver {{n}}", "Redeliver {{n}}", dead),
      cancel: _("Cancel") });
  if (!agreed) return null;
  const answer = await post(`${routes.webhook(accountId, hook.id)}/redeliver-dead`);
  const count = Number(answer.value);
  if (!count) return { text: _("“{{name}}” has no dead deliveries left to send again.", { name: hook.name }) };
  return {
    text: ngettext("{{n}} dead delivery of “{{name}}” is being sent again.",
      "{{n}} dead deliveries of “{{name}}” are being sent again.", count, { name: hook.name }),
    link: { href: withQuery("/log", { entity: accountId, webhookId: hook.id }), label: _("Watch in live log") },
  };
}
