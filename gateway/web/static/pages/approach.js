// An approach page: what the approach is, a way into matching, and "Meet the specialists".

import { APPROACH_PAGE, graphql } from "/static/api.js";
import { announce, availability, errorBox, h, issueName, replaceChildren, therapistHeading } from "/static/dom.js";
import { preferStyle } from "/static/pages/match.js";

const PAGE_SIZE = 10;
const SECTION_TITLES = {
  whatItIs: "What it is",
  howItWorks: "How it works",
  helpsWith: "What it helps with",
  whatYouLearn: "What you learn",
};

function paragraphs(text) {
  return text.split(/\n\s*\n/).filter((part) => part.trim()).map((part) => h("p", {}, part));
}

function about(approach) {
  const sections = Object.entries(SECTION_TITLES).filter(([key]) => approach.sections?.[key]);
  if (!sections.length) return h("div", { className: "prose" }, paragraphs(approach.description));
  return h("div", { className: "prose" }, sections.map(([key, title]) =>
    h("section", {}, h("h2", {}, title), paragraphs(approach.sections[key]))));
}

/** One card as visitors see it (the therapist area's preview shows it too). */
export function specialistItem(edge) {
  return h("li", { className: "card specialist" },
    therapistHeading(edge.node),
    availability(edge.node),
    h("blockquote", { className: "statement" }, h("p", {}, edge.statement)));
}

function callToAction(approach) {
  return h("aside", { className: "cta", "aria-labelledby": "cta-title" },
    h("h2", { id: "cta-title" }, "Need help finding the right therapist?"),
    h("p", {}, "Answer a few questions and see who fits, and why. Your answers are never stored."),
    h("div", { className: "actions" },
      h("a", { className: "button", href: "#/match", onclick: () => preferStyle(approach.slug) },
        "Find Your Match"),
      h("a", { className: "button secondary", href: `#/search?approach=${encodeURIComponent(approach.slug)}` },
        `Search ${approach.name} therapists`)));
}

function countText(total, shown, name) {
  if (total === 0) return `No therapists list ${name} yet.`;
  const who = total === 1 ? "1 therapist practises" : `${total} therapists practise`;
  return `${who} ${name}. Showing ${shown}.`;
}

export async function render(main, { params: [slug], signal }) {
  const data = await graphql(APPROACH_PAGE, { slug, first: PAGE_SIZE }, { signal });
  const approach = data.approach;
  if (!approach) {
    document.title = "Approach not found · Therapist Directory";
    replaceChildren(main, h("h1", {}, "Approach not found"),
      h("p", {}, "We have no page for that approach. ", h("a", { href: "#/" }, "See all approaches.")));
    return;
  }
  if (approach.slug !== slug) history.replaceState(null, "", `#/approaches/${encodeURIComponent(approach.slug)}`);
  document.title = `${approach.name} · Therapist Directory`;

  const list = h("ol", { className: "card-list", id: "specialists" });
  const count = h("p", { className: "result-count" });
  const more = h("button", { type: "button", className: "button secondary" }, "Show more specialists");
  const moreArea = h("div", { className: "more" });
  let connection = approach.specialists;
  let shown = 0;

  function show(edges) {
    const items = edges.map(specialistItem);
    list.append(...items);
    shown += edges.length;
    count.textContent = countText(connection.totalCount, shown, approach.name);
    replaceChildren(moreArea, connection.pageInfo.hasNextPage ? more : null);
    return items;
  }

  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = "Loading…";
    try {
      const next = await graphql(APPROACH_PAGE,
        { slug: approach.slug, first: PAGE_SIZE, after: connection.pageInfo.endCursor }, { signal });
      connection = next.approach.specialists;
      const items = show(connection.edges);
      items[0]?.querySelector("a")?.focus();
      announce(`Showing ${shown} of ${connection.totalCount} specialists.`);
    } catch (error) {
      if (error.name !== "AbortError") moreArea.append(errorBox(error));
    } finally {
      more.disabled = false;
      more.textContent = "Show more specialists";
    }
  });

  replaceChildren(main,
    h("article", { className: "approach" },
      h("header", { className: "page-head" },
        h("p", { className: "eyebrow" }, h("a", { href: "#/" }, "Approaches")),
        h("h1", {}, approach.name),
        h("p", { className: "lead" }, approach.summary)),
      h("div", { className: "two-column" },
        about(approach),
        h("div", { className: "side" },
          callToAction(approach),
          approach.issues.length ? h("section", { "aria-labelledby": "helps-title" },
            h("h2", { id: "helps-title" }, "Often chosen for"),
            h("ul", { className: "chips" }, approach.issues.map((issue) => h("li", {}, issueName(issue)))))
            : null,
          approach.related.length ? h("nav", { "aria-labelledby": "related-title" },
            h("h2", { id: "related-title" }, "Related approaches"),
            h("ul", { className: "plain-list" }, approach.related.map((other) =>
              h("li", {}, h("a", { href: `#/approaches/${encodeURIComponent(other.slug)}` }, other.name)))))
            : null)),
      h("section", { className: "specialists", "aria-labelledby": "specialists-title" },
        h("h2", { id: "specialists-title" }, "Meet the specialists"),
        count, list, moreArea)));
  show(connection.edges);
}
