// "Find Your Match": a short questionnaire, then the therapists who fit and why.
// The answers are health data: they stay in this page's form and one POST body. They are never
// put in the address, in storage or in a cookie, and leaving the page forgets them.

import { FIND_MATCH, formChoices, graphql } from "/static/api.js";
import {
  availability, errorBox, h, languageName, replaceChildren, therapistHeading,
} from "/static/dom.js";
import {
  checkboxField, checkedValues, choiceGroup, inputField, numberValue, selectField, textValue,
} from "/static/forms.js";
import { ageGroups, insurance, issues, states } from "/static/vocabulary.js";

const MAX_CHOSEN = 10;
const RESULTS = 10;
const FORMATS = [["EITHER", "Either is fine"], ["IN_PERSON", "In person"], ["ONLINE", "Online (video or phone)"]];

// An approach page's "Find Your Match" link ticks that approach; kept in memory for one visit only.
let suggestedStyle = null;

export function preferStyle(slug) {
  suggestedStyle = slug;
}

function step(number, title, ...content) {
  return h("fieldset", { className: "step" }, h("legend", {}, h("span", { className: "step-number" }, `${number}`),
    ` ${title}`), content);
}

function buildForm(choices, style) {
  return h("form", { className: "questionnaire", autocomplete: "off", novalidate: true },
    h("p", { className: "hint" }, "Only the state is required. Your answers are used for this search and then forgotten."),
    step(1, "What brings you here?",
      choiceGroup("Choose up to 10", "concerns", Object.entries(issues))),
    step(2, "Where do you live?",
      selectField("State", "state", Object.entries(states), { required: true, anyText: "Choose your state",
        "aria-required": "true" }),
      h("div", { className: "field-row" },
        inputField("City (optional)", "city", { maxlength: 100 }),
        inputField("ZIP code (optional)", "zip", { inputmode: "numeric", pattern: "\\d{5}", maxlength: 5 }))),
    step(3, "How would you like to meet?",
      choiceGroup("Session format", "format", FORMATS, { type: "radio", selected: ["EITHER"] })),
    step(4, "How will you pay?",
      selectField("Insurance", "insurance", Object.entries(insurance), { anyText: "Not using insurance" }),
      inputField("Most you can pay per session (USD, optional)", "maxFee",
        { type: "number", min: 0, max: 100000, step: 5 }),
      checkboxField("I need a sliding scale", "sliding")),
    step(5, "Anything you would like in a therapist?",
      selectField("Gender", "gender", choices.genders.map((v) => [v, v.charAt(0).toUpperCase() + v.slice(1)]),
        { anyText: "No preference" }),
      checkboxField("Identifies as LGBTQ+", "lgbtq"),
      selectField("Speaks", "language", choices.languages.map((v) => [v, languageName(v)]),
        { anyText: "No preference" }),
      inputField("Shares my faith (optional)", "faith", { maxlength: 60 }),
      inputField("Shares my race or ethnicity (optional)", "race", { maxlength: 60 })),
    step(6, "What style appeals to you?",
      choiceGroup("Approaches (optional, up to 10)", "style", choices.approaches.map((a) => [a.slug, a.name]),
        { selected: style ? [style] : [] }),
      selectField("Who is the therapy for?", "ageGroup", Object.entries(ageGroups), { anyText: "No preference" })),
    h("div", { className: "form-problems", role: "alert" }),
    h("div", { className: "actions" },
      h("button", { type: "submit", className: "button" }, "Show my matches"),
      h("button", { type: "reset", className: "button secondary" }, "Start over")));
}

/** The answers as the MatchQuestionnaire input; null (with a message shown) if something is off. */
function answers(form) {
  const problems = [];
  const concerns = checkedValues(form, "concerns");
  const style = checkedValues(form, "style");
  const state = textValue(form, "state");
  if (!state) problems.push("Choose the state you live in.");
  if (concerns.length > MAX_CHOSEN) problems.push(`Choose at most ${MAX_CHOSEN} things that bring you here.`);
  if (style.length > MAX_CHOSEN) problems.push(`Choose at most ${MAX_CHOSEN} approaches.`);
  if (!form.elements.zip.checkValidity()) problems.push("A ZIP code has five digits.");
  if (!form.elements.maxFee.checkValidity()) problems.push("The most you can pay is a whole number of dollars.");
  // The fields the problems are about say so themselves, to a screen reader too.
  const invalid = {
    state: !state, zip: !form.elements.zip.checkValidity(), maxFee: !form.elements.maxFee.checkValidity(),
  };
  for (const [name, bad] of Object.entries(invalid)) {
    if (bad) form.elements[name].setAttribute("aria-invalid", "true");
    else form.elements[name].removeAttribute("aria-invalid");
  }
  const box = form.querySelector(".form-problems");
  replaceChildren(box, problems.length ? h("ul", {}, problems.map((p) => h("li", {}, p))) : null);
  if (problems.length) return null;
  const language = textValue(form, "language");
  return {
    state, concerns, style, first: RESULTS,
    city: textValue(form, "city"), zip: textValue(form, "zip"),
    format: form.querySelector('input[name="format"]:checked')?.value || "EITHER",
    payment: {
      insurance: textValue(form, "insurance"), maxFee: numberValue(form, "maxFee"),
      needsSlidingScale: form.elements.sliding.checked || null,
    },
    preferences: {
      gender: textValue(form, "gender"), lgbtq: form.elements.lgbtq.checked || null,
      languages: language ? [language] : null, faith: textValue(form, "faith"), raceEthnicity: textValue(form, "race"),
    },
    ageGroup: textValue(form, "ageGroup"),
  };
}

function matchItem(edge) {
  return h("li", { className: "card match" },
    therapistHeading(edge.node),
    availability(edge.node),
    h("h4", { className: "why" }, "Why they match"),
    h("ul", { className: "reasons" }, edge.reasons.map((reason) => h("li", {}, reason))));
}

export async function render(main, { signal }) {
  document.title = "Find Your Match · Therapist Directory";
  const choices = await formChoices(signal);
  const form = buildForm(choices, suggestedStyle);
  suggestedStyle = null;
  const heading = h("h2", { id: "matches-title", className: "result-count", tabindex: "-1" }, "");
  // Progress and problems for screen readers; the results' heading itself receives focus.
  const status = h("div", { role: "status", "aria-live": "polite", "aria-atomic": "true", className: "visually-hidden" });
  const results = h("section", { className: "matches", "aria-labelledby": "matches-title", hidden: true },
    heading, h("ol", { className: "card-list", id: "matches" }));
  let request = null;
  signal.addEventListener("abort", () => request?.abort(), { once: true });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const questionnaire = answers(form);
    if (!questionnaire) {
      form.querySelector(".form-problems").scrollIntoView({ block: "center" });
      return;
    }
    request?.abort();
    request = new AbortController();
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    status.textContent = "Finding therapists who fit…";
    const list = results.querySelector("ol");
    try {
      const { findMatch } = await graphql(FIND_MATCH, { questionnaire }, { signal: request.signal });
      const count = findMatch.totalCount;
      heading.textContent = count === 0 ? "No therapists fit all of that yet"
        : `${count === 1 ? "1 therapist fits" : `${count} therapists fit`}${count > findMatch.edges.length
          ? `; the best ${findMatch.edges.length} are shown` : ""}`;
      replaceChildren(list, findMatch.edges.length ? findMatch.edges.map(matchItem)
        : h("li", {}, "Try fewer must-haves: another format, a higher budget or no insurance filter."));
      results.hidden = false;
      status.textContent = "";
      heading.focus();
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = "";
      results.hidden = false;
      heading.textContent = "The match did not work";
      replaceChildren(list, h("li", {}, errorBox(error)));
    } finally {
      submit.disabled = false;
    }
  });
  form.addEventListener("reset", () => {
    replaceChildren(results.querySelector("ol"));
    replaceChildren(form.querySelector(".form-problems"));
    for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
    results.hidden = true;
    status.textContent = "Answers cleared.";
  });

  replaceChildren(main,
    h("h1", {}, "Find Your Match"),
    h("p", { className: "lead" }, "Tell us a little about what you need. We show the therapists who fit, and why."),
    h("div", { className: "match-layout" }, form, h("div", { className: "match-results" }, status, results)));
}
