// Tabs: a tablist whose tabs show one panel each; arrow keys move between tabs (WAI-ARIA pattern).

import { $$ } from "./dom.js";

/** Wire the tablist ``list``; ``onShow(tab)`` runs when a tab is shown. Returns select(id). */
export function tabs(list, onShow = () => {}) {
  const all = $$('[role="tab"]', list);
  const select = (tab, { focus = false, initial = false } = {}) => {
    for (const other of all) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    if (!initial) history.replaceState(null, "", `#${tab.id.replace(/^tab-/, "")}`);
    onShow(tab);
  };
  for (const tab of all) tab.addEventListener("click", () => select(tab));
  list.addEventListener("keydown", (event) => {
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: all.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(all[(to + all.length) % all.length], { focus: true });
  });
  const initial = all.find((tab) => `#${tab.id.replace(/^tab-/, "")}` === location.hash) || all[0];
  select(initial, { initial: true });
  return (id) => select(document.getElementById(`tab-${id}`));
}
