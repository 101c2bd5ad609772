// The client's only data source: the gateway's public GraphQL API on this same origin.

import { authToken, expireSession } from "/static/auth.js";

const SESSION_KEY = "directory.visitorSession";

/**
 * A random id for this browser session (sessionStorage: gone when the tab closes). The gateway
 * uses it to keep the fair rotation of near-equal results stable while this person browses.
 */
export function visitorSession() {
  let session = null;
  try {
    session = sessionStorage.getItem(SESSION_KEY);
  } catch {
    // Storage can be disabled; a per-page id still keeps one page's results consistent.
  }
  if (!session) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    session = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try {
      sessionStorage.setItem(SESSION_KEY, session);
    } catch {
      // See above.
    }
  }
  return session;
}

export class ApiError extends Error {}

/**
 * Run one GraphQL operation; resolves to `data`, rejects with a readable ApiError. Only the
 * therapist area's operations ask for `signedIn` and carry the token: the public ones go without
 * it, so the gateway answers them from the caches it shares between visitors.
 */
export async function graphql(query, variables = {}, { signal, signedIn = false } = {}) {
  let response;
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "X-Visitor-Session": visitorSession(),
  };
  const token = signedIn ? authToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("The directory cannot be reached. Check your connection and try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The directory answered with an unexpected response (HTTP ${response.status}).`);
  }
  const errors = body.errors || (body.error ? [body.error] : []);
  // The token was refused (expired, revoked, signed by another key): the session is over.
  if (errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) expireSession();
  if (errors.length) throw new ApiError(errors.map((e) => e.message).join(" "));
  if (!response.ok) throw new ApiError(`The directory answered HTTP ${response.status}.`);
  return body.data;
}

const CARD_FIELDS = `
  id displayName title pronouns location { city state }
  newClientStatus availabilityConfirmedAt availabilityStale unresponsive formats
  verifiedLicences { kind state verifiedAt }`;

export const APPROACHES = `
query Approaches {
  approaches { slug name summary }
}`;

export const APPROACH_PAGE = `
query ApproachPage($slug: String!, $first: Int, $after: String) {
  approach(slug: $slug) {
    slug name summary description
    sections { whatItIs howItWorks helpsWith whatYouLearn }
    issues
    related { slug name }
    specialists(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor statement node { ${CARD_FIELDS} } }
    }
  }
}`;

export const SEARCH = `
query Search($text: String, $filter: TherapistFilter, $sort: TherapistSort, $first: Int, $after: String) {
  searchTherapists(text: $text, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ${CARD_FIELDS} distanceKm approaches { slug approach { name } } } }
    facets {
      approaches { value count } issues { value count } states { value count }
      cities { value count } formats { value count } newClientStatus { value count }
      insurance { value count } languages { value count } genders { value count }
      ageGroups { value count } slidingScale { value count } verified { value count }
    }
  }
}`;

// Sent over a WebSocket (live.js): each therapist who comes to fit a search and accept new clients.
export const NEW_MATCHES = `
subscription NewMatches($filter: TherapistFilter!, $text: String) {
  newMatches(filter: $filter, text: $text) { id displayName title pronouns location { city state } }
}`;

export const THERAPIST = `
query Therapist($id: ID!) {
  therapist(id: $id) {
    id displayName title pronouns yearsInPractice location { city state }
    newClientStatus availabilityConfirmedAt formats telehealthStates languages ageGroups populations
    approaches { slug statement approach { slug name } }
    issues { slug top }
    money { fees { sessionType amountUsd } slidingScale { minUsd maxUsd } freeConsultation
      insurance outOfNetworkSuperbill }
    identity { gender raceEthnicity lgbtq faith }
    licences { kind state number verificationStatus verifiedAt expired } licenceStatus
    locations { label street city state postalCode isPrivate }
    bio { helpWith approach about }
    responsiveness { answeredShare medianReplyHours sampleSize } unresponsive
    updatedAt
  }
}`;

export const SEND_INQUIRY = `
mutation SendInquiry($input: InquiryInput!) {
  sendInquiry(input: $input) {
    __typename
    ... on InquirySent { id }
    ... on ValidationFailed { fieldErrors { field message } }
    ... on NotFound { message }
    ... on RateLimited { retryAfterSeconds }
  }
}`;

export const FIND_MATCH = `
query FindMatch($questionnaire: MatchQuestionnaire!) {
  findMatch(questionnaire: $questionnaire) {
    totalCount
    edges { score reasons node { ${CARD_FIELDS} } }
  }
}`;

const CHOICES = `
query Choices {
  approaches { slug name }
  searchTherapists(first: 1) {
    facets { languages { value count } genders { value count } }
  }
}`;

/** What the search and questionnaire forms offer: every approach, and the languages and genders listed. */
export async function formChoices(signal) {
  const data = await graphql(CHOICES, {}, { signal });
  const { facets } = data.searchTherapists;
  return {
    approaches: data.approaches,
    languages: facets.languages.map((f) => f.value),
    genders: facets.genders.map((f) => f.value),
  };
}
