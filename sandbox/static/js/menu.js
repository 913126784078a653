// The "Actions" menu button: a button with aria-expanded that opens a list of menu items,
// operable from the keyboard (Enter/Space/ArrowDown open, arrows move, Escape and Tab close).
// The open list sits in the browser's top layer (a manual popover) at a fixed position beside its
// button, so no scroll box (the webhooks table's) clips it: it opens below the button, or above it
// when the viewport has no room below, and follows the button when the page scrolls.

import { _ } from "./i18n.js";
import { h } from "./dom.js";

let openMenu = null;

const GAP = 4; // px between the button and its list
const MARGIN = 8; // px the list keeps from the viewport's edges

/** Place ``list`` beside ``button`` within the viewport: below, else above, else where it fits. */
function place(button, list) {
  const anchor = button.getBoundingClientRect();
  const width = list.offsetWidth;
  const height = list.offsetHeight;
  const left = Math.max(MARGIN, Math.min(anchor.right - width, window.innerWidth - width - MARGIN));
  let top = anchor.bottom + GAP;
  if (top + height > window.innerHeight - MARGIN) {
    const above = anchor.top - GAP - height;
    top = above >= MARGIN ? above : Math.max(MARGIN, window.innerHeight - MARGIN - height);
  }
  list.dataset.side = top < anchor.top ? "top" : "bottom";
  list.style.left = `${Math.round(left)}px`;
  list.style.top = `${Math.round(top)}px`;
}

const supportsPopover = typeof HTMLElement.prototype.showPopover === "function";

function closeOpen({ focus = false } = {}) {
  if (!openMenu) return;
  const { button, list } = openMenu;
  if (supportsPopover && list.matches(":popover-open")) list.hidePopover();
  list.hidden = true;
  button.setAttribute("aria-expanded", "false");
  openMenu = null;
  if (focus) button.focus();
}

document.addEventListener("click", (event) => {
  if (openMenu && !openMenu.wrap.contains(event.target)) closeOpen();
});

// Keep the open list by its button while anything scrolls; close it once the button is out of view.
const follow = () => {
  if (!openMenu) return;
  const rect = openMenu.button.getBoundingClientRect();
  if (rect.bottom < 0 || rect.top > window.innerHeight) closeOpen();
  else place(openMenu.button, openMenu.list);
};
document.addEventListener("scroll", follow, { capture: true, passive: true });
window.addEventListener("resize", follow);

const caret = () => {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("class", "caret");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M5.3 7.3a1 1 0 0 1 1.4 0L10 10.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4z");
  svg.append(path);
  return svg;
};

/**
 * Build an Actions menu. ``items``: [{label, onSelect?, href?, danger?}] or "separator".
 * ``label`` names the button for screen readers (e.g. "Actions for Wink Stalker").
 */
export function actionsMenu(items, { label = _("Actions"), text = _("Actions") } = {}) {
  const id = `menu-${Math.random().toString(36).slice(2, 9)}`;
  const button = h("button", {
    type: "button", class: "btn btn-sm", "aria-haspopup": "menu", "aria-expanded": "false",
    "aria-controls": id, "aria-label": label,
  }, text, caret());
  const entries = items.map((item) => {
    if (item === "separator") return h("li", { role: "separator", class: "sep" });
    const attrs = { role: "menuitem", tabindex: "-1", class: item.danger ? "danger" : "" };
    const control = item.href
      ? h("a", { ...attrs, href: item.href }, item.label)
      : h("button", { ...attrs, type: "button" }, item.label);
    control.addEventListener("click", (event) => {
      closeOpen({ focus: !item.href });
      if (item.onSelect) {
        event.preventDefault();
        item.onSelect();
      }
    });
    return h("li", { role: "none" }, control);
  });
  const list = h("ul", { class: "menu", role: "menu", id, hidden: true, "aria-label": label }, entries);
  if (supportsPopover) list.setAttribute("popover", "manual");
  const wrap = h("div", { class: "menu-wrap" }, button, list);
  const menuItems = () => [...list.querySelectorAll('[role="menuitem"]')];

  const open = (focusIndex = 0) => {
    if (openMenu && openMenu.list !== list) closeOpen();
    list.hidden = false;
    if (supportsPopover) list.showPopover();
    place(button, list);
    button.setAttribute("aria-expanded", "true");
    openMenu = { button, list, wrap };
    const all = menuItems();
    (focusIndex < 0 ? all[all.length - 1] : all[focusIndex])?.focus();
  };

  button.addEventListener("click", () => (list.hidden ? open(0) : closeOpen()));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); open(0); }
    if (event.key === "ArrowUp") { event.preventDefault(); open(-1); }
  });
  list.addEventListener("keydown", (event) => {
    const all = menuItems();
    const index = all.indexOf(document.activeElement);
    const move = (i) => { event.preventDefault(); all[(i + all.length) % all.length].focus(); };
    if (event.key === "ArrowDown") move(index + 1);
    else if (event.key === "ArrowUp") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(all.length - 1);
    else if (event.key === "Escape") { event.preventDefault(); closeOpen({ focus: true }); }
    else if (event.key === "Tab") closeOpen();
  });
  return wrap;
}
