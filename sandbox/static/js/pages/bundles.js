// Imported bundles: the list (GET /api/bundles) and the import form (the file itself is the body of
// POST /api/bundles; a bad file gets the API's words, and nothing is stored).

import { get, token } from "../api.js";
import { $, dateTime, fill, h, relative, toast } from "../dom.js";
import { _, formatNumber } from "../i18n.js";

const pageUrl = (id) => `/bundles/${encodeURIComponent(id)}`;

function selection(bundle) {
  const s = bundle.selection || {};
  if (s.kind === "run") return _("Run of {{fixture}}", { fixture: s.fixture });
  return _("{{from}} to {{to}}", { from: s.from ? dateTime(s.from) : _("the start"), to: s.to ? dateTime(s.to) : dateTime(bundle.createdAt) });
}

async function load() {
  const box = $("#bundles");
  try {
    const { items } = await get("/api/bundles");
    if (!items.length) {
      fill(box, h("div", { class: "empty" }, h("h3", {}, _("No bundle imported yet")),
        h("p", {}, _("Download one from another sandbox's live log, then import it here."))));
      return;
    }
    fill(box, h("div", { class: "table-wrap" }, h("table", { class: "data stack-sm", id: "bundles-table" },
      h("thead", {}, h("tr", {}, [_("Name"), _("Holds"), _("Events"), _("Deliveries"), _("Imported")].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map((bundle) => h("tr", {},
        h("td", { "data-label": _("Name") }, h("a", { href: pageUrl(bundle.id), class: "primary" }, bundle.name)),
        h("td", { "data-label": _("Holds") }, selection(bundle)),
        h("td", { "data-label": _("Events"), class: "num" }, formatNumber(bundle.counts.event || 0)),
        h("td", { "data-label": _("Deliveries"), class: "num" }, formatNumber(bundle.counts.delivery || 0)),
        h("td", { "data-label": _("Imported"), title: dateTime(bundle.importedAt) }, relative(bundle.importedAt))))))));
  } catch (error) {
    fill(box, h("p", { class: "card-pad text-bad" }, _("Could not load the bundles: {{message}}", { message: error.message })));
  }
}

$("#import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("#bundle-file");
  const error = $("#bundle-file-error");
  const file = input.files[0];
  error.textContent = "";
  input.removeAttribute("aria-invalid");
  if (!file) {
    error.textContent = _("Choose a bundle file");
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  const name = $("#bundle-name").value.trim();
  const headers = { "Content-Type": "application/octet-stream", Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  $("#import-button").disabled = true;
  try {
    const response = await fetch(name ? `/api/bundles?name=${encodeURIComponent(name)}` : "/api/bundles",
      { method: "POST", body: file, headers });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || `HTTP ${response.status}`);
    toast(_("Bundle imported"), "ok");
    location.assign(pageUrl(answer.id));
  } catch (problem) {
    error.textContent = problem.message;
    input.setAttribute("aria-invalid", "true");
  } finally {
    $("#import-button").disabled = false;
  }
});

load();
