// Building DOM safely: every piece of data becomes a text node, never HTML.

import { _, formatNumber, formatRelative, lang } from "./i18n.js";

/** Create an element: h("a", {href, class: "x", onclick}, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "text") {
      el.textContent = value;
    } else if (name in el && typeof value !== "string") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children (strings become text nodes; arrays are flattened; null is skipped). */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace an element's children. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Wrap a Wink date (ISO 8601 UTC without zone) or an ISO string with zone into a Date. */
export function parseDate(value) {
  if (!value) return null;
  if (typeof value === "number") return new Date(value * (value < 1e12 ? 1000 : 1));
  const text = String(value);
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text + "Z";
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "14:03:07.120" in local time (the page's language's separators). */
export function clock(value, { ms = false } = {}) {
  const date = parseDate(value);
  if (!date) return "";
  return date.toLocaleTimeString(lang, {
    hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: ms ? 3 : undefined,
  });
}

/** "3 Feb 2026, 14:03:07" / "3/02/2026, 14:03:07", in the page's language. */
export function dateTime(value) {
  const date = parseDate(value);
  if (!date) return "";
  return date.toLocaleString(lang, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
    hour12: false,
  });
}

/** "in 12 sec." / "dentro de 12 s", "3 min. ago" / "há 3 min" (Intl.RelativeTimeFormat). */
export function relative(value) {
  const date = parseDate(value);
  if (!date) return "";
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return _("just now");
  const [amount, unit] = abs < 60 ? [abs, "second"] : abs < 3600 ? [Math.round(abs / 60), "minute"]
    : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
  return formatRelative(seconds >= 0 ? amount : -amount, unit);
}

/** "120 ms", "1.20 s" / "1,20 s" (SI symbols, the number in the page's language). */
export function duration(ms) {
  if (ms === null || ms === undefined || ms === "") return "";
  const n = Number(ms);
  return n >= 1000
    ? `${formatNumber(n / 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} s`
    : `${formatNumber(Math.round(n))} ms`;
}

/** A <pre> showing a value as pretty JSON with coloured tokens (each token is a text node). */
export function jsonView(value, { wrap = false } = {}) {
  const pre = h("pre", { class: "code" + (wrap ? " wrap" : ""), tabindex: "0" });
  highlightInto(pre, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return pre;
}

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false)\b|\b(null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([{}[\],:])/g;

/** Fill ``el`` with spans colouring JSON text; text that does not parse is shown as is. */
export function highlightInto(el, text) {
  el.replaceChildren();
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > last) el.append(document.createTextNode(text.slice(last, match.index)));
    const [whole, str, colon, bool, nul, num] = match;
    if (str !== undefined) {
      el.append(span(colon ? "j-key" : "j-str", str));
      if (colon) el.append(span("j-punct", colon));
    } else if (bool !== undefined) el.append(span("j-bool", whole));
    else if (nul !== undefined) el.append(span("j-null", whole));
    else if (num !== undefined) el.append(span("j-num", whole));
    else el.append(span("j-punct", whole));
    last = match.index + whole.length;
  }
  if (last < text.length) el.append(document.createTextNode(text.slice(last)));
}

function span(cls, text) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}

/** A body shown as pretty JSON when it parses, else as plain text. */
export function bodyView(body) {
  if (body === null || body === undefined || body === "") return h("p", { class: "muted small" }, _("(empty body)"));
  if (typeof body !== "string") return jsonView(body);
  try {
    return jsonView(JSON.parse(body));
  } catch {
    return h("pre", { class: "code wrap", tabindex: "0" }, body);
  }
}

/** A two-column table of HTTP headers ({name: value} or [[name, value]]). */
export function headersTable(headers) {
  const rows = Array.isArray(headers) ? headers : Object.entries(headers || {});
  if (!rows.length) return h("p", { class: "muted small" }, _("(no headers)"));
  return h("table", { class: "headers-table" },
    h("tbody", {}, rows.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, String(value))))));
}

/** Show a short message in the corner. */
export function toast(message, kind = "") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = h("div", { class: `toast ${kind}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), 4200);
}

/** Copy text to the clipboard, falling back to a hidden textarea. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** Colour for an account avatar, stable per name. */
export function avatarColour(name) {
  const colours = ["#4f46e5", "#0d9488", "#db2777", "#ea580c", "#2563eb", "#7c3aed", "#059669", "#c026d3"];
  let sum = 0;
  for (const ch of String(name)) sum = (sum * 31 + ch.charCodeAt(0)) >>> 0;
  return colours[sum % colours.length];
}

export function initials(name) {
  const words = String(name).replace(/[^\p{L}\p{N} ]/gu, " ").trim().split(/\s+/).filter(Boolean);
  return ((words[0] || "?")[0] + (words[1] ? words[1][0] : "")).toUpperCase();
}

/** Read a data-* value of the page's <main>. */
export function pageData(name) {
  return document.getElementById("main").dataset[name] || "";
}

export function debounce(fn, ms = 150) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
