// The client's router: hash routes, one page module each, focus and title managed on navigation.

import { completeSignIn } from "/static/auth.js";
import { errorBox, focusHeading, h, replaceChildren } from "/static/dom.js";

const ROUTES = [
  { pattern: /^\/?$/, nav: "approaches", page: () => import("/static/pages/home.js") },
  { pattern: /^\/approaches\/([^/]+)$/, nav: "approaches", page: () => import("/static/pages/approach.js") },
  { pattern: /^\/search$/, nav: "search", page: () => import("/static/pages/search.js") },
  { pattern: /^\/therapists\/([^/]+)$/, nav: "search", page: () => import("/static/pages/therapist.js") },
  { pattern: /^\/match$/, nav: "match", page: () => import("/static/pages/match.js") },
  { pattern: /^\/sign-in$/, nav: "me", page: () => import("/static/pages/signin.js") },
  { pattern: /^\/me(?:\/([a-z-]+))?$/, nav: "me", page: () => import("/static/pages/me.js") },
];

let current = null;
let firstRender = true;

/** "#/search?state=TX" -> {path: "/search", query: URLSearchParams("state=TX")} */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path, query: new URLSearchParams(search) };
}

function markNavigation(section) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function render() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const main = document.getElementById("main");
  const { path, query } = parseHash();
  const route = ROUTES.find((candidate) => candidate.pattern.test(path));
  main.setAttribute("aria-busy", "true");
  try {
    if (!route) {
      document.title = "Page not found · Therapist Directory";
      replaceChildren(main, h("h1", {}, "Page not found"),
        h("p", {}, h("a", { href: "#/" }, "Browse approaches")));
    } else {
      markNavigation(route.nav);
      // An optional part that did not match stays undefined (decodeURIComponent would make it "undefined").
      const params = path.match(route.pattern).slice(1).map((part) => part && decodeURIComponent(part));
      const page = await route.page();
      await page.render(main, { params, query, signal: controller.signal });
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    replaceChildren(main, h("h1", {}, "Sorry"), errorBox(error));
  } finally {
    if (current === controller) main.removeAttribute("aria-busy");
  }
  if (current !== controller) return;
  if (!firstRender) {
    window.scrollTo(0, 0);
    focusHeading(main);
  }
  firstRender = false;
}

// The skip link moves focus without touching the address, which holds the route.
document.querySelector(".skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", render);
// A return from the identity provider (?code=&state=) is finished before the first page shows.
completeSignIn().catch((error) => console.error(error)).finally(render);
