// The therapist area's form parts: labelled controls tied to the path of the field they edit (so
// an API field error finds its place beside them), the error summary, and counted text areas.

import { announce, h, replaceChildren, uniqueId } from "/static/dom.js";

const numbers = new Intl.NumberFormat("en-US");

/** Characters as the profiles service counts them: code points, so an emoji is one. */
export function characterCount(text) {
  return [...text].length;
}

function describedBy(...ids) {
  const joined = ids.filter(Boolean).join(" ");
  return joined || null;
}

/**
 * A labelled input for one field. `path` ("licences.0.state") names the field in the API's
 * errors; `label` is how the error summary names it.
 */
export function input(label, path, value, { type = "text", hint = "", summaryLabel = label, ...attributes } = {}) {
  const id = uniqueId("me");
  const hintId = hint ? `${id}-hint` : null;
  const control = h("input", { id, type, value: value ?? "", "data-path": path, "data-label": summaryLabel,
    "aria-describedby": describedBy(hintId), ...attributes });
  const element = h("div", { className: "field" }, h("label", { for: id }, label),
    hint ? h("p", { className: "hint", id: hintId }, hint) : null, control);
  return { element, control };
}

/** A select; `options` are [value, text] pairs, after an empty choice unless `emptyText` is null. */
export function select(label, path, value, options, { emptyText = "Choose…", hint = "", summaryLabel = label } = {}) {
  const id = uniqueId("me");
  const hintId = hint ? `${id}-hint` : null;
  const control = h("select", { id, "data-path": path, "data-label": summaryLabel, "aria-describedby": hintId },
    emptyText === null ? null : h("option", { value: "" }, emptyText),
    options.map(([optionValue, text]) => h("option", { value: optionValue }, text)));
  control.value = value ?? "";
  const element = h("div", { className: "field" }, h("label", { for: id }, label),
    hint ? h("p", { className: "hint", id: hintId }, hint) : null, control);
  return { element, control };
}

/** One checkbox, its label after it. */
export function checkbox(label, path, checked, { hint = "", summaryLabel = label } = {}) {
  const id = uniqueId("me");
  const hintId = hint ? `${id}-hint` : null;
  const control = h("input", { id, type: "checkbox", checked: Boolean(checked), "data-path": path,
    "data-label": summaryLabel, "aria-describedby": hintId });
  const element = h("div", { className: "check" }, control,
    h("div", {}, h("label", { for: id }, label), hint ? h("p", { className: "hint", id: hintId }, hint) : null));
  return { element, control };
}

/** A fieldset of checkboxes for a list field; `read()` gives the checked values in `choices` order. */
export function checkboxGroup(legend, path, choices, selected, { hint = "", className = "" } = {}) {
  const chosen = new Set(selected || []);
  const boxes = choices.map(([value, label]) => {
    const id = uniqueId("me");
    const control = h("input", { id, type: "checkbox", value, checked: chosen.has(value) });
    return { control, element: h("div", { className: "check" }, control, h("label", { for: id }, label)) };
  });
  const element = h("fieldset", { className: `choices ${className}`.trim(), "data-path": path, "data-label": legend },
    h("legend", {}, legend), hint ? h("p", { className: "hint" }, hint) : null,
    h("div", { className: "choice-grid" }, boxes.map((box) => box.element)));
  return { element, read: () => boxes.filter((box) => box.control.checked).map((box) => box.control.value) };
}

/** Radios for one value; `choices` are [value, label] pairs ("" stands for null). */
export function radioGroup(legend, path, choices, value, { hint = "" } = {}) {
  const name = uniqueId("radio");
  const radios = choices.map(([choice, label]) => {
    const id = uniqueId("me");
    const control = h("input", { id, type: "radio", name, value: choice, checked: (value ?? "") === choice });
    return { control, element: h("div", { className: "check" }, control, h("label", { for: id }, label)) };
  });
  const element = h("fieldset", { className: "choices", "data-path": path, "data-label": legend },
    h("legend", {}, legend), hint ? h("p", { className: "hint" }, hint) : null, radios.map((r) => r.element));
  return { element, read: () => radios.find((r) => r.control.checked)?.control.value ?? "" };
}

/** A text area with a live count of characters against `max` (counted as the server counts). */
export function countedText(label, path, value, max, { hint = "", rows = 6, summaryLabel = label } = {}) {
  const id = uniqueId("me");
  const hintId = hint ? `${id}-hint` : null;
  const counter = h("p", { className: "hint counter", id: `${id}-count` });
  const control = h("textarea", { id, rows, "data-path": path, "data-label": summaryLabel,
    "aria-describedby": describedBy(hintId, `${id}-count`) });
  control.value = value ?? "";
  let wasNear = null;
  const update = () => {
    const used = characterCount(control.value);
    const over = used > max;
    const excess = used - max;
    counter.textContent = over
      ? `${numbers.format(excess)} character${excess === 1 ? "" : "s"} too many (up to ${numbers.format(max)})`
      : `${numbers.format(used)} of ${numbers.format(max)} characters`;
    counter.classList.toggle("over", over);
    // Read with the field anyway; announced once when the limit comes near.
    const near = max - used <= 100;
    if (near && wasNear === false) announce(counter.textContent);
    wasNear = near;
  };
  control.addEventListener("input", update);
  update();
  const element = h("div", { className: "field" }, h("label", { for: id }, label),
    hint ? h("p", { className: "hint", id: hintId }, hint) : null, control, counter);
  return { element, control, tooLong: () => characterCount(control.value) > max };
}

/** Trimmed text, or null when empty. */
export function text(control) {
  const value = control.value.trim();
  return value ? value : null;
}

/** Text as written (untrimmed), or null when only spaces. */
export function writtenText(control) {
  return control.value.trim() ? control.value : null;
}

/** A whole number, null when empty; NaN (caught by `localProblems`) when not a whole number. */
export function wholeNumber(control) {
  const raw = control.value.trim();
  if (!raw) return null;
  const value = Number(raw);
  return Number.isInteger(value) ? value : NaN;
}

/** The problems the browser can see before asking the server: not a whole number, too long, ... */
export function localProblems(form) {
  const problems = [];
  for (const control of form.querySelectorAll("input[data-path], textarea[data-path]")) {
    if (control.type === "number" && control.value.trim() && !Number.isInteger(Number(control.value))) {
      problems.push({ path: control.dataset.path.split("."), message: "Give a whole number." });
    } else if (control.type === "number" && !control.checkValidity()) {
      problems.push({ path: control.dataset.path.split("."), message: control.validationMessage });
    }
  }
  return problems;
}

/** An error's message as a sentence for people (pydantic prefixes its own checks' messages). */
function messageOf(error) {
  const message = String(error.message || "is not valid").replace(/^(Value|Assertion) error, /, "");
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The element an error's path belongs to: the field itself, or the nearest enclosing one. */
function targetOf(form, path) {
  for (let length = path.length; length > 0; length -= 1) {
    const key = path.slice(0, length).join(".");
    const target = form.querySelector(`[data-path="${CSS.escape(key)}"]`);
    if (target) return target;
  }
  return null;
}

export function clearErrors(form, summary) {
  for (const note of form.querySelectorAll(".field-error")) {
    const owner = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (owner) {
      const rest = owner.getAttribute("aria-describedby").split(" ").filter((id) => id !== note.id).join(" ");
      if (rest) owner.setAttribute("aria-describedby", rest);
      else owner.removeAttribute("aria-describedby");
    }
    note.remove();
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  if (summary) replaceChildren(summary);
}

function focusable(target) {
  return target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
}

/**
 * Each error beside its field (aria-invalid and aria-describedby), and a summary that links to
 * every one; focus moves to the summary. `errors` are {path: [...], message}.
 */
export function showErrors(form, summary, errors, { title = "Your changes were not saved" } = {}) {
  clearErrors(form, summary);
  const items = errors.map((error) => {
    const target = targetOf(form, error.path || []);
    const label = target?.dataset.label || (error.path || []).join(" ") || "Profile";
    if (target) {
      const id = uniqueId("error");
      const note = h("p", { className: "field-error", id }, messageOf(error));
      const field = target.matches("fieldset") ? target : target.closest(".field, .check") || target;
      if (field.matches("fieldset")) field.querySelector("legend").after(note);
      else if (field.matches(".check")) (field.querySelector("div") || field).append(note);
      else target.before(note);
      target.setAttribute("aria-describedby", describedBy(id, target.getAttribute("aria-describedby")));
      if (!target.matches("fieldset")) target.setAttribute("aria-invalid", "true");
    }
    const link = h("a", { href: location.hash || "#/me", onclick: (event) => {
      event.preventDefault();
      const into = target && focusable(target);
      into?.focus();
      into?.scrollIntoView({ block: "center" });
    } }, `${label}: ${messageOf(error)}`);
    return h("li", {}, link);
  });
  replaceChildren(summary, h("h2", {}, title), h("ul", {}, items));
  summary.focus();
}

/** A polite status line for a form ("Saved."). */
export function statusLine() {
  return h("p", { className: "form-status", role: "status" });
}
