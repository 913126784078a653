// The page scripts' language: i18next (vendored) fed with the page's own catalog, plus Intl formats.
//
// The server picks the language (the switcher's cookie, else the browser's Accept-Language) and
// embeds that language's script strings in <script id="i18n-data"> (sandbox/i18n). Mark a string
// with _("Text") or ngettext("{{n}} item", "{{n}} items", count): Babel's extractor finds both,
// so `python -m sandbox.i18n.messages update` puts them in messages.po. See docs/i18n.md.

import i18next from "../vendor/i18next/i18next.js";

const data = JSON.parse(document.getElementById("i18n-data")?.textContent || "{}");

/** The page's language as a BCP 47 tag ("en" or "pt-PT"), for Intl. */
export const lang = data.lang || document.documentElement.lang || "en";

i18next.init({
  lng: lang,
  fallbackLng: false,
  initAsync: false, // the resources are here already: translate synchronously from the first line
  resources: { [lang]: { translation: data.messages || {} } },
  keySeparator: false, // keys are the English texts, which contain dots and colons
  nsSeparator: false,
  returnEmptyString: false,
  interpolation: { escapeValue: false }, // the DOM helpers make text nodes, never HTML
});

/** Translate a UI text; {{name}} placeholders take values from ``vars``. */
export function _(text, vars) {
  return i18next.t(text, vars);
}

/** Translate a text with a count: the form follows the language's plural rules; {{n}} is the
 * count formatted for the language ("1,234" / "1234"), {{count}} the bare number. */
export function ngettext(singular, plural, count, vars = {}) {
  return i18next.t(singular, { n: formatNumber(count), ...vars, count });
}

/** 1234.5 -> "1,234.5" / "1234,5" (Intl, in the page's language). */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(lang, options).format(value);
}

/** A Date in the page's language (Intl.DateTimeFormat options). */
export function formatDate(date, options = {}) {
  return new Intl.DateTimeFormat(lang, options).format(date);
}

/** "in 12 sec." / "dentro de 12 s", "3 min ago" / "há 3 min". */
export function formatRelative(amount, unit) {
  return new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" }).format(amount, unit);
}
