// What the therapist area says about licences on every page: that the profile is not listed
// (and why) once every licence has expired, each licence that has expired, and from 30 days
// before its expiry date each licence about to expire. The dates and counts are the directory's
// (read in the issuing state's time zone), so the page says what search does.

import { h, stateName } from "/static/dom.js";
import { licenceKinds } from "/static/vocabulary.js";

/** A calendar date ("2026-03-10") as people read it, whatever the browser's time zone. */
function calendarDate(iso) {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-US",
    { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

function licenceName(notice) {
  return `${licenceKinds[notice.kind] || notice.kind} licence in ${stateName(notice.state)}`;
}

function noticeLine(notice) {
  if (notice.expired) {
    return h("li", {}, h("strong", {}, "Expired: "),
      `your ${licenceName(notice)} expired on ${calendarDate(notice.expires)}, and your public page shows it `
      + "as expired. Renew it, then give its new expiry date under Profile.");
  }
  const when = notice.daysLeft === 0 ? "today is its last valid day"
    : `it expires in ${notice.daysLeft} day${notice.daysLeft === 1 ? "" : "s"}, on ${calendarDate(notice.expires)}`;
  return h("li", {}, h("strong", {}, "Expiring soon: "),
    `your ${licenceName(notice)}: ${when}. Once renewed, give its new expiry date under Profile.`);
}

/** The licence warnings for `profile` (its owner view); null when there is nothing to say. */
export function licenceWarnings(profile) {
  const notices = profile.licenceNotices || [];
  const hidden = profile.listing && !profile.listing.shown;
  if (!hidden && !notices.length) return null;
  return h("div", { className: "warning licence-warnings", role: "status" },
    hidden ? h("p", {}, h("strong", {}, "Your profile is not listed. "), profile.listing.reason) : null,
    notices.length ? h("ul", {}, notices.map(noticeLine)) : null);
}
