// The "Approaches" section: a statement in the therapist's own words for each approach they
// practise, with a live count (2,000 characters, counted as the server counts). Each statement
// is its own small form, so saving one never touches what is typed in another.

import { graphql } from "/static/api.js";
import { h, replaceChildren } from "/static/dom.js";
import { clearErrors, countedText, select, showErrors, statusLine } from "/static/pages/me/fields.js";
import { APPROACH_CHOICES, REMOVE_STATEMENT, SET_STATEMENT } from "/static/pages/me/operations.js";
import { draftOf, dropDraft, keepDraft, loadProfile, setOwnChange } from "/static/pages/me/state.js";

export const MAX_STATEMENT = 2000;
const HINT = "How you practise it, in your own words: visitors read this on the approach's page and yours.";

function statementForm({ profile, area, slug, name, text, isNew, choices }) {
  const key = isNew ? "statement:new" : `statement:${slug}`;
  const draft = draftOf(key);
  const chooser = isNew ? select("Approach", "slug", draft?.value.slug ?? "", choices.map((a) => [a.slug, a.name]))
    : null;
  const statement = countedText(isNew ? "Your statement" : `Your statement about ${name}`, "statement",
    draft ? draft.value.text : text, MAX_STATEMENT, { hint: HINT, rows: 7, summaryLabel: "Statement" });
  const summary = h("div", { className: "form-problems", tabindex: "-1" });
  const status = statusLine();
  const saveButton = h("button", { type: "submit", className: "button" }, isNew ? "Add this statement" : "Save statement");
  const removeButton = isNew ? null : h("button", { type: "button", className: "button secondary" },
    `Remove ${name}`);
  const form = h("form", { className: "statement-form", novalidate: true, "aria-label": isNew ? "New statement" : name },
    summary, chooser?.element, statement.element, h("div", { className: "actions" }, saveButton, removeButton), status);

  const remember = () => keepDraft(key, { slug: chooser ? chooser.control.value : slug, text: statement.control.value },
    profile.version);
  form.addEventListener("input", remember);
  form.addEventListener("change", remember);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saveButton.disabled) return;
    clearErrors(form, summary);
    const chosen = chooser ? chooser.control.value : slug;
    const problems = [];
    if (!chosen) problems.push({ path: ["slug"], message: "Choose the approach this statement is about." });
    if (!statement.control.value.trim()) problems.push({ path: ["statement"], message: "Write your statement." });
    if (statement.tooLong()) {
      problems.push({ path: ["statement"], message: `Shorten it to ${MAX_STATEMENT.toLocaleString("en-US")} characters.` });
    }
    if (problems.length) return showErrors(form, summary, problems, { title: "The statement was not saved" });
    saveButton.disabled = true;
    status.textContent = "Saving…";
    try {
      const { setApproachStatement: result } = await graphql(SET_STATEMENT,
        { therapistId: profile.id, slug: chosen, statement: statement.control.value },
        { signedIn: true });
      status.textContent = "";
      if (result.__typename === "ApproachStatementSaved") {
        setOwnChange(result.profile || await loadProfile());
        dropDraft(key);
        const label = choices.find((a) => a.slug === chosen)?.name || name || chosen;
        area.rerender({
          message: `Saved your statement about ${label}. It appears on the approach's page within a minute.`,
        });
      } else if (result.__typename === "ValidationFailed") {
        showErrors(form, summary, result.fieldErrors, { title: "The statement was not saved" });
      } else {
        status.textContent = "Your profile no longer exists, so nothing was saved.";
      }
    } catch (error) {
      status.textContent = "";
      if (!area.failed(error)) status.textContent = `Not saved: ${error.message} Your text is still here.`;
    } finally {
      saveButton.disabled = false;
    }
  });

  removeButton?.addEventListener("click", async () => {
    removeButton.disabled = true;
    try {
      await graphql(REMOVE_STATEMENT, { therapistId: profile.id, slug }, { signedIn: true });
      setOwnChange(await loadProfile());
      dropDraft(key);
      area.rerender({ message: `Removed your statement about ${name}; you are no longer listed on its page.` });
    } catch (error) {
      if (!area.failed(error)) status.textContent = `Not removed: ${error.message}`;
    } finally {
      removeButton.disabled = false;
    }
  });
  return form;
}

export async function statementsSection(container, profile, area, signal) {
  const { approaches } = await graphql(APPROACH_CHOICES, {}, { signal });
  const names = new Map(approaches.map((a) => [a.slug, a.name]));
  const used = new Set(profile.approaches.map((a) => a.slug));
  const unused = approaches.filter((a) => !used.has(a.slug));
  replaceChildren(container,
    h("p", {}, "You are listed on the page of every approach you write a statement about. "
      + "Write one for each approach you practise."),
    profile.approaches.length
      ? h("ul", { className: "plain-list statements" }, profile.approaches.map((entry) => {
        const name = entry.name || names.get(entry.slug) || entry.slug;
        return h("li", { className: "card" }, h("h2", {}, name), statementForm({ profile, area, slug: entry.slug,
          name, text: entry.statement, isNew: false, choices: approaches }));
      }))
      : h("p", { className: "muted" }, "No statements yet."),
    unused.length ? h("section", { className: "card", "aria-labelledby": "new-statement" },
      h("h2", { id: "new-statement" }, "Add an approach"),
      statementForm({ profile, area, slug: null, name: null, text: "", isNew: true, choices: unused }))
      : h("p", {}, "You have written about every approach the directory lists."));
}
