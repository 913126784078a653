// An editable JSON box: a textarea over a highlighted copy of its text (the copy is built from
// text nodes, so whatever is typed is never parsed as HTML), with a validity line.

import { _ } from "./i18n.js";
import { highlightInto } from "./dom.js";

export class JsonEditor {
  /** ``root``: a .editor element holding a <pre> and a <textarea>; ``status``: the validity line. */
  constructor(root, status, { onChange = () => {} } = {}) {
    this.root = root;
    this.area = root.querySelector("textarea");
    this.pre = root.querySelector("pre");
    this.status = status;
    this.onChange = onChange;
    // Redraw once per frame: a paste or a programmatic insert fires many input events.
    this.area.addEventListener("input", () => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.refresh();
      });
    });
    this.area.addEventListener("keydown", (event) => {
      if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
        // Two spaces, like the pretty-printed JSON; Escape then Tab leaves the box.
        if (this.escaped) {
          this.escaped = false;
          return;
        }
        event.preventDefault();
        document.execCommand("insertText", false, "  ");
      } else {
        this.escaped = event.key === "Escape";
      }
    });
    new ResizeObserver(() => this.grow()).observe(this.root);
  }

  get text() {
    return this.area.value;
  }

  set value(data) {
    this.area.value = JSON.stringify(data, null, 2);
    this.refresh();
    this.root.scrollTop = 0;
  }

  /** The parsed value, or throws SyntaxError. */
  parse() {
    return JSON.parse(this.area.value);
  }

  format() {
    try {
      this.value = this.parse();
    } catch {
      this.refresh();
    }
  }

  refresh() {
    highlightInto(this.pre, this.area.value + "\n");
    let problem = null;
    try {
      JSON.parse(this.area.value);
    } catch (error) {
      problem = error.message;
    }
    this.root.setAttribute("aria-invalid", String(Boolean(problem)));
    this.area.setAttribute("aria-invalid", String(Boolean(problem)));
    this.status.replaceChildren();
    const pill = document.createElement("span");
    pill.className = problem ? "pill pill-bad" : "pill pill-ok";
    pill.textContent = problem ? _("Invalid JSON") : _("Valid JSON");
    this.status.append(pill);
    if (problem) {
      const detail = document.createElement("span");
      detail.className = "muted small";
      detail.textContent = problem;
      this.status.append(" ", detail);
    }
    this.grow();
    this.onChange(!problem);
  }

  /** Size the textarea to its text: the box scrolls, not the textarea. */
  grow() {
    this.area.style.height = "auto";
    this.area.style.height = `${this.area.scrollHeight}px`;
  }
}
