// A cue for a table wider than its box: the box's ``data-overflow`` says which way more of it lies
// ("right", "left", "both"; absent when it all fits), and the stylesheet fades that edge. Kept true
// on scroll, on resize and when rows change.

/** Watch ``wrap`` (a scrolling box, e.g. .table-wrap) and keep its data-overflow true. */
export function scrollCue(wrap) {
  if (!wrap) return;
  const update = () => {
    const left = wrap.scrollLeft > 1;
    const right = wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1;
    const side = left && right ? "both" : left ? "left" : right ? "right" : "";
    if (side) wrap.dataset.overflow = side;
    else delete wrap.dataset.overflow;
  };
  wrap.addEventListener("scroll", update, { passive: true });
  new ResizeObserver(update).observe(wrap);
  if (wrap.firstElementChild) new ResizeObserver(update).observe(wrap.firstElementChild);
  update();
}
