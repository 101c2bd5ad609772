"""Therapists' own changes, forwarded to the profiles service with the caller's token.

The profiles service decides who may change what. Its answers become typed results: a 422
becomes `ValidationFailed` with one `FieldError` per field (its path as a list), a stale
`ifMatch` version `VersionConflict`, an unknown profile `NotFound`; 401 and 403 are GraphQL
errors with the codes UNAUTHENTICATED and FORBIDDEN. A saved change answers with the owner's
view the service returned (`profile`, a `MyProfile` of `gateway.types.owner`), so an editor never
has to read again; such an answer is never cached.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types.unset import UNSET

from gateway.cache import therapist_tag
from gateway.clients import BackendResponse, error_of
from gateway.context import GatewayContext, context_of
from gateway.errors import BadUserInput, Forbidden, Unauthenticated
from gateway.types.therapists import (
    NewClientStatus,
    SessionFormat,
    Therapist,
    TherapistApproach,
    VerificationStatus,
)

if TYPE_CHECKING:
    from gateway.types.owner import MyProfile

# The owner view, a type of its own module (which builds on this one).
OwnerView = Annotated["MyProfile", strawberry.lazy("gateway.types.owner")]

# -- inputs: a typed JSON Merge Patch (an omitted field stays, null removes) -----------------------


@strawberry.input
class LocationInput:
    state: str | None = UNSET
    city: str | None = UNSET


@strawberry.input
class SessionFeeInput:
    sessionType: str
    amountUsd: int


@strawberry.input
class SlidingScaleInput:
    minUsd: int
    maxUsd: int


@strawberry.input
class MoneyInput:
    fees: list[SessionFeeInput] | None = UNSET
    slidingScale: SlidingScaleInput | None = UNSET
    freeConsultation: bool | None = UNSET
    insurance: list[str] | None = UNSET
    outOfNetworkSuperbill: bool | None = UNSET


@strawberry.input
class IssueInput:
    slug: str
    top: bool = False


@strawberry.input(description="A licence; the number is shown publicly only if numberPublic.")
class LicenceInput:
    kind: str
    number: str
    state: str
    expires: date | None = None
    numberPublic: bool = False
    verificationStatus: VerificationStatus | None = strawberry.field(
        default=UNSET,
        description="Set only by an administrator's verification decision (the profiles service's "
        "licence-verifications route); send back the current one, or UNVERIFIED.",
    )


@strawberry.input(description="A practice address; isPrivate keeps the street off the public profile.")
class PracticeLocationInput:
    state: str
    city: str = ""
    label: str | None = None
    street: str | None = None
    postalCode: str | None = None
    isPrivate: bool = False


@strawberry.input
class IdentityInput:
    gender: str | None = UNSET
    raceEthnicity: list[str] | None = UNSET
    lgbtq: bool | None = UNSET
    faith: str | None = UNSET


@strawberry.input
class BioInput:
    helpWith: str | None = UNSET
    approach: str | None = UNSET
    about: str | None = UNSET


@strawberry.input(description="Changes to a profile: omitted fields stay as they are, null clears.")
class TherapistProfilePatch:
    displayName: str | None = UNSET
    title: str | None = UNSET
    pronouns: str | None = UNSET
    photoUrl: str | None = UNSET
    yearsInPractice: int | None = UNSET
    location: LocationInput | None = UNSET
    licences: list[LicenceInput] | None = UNSET
    npi: str | None = UNSET
    taxonomyCode: str | None = UNSET
    locations: list[PracticeLocationInput] | None = UNSET
    telehealthStates: list[str] | None = UNSET
    formats: list[SessionFormat] | None = UNSET
    newClientStatus: NewClientStatus | None = UNSET
    money: MoneyInput | None = UNSET
    issues: list[IssueInput] | None = UNSET
    populations: list[str] | None = UNSET
    ageGroups: list[str] | None = UNSET
    languages: list[str] | None = UNSET
    identity: IdentityInput | None = UNSET
    bio: BioInput | None = UNSET
    email: str | None = strawberry.field(default=UNSET, description="Private: never shown publicly.")
    phone: str | None = strawberry.field(default=UNSET, description="Private: never shown publicly.")


def merge_patch(value: Any) -> Any:
    """An input object as JSON Merge Patch (RFC 7396): UNSET fields are left out."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {
            f.name: merge_patch(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not UNSET
        }
    if isinstance(value, list):
        return [merge_patch(item) for item in value]
    return value


# -- results ---------------------------------------------------------------------------------------


@strawberry.type(description="One invalid field: its path in the input and what is wrong.")
class FieldError:
    path: list[str]
    field: str
    message: str
    code: str | None


@strawberry.type(description="The service rejected the input; nothing was changed or sent.")
class ValidationFailed:
    message: str
    fieldErrors: list[FieldError]


@strawberry.type(description="The profile changed since the version given in ifMatch.")
class VersionConflict:
    message: str


@strawberry.type
class NotFound:
    message: str


@strawberry.type(description="The change was saved.")
class ProfileUpdated:
    therapistId: strawberry.ID
    version: int
    profile: OwnerView | None = strawberry.field(
        default=None, description="Your profile as it is now, private fields included."
    )

    @strawberry.field(description="The public profile as it is now.")
    async def therapist(self, info: strawberry.Info) -> Therapist | None:
        return await context_of(info).loaders.therapist.load(str(self.therapistId))


@strawberry.type
class ApproachStatementSaved:
    therapistId: strawberry.ID
    approach: TherapistApproach
    profile: OwnerView | None = strawberry.field(
        default=None, description="Your profile as it is now, private fields included."
    )


@strawberry.type
class ApproachStatementRemoved:
    therapistId: strawberry.ID
    slug: str


UpdateProfileResult = Annotated[
    ProfileUpdated | ValidationFailed | VersionConflict | NotFound, strawberry.union("UpdateProfileResult")
]
SetApproachStatementResult = Annotated[
    ApproachStatementSaved | ValidationFailed | NotFound, strawberry.union("SetApproachStatementResult")
]
RemoveApproachStatementResult = Annotated[
    ApproachStatementRemoved | NotFound, strawberry.union("RemoveApproachStatementResult")
]


def field_errors(details: list[Any]) -> list[FieldError]:
    errors = []
    for detail in details:
        if not isinstance(detail, dict):
            continue
        field = str(detail.get("field") or "(body)")
        errors.append(
            FieldError(
                path=[part for part in field.split(".") if part],
                field=field,
                message=str(detail.get("message") or "invalid"),
                code=detail.get("type") or detail.get("code"),
            )
        )
    return errors


def rejection(response: BackendResponse) -> ValidationFailed | VersionConflict | NotFound:
    """The typed result for a 4xx answer; 401/403 and anything unexpected raise instead."""
    error = error_of(response)
    message = str(error.get("message") or f"Rejected by the profiles service ({response.status})")
    if response.status == 401:
        raise Unauthenticated(message)
    if response.status == 403:
        raise Forbidden(message)
    if response.status == 404:
        return NotFound(message=message)
    if response.status == 412:
        return VersionConflict(message=message)
    if response.status in (400, 422):
        return ValidationFailed(message=message, fieldErrors=field_errors(error.get("details") or []))
    raise BadUserInput(message, status=response.status, reason=error.get("code"))


def changed(context: GatewayContext, therapist_id: str) -> None:
    context.forget({therapist_tag(therapist_id)})


async def update_my_profile(
    info: strawberry.Info,
    therapistId: strawberry.ID,
    patch: TherapistProfilePatch,
    ifMatch: int | None = None,
) -> UpdateProfileResult:
    """Change your profile (admins: any profile). `ifMatch` guards against lost updates."""
    context = context_of(info)
    response = await context.clients.patch_therapist(
        str(therapistId), merge_patch(patch), context.require_authorization(), ifMatch
    )
    return saved(context, therapistId, response)


def owner_body(context: GatewayContext, response: BackendResponse) -> dict[str, Any] | None:
    """The owner's view a write answered with (private fields included): the answer holding it
    is never cached; it is the caller's own `profile`, and `therapist` is read from the public view."""
    if not isinstance(response.body, dict):
        return None
    context.trace.cacheable = False
    return response.body


def saved(context: GatewayContext, therapist_id: strawberry.ID, response: BackendResponse) -> Any:
    if response.status != 200:
        return rejection(response)
    changed(context, str(therapist_id))
    return ProfileUpdated(
        therapistId=therapist_id,
        version=int(response.body["version"]),
        profile=owner_body(context, response),  # type: ignore[arg-type]
    )


async def confirm_availability(
    info: strawberry.Info,
    therapistId: strawberry.ID,
    newClientStatus: NewClientStatus,
) -> UpdateProfileResult:
    """Confirm whether you take new clients (this stamps the confirmation time shown publicly)."""
    context = context_of(info)
    response = await context.clients.confirm_availability(
        str(therapistId), newClientStatus.value, context.require_authorization()
    )
    return saved(context, therapistId, response)


async def set_approach_statement(
    info: strawberry.Info,
    therapistId: strawberry.ID,
    slug: str,
    statement: str,
) -> SetApproachStatementResult:
    """Say in your own words how you practise an approach (up to 2,000 characters)."""
    context = context_of(info)
    response = await context.clients.put_approach_statement(
        str(therapistId), slug, statement, context.require_authorization()
    )
    if response.status not in (200, 201, 204):
        return rejection(response)
    changed(context, str(therapistId))
    return ApproachStatementSaved(
        therapistId=therapistId,
        approach={"slug": slug, "statement": statement},  # type: ignore[arg-type]
        profile=owner_body(context, response),  # type: ignore[arg-type]
    )


async def remove_approach_statement(
    info: strawberry.Info,
    therapistId: strawberry.ID,
    slug: str,
) -> RemoveApproachStatementResult:
    """Remove your statement about an approach (and so yourself from its page)."""
    context = context_of(info)
    response = await context.clients.delete_approach_statement(
        str(therapistId), slug, context.require_authorization()
    )
    if response.status not in (200, 204):
        rejected = rejection(response)
        if isinstance(rejected, NotFound):
            return rejected
        raise BadUserInput(rejected.message)
    changed(context, str(therapistId))
    return ApproachStatementRemoved(therapistId=therapistId, slug=slug)
