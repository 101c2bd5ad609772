// The therapist area's GraphQL operations. The owner view (private fields included) is only ever
// asked for with the therapist's own token; nothing here is cached or stored by the client.

import { THERAPIST } from "/static/api.js";

/** The selection of `query Therapist`, so the preview asks for exactly what the public page shows. */
function selectionOf(query, field) {
  const start = query.indexOf("{", query.indexOf(`${field}(`));
  let depth = 0;
  for (let i = start; i < query.length; i += 1) {
    if (query[i] === "{") depth += 1;
    else if (query[i] === "}") {
      depth -= 1;
      if (depth === 0) return query.slice(start, i + 1);
    }
  }
  throw new Error(`no selection for ${field}`);
}

export const PUBLIC_THERAPIST_FIELDS = selectionOf(THERAPIST, "therapist");

// The owner view mirrors TherapistProfilePatch field for field, so a form can send back what it read.
const PROFILE_FIELDS = `
  id version createdAt updatedAt availabilityConfirmedAt availabilityStale daysSinceAvailabilityConfirmed
  displayName title pronouns photoUrl yearsInPractice location { city state }
  licences { kind number state expires numberPublic verificationStatus }
  npi taxonomyCode
  locations { label street city state postalCode isPrivate }
  telehealthStates formats newClientStatus
  money { fees { sessionType amountUsd } slidingScale { minUsd maxUsd } freeConsultation insurance
    outOfNetworkSuperbill }
  issues { slug top } populations ageGroups languages
  identity { gender raceEthnicity lgbtq faith }
  bio { helpWith approach about }
  email phone
  approaches { slug name statement }
  listing { shown reason } licenceNotices { kind state expires expired daysLeft }
  telehealthStatesServed telehealthStatesNotServed`;

const VALIDATION = "... on ValidationFailed { message fieldErrors { path field message code } }";

export const MY_PROFILE = `
query MyProfile {
  myProfile { ${PROFILE_FIELDS} }
}`;

export const MY_PROFILE_WITH_PUBLIC_VIEW = `
query MyProfilePreview {
  myProfile { ${PROFILE_FIELDS} publicView ${PUBLIC_THERAPIST_FIELDS} }
}`;

export const APPROACH_CHOICES = `
query ApproachChoices {
  approaches { slug name }
}`;

export const CREATE_MY_PROFILE = `
mutation CreateMyProfile($input: NewProfileInput!) {
  createMyProfile(input: $input) {
    __typename
    ... on ProfileCreated { profile { ${PROFILE_FIELDS} } }
    ... on ProfileAlreadyExists { message therapistId }
    ${VALIDATION}
  }
}`;

// What updateMyProfile and confirmAvailability answer (UpdateProfileResult).
const UPDATE_PROFILE_RESULT = `
    __typename
    ... on ProfileUpdated { version profile { ${PROFILE_FIELDS} } }
    ... on VersionConflict { message }
    ... on NotFound { message }
    ${VALIDATION}`;

export const UPDATE_MY_PROFILE = `
mutation UpdateMyProfile($therapistId: ID!, $patch: TherapistProfilePatch!, $ifMatch: Int) {
  updateMyProfile(therapistId: $therapistId, patch: $patch, ifMatch: $ifMatch) {
    ${UPDATE_PROFILE_RESULT}
  }
}`;

export const CONFIRM_AVAILABILITY = `
mutation ConfirmAvailability($therapistId: ID!, $newClientStatus: NewClientStatus!) {
  confirmAvailability(therapistId: $therapistId, newClientStatus: $newClientStatus) {
    ${UPDATE_PROFILE_RESULT}
  }
}`;

export const SET_STATEMENT = `
mutation SetApproachStatement($therapistId: ID!, $slug: String!, $statement: String!) {
  setApproachStatement(therapistId: $therapistId, slug: $slug, statement: $statement) {
    __typename
    ... on ApproachStatementSaved { profile { ${PROFILE_FIELDS} } }
    ... on NotFound { message }
    ${VALIDATION}
  }
}`;

export const REMOVE_STATEMENT = `
mutation RemoveApproachStatement($therapistId: ID!, $slug: String!) {
  removeApproachStatement(therapistId: $therapistId, slug: $slug) {
    __typename
    ... on NotFound { message }
  }
}`;

export const DELETE_MY_PROFILE = `
mutation DeleteMyProfile($therapistId: ID!) {
  deleteMyProfile(therapistId: $therapistId) {
    __typename
    ... on ProfileDeleted { therapistId }
    ... on NotFound { message }
  }
}`;

export const MY_INQUIRIES = `
query MyInquiries($therapistId: ID!, $first: Int, $after: String) {
  myInquiries(therapistId: $therapistId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id receivedAt name email phone message status answeredAt } }
  }
  therapist(id: $therapistId) { id responsiveness { answeredShare medianReplyHours sampleSize } }
}`;

export const MARK_ANSWERED = `
mutation MarkInquiryAnswered($id: ID!) {
  markInquiryAnswered(id: $id) {
    __typename
    ... on Inquiry { id status answeredAt }
    ... on NotFound { message }
  }
}`;
