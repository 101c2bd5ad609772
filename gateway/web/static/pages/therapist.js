// A therapist's public profile: their approaches in their own words, then the practical facts.

import { graphql, THERAPIST } from "/static/api.js";
import {
  ageGroupName, availability, dateText, FORMAT_LABELS, h, initials, insuranceName, issueName, languageName,
  placeText, replaceChildren, stateName,
} from "/static/dom.js";
import { inquirySection } from "/static/inquiry.js";
import { licenceKinds, populations, sessionTypes } from "/static/vocabulary.js";

const BIO_TITLES = { helpWith: "What I help with", approach: "My approach", about: "About me" };
// A rejection shows as "not verified": its reason is the administrators' alone.
const VERIFICATION = {
  VERIFIED: "verified", PENDING: "verification pending", EXPIRED: "expired", UNVERIFIED: "not verified",
  REJECTED: "not verified",
};

/** Definition-list rows, leaving out facts the therapist did not give. */
function facts(rows) {
  const present = rows.filter(([, value]) => value !== null && value !== undefined && value !== "" &&
    !(Array.isArray(value) && value.length === 0));
  if (!present.length) return null;
  return h("dl", { className: "facts" }, present.map(([term, value]) =>
    [h("dt", {}, term), h("dd", {}, Array.isArray(value) ? value.join(", ") : value)]));
}

function section(title, ...content) {
  const body = content.filter(Boolean);
  return body.length ? h("section", { className: "profile-section" }, h("h2", {}, title), body) : null;
}

function moneyFacts(money) {
  const fees = money.fees.map((fee) => `${sessionTypes[fee.sessionType] || fee.sessionType}: $${fee.amountUsd}`);
  const scale = money.slidingScale ? `$${money.slidingScale.minUsd} to $${money.slidingScale.maxUsd}` : null;
  return facts([
    ["Fees", fees],
    ["Sliding scale", scale],
    ["Free consultation", money.freeConsultation ? "Yes" : null],
    ["Insurance", money.insurance.map(insuranceName)],
    ["Out of network", money.outOfNetworkSuperbill ? "Provides a superbill" : null],
  ]);
}

function locationItem(place) {
  return h("li", {},
    place.label ? h("strong", {}, place.label, h("br")) : null,
    !place.isPrivate && place.street ? [place.street, h("br")] : null,
    placeText(place), place.postalCode ? ` ${place.postalCode}` : "",
    place.isPrivate ? h("span", { className: "muted" }, " (address shared on request)") : null);
}

function licenceText(licence) {
  const kind = licenceKinds[licence.kind] || licence.kind;
  const number = licence.number ? ` #${licence.number}` : "";
  const expired = licence.expired ? "expired, " : "";
  const verified = licence.verificationStatus === "VERIFIED" && licence.verifiedAt && !licence.expired
    ? `licence verified ${dateText(licence.verifiedAt)}` : VERIFICATION[licence.verificationStatus] || "";
  return `${kind}, ${stateName(licence.state)}${number} (${expired}${verified})`;
}

function identityFacts(identity) {
  return facts([
    ["Gender", identity.gender],
    ["Race and ethnicity", identity.raceEthnicity],
    ["LGBTQ+", identity.lgbtq ? "Yes" : null],
    ["Faith", identity.faith],
  ]);
}

/** A therapist's public page, as visitors see it (the therapist area's preview shows it too). */
export function profileArticle(therapist) {
  const issues = [...therapist.issues].sort((a, b) => Number(b.top) - Number(a.top));
  const inquiry = inquirySection(therapist);
  const toInquiry = () => {
    inquiry.scrollIntoView({ block: "start" });
    inquiry.querySelector("input[name=name]")?.focus({ preventScroll: true });
  };
  return h("article", { className: "profile" },
    h("header", { className: "profile-head" },
      h("span", { className: "avatar large", "aria-hidden": "true" }, initials(therapist.displayName)),
      h("div", {},
        h("h1", {}, therapist.displayName),
        h("p", { className: "person-title" }, therapist.title,
          therapist.pronouns ? h("span", { className: "muted" }, ` (${therapist.pronouns})`) : null),
        h("p", { className: "person-place" }, placeText(therapist.location)),
        availability(therapist),
        h("button", { type: "button", className: "button", onclick: toInquiry }, "Email this therapist"))),
    section("How I work",
      therapist.approaches.length ? h("ul", { className: "card-list" }, therapist.approaches.map((entry) =>
        h("li", { className: "card" },
          h("h3", {}, entry.approach
            ? h("a", { href: `#/approaches/${encodeURIComponent(entry.approach.slug)}` }, entry.approach.name)
            : entry.slug),
          h("blockquote", { className: "statement" }, h("p", {}, entry.statement))))) : null),
    ...Object.entries(BIO_TITLES).map(([key, title]) =>
      section(title, therapist.bio[key] ? h("p", { className: "prose-text" }, therapist.bio[key]) : null)),
    section("What they help with", issues.length ? h("ul", { className: "chips" }, issues.map((issue) =>
      h("li", { className: issue.top ? "top" : "" }, issueName(issue.slug), issue.top ? " (a focus)" : ""))) : null),
    section("Sessions", facts([
      ["Formats", therapist.formats.map((f) => FORMAT_LABELS[f] || f)],
      ["Online in", therapist.telehealthStates.map(stateName)],
      ["Languages", therapist.languages.map(languageName)],
      ["Ages", therapist.ageGroups.map(ageGroupName)],
      ["Works with", therapist.populations.map((p) => populations[p] || p)],
      ["Years in practice", therapist.yearsInPractice],
    ])),
    section("Cost", moneyFacts(therapist.money)),
    section("Where", therapist.locations.length
      ? h("ul", { className: "plain-list" }, therapist.locations.map(locationItem)) : null),
    section("Licences", therapist.licences.length
      ? h("ul", { className: "plain-list" }, therapist.licences.map((l) => h("li", {}, licenceText(l))))
      : therapist.licenceStatus === "NOT_GIVEN" ? h("p", { className: "muted" }, "Licence not given.") : null),
    section("Identity, as they describe it", identityFacts(therapist.identity)),
    inquiry,
    h("p", { className: "muted" }, `Profile updated ${dateText(therapist.updatedAt)}.`));
}

export async function render(main, { params: [id], signal }) {
  const { therapist } = await graphql(THERAPIST, { id }, { signal });
  if (!therapist) {
    document.title = "Therapist not found · Therapist Directory";
    replaceChildren(main, h("h1", {}, "Therapist not found"),
      h("p", {}, "This profile is not listed (any more). ", h("a", { href: "#/search" }, "Search therapists.")));
    return;
  }
  document.title = `${therapist.displayName} · Therapist Directory`;
  replaceChildren(main, profileArticle(therapist));
}
