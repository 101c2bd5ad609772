// The "Preview" section: the card and the page exactly as visitors see them, drawn by the very
// functions the public pages use, from the public view the directory serves; then what of the
// profile is kept private.

import { graphql } from "/static/api.js";
import { h, replaceChildren, stateName } from "/static/dom.js";
import { specialistItem } from "/static/pages/approach.js";
import { MY_PROFILE_WITH_PUBLIC_VIEW } from "/static/pages/me/operations.js";
import { setProfile } from "/static/pages/me/state.js";
import { resultItem } from "/static/pages/search.js";
import { profileArticle } from "/static/pages/therapist.js";
import { licenceKinds } from "/static/vocabulary.js";

/** The card fields the public Therapist type lacks, as the card would have them. */
function cardOf(profile, publicView) {
  return {
    ...publicView,
    availabilityStale: Boolean(profile.availabilityStale),
    unresponsive: Boolean(publicView.unresponsive),
    distanceKm: null,
  };
}

/** "Not shown publicly": every private part of the profile, named. */
export function privateParts(profile) {
  const parts = [];
  if (profile.email) parts.push(`your email address (${profile.email})`);
  if (profile.phone) parts.push(`your phone number (${profile.phone})`);
  profile.locations.forEach((place, index) => {
    if (place.isPrivate) {
      const street = place.street ? ` (${place.street})` : "";
      parts.push(`the street address of ${place.label || `location ${index + 1}`}${street}`);
    }
  });
  for (const licence of profile.licences) {
    if (!licence.numberPublic) {
      parts.push(`the number of your ${licenceKinds[licence.kind] || licence.kind} licence in ${stateName(licence.state)}`);
    }
  }
  return parts;
}

/** A frame around a copy of a public view: looks live, but nothing in it can be used. */
function frame(label, className, ...content) {
  return h("div", { className: `preview-frame ${className}` },
    h("p", { className: "preview-label", "aria-hidden": "true" }, label),
    h("div", { inert: true }, content));
}

export async function previewSection(container, area, signal) {
  const { myProfile: profile } = await graphql(MY_PROFILE_WITH_PUBLIC_VIEW, {}, { signal, signedIn: true });
  if (!profile) return area.rerender();
  setProfile(profile);
  const hidden = privateParts(profile);
  const privateList = h("section", { className: "card private-parts", "aria-labelledby": "private-title" },
    h("h2", { id: "private-title" }, "Not shown publicly"),
    hidden.length
      ? h("ul", {}, hidden.map((part) => h("li", {}, part)))
      : h("p", {}, "Nothing: everything in your profile is public."),
    h("p", { className: "hint" }, "Only you and the directory's staff see these. A private address is used "
      + "for distance only; visitors see its city."));
  const view = profile.publicView;
  if (!view) {
    const again = h("button", { type: "button", className: "button secondary", onclick: () => area.rerender() },
      "Check again");
    replaceChildren(container,
      h("p", { className: "note" }, "Your public page is not ready yet: it appears a few seconds after your "
        + "profile is saved."), h("div", { className: "actions" }, again), privateList);
    return;
  }
  const node = cardOf(profile, view);
  const statements = view.approaches.filter((entry) => entry.approach);
  replaceChildren(container,
    h("p", {}, "This is what visitors see now. Nothing here can be clicked: it is a picture of the real thing."),
    h("section", { className: "preview-wide", "aria-labelledby": "card-title" },
      h("h2", { id: "card-title" }, "Your card in search results"),
      h("p", { className: "hint" }, "A picture of the card, not a live one."),
      frame("Search", "search-frame", h("ol", { className: "card-list" }, resultItem(node, "MI")))),
    h("section", { className: "preview-wide", "aria-labelledby": "approach-cards-title" },
      h("h2", { id: "approach-cards-title" }, "Your card on approach pages"),
      statements.length
        ? statements.map((entry) => frame(`${entry.approach.name} page`, "approach-frame",
          h("ol", { className: "card-list" }, specialistItem({ statement: entry.statement, node }))))
        : h("p", { className: "muted" }, "You are on no approach page yet: add a statement under Approaches.")),
    privateList,
    h("section", { className: "preview-wide", "aria-labelledby": "page-title" },
      h("h2", { id: "page-title" }, "Your public page"),
      h("p", { className: "hint" }, "Visitors can write to you from it; the form is shown here as they see it."),
      frame("Your page", "page-frame", profileArticle(view))));
}
