// Labelled form controls shared by the search filters and the questionnaire.

import { h, uniqueId } from "/static/dom.js";

/** A text, search or number input with its label (and an optional hint tied by aria-describedby). */
export function inputField(label, name, { type = "text", value = "", hint = "", ...attributes } = {}) {
  const id = uniqueId(name);
  const hintId = hint ? `${id}-hint` : null;
  return h("div", { className: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { className: "hint", id: hintId }, hint) : null,
    h("input", { id, name, type, value, "aria-describedby": hintId, ...attributes }));
}

/** A select; `options` are [value, text] pairs, after an "any" option unless anyText is null. */
export function selectField(label, name, options, { value = "", anyText = "Any", ...attributes } = {}) {
  const id = uniqueId(name);
  const select = h("select", { id, name, ...attributes }, anyText === null ? null : h("option", { value: "" }, anyText));
  setOptions(select, options, value);
  return h("div", { className: "field" }, h("label", { for: id }, label), select);
}

/** Replace a select's options (keeping its "any" option) and choose `value`. */
export function setOptions(select, options, value = select.value) {
  const any = select.querySelector('option[value=""]');
  select.replaceChildren(...(any ? [any] : []),
    ...options.map(([optionValue, text]) => h("option", { value: optionValue }, text)));
  select.value = value;
}

/** A single checkbox with its label after it. */
export function checkboxField(label, name, { checked = false, value = "true" } = {}) {
  const id = uniqueId(name);
  return h("div", { className: "check" },
    h("input", { id, name, type: "checkbox", value, checked }),
    h("label", { for: id }, label));
}

/** A fieldset of checkboxes (or radios) sharing one name; `choices` are [value, label] pairs. */
export function choiceGroup(legend, name, choices, { selected = [], type = "checkbox", hint = "" } = {}) {
  return h("fieldset", { className: "choices" },
    h("legend", {}, legend),
    hint ? h("p", { className: "hint" }, hint) : null,
    h("div", { className: "choice-grid" }, choices.map(([value, label]) => {
      const id = uniqueId(name);
      return h("div", { className: "check" },
        h("input", { id, name, type, value, checked: selected.includes(value) }),
        h("label", { for: id }, label));
    })));
}

/** The checked values of a checkbox group. */
export function checkedValues(form, name) {
  return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (input) => input.value);
}

/** A trimmed text value, or null when empty. */
export function textValue(form, name) {
  const value = form.elements[name]?.value.trim();
  return value ? value : null;
}

/** A whole number from an input, or null when empty or not a number. */
export function numberValue(form, name) {
  const raw = textValue(form, name);
  const number = raw === null ? NaN : Number(raw);
  return Number.isFinite(number) ? number : null;
}
