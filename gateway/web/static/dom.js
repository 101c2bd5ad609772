// Building the page safely: every value from the API goes in as text, never as HTML.

import { ageGroups, insurance, issues, states } from "/static/vocabulary.js";

/** Create an element: h("a", {href: "#/"}, "text", child, [more children]). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "className") element.className = value;
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let uniqueCounter = 0;
/** A fresh id for tying a label or description to its control. */
export function uniqueId(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** Tell screen-reader users about a change that happened away from their focus. */
export function announce(message) {
  const announcer = document.getElementById("announcer");
  announcer.textContent = "";
  // A new text node in a cleared region is announced even when the words repeat.
  requestAnimationFrame(() => { announcer.textContent = message; });
}

/** "Portland, OR", or only "OR" when the therapist left the city empty; kept as written. */
export function placeText(location) {
  const city = (location.city || "").trim();
  return city ? `${location.city}, ${location.state}` : location.state;
}

export function stateName(code) {
  return states[code] || code;
}

export function issueName(slug) {
  return issues[slug] || slug;
}

export function ageGroupName(slug) {
  return ageGroups[slug] || slug;
}

export function insuranceName(code) {
  return insurance[code] || code;
}

const languageNames = typeof Intl.DisplayNames === "function"
  ? new Intl.DisplayNames(["en"], { type: "language" }) : null;

export function languageName(tag) {
  try {
    return (languageNames && languageNames.of(tag)) || tag;
  } catch {
    return tag;
  }
}

export const STATUS_LABELS = {
  ACCEPTING: "Accepting new clients",
  NOT_ACCEPTING: "Not accepting new clients",
  EXISTING_ONLY: "Existing clients only",
  EXISTING_AND_FAMILY: "Existing clients and their family",
  WAITLIST: "Waitlist",
};

export const FORMAT_LABELS = { IN_PERSON: "In person", VIDEO: "Video", PHONE: "Phone" };

export function dateText(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
}

/** Initials for the avatar: photos are not loaded, since they live on other sites. */
export function initials(name) {
  const letters = name.split(/\s+/).filter((word) => /^\p{L}/u.test(word)).map((word) => word[0]);
  return (letters.slice(0, 2).join("") || "?").toUpperCase();
}

/** A short status line: whether they take new clients, and how fresh that is. */
export function availability(card) {
  if (!card.newClientStatus) return null;
  const label = STATUS_LABELS[card.newClientStatus] || card.newClientStatus;
  const stale = card.availabilityStale;
  const confirmed = card.availabilityConfirmedAt ? `confirmed ${dateText(card.availabilityConfirmedAt)}` : "";
  return h("p", { className: `availability${card.newClientStatus === "ACCEPTING" ? " is-accepting" : ""}` },
    label,
    confirmed && h("span", { className: "muted" }, ` · ${confirmed}`),
    stale && h("span", { className: "stale" }, " · not confirmed recently"),
    card.unresponsive && h("span", { className: "stale" }, " · has not answered recent messages"));
}

/** "Licence verified <date>" for each licence an administrator verified (and that is valid). */
export function verifiedLicences(card) {
  const verified = card.verifiedLicences || [];
  if (!verified.length) return null;
  return h("p", { className: "verified" }, verified.map((licence, index) =>
    `${index ? " · " : ""}${licence.kind} licence (${licence.state}) verified ${dateText(licence.verifiedAt)}`));
}

/** A therapist's name, title and place: the head of every card. */
export function therapistHeading(card, level = "h3") {
  return h("div", { className: "person" },
    h("span", { className: "avatar", "aria-hidden": "true" }, initials(card.displayName)),
    h("div", {},
      h(level, { className: "person-name" }, h("a", { href: `#/therapists/${encodeURIComponent(card.id)}` },
        card.displayName)),
      h("p", { className: "person-title" }, card.title,
        card.pronouns ? h("span", { className: "muted" }, ` (${card.pronouns})`) : null),
      h("p", { className: "person-place" }, placeText(card.location)),
      verifiedLicences(card)));
}

/** Move focus to the page's heading after navigation, so keyboard and screen-reader users start there. */
export function focusHeading(container) {
  const heading = container.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}

export function errorBox(error) {
  return h("div", { className: "error", role: "alert" },
    h("p", {}, "Something went wrong: ", error.message || String(error)),
    h("button", { type: "button", className: "button secondary", onclick: () => location.reload() },
      "Try again"));
}
