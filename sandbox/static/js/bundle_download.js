// The live log's "Download bundle" button: the deliveries of a recent time span (or all of them) as
// one session bundle file, from GET /api/bundles/export. Its own module, so the live log page's script
// stays the live log's. With an API token the file is fetched with the token and saved from a blob
// (a plain link cannot send the Authorization header).

import { token } from "./api.js";
import { h } from "./dom.js";
import { _ } from "./i18n.js";

const SPANS = [
  { value: "900", label: _("Last 15 minutes") },
  { value: "3600", label: _("Last hour") },
  { value: "86400", label: _("Last 24 hours") },
  { value: "", label: _("Everything") },
];

function exportUrl(seconds) {
  if (!seconds) return "/api/bundles/export";
  const from = new Date(Date.now() - Number(seconds) * 1000).toISOString();
  return `/api/bundles/export?from=${encodeURIComponent(from)}`;
}

async function saveWithToken(url) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const name = /filename="?([^";]+)/.exec(response.headers.get("Content-Disposition") || "");
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : "sandbox.wsbundle.ndjson.gz" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

export function mountBundleDownload(slot) {
  const span = h("select", { class: "select select-sm", id: "bundle-span", "aria-label": _("Time span of the bundle") },
    SPANS.map(({ value, label }) => h("option", { value }, label)));
  const link = h("a", {
    class: "btn", id: "bundle-download-link", href: exportUrl(SPANS[1].value), download: "",
    title: _("A session bundle: the letters, deliveries, attempts and inbox captures of this span, in one file"),
  }, _("Download bundle"));
  span.value = SPANS[1].value;
  const refresh = () => { link.href = exportUrl(span.value); };
  span.addEventListener("change", refresh);
  link.addEventListener("click", (event) => {
    refresh();  // "the last hour" counts back from the click, not from the page load
    if (!token()) return;
    event.preventDefault();
    saveWithToken(link.href).catch(() => window.alert(_("Could not download the bundle")));
  });
  slot.replaceChildren(span, link);
}

const slot = document.getElementById("bundle-download");
if (slot) mountBundleDownload(slot);
