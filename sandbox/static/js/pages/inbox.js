// One inbox: captures arriving live (/ws/inbox/<name>) with their signature verdict, and the
// inbox's answer: status, delay, failure mode, body.

import { _, formatNumber, ngettext } from "../i18n.js";
import { ApiError, del, get, put, withQuery } from "../api.js";
import { $, bodyView, clock, copyText, dateTime, debounce, fill, h, headersTable, pageData, toast } from "../dom.js";
import { confirmDialog } from "../dialog.js";
import { clearErrors, showErrors } from "../forms.js";
import { LiveFeed } from "../live.js";
import { codePill } from "../status.js";

const name = pageData("inbox");
const path = `/api/inbox/${encodeURIComponent(name)}`;
const list = $("#captures");
const shown = new Set();
const MAX_SHOWN = 200;
let inbox = null;

const fields = Object.fromEntries(["status", "delay", "failFirst", "failStatus", "body", "contentType"].map((field) => [
  field, { error: $(`#${field}-error`), control: $(`#${field}`),
    label: { status: _("Status"), delay: _("Delay"), failFirst: _("Fail the first"), failStatus: _("Failure status"),
      body: _("Body"), contentType: _("Content type") }[field] },
]));

/** The signature verdict of a capture as a pill and its reason. */
function verdict(signature) {
  if (!signature || signature.verified === null || signature.verified === undefined) {
    return h("span", { class: "pill pill-idle", title: signature?.reason || "" }, _("Not checked"));
  }
  return signature.verified
    ? h("span", { class: "pill pill-ok" }, _("Signature valid"))
    : h("span", { class: "pill pill-bad", title: signature.reason || "" }, _("Signature invalid"));
}

/** The Wink event key of a captured envelope, when its body is one. */
function eventKey(capture) {
  if (capture.eventKey !== undefined) return capture.eventKey;
  let key = null;
  try {
    const body = JSON.parse(capture.body);
    if (body && typeof body.type === "string") key = body.type;
    else if (body && typeof body.event === "string") key = body.event;  // captured before Wink's envelope
  } catch {
    // Not JSON: nothing to show.
  }
  capture.eventKey = key;
  return key;
}

function captureItem(capture) {
  const { signature } = capture;
  return h("details", { class: "capture", "data-capture": capture.id },
    h("summary", {},
      h("span", { class: "time", title: dateTime(capture.received) }, clock(capture.received, { ms: true })),
      h("span", { class: "capture-what" }, h("span", { class: "badge" }, capture.method),
        eventKey(capture) ? h("span", { class: "capture-event" }, eventKey(capture)) : null,
        h("span", { class: "url muted" }, capture.path + (capture.query ? `?${capture.query}` : ""))),
      h("span", { class: "row capture-verdict", style: "gap:6px" }, verdict(signature),
        capture.response ? codePill(capture.response.status) : null)),
    h("div", { class: "capture-body" },
      signature && signature.reason
        ? h("p", { class: signature.verified === false ? "text-bad small" : "muted small", style: "margin:0" },
          _("Signature: {{reason}}", { reason: signature.reason })) : null,
      capture.refused ? h("p", { class: "text-bad small" }, _("The body was refused (too large).")) : null,
      h("h3", {}, _("Headers")), headersTable(capture.headers),
      h("h3", {}, capture.bodySize
        ? ngettext("Body ({{n}} byte)", "Body ({{n}} bytes)", capture.bodySize) : _("Body")),
      capture.bodyEncoding === "base64" ? h("pre", { class: "code wrap" }, `base64: ${capture.body}`) : bodyView(capture.body),
      capture.response ? h("p", { class: "muted small" },
        answered(capture.response)) : null));
}

/** "Answered 200 (OK) after 2 s", in the page's language. */
function answered({ status, reason, delay }) {
  const code = reason ? `${status} (${reason})` : String(status);
  return delay
    ? _("Answered {{code}} after {{delay}} s", { code, delay: formatNumber(delay) })
    : _("Answered {{code}}", { code });
}

function showCount() {
  const empty = shown.size === 0;
  $("#captures-empty").hidden = !empty;
  $("#capture-count").textContent = inbox
    ? ngettext("{{n}} stored", "{{n}} stored", inbox.captureCount) : "";
}

/** Add captures (any order); newest stays on top. */
function addCaptures(captures, { fresh = true } = {}) {
  for (const capture of [...captures].sort((a, b) => a.id - b.id)) {
    if (shown.has(capture.id)) continue;
    shown.add(capture.id);
    const item = captureItem(capture);
    if (fresh) item.classList.add("fresh");
    list.prepend(item);
    if (inbox && fresh) inbox.captureCount += 1;
  }
  while (list.children.length > MAX_SHOWN) {
    const last = list.lastElementChild;
    shown.delete(Number(last.dataset.capture));
    last.remove();
  }
  showCount();
}

/** Show what the inbox is: its URL, the webhooks it verifies against, its counters. */
function showInfo(view) {
  inbox = view;
  $("#inbox-url").textContent = view.url;
  const bound = view.boundWebhooks || [];
  fill($("#bound"), bound.length
    ? [_("Verified against:"), " ", bound.map((hook, i) => [i ? ", " : "", h("strong", {}, hook.name)])]
    : h("span", { class: "muted" }, _("No webhook points here, so signatures are not checked.")));
  $("#failures-left").textContent = view.failuresLeft
    ? ngettext("{{n}} failure still to come.", "{{n}} failures still to come.", view.failuresLeft) : "";
  showCount();
}

/** Fill the answer form from the inbox's settings. */
function showSettings(view) {
  showInfo(view);
  const response = view.response;
  $("#status").value = response.status;
  $("#delay").value = response.delay;
  $("#failFirst").value = response.failFirst;
  $("#failStatus").value = response.failStatus;
  $("#body").value = response.body ?? "";
  $("#contentType").value = response.contentType ?? "";
}

// After captures arrive, the counters (and the webhooks bound to the inbox) may have changed.
const refreshInfo = debounce(async () => {
  try {
    showInfo((await get(withQuery(path, { limit: 1 }))).inbox);
  } catch {
    // The next capture tries again.
  }
}, 300);

const number = (id) => {
  const text = $(`#${id}`).value.trim();
  return text === "" ? undefined : Number(text);
};

$("#settings").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors($("#settings"));
  const body = {
    status: number("status"), delay: number("delay"), failFirst: number("failFirst"), failStatus: number("failStatus"),
    body: $("#body").value === "" ? null : $("#body").value,
    contentType: $("#contentType").value.trim() || null,
    headers: inbox?.response.headers || {},
  };
  try {
    showSettings(await put(path, body));
    toast(_("Inbox answer saved"), "ok");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(error, fields, $("#settings-error"))?.focus();
  }
});

$("#clear").addEventListener("click", async () => {
  if (!(await confirmDialog(_('Delete every capture of inbox "{{name}}"?', { name }), { title: _("Clear inbox"), danger: true }))) return;
  try {
    await del(path);
    shown.clear();
    list.replaceChildren();
    if (inbox) inbox.captureCount = 0;
    showCount();
    toast(_("Captures cleared"), "ok");
  } catch (error) {
    toast(error.message, "bad");
  }
});

$("#copy-url").addEventListener("click", async () => {
  if (inbox && (await copyText(inbox.url))) toast(_("URL copied"));
});

async function load({ fresh = false } = {}) {
  const body = await get(withQuery(path, { limit: 100 }));
  showSettings(body.inbox);
  addCaptures(body.captures, { fresh });
}

function showState(state) {
  const conn = $("#conn");
  conn.dataset.state = state;
  conn.querySelector(".conn-text").textContent = {
    live: _("Live"), connecting: _("Connecting"), reconnecting: _("Reconnecting…"), refused: _("Stopped"),
  }[state] || state;
}

function startFeed() {
  const feed = new LiveFeed(`/ws/inbox/${encodeURIComponent(name)}`, {
    onMessages: (messages) => {
      const captures = [];
      for (const message of messages) {
        if (message.type === "inbox.cleared") {
          shown.clear();
          list.replaceChildren();
          if (inbox) inbox.captureCount = 0;
          showCount();
        } else if (message.capture) {
          captures.push(message.capture);
        } else if (message.method && message.id !== undefined) {
          captures.push(message);
        }
      }
      if (captures.length) {
        addCaptures(captures);
        refreshInfo();
      }
    },
    onState: showState,
    onGap: () => load(),
    onRefused: (error) => showError(error),
  });
  // Capture ids are the feed's cursors: resume right after the newest capture already shown.
  if (shown.size) feed.cursor = Math.max(...shown);
  feed.start();
}

function showError(error) {
  showState("refused");
  const banner = $("#error");
  banner.textContent = error.message;
  banner.hidden = false;
}

load().then(startFeed).catch(showError);
