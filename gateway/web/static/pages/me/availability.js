// The "Availability" section: "Still accepting new clients?" answered in one click, the date it
// was last confirmed, and from day 50 a warning that at day 60 the listing is moved down.

import { graphql } from "/static/api.js";
import { dateText, h, replaceChildren, STATUS_LABELS } from "/static/dom.js";
import { radioGroup, statusLine } from "/static/pages/me/fields.js";
import { CONFIRM_AVAILABILITY } from "/static/pages/me/operations.js";
import { loadProfile, setOwnChange } from "/static/pages/me/state.js";

export const WARN_FROM_DAY = 50;
export const DEMOTED_AT_DAY = 60;

function daysText(days) {
  if (days === 0) return "today";
  if (days === 1) return "yesterday";
  return `${days} days ago`;
}

/** What the therapist should know about how fresh their confirmation is; null when all is well. */
function freshness(profile) {
  const days = profile.daysSinceAvailabilityConfirmed;
  if (days === null || days === undefined) {
    return profile.newClientStatus || !profile.availabilityStale ? null : h("div", { className: "warning" },
      h("p", {}, h("strong", {}, "Your listing is shown lower in search until you answer. "),
        "Say below whether you take new clients: visitors look for that first."));
  }
  if (profile.availabilityStale || days >= DEMOTED_AT_DAY) {
    return h("div", { className: "warning" },
      h("p", {}, h("strong", {}, "Your listing is being shown lower in search. "),
        `You have not confirmed your availability for ${DEMOTED_AT_DAY} days or more, so search moves you down `
        + "and your card says “not confirmed recently”. Confirm below to put that right at once."));
  }
  if (days >= WARN_FROM_DAY) {
    const left = DEMOTED_AT_DAY - days;
    return h("div", { className: "warning" },
      h("p", {}, h("strong", {}, `Please confirm within ${left} day${left === 1 ? "" : "s"}. `),
        `At ${DEMOTED_AT_DAY} days without a confirmation your listing is moved down in search and marked `
        + "“not confirmed recently”."));
  }
  return null;
}

export function availabilitySection(container, profile, area) {
  const status = statusLine();
  const current = profile.newClientStatus;
  const label = current ? STATUS_LABELS[current] || current : null;
  const confirmed = profile.availabilityConfirmedAt;
  const days = profile.daysSinceAvailabilityConfirmed;

  const confirm = async (newClientStatus, button) => {
    button.disabled = true;
    status.textContent = "Confirming…";
    try {
      const { confirmAvailability: result } = await graphql(CONFIRM_AVAILABILITY,
        { therapistId: profile.id, newClientStatus }, { signedIn: true });
      status.textContent = "";
      if (result.__typename === "ProfileUpdated") {
        setOwnChange(result.profile || await loadProfile());
        area.rerender({ message: `Confirmed: ${STATUS_LABELS[newClientStatus]}. Thank you.` });
      } else {
        status.textContent = `Not confirmed: ${result.message || "the directory refused it."}`;
      }
    } catch (error) {
      status.textContent = "";
      if (!area.failed(error)) status.textContent = `Not confirmed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  };

  const oneClick = current ? h("button", { type: "button", className: "button" }, `Confirm: ${label}`) : null;
  oneClick?.addEventListener("click", () => confirm(current, oneClick));
  const choices = radioGroup(current ? "Or choose another answer" : "Your answer", "newClientStatus",
    Object.entries(STATUS_LABELS), current);
  const other = h("button", { type: "submit", className: "button secondary" }, "Confirm this answer");
  const form = h("form", { className: "me-form", novalidate: true, "aria-label": "Choose another answer" },
    choices.element, h("div", { className: "actions" }, other));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = choices.read();
    if (!chosen) {
      status.textContent = "Choose an answer first.";
      return;
    }
    confirm(chosen, other);
  });

  replaceChildren(container,
    h("section", { className: "card availability-card", "aria-labelledby": "still-accepting" },
      h("h2", { id: "still-accepting" }, "Still accepting new clients?"),
      current
        ? h("p", {}, "Your listing says: ", h("strong", {}, label), ".")
        : h("p", {}, "Your listing does not say yet whether you take new clients."),
      h("p", { className: "confirmed-on" }, confirmed
        ? `Last confirmed ${dateText(confirmed)} (${daysText(days ?? 0)}).`
        : "Never confirmed."),
      freshness(profile),
      h("p", { className: "hint" }, `Search trusts a listing confirmed in the last ${DEMOTED_AT_DAY} days. `
        + "One click keeps it that way; do it whenever it is still true."),
      oneClick ? h("div", { className: "actions" }, oneClick) : null,
      form, status));
}
