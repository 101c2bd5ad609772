// The start page: what the directory offers and every approach, each linking to its page.

import { APPROACHES, graphql } from "/static/api.js";
import { h, replaceChildren } from "/static/dom.js";

export async function render(main, { signal }) {
  document.title = "Therapy approaches · Therapist Directory";
  const data = await graphql(APPROACHES, {}, { signal });
  replaceChildren(main,
    h("section", { className: "hero", "aria-labelledby": "home-title" },
      h("h1", { id: "home-title" }, "Find a therapist who works the way you want"),
      h("p", { className: "lead" },
        "Learn how each approach to therapy works, then meet the therapists who practise it, in their own words."),
      h("div", { className: "actions" },
        h("a", { className: "button", href: "#/match" }, "Find Your Match"),
        h("a", { className: "button secondary", href: "#/search" }, "Search all therapists"))),
    h("section", { "aria-labelledby": "approaches-title" },
      h("h2", { id: "approaches-title" }, "Approaches to therapy"),
      data.approaches.length
        ? h("ul", { className: "approach-list" }, data.approaches.map((approach) =>
          h("li", { className: "approach-item" },
            h("h3", {}, h("a", { href: `#/approaches/${encodeURIComponent(approach.slug)}` }, approach.name)),
            h("p", { className: "clamp" }, approach.summary))))
        : h("p", {}, "No approaches have been described yet.")));
}
