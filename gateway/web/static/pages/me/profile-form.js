// The "Profile" section: every part of the profile in one form, saved with the version it was read
// at. Field errors appear beside their fields; a version conflict keeps the form as typed and lets
// the therapist choose: reload the saved profile, or knowingly save theirs over it.

import { graphql } from "/static/api.js";
import { announce, h, replaceChildren } from "/static/dom.js";
import { clearErrors, localProblems, showErrors, statusLine } from "/static/pages/me/fields.js";
import { UPDATE_MY_PROFILE } from "/static/pages/me/operations.js";
import {
  bioGroup, clientsGroup, credentialsGroup, identityGroup, moneyGroup, practiceGroup, privateGroup, selfGroup,
} from "/static/pages/me/profile-groups.js";
import { draftOf, dropDraft, keepDraft, loadProfile, setProfile } from "/static/pages/me/state.js";

const DRAFT = "profile";

function conflictPanel({ onReload, onOverwrite }) {
  const reload = h("button", { type: "button", className: "button secondary" },
    "Reload the saved profile (discard my changes)");
  const overwrite = h("button", { type: "button", className: "button" }, "Save mine over it");
  reload.addEventListener("click", onReload);
  overwrite.addEventListener("click", onOverwrite);
  return h("div", { className: "conflict", role: "alert" },
    h("h2", { tabindex: "-1" }, "Your profile changed since you opened this form"),
    h("p", {}, "It was saved somewhere else in the meantime (another tab or device, or the directory's staff). "
      + "Nothing you typed is lost: it is all still in the form below."),
    h("p", {}, "Reload to see the saved profile, which discards what you typed here; or save yours over it, "
      + "which replaces the saved version of every field in this form with what you typed."),
    h("div", { className: "actions" }, reload, overwrite));
}

/** The Profile section in `container`, built from the draft kept for it or from `profile`. */
export function profileSection(container, profile, area) {
  const draft = draftOf(DRAFT);
  const model = draft ? draft.value : profile;
  let version = draft ? draft.version : profile.version;
  const groups = [identityGroup(model), credentialsGroup(model), practiceGroup(model), moneyGroup(model),
    clientsGroup(model), selfGroup(model), bioGroup(model), privateGroup(model)];
  const read = () => Object.assign({}, ...groups.map((part) => part.read()));
  const summary = h("div", { className: "form-problems", tabindex: "-1" });
  const conflict = h("div");
  const status = statusLine();
  const submit = h("button", { type: "submit", className: "button" }, "Save profile");
  const kept = draft ? h("div", { className: "note" },
    h("p", {}, "Your unsaved changes from earlier are back in the form (kept while this tab stays open)."),
    h("button", { type: "button", className: "button secondary small", onclick: () => {
      dropDraft(DRAFT);
      area.rerender();
    } }, "Discard them")) : null;
  const form = h("form", { className: "me-form", novalidate: true, "aria-label": "Your profile" },
    kept, summary, conflict, groups.map((part) => part.element),
    h("div", { className: "save-bar" }, submit, status));

  const remember = () => keepDraft(DRAFT, read(), version);
  form.addEventListener("input", remember);
  form.addEventListener("change", remember);

  async function save() {
    if (submit.disabled) return;
    clearErrors(form, summary);
    replaceChildren(conflict);
    for (const part of groups) part.renumber?.();
    const problems = [...localProblems(form), ...groups.flatMap((part) => part.problems?.() || [])];
    if (problems.length) {
      showErrors(form, summary, problems);
      return;
    }
    const patch = read();
    remember();
    submit.disabled = true;
    status.textContent = "Saving…";
    try {
      const { updateMyProfile: result } = await graphql(UPDATE_MY_PROFILE,
        { therapistId: profile.id, patch, ifMatch: version }, { signedIn: true });
      status.textContent = "";
      if (result.__typename === "ProfileUpdated") {
        const saved = result.profile || await loadProfile();
        setProfile(saved);
        version = saved.version;
        dropDraft(DRAFT);
        kept?.remove();
        status.textContent = "Saved. Visitors see the change within a minute.";
        announce(status.textContent);
      } else if (result.__typename === "ValidationFailed") {
        showErrors(form, summary, result.fieldErrors);
      } else if (result.__typename === "VersionConflict") {
        showConflict();
      } else {
        status.textContent = "Your profile no longer exists, so nothing was saved.";
      }
    } catch (error) {
      status.textContent = "";
      if (!area.failed(error)) status.textContent = `Not saved: ${error.message} What you typed is still here.`;
    } finally {
      submit.disabled = false;
    }
  }

  function showConflict() {
    replaceChildren(conflict, conflictPanel({
      onReload: async () => {
        try {
          await loadProfile();
          dropDraft(DRAFT);
          area.rerender({ message: "The saved profile is shown; what you had typed was discarded." });
        } catch (error) {
          area.failed(error);
        }
      },
      onOverwrite: async () => {
        try {
          // Knowingly: the version saved elsewhere becomes the one this save replaces.
          const fresh = await loadProfile();
          if (!fresh) return area.rerender();
          version = fresh.version;
          remember();
          await save();
        } catch (error) {
          area.failed(error);
        }
      },
    }));
    conflict.querySelector("h2").focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  replaceChildren(container, form);
  return form;
}
