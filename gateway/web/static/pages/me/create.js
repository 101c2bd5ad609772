// Signed in, no profile yet: the few fields a listing needs (name, title, city, state), first.
// Everything else can be added afterwards, whenever the therapist likes.

import { graphql } from "/static/api.js";
import { h, replaceChildren } from "/static/dom.js";
import { clearErrors, input, select, showErrors, statusLine, writtenText } from "/static/pages/me/fields.js";
import { CREATE_MY_PROFILE } from "/static/pages/me/operations.js";
import { draftOf, dropDraft, keepDraft, loadProfile, setFlash, setProfile } from "/static/pages/me/state.js";
import { states } from "/static/vocabulary.js";

const DRAFT = "create";

export function createSection(container, area) {
  const typed = draftOf(DRAFT)?.value || {};
  const displayName = input("Display name", "displayName", typed.displayName, { maxlength: 200,
    autocomplete: "name", hint: "Exactly as you want visitors to see it, e.g. Dr. Ana Ruiz, LMFT." });
  const title = input("Professional title", "title", typed.title, { maxlength: 200,
    hint: "e.g. Licensed Clinical Social Worker" });
  const city = input("City", "location.city", typed.city, { maxlength: 100, autocomplete: "address-level2" });
  const state = select("State", "location.state", typed.state, Object.entries(states));
  const summary = h("div", { className: "form-problems", tabindex: "-1" });
  const status = statusLine();
  const submit = h("button", { type: "submit", className: "button" }, "Create my profile");
  const form = h("form", { className: "me-form", novalidate: true, "aria-label": "Create your profile" },
    summary, displayName.element, title.element,
    h("fieldset", { className: "group", "data-path": "location", "data-label": "Where you are listed" },
      h("legend", {}, "Where you are listed"),
      h("p", { className: "hint" }, "Your card shows the city and state; search finds you there."),
      h("div", { className: "field-row" }, city.element, state.element)),
    h("div", { className: "actions" }, submit), status);
  const read = () => ({ displayName: displayName.control.value, title: title.control.value,
    city: city.control.value, state: state.control.value });
  form.addEventListener("input", () => keepDraft(DRAFT, read(), null));
  form.addEventListener("change", () => keepDraft(DRAFT, read(), null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors(form, summary);
    const problems = [[displayName, "Give the name visitors should see."], [title, "Give your professional title."],
      [state, "Choose the state you practise in."]]
      .filter(([part]) => !part.control.value.trim())
      .map(([part, message]) => ({ path: part.control.dataset.path.split("."), message }));
    if (problems.length) return showErrors(form, summary, problems, { title: "Your profile was not created" });
    const values = {
      displayName: writtenText(displayName.control), title: writtenText(title.control),
      location: { city: writtenText(city.control) ?? "", state: state.control.value },
    };
    submit.disabled = true;
    status.textContent = "Creating…";
    try {
      const { createMyProfile: result } = await graphql(CREATE_MY_PROFILE, { input: values }, { signedIn: true });
      status.textContent = "";
      if (result.__typename === "ValidationFailed") {
        showErrors(form, summary, result.fieldErrors, { title: "Your profile was not created" });
        return;
      }
      if (result.__typename === "ProfileCreated") setProfile(result.profile);
      else await loadProfile(); // ProfileAlreadyExists: another tab made it; show that one.
      dropDraft(DRAFT);
      setFlash(result.__typename === "ProfileCreated"
        ? "Your profile is created and listed. Add the rest below whenever you like."
        : "You already have a profile; here it is.");
      area.rerender();
    } catch (error) {
      status.textContent = "";
      if (!area.failed(error)) status.textContent = `Not created: ${error.message} What you typed is still here.`;
    } finally {
      submit.disabled = false;
    }
  });
  replaceChildren(container,
    h("p", { className: "lead" }, "Start with four things. Your profile is listed as soon as you create it; "
      + "you can add your approaches, fees, licences and the rest afterwards."),
    form);
}
