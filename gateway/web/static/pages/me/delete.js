// The "Delete" section: what deleting the profile removes, and where, confirmed before it is done.
// Inquiries: when the inquiries service hears of the deletion it deletes every inquiry sent to
// this profile (services/inquiries: apply_therapist_event), answered or not.

import { graphql } from "/static/api.js";
import { h, replaceChildren } from "/static/dom.js";
import { checkbox, statusLine } from "/static/pages/me/fields.js";
import { DELETE_MY_PROFILE } from "/static/pages/me/operations.js";
import { forgetEverything, setFlash } from "/static/pages/me/state.js";

export function deleteSection(container, profile, area) {
  const status = statusLine();
  const sure = checkbox("I understand that this cannot be undone", "confirm", false);
  const button = h("button", { type: "submit", className: "button danger" }, "Delete my profile");
  const form = h("form", { className: "me-form", novalidate: true, "aria-label": "Delete your profile" },
    sure.element, h("div", { className: "actions" }, button), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    if (!sure.control.checked) {
      status.textContent = "Tick the box first to confirm that you mean it.";
      sure.control.focus();
      return;
    }
    button.disabled = true;
    status.textContent = "Deleting…";
    try {
      const { deleteMyProfile: result } = await graphql(DELETE_MY_PROFILE, { therapistId: profile.id }, { signedIn: true });
      if (result.__typename === "ProfileDeleted" || result.__typename === "NotFound") {
        forgetEverything();
        setFlash("Your profile was deleted. It leaves search and the approach pages within a minute.");
        area.go("#/me");
        return;
      }
    } catch (error) {
      status.textContent = "";
      if (!area.failed(error)) status.textContent = `Not deleted: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  const statements = profile.approaches.length;
  replaceChildren(container,
    h("section", { className: "card", "aria-labelledby": "what-goes" },
      h("h2", { id: "what-goes" }, "What deleting removes"),
      h("ul", {},
        h("li", {}, "Your public page: its address stops working."),
        h("li", {}, "Your card in search results and in Find Your Match."),
        h("li", {}, statements
          ? `Your card and statement on ${statements === 1 ? "the approach page" : `${statements} approach pages`} `
            + "you wrote about."
          : "Your card on approach pages (you have no statements now)."),
        h("li", {}, "Every message visitors sent you, answered or not: they are deleted with the profile and "
          + "cannot be read again. Copy anything you still need first."),
        h("li", {}, "Your private details (email, phone, private addresses) and your licences as entered here.")),
      h("p", {}, "It all goes from search and the approach pages within about a minute. Your sign-in account "
        + "stays: you can create a new profile later, starting empty.")),
    form);
}
