// A URL shown in a narrow cell with a middle ellipsis: the start ("http://127.0.0.1:8000/in…") gives
// way first, and the end, where URLs of one sandbox differ (".../inbox/wink-stalker"), stays whole.
// The full URL is the element's text (screen readers read it all), its tooltip on hover, and shown
// in full while the element has focus (it is a tab stop). Used by the webhooks table and the live log.

import { h } from "./dom.js";

const SEPARATORS = "/-_.?&=#";

/** Where the tail of ``text`` starts: at a separator at or after ``from``, else at ``from``. */
function tailStart(text, from) {
  for (let i = Math.max(0, from); i < text.length - 1; i += 1) if (SEPARATORS.includes(text[i])) return i;
  return from;
}

/** The length of the prefix all of ``urls`` share. */
export function commonPrefix(urls) {
  const list = urls.filter(Boolean).map(String);
  if (list.length < 2) return 0;
  let n = 0;
  while (list.every((url) => n < url.length && url[n] === list[0][n])) n += 1;
  return n;
}

/**
 * Split ``url`` into [head, tail]. The tail is what tells it apart: from the separator before the
 * first character that differs from the other URLs shown (``shared``: their common prefix's length,
 * when it ends after the host), else its last ``tailMax`` characters from a separator ("/", "-",
 * "_", ".", "?", "&", "=", "#").
 */
export function splitUrl(url, { tailMax = 24, shared = 0 } = {}) {
  const text = String(url || "");
  const hostEnd = text.indexOf("/", text.indexOf("//") + 2); // the first "/" after the host
  const floor = hostEnd < 0 ? text.length : hostEnd;
  let cut = tailStart(text, Math.max(text.length - tailMax, floor));
  if (shared > floor && shared < text.length) {
    let i = shared - 1;
    while (i > floor && !SEPARATORS.includes(text[i])) i -= 1;
    cut = i; // the differing part, however long: the head shows as much of the rest as fits
  }
  if (cut >= text.length || cut <= 0) return [text, ""];
  return [text.slice(0, cut), text.slice(cut)];
}

/**
 * An element showing ``url`` with a middle ellipsis (see the module's comment). ``among``: the other
 * URLs shown beside it, so the tail starts where they differ.
 */
export function middleUrl(url, { among = [], tailMax = 24 } = {}) {
  const [head, tail] = splitUrl(url, { tailMax, shared: commonPrefix([url, ...among]) });
  return h("span", { class: "url-mid", title: url || "", tabindex: url ? "0" : null },
    h("span", { class: "url-head" }, head), tail ? h("span", { class: "url-tail" }, h("span", {}, tail)) : null);
}
