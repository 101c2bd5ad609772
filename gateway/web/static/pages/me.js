// The therapist area (#/me and #/me/<section>): sign in, create the profile, then keep every part
// of it, see it as visitors do, answer inquiries and, if need be, delete it. Each section is a
// module under pages/me/; this one signs in, reads the profile and lays out the sections.

import { account, isSignedIn, onAuthChange, sessionExpired, signOut } from "/static/auth.js";
import { errorBox, h, replaceChildren } from "/static/dom.js";
import { availabilitySection } from "/static/pages/me/availability.js";
import { createSection } from "/static/pages/me/create.js";
import { deleteSection } from "/static/pages/me/delete.js";
import { inboxSection } from "/static/pages/me/inbox.js";
import { licenceWarnings } from "/static/pages/me/licences.js";
import { previewSection } from "/static/pages/me/preview.js";
import { profileSection } from "/static/pages/me/profile-form.js";
import { sessionEndedNotice, signedOutView } from "/static/pages/me/session.js";
import { forgetEverything, loadProfile, setFlash, setOwner, takeFlash } from "/static/pages/me/state.js";
import { statementsSection } from "/static/pages/me/statements.js";

const SECTIONS = [
  { slug: undefined, nav: "Profile", title: "Your profile", show: profileSection },
  { slug: "approaches", nav: "Approaches", title: "Your approaches", show: statementsSection },
  { slug: "availability", nav: "Availability", title: "Your availability", show: availabilitySection },
  { slug: "preview", nav: "Preview", title: "What visitors see",
    show: (container, profile, area, signal) => previewSection(container, area, signal) },
  { slug: "inquiries", nav: "Inquiries", title: "Your inquiries", show: inboxSection },
  { slug: "delete", nav: "Delete", title: "Delete your profile", show: deleteSection },
];

const hashOf = (slug) => (slug ? `#/me/${slug}` : "#/me");

// The area on screen now, told when the session ends (auth.js forgets an expired or refused token).
// Signing out on purpose forgets the drafts too: the next person at this computer must not see them.
let shown = null;
onAuthChange((change) => {
  if (change?.reason === "signed-out") forgetEverything();
  else if (!isSignedIn() && shown?.isConnected()) shown.sessionEnded();
});

function title(text) {
  document.title = `${text} · Therapist Directory`;
}

function localNav(current) {
  return h("nav", { className: "me-nav", "aria-label": "Therapist area" },
    h("ul", {}, SECTIONS.map((section) => h("li", {},
      h("a", { href: hashOf(section.slug), "aria-current": section === current ? "page" : null }, section.nav)))));
}

function whoIsSignedIn() {
  return h("div", { className: "me-account" },
    h("p", { className: "muted" }, `Signed in as ${account()?.sub || "you"}`),
    h("button", { type: "button", className: "button secondary small", onclick: () => signOut() }, "Sign out"));
}

function flashLine() {
  const message = takeFlash();
  return message ? h("p", { className: "flash", role: "status", tabindex: "-1" }, message) : null;
}

function showSignedOut(main, { ended = false } = {}) {
  title("For therapists");
  replaceChildren(main, h("div", { className: "me-area" },
    h("h1", {}, "For therapists"),
    ended ? sessionEndedNotice(location.hash || "#/me") : null,
    flashLine(),
    signedOutView(location.hash || "#/me")));
}

export async function render(main, { params: [slug], signal }) {
  let hash = location.hash || "#/me";
  if (!isSignedIn()) {
    shown = null;
    showSignedOut(main, { ended: sessionExpired() });
    return;
  }
  setOwner(account().sub);
  const root = h("div", { className: "me-area" });
  // A message about the last change goes once the therapist starts the next one.
  root.addEventListener("submit", () => root.querySelector(".flash")?.remove(), true);
  const notice = h("div", { className: "notice-slot" });
  const area = {
    isConnected: () => root.isConnected,
    sessionEnded() {
      replaceChildren(notice, sessionEndedNotice(hash));
      notice.firstChild.focus();
    },
    /** Handles an error that means the session ended; false for any other error. */
    failed(error) {
      if (error?.name === "AbortError") return true;
      if (isSignedIn() && error?.code !== "UNAUTHENTICATED") return false;
      area.sessionEnded();
      return true;
    },
    async rerender({ message } = {}) {
      if ((location.hash || "#/me") !== hash || !root.isConnected) return;
      if (message) setFlash(message);
      try {
        await render(main, { params: [hash === "#/me" ? undefined : slug], signal });
      } catch (error) {
        if (error.name === "AbortError") return;
        replaceChildren(main, h("h1", {}, "Sorry"), errorBox(error));
      }
      const target = main.querySelector(".flash") || main.querySelector("h1");
      target?.setAttribute("tabindex", "-1");
      target?.focus();
    },
    go(target) {
      if ((location.hash || "#/me") === target) area.rerender();
      else location.hash = target;
    },
  };

  let profile;
  try {
    profile = await loadProfile(signal);
  } catch (error) {
    if (error.name === "AbortError" || isSignedIn()) throw error;
    showSignedOut(main, { ended: true });
    return;
  }
  shown = area;
  if (!profile) {
    if (slug) {
      history.replaceState(null, "", "#/me");
      hash = "#/me";
    }
    title("Create your profile");
    const body = h("div");
    replaceChildren(main, replaceChildren(root, h("h1", {}, "Create your profile"), whoIsSignedIn(), notice,
      flashLine(), body));
    createSection(body, area);
    return;
  }
  const section = SECTIONS.find((candidate) => candidate.slug === slug);
  if (!section) {
    title("Not found");
    replaceChildren(main, replaceChildren(root, h("h1", {}, "No such part of your profile"), localNav(null),
      h("p", {}, h("a", { href: "#/me" }, "Back to your profile"))));
    return;
  }
  title(section.title);
  const body = h("div", { className: "me-section" });
  replaceChildren(main, replaceChildren(root,
    h("header", { className: "me-head" },
      h("p", { className: "eyebrow" }, profile.displayName),
      h("h1", {}, section.title),
      whoIsSignedIn()),
    localNav(section), notice, flashLine(), licenceWarnings(profile), body));
  await section.show(body, profile, area, signal);
}
