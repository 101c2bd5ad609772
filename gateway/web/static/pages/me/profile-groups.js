// The groups of the profile form, each {element, read}: `read()` gives that group's part of a
// TherapistProfilePatch, in the shape the owner view is read in, so a draft rebuilds the form.

import { FORMAT_LABELS, h, languageName } from "/static/dom.js";
import {
  checkbox, checkboxGroup, countedText, input, radioGroup, select, text, wholeNumber, writtenText,
} from "/static/pages/me/fields.js";
import { licencesList, locationsList } from "/static/pages/me/profile-lists.js";
import { ageGroups, insurance, issues, populations, sessionTypes, states } from "/static/vocabulary.js";

const STATE_OPTIONS = Object.entries(states);
const COMMON_LANGUAGES = ["en", "es", "zh", "vi", "tl", "ar", "fr", "ko", "ru", "pt", "de", "hi", "ase"];
const BIO_MAX = 5000;
// Names Intl.DisplayNames may not know.
const LANGUAGE_NAMES = { ase: "American Sign Language" };

function group(title, intro, ...parts) {
  return h("section", { className: "form-group", "aria-label": title },
    h("h2", {}, title), intro ? h("p", { className: "hint" }, intro) : null, parts);
}

export function identityGroup(model) {
  const displayName = input("Display name", "displayName", model.displayName,
    { hint: "Exactly as you want it shown, e.g. Dr. Ana Ruiz, LMFT.", maxlength: 200, autocomplete: "name" });
  const title = input("Professional title", "title", model.title,
    { hint: "e.g. Licensed Clinical Social Worker", maxlength: 200 });
  const pronouns = input("Pronouns (optional)", "pronouns", model.pronouns, { maxlength: 40, summaryLabel: "Pronouns" });
  const photoUrl = input("Photo address (optional)", "photoUrl", model.photoUrl,
    { type: "url", hint: "An https:// link to your photo.", maxlength: 2000, summaryLabel: "Photo address" });
  const years = input("Years in practice (optional)", "yearsInPractice", model.yearsInPractice,
    { type: "number", min: 0, max: 80, step: 1, inputmode: "numeric", className: "short",
      summaryLabel: "Years in practice" });
  const city = input("City", "location.city", model.location?.city, { maxlength: 100, autocomplete: "address-level2" });
  const state = select("State", "location.state", model.location?.state, STATE_OPTIONS);
  return {
    element: group("About you", "Your card and page show these.",
      displayName.element, title.element, pronouns.element, photoUrl.element, years.element,
      h("fieldset", { className: "group", "data-path": "location", "data-label": "Listed place" },
        h("legend", {}, "Where you are listed"),
        h("p", { className: "hint" }, "Shown on your card, and where search finds you."),
        h("div", { className: "field-row" }, city.element, state.element))),
    problems: () => [[displayName.control, "Give the name visitors should see."],
      [title.control, "Give your professional title."], [state.control, "Choose the state you are listed in."]]
      .filter(([control]) => !control.value.trim())
      .map(([control, message]) => ({ path: control.dataset.path.split("."), message })),
    read: () => ({
      displayName: writtenText(displayName.control) ?? "", title: writtenText(title.control) ?? "",
      pronouns: writtenText(pronouns.control), photoUrl: text(photoUrl.control),
      yearsInPractice: wholeNumber(years.control),
      location: { city: writtenText(city.control) ?? "", state: state.control.value },
    }),
  };
}

export function credentialsGroup(model) {
  const licences = licencesList(model.licences);
  const npi = input("NPI (optional)", "npi", model.npi, { inputmode: "numeric", maxlength: 10,
    hint: "Your 10-digit National Provider Identifier.", className: "short", summaryLabel: "NPI" });
  const taxonomy = input("Taxonomy code (optional)", "taxonomyCode", model.taxonomyCode, { maxlength: 10,
    hint: "Your NUCC taxonomy code, e.g. 1041C0700X.", className: "short", summaryLabel: "Taxonomy code" });
  return {
    element: group("Licences and registration", null, licences.element,
      h("div", { className: "field-row" }, npi.element, taxonomy.element)),
    read: () => ({ licences: licences.read(), npi: text(npi.control), taxonomyCode: text(taxonomy.control) }),
  };
}

/** Which of the declared telehealth states the directory uses: those the therapist's valid licences
 * (and the interstate compacts they belong to) allow; the others are kept but not used. */
function telehealthUse(model) {
  const notServed = model.telehealthStatesNotServed || [];
  if (!notServed.length) return null;
  const names = (codes) => codes.map((code) => states[code] || code).join(", ");
  const served = model.telehealthStatesServed || [];
  return h("p", { className: "warning telehealth-not-served" },
    h("strong", {}, "Not used for matching or the online-sessions filter: "),
    `${names(notServed)}. None of your valid licences (or the interstate compacts they belong to, such as `
    + "PSYPACT or the Counseling Compact) covers them, so they are kept but not used. ",
    served.length ? `Used: ${names(served)}.` : "No state is used until a valid licence covers one.");
}

export function practiceGroup(model) {
  const locations = locationsList(model.locations);
  const formats = checkboxGroup("How you see clients", "formats", Object.entries(FORMAT_LABELS), model.formats);
  const telehealth = checkboxGroup("States you see clients online in", "telehealthStates", STATE_OPTIONS,
    model.telehealthStates, { hint: "Only where you are licensed to practise by video or phone.", className: "many" });
  return {
    element: group("Where and how you work", null,
      h("p", {}, "Whether you take new clients is confirmed under ", h("a", { href: "#/me/availability" },
        "Availability"), "; what you type here is kept meanwhile."),
      locations.element, formats.element,
      h("details", { className: "subfilters", open: Boolean(model.telehealthStates?.length) },
        h("summary", {}, `Online sessions: states (${model.telehealthStates?.length || 0} chosen)`),
        telehealthUse(model), telehealth.element)),
    read: () => ({ locations: locations.read(), formats: formats.read(), telehealthStates: telehealth.read() }),
  };
}

export function moneyGroup(model) {
  const money = model.money || {};
  const feeOf = (type) => money.fees?.find((fee) => fee.sessionType === type)?.amountUsd;
  const fees = Object.entries(sessionTypes).map(([type, label], index) => ({ type, index, part:
    input(`${label} (USD)`, `money.fees.${index}.amountUsd`, feeOf(type), { type: "number", min: 0, max: 100000,
      step: 1, inputmode: "numeric", className: "short" }) }));
  const sliding = checkbox("I offer a sliding scale", "money.slidingScale", Boolean(money.slidingScale));
  const minUsd = input("Lowest fee (USD)", "money.slidingScale.minUsd", money.slidingScale?.minUsd,
    { type: "number", min: 0, max: 100000, step: 1, inputmode: "numeric", summaryLabel: "Sliding scale: lowest fee" });
  const maxUsd = input("Highest fee (USD)", "money.slidingScale.maxUsd", money.slidingScale?.maxUsd,
    { type: "number", min: 0, max: 100000, step: 1, inputmode: "numeric", summaryLabel: "Sliding scale: highest fee" });
  const free = checkbox("I offer a free first consultation", "money.freeConsultation", money.freeConsultation);
  const plans = checkboxGroup("Insurance you take", "money.insurance", Object.entries(insurance), money.insurance);
  const superbill = checkbox("I give a superbill for out-of-network claims", "money.outOfNetworkSuperbill",
    money.outOfNetworkSuperbill);
  return {
    element: group("Fees and insurance", null,
      h("fieldset", { className: "group", "data-path": "money.fees", "data-label": "Fees" },
        h("legend", {}, "Fee per session"),
        h("p", { className: "hint" }, "Leave a session type empty if you do not offer it."),
        h("div", { className: "fee-grid" }, fees.map((fee) => fee.part.element))),
      h("fieldset", { className: "group" }, h("legend", {}, "Sliding scale"), sliding.element,
        h("div", { className: "field-row" }, minUsd.element, maxUsd.element)),
      free.element, plans.element, superbill.element),
    read: () => {
      const offered = fees.map((fee) => ({ sessionType: fee.type, amountUsd: wholeNumber(fee.part.control) }))
        .filter((fee) => fee.amountUsd !== null);
      return { money: {
        fees: offered,
        slidingScale: sliding.control.checked
          ? { minUsd: wholeNumber(minUsd.control), maxUsd: wholeNumber(maxUsd.control) } : null,
        freeConsultation: free.control.checked, insurance: plans.read(),
        outOfNetworkSuperbill: superbill.control.checked,
      } };
    },
    problems: () => {
      if (!sliding.control.checked) return [];
      return [minUsd, maxUsd].filter((part) => !part.control.value.trim()).map((part) => ({
        path: part.control.dataset.path.split("."), message: "Give both ends of the sliding scale, or untick it." }));
    },
    // The fee inputs' paths follow the offered fees' order in the patch, so renumber before saving.
    renumber: () => {
      let position = 0;
      for (const fee of fees) {
        const offered = wholeNumber(fee.part.control) !== null;
        fee.part.control.dataset.path = offered ? `money.fees.${position}.amountUsd` : `money.fees.unused-${fee.index}`;
        if (offered) position += 1;
      }
    },
  };
}

function issueRows(chosen) {
  const listed = new Map((chosen || []).map((issue) => [issue.slug, issue.top]));
  const rows = Object.entries(issues).map(([slug, label]) => {
    const treat = checkbox(label, `issues.${slug}`, listed.has(slug));
    const top = checkbox(h("span", {}, "Top issue", h("span", { className: "visually-hidden" }, `: ${label}`)),
      `issues.${slug}.top`, listed.get(slug) === true, { summaryLabel: `${label}: top issue` });
    top.control.disabled = !listed.has(slug);
    treat.control.addEventListener("change", () => {
      top.control.disabled = !treat.control.checked;
      if (!treat.control.checked) top.control.checked = false;
    });
    return { slug, treat, top, element: h("div", { className: "issue-row" }, treat.element, top.element) };
  });
  return rows;
}

export function clientsGroup(model) {
  const rows = issueRows(model.issues);
  const pops = checkboxGroup("Who you work with", "populations", Object.entries(populations), model.populations);
  const ages = checkboxGroup("Ages you see", "ageGroups", Object.entries(ageGroups), model.ageGroups);
  const known = new Set(COMMON_LANGUAGES);
  const languages = checkboxGroup("Languages you hold sessions in", "languages",
    COMMON_LANGUAGES.map((tag) => [tag, LANGUAGE_NAMES[tag] || languageName(tag)]), model.languages);
  const otherLanguages = input("Other languages (optional)", "languages.other",
    (model.languages || []).filter((tag) => !known.has(tag)).join(", "),
    { hint: "Language codes separated by commas, e.g. yue, uk, pt-BR.", autocomplete: "off",
      summaryLabel: "Other languages" });
  return {
    element: group("What you help with and whom", null,
      h("fieldset", { className: "choices", "data-path": "issues", "data-label": "Issues" },
        h("legend", {}, "Issues you help with"),
        h("p", { className: "hint" },
          "Mark up to five as top issues: they come first on your page and count most in matching."),
        h("div", { className: "issue-grid" }, rows.map((row) => row.element))),
      pops.element, ages.element, languages.element, otherLanguages.element),
    read: () => ({
      issues: rows.filter((row) => row.treat.control.checked)
        .map((row) => ({ slug: row.slug, top: row.top.control.checked })),
      populations: pops.read(), ageGroups: ages.read(),
      languages: [...languages.read(), ...(otherLanguages.control.value.split(",").map((tag) => tag.trim())
        .filter((tag) => tag && !known.has(tag)))],
    }),
  };
}

export function selfGroup(model) {
  const identity = model.identity || {};
  const gender = input("Gender (optional)", "identity.gender", identity.gender, { maxlength: 60, summaryLabel: "Gender" });
  const race = input("Race or ethnicity (optional)", "identity.raceEthnicity", (identity.raceEthnicity || []).join(", "),
    { hint: "In your own words; separate several with commas.", summaryLabel: "Race or ethnicity" });
  const lgbtq = radioGroup("Do you identify as LGBTQ+?", "identity.lgbtq",
    [["yes", "Yes"], ["no", "No"], ["", "I would rather not say"]],
    identity.lgbtq === true ? "yes" : identity.lgbtq === false ? "no" : "");
  const faith = input("Faith (optional)", "identity.faith", identity.faith, { maxlength: 60, summaryLabel: "Faith" });
  return {
    element: group("Your identity (optional)",
      "Everything here is optional, and what you give is public: some visitors look for a therapist who shares "
      + "their background. Leave any of it empty.", gender.element, race.element, lgbtq.element, faith.element),
    read: () => ({ identity: {
      gender: writtenText(gender.control),
      raceEthnicity: race.control.value.split(",").map((part) => part.trim()).filter(Boolean),
      lgbtq: { yes: true, no: false }[lgbtq.read()] ?? null,
      faith: writtenText(faith.control),
    } }),
  };
}

export function bioGroup(model) {
  const bio = model.bio || {};
  const parts = [
    ["helpWith", "What I help with"], ["approach", "My approach"], ["about", "About me"],
  ].map(([key, label]) => [key, countedText(label, `bio.${key}`, bio[key], BIO_MAX, { rows: 5 })]);
  return {
    element: group("In your words", "Three short sections on your public page; each may be left empty.",
      parts.map(([, part]) => part.element)),
    counted: parts.map(([, part]) => part),
    read: () => ({ bio: Object.fromEntries(parts.map(([key, part]) => [key, part.control.value])) }),
  };
}

export function privateGroup(model) {
  const email = input("Email", "email", model.email, { type: "email", autocomplete: "email", maxlength: 254,
    hint: "Private: the directory emails you here when a visitor sends you a message. Never shown publicly." });
  const phone = input("Phone (optional)", "phone", model.phone, { type: "tel", autocomplete: "tel", maxlength: 30,
    hint: "Private: for the directory's staff only. Never shown publicly.", summaryLabel: "Phone" });
  return {
    element: group("Private contact details", "Only you and the directory's staff see these.",
      email.element, phone.element),
    read: () => ({ email: text(email.control), phone: text(phone.control) }),
  };
}
