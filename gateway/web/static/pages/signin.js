// "#/sign-in?returnTo=/me": therapists sign in here (with their identity provider, or with an
// account name on a developer's machine), see who they are signed in as, and sign out.

import {
  account, authConfig, devSignIn, onAuthChange, safeReturnTo, sessionExpired, signInWithProvider, signOut,
  takeSignInError,
} from "/static/auth.js";
import { h, replaceChildren, uniqueId } from "/static/dom.js";
import { inputField } from "/static/forms.js";

const ACCOUNT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const ACCOUNT_RULE = "An account name is 1 to 64 letters, digits, dots, underscores or hyphens.";

function timeText(iso) {
  return new Date(iso).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
}

function alertBox(message) {
  return h("div", { className: "error", role: "alert" }, h("p", {}, message));
}

function signedIn(who, returnTo) {
  return [
    h("h1", {}, "You are signed in"),
    h("p", {}, "Signed in as ", h("strong", {}, who.sub), ". ",
      `This session ends at ${timeText(who.expiresAt)}, or when you close this tab.`),
    h("div", { className: "actions" },
      h("a", { className: "button", href: `#${returnTo === "/me" || returnTo.startsWith("/me/") ? returnTo : "/me"}` },
        "Go to your therapist area"),
      h("button", { type: "button", className: "button secondary", onclick: () => signOut() }, "Sign out")),
  ];
}

function devForm(returnTo) {
  const problemId = uniqueId("account-problem");
  const problem = h("p", { className: "hint field-problem", id: problemId });
  const field = inputField("Account name", "account", {
    hint: "Letters, digits, dots, underscores or hyphens, up to 64. The same name signs you in as the same therapist.",
    autocomplete: "username", autocapitalize: "none", spellcheck: "false", maxlength: 64, required: true,
  });
  const input = field.querySelector("input");
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby")} ${problemId}`);
  field.append(problem);
  const submit = h("button", { type: "submit", className: "button" }, "Sign in (development)");
  const form = h("form", { className: "sign-in-form", novalidate: true, "aria-label": "Development sign-in" },
    h("p", { className: "note" }, "Development sign-in: this directory checks tokens with the development "
      + "secret, so any account name signs you in, without a password. A production directory signs "
      + "therapists in with its identity provider instead."),
    field,
    h("div", { className: "actions" }, submit));

  const showProblem = (message) => {
    problem.textContent = message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    const name = input.value.trim();
    if (!ACCOUNT_NAME.test(name)) {
      showProblem(name ? ACCOUNT_RULE : "Give an account name.");
      input.focus();
      return;
    }
    showProblem("");
    submit.disabled = true;
    try {
      await devSignIn(name, { returnTo });
    } catch (error) {
      showProblem(error.message);
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function providerSignIn(config, returnTo, showError) {
  const button = h("button", { type: "button", className: "button" }, "Sign in with your identity provider");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await signInWithProvider({ returnTo });
    } catch (error) {
      button.disabled = false;
      showError(error.message);
    }
  });
  return h("div", { className: "sign-in-provider" },
    h("p", {}, `You will sign in at ${new URL(config.issuer).host}, then come straight back here.`),
    h("div", { className: "actions" }, button));
}

function signedOut(config, returnTo, failure) {
  const problems = h("div", { className: "sign-in-problems" },
    failure ? alertBox(failure) : null,
    !failure && sessionExpired()
      ? h("p", { className: "note", role: "status" }, "Your session has ended, sign in again.") : null);
  const showError = (message) => {
    replaceChildren(problems, alertBox(message));
    problems.querySelector("[role=alert]").setAttribute("tabindex", "-1");
    problems.querySelector("[role=alert]").focus();
  };
  let way;
  if (config.devSignIn) way = devForm(returnTo);
  else if (config.issuer) way = providerSignIn(config, returnTo, showError);
  else way = h("p", {}, "Signing in is not available on this directory right now.");
  return [
    h("h1", {}, "Sign in for therapists"),
    h("p", { className: "lead" }, "Therapists sign in to create and keep their listing, say whether they are "
      + "taking new clients, and answer messages from people looking for help. Visitors never need an account."),
    problems,
    way,
  ];
}

export async function render(main, { query, signal }) {
  document.title = "Sign in · Therapist Directory";
  const returnTo = safeReturnTo(query.get("returnTo"));
  const failure = takeSignInError();
  const config = await authConfig();
  if (signal.aborted) return;
  const section = h("section", { className: "sign-in" });
  const draw = () => {
    const who = account();
    replaceChildren(section, who ? signedIn(who, returnTo) : signedOut(config, returnTo, failure));
  };
  draw();
  replaceChildren(main, section);
  // The session may end (or start) while this page is open: show what is true now.
  const stop = onAuthChange(({ reason }) => {
    if (reason !== "signed-in") draw();
  });
  signal.addEventListener("abort", stop, { once: true });
}
