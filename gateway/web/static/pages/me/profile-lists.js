// The profile's repeatable parts: licences and practice locations, each row added or removed in
// place. Row paths ("licences.1.state") follow the rows' order, so the API's errors land beside them.

import { h } from "/static/dom.js";
import { checkbox, input, select, text, writtenText } from "/static/pages/me/fields.js";
import { licenceKinds, states } from "/static/vocabulary.js";

const STATE_OPTIONS = Object.entries(states);
const VERIFICATION = {
  VERIFIED: "Verified", PENDING: "Verification pending", EXPIRED: "Expired", UNVERIFIED: "Not verified yet",
  REJECTED: "Not verified: the directory could not confirm it",
};

/** "state" for the control labelled "State", "expires" for "Expires (optional)". */
function fieldName(control) {
  return control.labels[0].textContent.replace(/ \(optional\)$/, "").toLowerCase();
}

/**
 * An editable list: `buildRow(item, index)` gives {element, read, setIndex}; rows come and go with
 * the add and remove buttons, and focus follows (to the new row, or to the list after a removal).
 */
function editableList({ legend, path, items, buildRow, addText, removeText, blank, max, hint }) {
  const rows = [];
  const list = h("ol", { className: "edit-list" });
  const empty = h("p", { className: "muted" });
  const add = h("button", { type: "button", className: "button secondary" }, addText);
  const fieldset = h("fieldset", { className: "group", "data-path": path, "data-label": legend },
    h("legend", {}, legend), hint ? h("p", { className: "hint" }, hint) : null, empty, list,
    h("div", { className: "actions" }, add));

  const renumber = () => {
    rows.forEach((row, index) => row.setIndex(index));
    empty.textContent = rows.length ? "" : "None yet.";
    add.disabled = rows.length >= max;
  };
  const append = (item) => {
    const row = buildRow(item, rows.length);
    const remove = h("button", { type: "button", className: "button secondary small" }, removeText);
    const element = h("li", { className: "edit-row" }, row.element, h("div", { className: "actions" }, remove));
    const entry = { ...row, element };
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(entry), 1);
      element.remove();
      renumber();
      fieldset.dispatchEvent(new Event("input", { bubbles: true }));
      add.focus();
    });
    rows.push(entry);
    list.append(element);
    return entry;
  };
  for (const item of items || []) append(item);
  add.addEventListener("click", () => {
    const row = append(blank());
    renumber();
    row.element.querySelector("input, select")?.focus();
    fieldset.dispatchEvent(new Event("input", { bubbles: true }));
  });
  renumber();
  return { element: fieldset, read: () => rows.map((row) => row.read()) };
}

function licenceRow(licence) {
  const kind = select("Kind of licence", "", licence.kind, Object.entries(licenceKinds));
  const number = input("Licence number", "", licence.number, { autocomplete: "off", maxlength: 40 });
  const state = input("State", "", licence.state, { hint: "Two letters, e.g. TX", maxlength: 2,
    autocomplete: "off", className: "short", autocapitalize: "characters" });
  const expires = input("Expires (optional)", "", licence.expires, { type: "date" });
  const numberPublic = checkbox("Show the licence number on my public page", "", licence.numberPublic,
    { hint: "Visitors can then check it with the state board. Off, it stays private." });
  const status = h("p", { className: "hint" }, `Verification: ${VERIFICATION[licence.verificationStatus || "UNVERIFIED"]}`);
  const title = h("h3", {});
  const parts = { kind, number, state, expires, numberPublic };
  return {
    element: h("div", {}, title, status, h("div", { className: "field-row" }, kind.element, number.element),
      h("div", { className: "field-row" }, state.element, expires.element), numberPublic.element),
    setIndex(index) {
      title.textContent = `Licence ${index + 1}`;
      for (const [name, part] of Object.entries(parts)) {
        part.control.dataset.path = `licences.${index}.${name}`;
        part.control.dataset.label = `Licence ${index + 1}: ${fieldName(part.control)}`;
      }
    },
    read: () => {
      const value = {
        kind: kind.control.value, number: writtenText(number.control) ?? "",
        state: (text(state.control) ?? "").toUpperCase(), expires: text(expires.control),
        numberPublic: numberPublic.control.checked,
      };
      // Only administrators set it; sent back unchanged it keeps what was verified.
      if (licence.verificationStatus) value.verificationStatus = licence.verificationStatus;
      return value;
    },
  };
}

/** Licences, and the NPI and taxonomy code that identify the practitioner. */
export function licencesList(licences) {
  return editableList({
    legend: "Licences", path: "licences", items: licences, buildRow: licenceRow, max: 20,
    addText: "Add a licence", removeText: "Remove this licence",
    hint: "Your public page shows each licence's kind and state, and the number only if you choose.",
    blank: () => ({ kind: "", number: "", state: "", expires: null, numberPublic: false }),
  });
}

function locationRow(place) {
  const label = input("Name (optional)", "", place.label, { hint: "e.g. Downtown office, Home office", maxlength: 100 });
  const street = input("Street address", "", place.street, { autocomplete: "off", maxlength: 200 });
  const city = input("City", "", place.city, { maxlength: 100 });
  const state = select("State", "", place.state, STATE_OPTIONS);
  const postalCode = input("ZIP code (optional)", "", place.postalCode, { inputmode: "numeric", maxlength: 10,
    className: "short" });
  const isPrivate = checkbox("Keep this address private", "", place.isPrivate, {
    hint: "A private address is used for distance only; visitors see the city. Use it for a home office." });
  const title = h("h3", {});
  const parts = { label, street, city, state, postalCode, isPrivate };
  return {
    element: h("div", {}, title, label.element, street.element,
      h("div", { className: "field-row" }, city.element, state.element), postalCode.element, isPrivate.element),
    setIndex(index) {
      title.textContent = `Location ${index + 1}`;
      for (const [name, part] of Object.entries(parts)) {
        part.control.dataset.path = `locations.${index}.${name}`;
        part.control.dataset.label = `Location ${index + 1}: ${fieldName(part.control)}`;
      }
    },
    read: () => ({
      label: writtenText(label.control), street: writtenText(street.control), city: writtenText(city.control) ?? "",
      state: state.control.value, postalCode: text(postalCode.control), isPrivate: isPrivate.control.checked,
    }),
  };
}

export function locationsList(locations) {
  return editableList({
    legend: "Practice locations", path: "locations", items: locations, buildRow: locationRow, max: 10,
    addText: "Add a location", removeText: "Remove this location",
    hint: "Where you see clients in person. Search measures distance from these.",
    blank: () => ({ label: null, street: null, city: "", state: "", postalCode: null, isPrivate: false }),
  });
}
