// Showing API validation errors next to the fields they concern.

import { $$ } from "./dom.js";

/** Remove every error message and aria-invalid mark inside ``root``. */
export function clearErrors(root) {
  for (const el of $$(".field-error", root)) el.textContent = "";
  for (const el of $$('[aria-invalid="true"]', root)) el.removeAttribute("aria-invalid");
  for (const el of $$("[data-form-error]", root)) {
    el.hidden = true;
    el.textContent = "";
  }
}

/**
 * Put an ApiError's field errors next to their fields.
 * ``fields`` maps an API field name to {error, control, label?} (elements, and the field's name
 * to start the message with: "Webhook URL must use http or https"); errors about other
 * fields, and the problem's detail when no field matched, go to ``banner``.
 * Returns the first control marked invalid (to focus it).
 */
export function showErrors(error, fields, banner) {
  let first = null;
  const leftover = [];
  for (const { field, message } of error.errors || []) {
    const target = fields[field] || fields[String(field).split(".")[0]];
    if (!target) {
      leftover.push(`${field}: ${message}`);
      continue;
    }
    const text = target.error.textContent;
    const sentence = target.label ? `${target.label} ${message}` : capitalise(message);
    target.error.textContent = text ? `${text}; ${message}` : sentence;
    target.control.setAttribute("aria-invalid", "true");
    first ||= target.control;
  }
  if (banner && (leftover.length || !first)) {
    banner.textContent = leftover.length ? leftover.join("; ") : error.message;
    banner.hidden = false;
  }
  return first;
}

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
