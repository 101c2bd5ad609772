"""The therapist profile: what a therapist writes about themselves (`ProfileContent`), the whole
profile the service keeps (`TherapistProfile`), the bodies that change it, and how one version
of a profile becomes the next.

Text is kept exactly as the therapist wrote it (case, spacing, accents, typographic
punctuation); text holding control characters is refused, never cleaned.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator

from integration_events import vocabulary
from integration_events.therapists import NewClientStatus, SessionFormat, VerificationStatus
from servicekit.errors import InvalidInput, invalid_input
from servicekit.merge_patch import merge_patch, merge_patch_model
from servicekit.text import free_text
from services.profiles.domain import licensing
from services.profiles.domain.fields import (
    AgeGroupCode,
    Email,
    Flag,
    InsuranceCode,
    IsoDate,
    IssueCode,
    LanguageTag,
    LicenceKindCode,
    Npi,
    Phone,
    PhotoUrl,
    PopulationCode,
    PostalCode,
    SessionTypeCode,
    Slug,
    StateCode,
    Strict,
    TaxonomyCode,
    number,
    unique_by,
    unique_list,
    whole_number,
)

MAX_STATEMENT_LENGTH = 2000
MAX_TOP_ISSUES = 5
Usd = whole_number(ge=0, le=100_000)


class ProfileLocation(Strict):
    city: free_text(100) = ""  # may be empty; a ZIP code typed into it is kept as written
    state: StateCode


class Coordinates(Strict):
    lat: number(ge=-90, le=90)
    lon: number(ge=-180, le=180)


class PracticeLocation(Strict):
    """A practice address; a private one (a home office) shows only city, state and ZIP."""

    label: free_text(100) | None = None
    street: free_text(200) | None = None
    city: free_text(100) = ""
    state: StateCode
    postalCode: PostalCode | None = None
    point: Coordinates | None = None
    isPrivate: Flag = False


class Licence(Strict):
    kind: LicenceKindCode
    number: free_text(40, required=True)
    state: StateCode
    expires: IsoDate | None = None
    verificationStatus: VerificationStatus = Field(
        VerificationStatus.UNVERIFIED,
        description="Set by an administrator's decision (POST /v1/therapists/{id}/licence-verifications); "
        "anyone may send back the status held, or unverified.",
    )
    verifiedAt: datetime | None = Field(
        None,
        description="Set by the directory: when an administrator verified the licence. Whatever is "
        "sent is replaced.",
        json_schema_extra={"readOnly": True},
    )
    numberPublic: Flag = False  # the therapist chooses whether the number is shown
    expired: Flag = Field(
        False,
        description="Set by the directory: true once the expiry date has passed in the issuing "
        "state. Whatever is sent is replaced.",
        json_schema_extra={"readOnly": True},
    )


class Fee(Strict):
    sessionType: SessionTypeCode
    amountUsd: Usd


class SlidingScaleRange(Strict):
    minUsd: Usd
    maxUsd: Usd

    @model_validator(mode="after")
    def _ordered(self) -> SlidingScaleRange:
        if self.minUsd > self.maxUsd:
            raise ValueError("minUsd must not be more than maxUsd")
        return self


class PaymentTerms(Strict):
    fees: Annotated[
        list[Fee],
        Field(max_length=len(vocabulary.SESSION_TYPES)),
        AfterValidator(lambda v: unique_by(v, "sessionType")),
    ] = []
    slidingScale: SlidingScaleRange | None = None
    freeConsultation: Flag = False
    insurance: unique_list(InsuranceCode, len(vocabulary.INSURANCE_PLANS)) = []
    outOfNetworkSuperbill: Flag = False


class TreatedIssue(Strict):
    slug: IssueCode
    top: Flag = False


def _few_top_issues(issues: list[TreatedIssue]) -> list[TreatedIssue]:
    unique_by(issues, "slug")
    if sum(issue.top for issue in issues) > MAX_TOP_ISSUES:
        raise ValueError(f"at most {MAX_TOP_ISSUES} issues may be marked top")
    return issues


class SelfDescribedIdentity(Strict):
    """Self-described and optional; free text in the therapist's own words."""

    gender: free_text(60) | None = None
    raceEthnicity: Annotated[list[free_text(60)], Field(max_length=10)] = []
    lgbtq: Flag | None = None
    faith: free_text(60) | None = None


class BioSections(Strict):
    helpWith: free_text(5000) = ""
    approach: free_text(5000) = ""
    about: free_text(5000) = ""


class ApproachStatementText(Strict):
    """The body of `PUT /v1/therapists/{id}/approaches/{slug}`."""

    statement: free_text(MAX_STATEMENT_LENGTH, required=True)


class PracticedApproach(ApproachStatementText):
    slug: Slug


class ProfileContent(Strict):
    """Everything a therapist writes about themselves: the editable part of a profile."""

    displayName: free_text(200, required=True)
    title: free_text(200, required=True)
    location: ProfileLocation
    pronouns: free_text(40) | None = None
    photoUrl: PhotoUrl | None = None
    yearsInPractice: whole_number(ge=0, le=80) | None = None
    licences: Annotated[list[Licence], Field(max_length=20)] = []
    npi: Npi | None = None
    taxonomyCode: TaxonomyCode | None = None
    locations: Annotated[list[PracticeLocation], Field(max_length=10)] = []
    telehealthStates: unique_list(StateCode, len(vocabulary.US_STATES)) = []
    formats: unique_list(SessionFormat, len(SessionFormat)) = []
    newClientStatus: NewClientStatus | None = None
    money: PaymentTerms = PaymentTerms()
    approaches: Annotated[
        list[PracticedApproach], Field(max_length=50), AfterValidator(lambda v: unique_by(v, "slug"))
    ] = []
    issues: Annotated[
        list[TreatedIssue], Field(max_length=len(vocabulary.ISSUES)), AfterValidator(_few_top_issues)
    ] = []
    populations: unique_list(PopulationCode, len(vocabulary.POPULATIONS)) = []
    ageGroups: unique_list(AgeGroupCode, len(vocabulary.AGE_GROUPS)) = []
    languages: unique_list(LanguageTag, 30) = []
    identity: SelfDescribedIdentity = SelfDescribedIdentity()
    bio: BioSections = BioSections()
    # Private: never in the public view or in events.
    email: Email | None = None
    phone: Phone | None = None


class NewTherapistProfile(ProfileContent):
    """The body of `POST /v1/therapists`. `ownerSub` (admins only) creates it for that account."""

    ownerSub: free_text(200, required=True) | None = None


class TherapistProfile(ProfileContent):
    """The whole profile as its owner (or an admin) sees it, private fields included."""

    id: str
    ownerSub: str
    version: int = Field(ge=1)
    availabilityConfirmedAt: datetime | None = None
    # Derived by the directory from the licences (see `licensing`): the declared telehealth
    # states the therapist may serve, as of this version.
    telehealthStatesServed: list[StateCode] = []
    createdAt: datetime
    updatedAt: datetime


class AvailabilityConfirmation(Strict):
    """The body of `POST /v1/therapists/{id}/availability`."""

    newClientStatus: NewClientStatus


# The body of `PATCH /v1/therapists/{id}`: only fields a therapist may leave out may be null.
ProfilePatch = merge_patch_model(ProfileContent)
READ_ONLY_FIELDS = frozenset(TherapistProfile.model_fields) - frozenset(ProfileContent.model_fields)


def parse_patch(body: Any) -> BaseModel:
    """`body` as a ProfilePatch; InvalidInput naming every read-only, unknown or invalid field."""
    problems: list[dict[str, Any]] = []
    if isinstance(body, dict):
        problems = [
            {"field": name, "message": "is read-only", "type": "read_only"}
            for name in sorted(READ_ONLY_FIELDS.intersection(body))
        ]
        body = {key: value for key, value in body.items() if key not in READ_ONLY_FIELDS}
    try:
        patch = ProfilePatch.model_validate(body)
    except ValidationError as exc:
        problems.extend(invalid_input(exc).details)
    if problems:
        fields = ", ".join(problem["field"] for problem in problems)
        raise InvalidInput(f"Read-only, unknown or invalid fields: {fields}", details=problems)
    return patch


def new_profile(content: ProfileContent, *, owner_sub: str, at: datetime) -> TherapistProfile:
    content = licensing.with_standing(content, at)
    fields = content.model_dump(exclude={"ownerSub"})
    return TherapistProfile(
        **fields,
        id=uuid.uuid4().hex,
        ownerSub=owner_sub,
        version=1,
        createdAt=at,
        updatedAt=at,
        availabilityConfirmedAt=at if content.newClientStatus is not None else None,
        telehealthStatesServed=licensing.telehealth_states_served(content, at),
    )


def editable_content(profile: TherapistProfile) -> dict[str, Any]:
    """The profile's editable part as JSON, the document a merge patch applies to."""
    return profile.model_dump(mode="json", exclude=READ_ONLY_FIELDS)


def patched_content(before: dict[str, Any], changes: dict[str, Any]) -> ProfileContent:
    """The content `changes` (a merge patch as JSON) make of `before`; InvalidInput if not valid."""
    try:
        return ProfileContent.model_validate(merge_patch(before, changes))
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def revised(profile: TherapistProfile, content: ProfileContent, *, at: datetime) -> TherapistProfile:
    """The next version of `profile` with `content`; a new status counts as a confirmation.
    Its licences' standing and served telehealth states are those at `at`."""
    confirmed = profile.availabilityConfirmedAt
    if content.newClientStatus != profile.newClientStatus:
        confirmed = at if content.newClientStatus is not None else None
    content = licensing.with_standing(content, at)
    return TherapistProfile(
        **content.model_dump(),
        id=profile.id,
        ownerSub=profile.ownerSub,
        version=profile.version + 1,
        createdAt=profile.createdAt,
        updatedAt=at,
        availabilityConfirmedAt=confirmed,
        telehealthStatesServed=licensing.telehealth_states_served(content, at),
    )


def with_availability(
    profile: TherapistProfile, status: NewClientStatus, *, at: datetime
) -> TherapistProfile:
    """The next version of `profile`, its new-client status confirmed at `at`."""
    return profile.model_copy(
        update={
            "newClientStatus": status,
            "availabilityConfirmedAt": at,
            "version": profile.version + 1,
            "updatedAt": at,
        }
    )


def with_statement(profile: TherapistProfile, slug: str, statement: str) -> ProfileContent:
    """The content with `statement` for `slug`, replacing an earlier one for that approach."""
    approaches = [a for a in profile.approaches if a.slug != slug]
    approaches.append(PracticedApproach(slug=slug, statement=statement))
    return _content_with(profile, approaches=approaches)


def without_statement(profile: TherapistProfile, slug: str) -> ProfileContent | None:
    """The content without the statement for `slug`, or None when there is none."""
    approaches = [a for a in profile.approaches if a.slug != slug]
    if len(approaches) == len(profile.approaches):
        return None
    return _content_with(profile, approaches=approaches)


def with_licences(profile: TherapistProfile, licences: list[Licence]) -> ProfileContent:
    """The content with `licences` in place of the profile's."""
    return _content_with(profile, licences=licences)


def _content_with(profile: TherapistProfile, **changes: Any) -> ProfileContent:
    fields = {name: getattr(profile, name) for name in ProfileContent.model_fields}
    return ProfileContent.model_construct(**{**fields, **changes})
