// Event pickers over the catalog ({key, label, category, kind, description, aliases}):
// a multi-select of checkboxes with a search box (webhook form), and a searchable single-choice
// list (Send event). Both group the keys the same way: the keys Wink delivers first, by category,
// then the ones it never delivers ("Listed by Wink, never delivered", "Legacy", "Example-only").
// An alias (booking.created) is not an entry of its own: it is found by search and stands for its key.

import { _, formatNumber } from "./i18n.js";
import { categoryLabel, eventText } from "./labels.js";
import { fill, h } from "./dom.js";

/** Group titles of the keys Wink never delivers, in the order they follow the delivered ones. */
export const NOT_DELIVERED = {
  listed: _("Listed by Wink, never delivered"),
  legacy: _("Legacy"),
  "example-only": "Example-only",
};

/** Why Wink never sends a key of this kind: the note the Send page shows. */
export const NEVER_SENT = {
  listed: _("Wink lists this event in its catalog but never sends it to webhooks."),
  legacy: _("This key is from the older TripPay catalog; Wink never sends it."),
  "example-only": _("This name appears only in Wink's guides; Wink never sends it."),
};

export const isDelivered = (item) => !item.kind || item.kind === "delivered";

/** Order the items in groups: [title, items] for each category of delivered keys, then each kind. */
export function groupItems(items) {
  const groups = new Map();
  const add = (title, item) => {
    if (!groups.has(title)) groups.set(title, []);
    groups.get(title).push(item);
  };
  for (const item of items) if (isDelivered(item)) add(categoryLabel(item.category), item);
  for (const [kind, title] of Object.entries(NOT_DELIVERED)) {
    for (const item of items) if (item.kind === kind) add(title, item);
  }
  for (const item of items) if (!isDelivered(item) && !(item.kind in NOT_DELIVERED)) add(categoryLabel(item.category), item);
  return groups;
}

/** Map every alias to the key it names (booking.created -> booking.create). */
export function aliasMap(items) {
  return new Map(items.flatMap((item) => (item.aliases || []).map((alias) => [alias, item.key])));
}

export function matches(item, query) {
  if (!query) return true;
  // The English words and the page's language's both find an event (search "reserva" or "booking").
  const text = [item.key, ...(item.aliases || []), item.label, eventText(item.label), item.category,
    categoryLabel(item.category), item.description, eventText(item.description)]
    .filter(Boolean).join(" ").toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((word) => text.includes(word));
}

const kindBadge = (item) => (isDelivered(item) ? null
  : h("span", { class: "badge badge-quiet" },
    item.kind === "listed" ? _("never delivered") : item.kind));

/**
 * A multi-select of event keys: one composite widget, a listbox (aria-multiselectable) grouped by
 * category with a search box above it. The list is one tab stop; inside it the arrow keys, Home and
 * End move, Space toggles, a click toggles. ``parts``: {list, summary, search, clear, field}; ``field``
 * receives one hidden <input name="eventList"> per chosen key, so the form carries the value.
 * Returns {value(): [keys]}. ``onChange`` runs after each change.
 */
export function multiEventPicker(parts, items, { selected = [], onChange = () => {} } = {}) {
  const chosen = new Set(selected);
  const aliases = aliasMap(items);
  const known = new Set(items.map((item) => item.key));
  // Keys the catalog does not list (older data) still show, so saving keeps them; an alias
  // (booking.created) shows as its key's option, selected, and is saved as it was chosen.
  const extra = [...chosen].filter((key) => !known.has(key) && !aliases.has(key))
    .map((key) => ({ key, category: "Other", status: "unknown", description: "" })); // i18n-ignore: a category key
  const all = [...items, ...extra];
  const isChosen = (item) => chosen.has(item.key) || (item.aliases || []).some((alias) => chosen.has(alias));
  const names = (key) => [key, ...((all.find((item) => item.key === key) || {}).aliases || [])];
  const list = parts.list;
  let active = null; // the key of the option the arrow keys are on
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-multiselectable", "true");
  list.tabIndex = 0;

  const options = () => [...list.querySelectorAll('[role="option"]')];
  const optionOf = (key) => list.querySelector(`[role="option"][data-key="${CSS.escape(key)}"]`);

  const renderSummary = () => {
    fill(parts.field, [...chosen].map((key) => h("input", { type: "hidden", name: "eventList", value: key })));
    if (!chosen.size) {
      fill(parts.summary, h("span", { class: "pill pill-info no-dot" }, _("All events")),
        h("span", { class: "all-events" }, _("No event chosen: this webhook receives every event.")));
    } else {
      fill(parts.summary, h("span", { class: "small muted" }, _("{{n}} selected:", { n: formatNumber(chosen.size) })),
        [...chosen].map((key) => h("span", { class: "chip" }, key,
          h("button", { type: "button", "aria-label": _("Remove {{key}}", { key }), onclick: () => toggle(key, false) }, "×"))));
    }
  };

  /** Scroll ``option`` into the list's view, below its group's sticky title (which would cover it). */
  const reveal = (option) => {
    const title = option.closest(".picker-group")?.querySelector(".picker-group-title");
    const cover = title ? Math.ceil(title.getBoundingClientRect().height) + 1 : 0; // + its 1px rule
    const top = option.offsetTop;
    const bottom = top + option.offsetHeight;
    if (top - cover < list.scrollTop) list.scrollTop = top - cover;
    else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
  };

  const activate = (key, { scroll = true } = {}) => {
    active = key;
    for (const option of options()) option.classList.toggle("active", option.dataset.key === key);
    const option = key && optionOf(key);
    if (option) {
      list.setAttribute("aria-activedescendant", option.id);
      if (scroll) reveal(option);
    } else {
      list.removeAttribute("aria-activedescendant");
    }
  };

  const toggle = (key, on) => {
    key = aliases.get(key) || key;
    if (on) {
      if (!names(key).some((name) => chosen.has(name))) chosen.add(key);
    } else {
      for (const name of names(key)) chosen.delete(name);
    }
    optionOf(key)?.setAttribute("aria-selected", String(on));
    renderSummary();
    onChange([...chosen]);
  };

  const renderList = () => {
    const query = parts.search.value.trim();
    const groups = groupItems(all.filter((item) => matches(item, query)));
    if (!groups.size) {
      fill(list, h("div", { class: "picker-empty" }, _("No event matches your search.")));
      activate(null);
      return;
    }
    let index = 0;
    let group = 0;
    fill(list, [...groups].map(([title, members]) => {
      const titleId = `${list.id}-group-${group++}`;
      return h("div", { role: "group", class: "picker-group", "aria-labelledby": titleId },
        h("div", { class: "picker-group-title", id: titleId }, `${title} (${formatNumber(members.length)})`),
        members.map((item) => h("div", {
          role: "option", id: `${list.id}-option-${index++}`, class: "picker-option", "data-key": item.key,
          "aria-selected": String(isChosen(item)),
        }, h("span", { class: "tick", "aria-hidden": "true" }),
        h("span", {}, h("span", { class: "key" }, item.key), " ", kindBadge(item), " ",
          item.label ? h("span", { class: "label-text" }, eventText(item.label)) : null,
          item.aliases?.length ? h("span", { class: "alias" }, [" ", _("also {{keys}}", { keys: item.aliases.join(", ") })]) : null,
          item.description ? h("span", { class: "desc" }, eventText(item.description)) : null))));
    }));
    const keys = options().map((option) => option.dataset.key);
    activate(keys.includes(active) ? active : keys[0], { scroll: false });
  };

  list.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (!option) return;
    activate(option.dataset.key);
    toggle(option.dataset.key, option.getAttribute("aria-selected") !== "true");
  });
  list.addEventListener("keydown", (event) => {
    const keys = options().map((option) => option.dataset.key);
    if (!keys.length) return;
    const index = keys.indexOf(active);
    const to = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: keys.length - 1,
      PageDown: index + 8, PageUp: index - 8 }[event.key];
    if (to !== undefined) {
      event.preventDefault();
      activate(keys[Math.max(0, Math.min(keys.length - 1, to))]);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault(); // Space would scroll the list; Enter would submit the form
      if (active) toggle(active, optionOf(active).getAttribute("aria-selected") !== "true");
    }
  });
  list.addEventListener("focus", () => {
    if (!active && options().length) activate(options()[0].dataset.key);
  });
  parts.search.addEventListener("input", renderList);
  parts.search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // do not submit the form
    if (event.key === "ArrowDown" && options().length) {
      event.preventDefault();
      list.focus();
    }
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
  const aliases = aliasMap(items);
  let current = aliases.get(selected) || selected;
  const byKey = new Map(items.map((item) => [item.key, item]));
  parts.list.setAttribute("role", "listbox");
  parts.list.tabIndex = 0;

  const options = () => [...parts.list.querySelectorAll('[role="option"]')];

  const choose = (key, { focus = false, notify = true } = {}) => {
    key = aliases.get(key) || key;
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
    const groups = groupItems(items.filter((item) => matches(item, query)));
    if (!groups.size) {
      fill(parts.list, h("div", { class: "picker-empty" }, _("No event matches your search.")));
      return;
    }
    let index = 0;
    // An option's name is its key; a badge beside it shows a kind Wink never delivers (its group says
    // so to a screen reader), and the description below the list gives the label.
    fill(parts.list, [...groups].map(([title, group]) => h("div", { role: "group", "aria-label": title, class: "picker-group" },
      h("div", { class: "picker-group-title", "aria-hidden": "true" }, title),
      group.map((item) => h("div", {
        role: "option", id: `event-option-${index++}`, class: "picker-option", "data-key": item.key,
        "aria-selected": String(item.key === current), onclick: () => choose(item.key),
        title: eventText(item.label) || null,
      }, h("span", { class: "key" }, item.key),
      isDelivered(item) ? null : h("span", { "aria-hidden": "true" }, kindBadge(item)))))));
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
