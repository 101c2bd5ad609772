// Signing in for the therapist area, and what it says when the session has ended. What was typed
// stays in this tab's memory meanwhile (see state.js), and is back in the form after signing in.

import { signIn } from "/static/auth.js";
import { h } from "/static/dom.js";

function signInButton(returnTo, text = "Sign in") {
  return h("button", { type: "button", className: "button", onclick: () => signIn({ returnTo }) }, text);
}

/** The view for visitors who are not signed in. */
export function signedOutView(returnTo) {
  return [
    h("p", { className: "lead" }, "Therapists list themselves here for free: your profile, a statement for "
      + "each approach you practise, whether you take new clients, and the messages visitors send you."),
    h("p", {}, "Sign in to create your profile or to change it. Visitors never need to sign in."),
    h("div", { className: "actions" }, signInButton(returnTo)),
  ];
}

/** Said at the top of the area when the token has expired or was refused. */
export function sessionEndedNotice(returnTo) {
  return h("div", { className: "session-ended", role: "alert", tabindex: "-1" },
    h("p", {}, h("strong", {}, "Your session has ended. Sign in again to save.")),
    h("p", {}, "What you typed is kept in this tab until you are back."),
    signInButton(returnTo, "Sign in again"));
}
