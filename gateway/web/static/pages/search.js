// Search: every filter the schema offers, with facet counts that follow the current results.
// The filters live in the address (#/search?state=TX&...) so a search can be bookmarked or shared.

import { formChoices, graphql, SEARCH } from "/static/api.js";
import {
  announce, availability, errorBox, FORMAT_LABELS, h, languageName, replaceChildren, STATUS_LABELS,
  therapistHeading,
} from "/static/dom.js";
import {
  checkboxField, checkedValues, choiceGroup, inputField, numberValue, selectField, setOptions, textValue,
} from "/static/forms.js";
import { newMatchesControl } from "/static/new-matches.js";
import { ageGroups, insurance, issues, newClientStatusCodes, states } from "/static/vocabulary.js";

const PAGE_SIZE = 20;
const TYPING_DELAY_MS = 350;
const TEXT_PARAMS = ["text", "approach", "issue", "state", "city", "zip", "radius", "unit", "telehealth",
  "insurance", "maxFee", "language", "gender", "race", "faith", "age", "sort"];
const FLAG_PARAMS = ["sliding", "lgbtq", "verified"];
const LIST_PARAMS = ["format", "status"];
const SEARCHED_STATUSES = ["ACCEPTING", "WAITLIST"];
const SORTS = [["RELEVANCE", "Best match"], ["FRESHNESS", "Recently updated"], ["DISTANCE", "Nearest first"]];

/** The form's choices as address parameters. */
function formParams(form) {
  const params = new URLSearchParams();
  for (const name of TEXT_PARAMS) {
    const value = textValue(form, name);
    if (value !== null) params.set(name, value);
  }
  for (const name of FLAG_PARAMS) if (form.elements[name].checked) params.set(name, "true");
  for (const name of LIST_PARAMS) for (const value of checkedValues(form, name)) params.append(name, value);
  if (params.has("city")) params.set("city", cityName(params.get("city")));
  if (!params.has("radius")) params.delete("unit");
  return params;
}

/** A city facet reads "City, ST"; the filter takes the city's name (and the state separately). */
function cityName(facetValue) {
  const cut = facetValue.lastIndexOf(", ");
  return cut === -1 ? facetValue : facetValue.slice(0, cut);
}

/** Address parameters as the Search operation's variables. */
function searchVariables(params) {
  const one = (name) => params.get(name) || null;
  const list = (name) => (params.getAll(name).length ? params.getAll(name) : null);
  const number = (name) => (one(name) !== null && Number.isFinite(Number(one(name))) ? Number(one(name)) : null);
  const radius = number("radius");
  const filter = {
    approaches: list("approach"), issues: list("issue"), state: one("state"), city: one("city"),
    zip: one("zip"), radius, radiusUnit: radius !== null ? (one("unit") || "mi").toUpperCase() : null,
    telehealthState: one("telehealth"), formats: list("format"), newClientStatus: list("status"),
    insurance: one("insurance"), maxFee: number("maxFee") !== null ? Math.trunc(number("maxFee")) : null,
    slidingScale: one("sliding") ? true : null, languages: list("language"), gender: one("gender"),
    lgbtq: one("lgbtq") ? true : null, verifiedOnly: one("verified") ? true : null, raceEthnicity: one("race"), faith: one("faith"), ageGroup: one("age"),
  };
  for (const [key, value] of Object.entries(filter)) if (value === null) delete filter[key];
  return { text: one("text"), filter, sort: one("sort"), first: PAGE_SIZE };
}

function countsOf(values) {
  return new Map(values.map(({ value, count }) => [value, count]));
}

const withCount = (text, count) => `${text} (${count || 0})`;
const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function buildForm(params, choices) {
  const one = (name) => params.get(name) || "";
  const cityValue = params.get("city") ? `${params.get("city")}, ${params.get("state") || ""}` : "";
  const stateOptions = Object.entries(states).map(([code, name]) => [code, name]);
  return h("form", { className: "filters-form", role: "search", "aria-label": "Search therapists" },
    inputField("Name, words or approach", "text", { type: "search", value: one("text"), autocomplete: "off" }),
    selectField("Approach", "approach", choices.approaches.map((a) => [a.slug, a.name]), { value: one("approach") }),
    selectField("What you want help with", "issue", Object.entries(issues), { value: one("issue") }),
    selectField("State", "state", stateOptions, { value: one("state") }),
    selectField("City", "city", cityValue ? [[cityValue, cityValue]] : [], { value: cityValue }),
    h("details", { className: "subfilters", open: Boolean(one("zip") || one("radius")) },
      h("summary", {}, "Distance from a ZIP code"),
      inputField("ZIP code", "zip", { value: one("zip"), inputmode: "numeric", pattern: "\\d{5}",
        maxlength: 5, autocomplete: "off", hint: "Five digits; the search is around this ZIP or the city." }),
      h("div", { className: "field-row" },
        inputField("Within", "radius", { type: "number", value: one("radius"), min: 1, max: 500, step: 1 }),
        selectField("Unit", "unit", [["mi", "miles"], ["km", "kilometres"]],
          { value: one("unit") || "mi", anyText: null }))),
    selectField("Offers online sessions in", "telehealth", stateOptions, { value: one("telehealth") }),
    choiceGroup("Session format", "format", Object.entries(FORMAT_LABELS), { selected: params.getAll("format") }),
    choiceGroup("New clients", "status", SEARCHED_STATUSES.map((status) => [status, STATUS_LABELS[status]]),
      { selected: params.getAll("status") }),
    selectField("Insurance", "insurance", Object.entries(insurance), { value: one("insurance") }),
    inputField("Highest fee per session (USD)", "maxFee",
      { type: "number", value: one("maxFee"), min: 0, max: 100000, step: 5 }),
    checkboxField("Offers a sliding scale", "sliding", { checked: Boolean(one("sliding")) }),
    checkboxField("Licence verified", "verified", { checked: Boolean(one("verified")) }),
    selectField("Language", "language", choices.languages.map((v) => [v, languageName(v)]),
      { value: one("language") }),
    selectField("Therapist's gender", "gender", choices.genders.map((v) => [v, capitalised(v)]),
      { value: one("gender") }),
    checkboxField("Therapist identifies as LGBTQ+", "lgbtq", { checked: Boolean(one("lgbtq")) }),
    inputField("Therapist's race or ethnicity", "race", { value: one("race"), autocomplete: "off" }),
    inputField("Therapist's faith", "faith", { value: one("faith"), autocomplete: "off" }),
    selectField("Age group served", "age", Object.entries(ageGroups), { value: one("age") }),
    selectField("Order", "sort", SORTS.slice(1), { value: one("sort"), anyText: SORTS[0][1] }),
    h("div", { className: "actions" },
      h("button", { type: "submit", className: "button" }, "Search"),
      h("button", { type: "reset", className: "button secondary" }, "Clear filters")));
}

/** Put the current result set's counts next to every choice. */
function showCounts(form, facets, choices) {
  const count = Object.fromEntries(Object.entries(facets).map(([name, values]) => [name, countsOf(values)]));
  const select = (name) => form.elements[name];
  setOptions(select("approach"),
    choices.approaches.map((a) => [a.slug, withCount(a.name, count.approaches.get(a.slug))]));
  setOptions(select("issue"), Object.entries(issues).map(([slug, name]) => [slug, withCount(name, count.issues.get(slug))]));
  setOptions(select("state"), Object.entries(states).map(([code, name]) => [code, withCount(name, count.states.get(code))]));
  const chosenCity = select("city").value;
  const cities = facets.cities.map(({ value, count: n }) => [value, withCount(value, n)]);
  if (chosenCity && !count.cities.has(chosenCity)) cities.unshift([chosenCity, withCount(chosenCity, 0)]);
  setOptions(select("city"), cities, chosenCity);
  setOptions(select("insurance"),
    Object.entries(insurance).map(([code, name]) => [code, withCount(name, count.insurance.get(code))]));
  setOptions(select("language"), choices.languages.map((v) => [v, withCount(languageName(v), count.languages.get(v))]));
  setOptions(select("gender"), choices.genders.map((v) => [v, withCount(capitalised(v), count.genders.get(v))]));
  setOptions(select("age"), Object.entries(ageGroups).map(([slug, name]) => [slug, withCount(name, count.ageGroups.get(slug))]));
  for (const input of form.querySelectorAll('input[name="format"]')) {
    input.labels[0].textContent = withCount(FORMAT_LABELS[input.value], count.formats.get(input.value.toLowerCase()));
  }
  const statusCounts = new Map([...count.newClientStatus].map(([code, n]) => [newClientStatusCodes[code] || code, n]));
  for (const input of form.querySelectorAll('input[name="status"]')) {
    input.labels[0].textContent = withCount(STATUS_LABELS[input.value], statusCounts.get(input.value));
  }
  const sliding = form.elements.sliding;
  sliding.labels[0].textContent = withCount("Offers a sliding scale", count.slidingScale.get("true"));
  form.elements.verified.labels[0].textContent = withCount("Licence verified", count.verified.get("true"));
}

function distanceText(km, unit) {
  return unit === "KM" ? `${km.toFixed(1)} km away` : `${(km / 1.609344).toFixed(1)} miles away`;
}

/** One card as visitors see it (the therapist area's preview shows it too). */
export function resultItem(node, unit) {
  const practised = node.approaches.map((a) => a.approach?.name).filter(Boolean);
  const formats = node.formats.map((f) => FORMAT_LABELS[f] || f);
  return h("li", { className: "card" },
    therapistHeading(node),
    availability(node),
    h("dl", { className: "facts" },
      practised.length ? [h("dt", {}, "Approaches"), h("dd", {}, practised.join(", "))] : null,
      formats.length ? [h("dt", {}, "Sessions"), h("dd", {}, formats.join(", "))] : null,
      node.distanceKm !== null && node.distanceKm !== undefined
        ? [h("dt", {}, "Distance"), h("dd", {}, distanceText(node.distanceKm, unit))] : null));
}

export async function render(main, { query, signal }) {
  document.title = "Search therapists · Therapist Directory";
  const choices = await formChoices(signal);
  for (const value of query.getAll("language")) if (!choices.languages.includes(value)) choices.languages.push(value);
  for (const value of query.getAll("gender")) if (!choices.genders.includes(value)) choices.genders.push(value);

  const form = buildForm(query, choices);
  const status = h("h2", { className: "result-count", id: "results-title" }, "Searching…");
  const statusRegion = h("div", { role: "status", "aria-live": "polite", "aria-atomic": "true" }, status);
  const list = h("ol", { className: "card-list", id: "results", "aria-labelledby": "results-title" });
  const problems = h("div", {});
  const more = h("button", { type: "button", className: "button secondary" }, "Show more results");
  const moreArea = h("div", { className: "more" });
  const summary = h("summary", {}, "Filters");
  const filters = h("details", { className: "filters", open: matchMedia("(min-width: 60rem)").matches },
    summary, form);
  const newMatches = newMatchesControl();
  let request = null;
  let variables = null;
  let pageInfo = null;
  let total = 0;
  signal.addEventListener("abort", () => {
    request?.abort();
    newMatches.stop();
  }, { once: true });

  async function run({ append = false } = {}) {
    request?.abort();
    const controller = new AbortController();
    request = controller;
    if (signal.aborted) return;
    if (!append) {
      variables = searchVariables(formParams(form));
      newMatches.follow(variables);
      const params = formParams(form);
      history.replaceState(null, "", `#/search${params.size ? `?${params}` : ""}`);
      const active = [...params.keys()].filter((name) => !["sort", "unit"].includes(name)).length;
      summary.textContent = active ? `Filters (${active} in use)` : "Filters";
    }
    list.setAttribute("aria-busy", "true");
    replaceChildren(problems);
    try {
      const data = await graphql(SEARCH, { ...variables, after: append ? pageInfo.endCursor : null },
        { signal: controller.signal });
      const connection = data.searchTherapists;
      pageInfo = connection.pageInfo;
      total = connection.totalCount;
      const items = connection.edges.map((edge) => resultItem(edge.node, variables.filter.radiusUnit));
      if (append) list.append(...items);
      else replaceChildren(list, items);
      if (!append) showCounts(form, connection.facets, choices);
      status.textContent = total === 1 ? "1 therapist found" : `${total} therapists found`;
      replaceChildren(moreArea, pageInfo.hasNextPage ? more : null);
      if (append) {
        items[0]?.querySelector("a")?.focus();
        announce(`Showing ${list.children.length} of ${total} therapists.`);
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = "The search did not work";
      replaceChildren(problems, errorBox(error));
    } finally {
      if (request === controller) list.removeAttribute("aria-busy");
    }
  }

  let typing = null;
  form.addEventListener("input", (event) => {
    if (event.target.tagName !== "INPUT" || ["checkbox", "radio"].includes(event.target.type)) return;
    clearTimeout(typing);
    typing = setTimeout(() => { if (event.target.checkValidity()) run(); }, TYPING_DELAY_MS);
  });
  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.name === "city" && target.value) {
      // A city facet reads "City, ST": choosing it sets the state too.
      const cut = target.value.lastIndexOf(", ");
      form.elements.state.value = target.value.slice(cut + 2);
    } else if (target.name === "state" && form.elements.city.value && !form.elements.city.value.endsWith(`, ${target.value}`)) {
      form.elements.city.value = "";
    }
    if (target.tagName === "SELECT" || ["checkbox", "radio"].includes(target.type)) run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    if (form.reportValidity()) run();
  });
  form.addEventListener("reset", () => {
    // Reset restores the values the page was opened with; clear them all instead.
    setTimeout(() => {
      for (const element of form.elements) {
        if (element.type === "checkbox") element.checked = false;
        else if (element.name === "unit") element.value = "mi";
        else if (element.name) element.value = "";
      }
      run();
    });
  });
  more.addEventListener("click", () => run({ append: true }));

  replaceChildren(main,
    h("h1", {}, "Search therapists"),
    h("div", { className: "search-layout" },
      filters,
      h("section", { className: "results", "aria-labelledby": "results-title" },
        statusRegion, newMatches.element, problems, list, moreArea)));
  await run();
}
