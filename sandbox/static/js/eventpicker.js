// Event pickers over the catalog ({key, category, status, description}):
// a multi-select of checkboxes grouped by category with a search box (webhook form), and a
// searchable single-choice list grouped by category (Send event).

import { fill, h } from "./dom.js";

export function groupByCategory(items) {
  const groups = new Map();
  for (const item of items) {
    if (!groups.has(item.category)) groups.set(item.category, []);
    groups.get(item.category).push(item);
  }
  return groups;
}

export function matches(item, query) {
  if (!query) return true;
  const text = `${item.key} ${item.category} ${item.description || ""}`.toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((word) => text.includes(word));
}

const statusBadge = (item) => (item.status && item.status !== "current"
  ? h("span", { class: "badge badge-quiet", style: "margin-left:6px" }, item.status) : null);

/**
 * A multi-select of event keys. ``parts``: {list, summary, search, clear} elements.
 * Returns {value(): [keys], set(keys)}. ``onChange`` runs after each change.
 */
export function multiEventPicker(parts, items, { selected = [], onChange = () => {} } = {}) {
  const chosen = new Set(selected);
  const known = new Set(items.map((item) => item.key));
  // Keys the catalog does not list (older data) still show, so saving keeps them.
  const extra = [...chosen].filter((key) => !known.has(key))
    .map((key) => ({ key, category: "Other", status: "unknown", description: "" }));
  const all = [...items, ...extra];

  const renderSummary = () => {
    if (!chosen.size) {
      fill(parts.summary, h("span", { class: "pill pill-info no-dot" }, "All events"),
        h("span", { class: "all-events" }, "No event chosen: this webhook receives every event."));
    } else {
      fill(parts.summary, h("span", { class: "small muted" }, `${chosen.size} selected:`),
        [...chosen].map((key) => h("span", { class: "chip" }, key,
          h("button", { type: "button", "aria-label": `Remove ${key}`, onclick: () => toggle(key, false) }, "×"))));
    }
  };

  const toggle = (key, on) => {
    if (on) chosen.add(key);
    else chosen.delete(key);
    const box = parts.list.querySelector(`input[value="${CSS.escape(key)}"]`);
    if (box) box.checked = on;
    renderSummary();
    onChange([...chosen]);
  };

  const renderList = () => {
    const query = parts.search.value.trim();
    const groups = groupByCategory(all.filter((item) => matches(item, query)));
    if (!groups.size) {
      fill(parts.list, h("div", { class: "picker-empty" }, "No event matches your search."));
      return;
    }
    fill(parts.list, [...groups].map(([category, group]) => h("fieldset", { class: "picker-group" },
      h("legend", { class: "picker-group-title" }, `${category} (${group.length})`),
      group.map((item) => h("label", { class: "picker-option" },
        h("input", { type: "checkbox", value: item.key, checked: chosen.has(item.key),
          onchange: (event) => toggle(item.key, event.target.checked) }),
        h("span", {}, h("span", { class: "key" }, item.key), statusBadge(item),
          item.description ? h("span", { class: "desc" }, item.description) : null))))));
  };

  parts.search.addEventListener("input", renderList);
  parts.search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // do not submit the form
  });
  parts.clear.addEventListener("click", () => {
    for (const key of [...chosen]) chosen.delete(key);
    renderList();
    renderSummary();
    onChange([]);
  });
  renderList();
  renderSummary();
  return { value: () => [...chosen] };
}

/**
 * A single-choice, searchable event list (a listbox grouped by category).
 * ``parts``: {list, search}. Returns {value(), set(key)}; ``onChange(item)`` on each choice.
 */
export function singleEventPicker(parts, items, { selected = "", onChange = () => {} } = {}) {
  let current = selected;
  const byKey = new Map(items.map((item) => [item.key, item]));
  parts.list.setAttribute("role", "listbox");
  parts.list.tabIndex = 0;

  const options = () => [...parts.list.querySelectorAll('[role="option"]')];

  const choose = (key, { focus = false, notify = true } = {}) => {
    if (!byKey.has(key)) return;
    current = key;
    for (const option of options()) {
      const on = option.dataset.key === key;
      option.setAttribute("aria-selected", String(on));
      if (on) {
        parts.list.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }
    if (focus) parts.list.focus();
    if (notify) onChange(byKey.get(key));
  };

  const render = () => {
    const query = parts.search.value.trim();
    const groups = groupByCategory(items.filter((item) => matches(item, query)));
    if (!groups.size) {
      fill(parts.list, h("div", { class: "picker-empty" }, "No event matches your search."));
      return;
    }
    let index = 0;
    fill(parts.list, [...groups].map(([category, group]) => h("div", { role: "group", "aria-label": category, class: "picker-group" },
      h("div", { class: "picker-group-title", "aria-hidden": "true" }, category),
      group.map((item) => h("div", {
        role: "option", id: `event-option-${index++}`, class: "picker-option", "data-key": item.key,
        "aria-selected": String(item.key === current), onclick: () => choose(item.key),
      }, h("span", {}, h("span", { class: "key" }, item.key), statusBadge(item)))))));
    const active = options().find((option) => option.dataset.key === current);
    if (active) {
      parts.list.setAttribute("aria-activedescendant", active.id);
      parts.list.scrollTop = active.offsetTop - parts.list.clientHeight / 2;
    } else {
      parts.list.removeAttribute("aria-activedescendant");
    }
  };

  parts.list.addEventListener("keydown", (event) => {
    const all = options();
    if (!all.length) return;
    const index = all.findIndex((option) => option.dataset.key === current);
    const to = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: all.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    choose(all[Math.max(0, Math.min(all.length - 1, to))].dataset.key);
  });
  parts.search.addEventListener("input", render);
  parts.search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "Enter") {
      event.preventDefault();
      const first = options()[0];
      if (first) choose(first.dataset.key, { focus: true });
    }
  });
  render();
  return { value: () => current, set: (key) => choose(key, { notify: false }) };
}
