// What the therapist area remembers between its sections while the tab is open: the profile as
// last read or saved (the baseline every save is measured against), what was typed and not yet
// saved, and a message to show on the next view. Memory only: private fields and drafts never go
// to storage, the address or the console, and a draft is only ever offered back to its own account.

import { graphql } from "/static/api.js";
import { MY_PROFILE } from "/static/pages/me/operations.js";

const drafts = new Map();
let owner = null;
let baseline = null;
let flash = null;

/** The account the area is showing; another account's drafts and profile are forgotten. */
export function setOwner(sub) {
  if (sub === owner) return;
  forgetEverything();
  owner = sub;
}

/** The caller's own profile, read afresh (null when they have none). */
export async function loadProfile(signal) {
  const { myProfile } = await graphql(MY_PROFILE, {}, { signal, signedIn: true });
  setProfile(myProfile);
  return myProfile;
}

/** A profile the server answered with becomes the baseline for the next change. */
export function setProfile(profile) {
  baseline = profile;
}

/**
 * A profile this tab's own change answered with (a statement, a confirmation). When nothing else
 * changed in between, drafts typed against the version before are still current: they move on.
 */
export function setOwnChange(profile) {
  if (baseline && profile && profile.version === baseline.version + 1) {
    for (const draft of drafts.values()) if (draft.version === baseline.version) draft.version = profile.version;
  }
  baseline = profile;
}

/** Keep what was typed in a section (`key`), with the version it was typed against. */
export function keepDraft(key, value, version) {
  drafts.set(key, { version, value });
}

/** What was typed in a section and not saved, if it was typed by this account. */
export function draftOf(key) {
  return drafts.get(key) || null;
}

export function dropDraft(key) {
  drafts.delete(key);
}

export function forgetEverything() {
  drafts.clear();
  baseline = null;
}

/** A message for the next view rendered (after a create or delete that changes the view). */
export function setFlash(message) {
  flash = message;
}

export function takeFlash() {
  const message = flash;
  flash = null;
  return message;
}
