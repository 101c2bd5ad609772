"""The therapist's own profile: `myProfile`, `createMyProfile`, `deleteMyProfile` and the owner
view `MyProfile` that they and the other profile mutations answer with.

`MyProfile` holds private fields (email, phone, unpublished licence numbers, the street of a
private office), so it travels only between the profiles service and its owner: it is read and
written with the caller's token, never through the gateway's read cache, and an answer holding
one is marked uncacheable (requests with a token bypass the response cache and the coalescing of
identical requests anyway). Its fields mirror the input `TherapistProfilePatch` one to one, so a
client can send back what it read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import strawberry

from gateway.clients import BackendResponse, error_of
from gateway.context import GatewayContext, context_of
from gateway.errors import BadUserInput
from gateway.types.common import Location
from gateway.types.mutations import (
    LocationInput,
    NotFound,
    TherapistProfilePatch,
    ValidationFailed,
    changed,
    merge_patch,
    owner_body,
    rejection,
)
from gateway.types.therapists import (
    Bio,
    Identity,
    IssueTreated,
    Money,
    NewClientStatus,
    SessionFormat,
    Therapist,
    VerificationStatus,
    telehealth_states_served,
)

# The one rule search demotes a listing by (so the owner sees what visitors' cards show).
from integration_events.therapists import is_stale

# -- the owner view --------------------------------------------------------------------------------


@strawberry.type(description="A licence as its owner holds it: the number even when it is not published.")
class MyLicence:
    kind: str
    number: str
    state: str
    expires: date | None
    numberPublic: bool = strawberry.field(description="Whether visitors see the number.")
    verificationStatus: VerificationStatus


@strawberry.type(description="Whether the directory shows your profile, and why not.")
class Listing:
    shown: bool = strawberry.field(description="Whether search, approach pages and matching show it.")
    reason: str | None = strawberry.field(description="Why it is not shown (null when it is).")


@strawberry.type(description="A licence of yours that expires within 30 days, or has expired.")
class LicenceNotice:
    kind: str
    state: str
    expires: date
    expired: bool = strawberry.field(description="True once the expiry date has passed in the issuing state.")
    daysLeft: int = strawberry.field(
        description="Days until the expiry date: 0 on its last valid day, negative once expired."
    )


@strawberry.type(description="A practice address as its owner holds it, the street of a private one too.")
class MyPracticeLocation:
    label: str | None
    street: str | None
    city: str
    state: str
    postalCode: str | None
    isPrivate: bool = strawberry.field(
        description="A private office (a home office): visitors see its city, state and ZIP only."
    )


@strawberry.type(description="The therapist's statement about one approach they practise.")
class MyApproachStatement:
    slug: str
    statement: str

    @strawberry.field(description="The approach's name (null if it no longer exists).")
    async def name(self, root: strawberry.Parent[dict[str, Any]], info: strawberry.Info) -> str | None:
        approach = await context_of(info).loaders.approach.load(root["slug"])
        return None if approach is None else approach.get("name")


def availability_age(confirmed_at: str | None, now: datetime) -> tuple[bool, int | None]:
    """Whether visitors' cards show the availability as stale, and the whole days since it was
    confirmed (None when it never was)."""
    if confirmed_at is None:
        return is_stale(None, now), None
    confirmed = datetime.fromisoformat(confirmed_at)
    return is_stale(confirmed, now), (now - confirmed).days


@strawberry.type(
    description="Your own profile as the profiles service holds it, private fields included. "
    "Its fields mirror TherapistProfilePatch, so what is read can be sent back."
)
class MyProfile:
    id: strawberry.ID
    version: int = strawberry.field(description="Give it as ifMatch to change exactly this version.")
    createdAt: datetime | None
    updatedAt: datetime | None
    availabilityConfirmedAt: datetime | None = strawberry.field(
        description="When the new-client status was last confirmed."
    )
    displayName: str
    title: str
    pronouns: str | None
    photoUrl: str | None
    yearsInPractice: int | None
    location: Location
    licences: list[MyLicence]
    npi: str | None
    taxonomyCode: str | None
    locations: list[MyPracticeLocation]
    telehealthStates: list[str]
    formats: list[SessionFormat]
    newClientStatus: NewClientStatus | None
    money: Money
    issues: list[IssueTreated]
    populations: list[str]
    ageGroups: list[str]
    languages: list[str]
    identity: Identity
    bio: Bio
    email: str | None = strawberry.field(description="Private: never shown publicly.")
    phone: str | None = strawberry.field(description="Private: never shown publicly.")

    @strawberry.field(description="Whether the directory shows your profile, and why not.")
    def listing(self, root: strawberry.Parent[dict[str, Any]]) -> Listing:
        return root.get("listing") or {"shown": True, "reason": None}  # type: ignore[return-value]

    @strawberry.field(description="Your licences that expire within 30 days or have expired.")
    def licenceNotices(self, root: strawberry.Parent[dict[str, Any]]) -> list[LicenceNotice]:
        return root.get("licenceNotices") or []  # type: ignore[return-value]

    @strawberry.field(
        description="The telehealth states you declared that your valid licences (and their "
        "interstate compacts) let you serve: only these are used for matching and the "
        "telehealth filter."
    )
    def telehealthStatesServed(self, root: strawberry.Parent[dict[str, Any]]) -> list[str]:
        return telehealth_states_served(root)

    @strawberry.field(
        description="The telehealth states you declared beyond those: kept, but not used for "
        "matching or the telehealth filter."
    )
    def telehealthStatesNotServed(self, root: strawberry.Parent[dict[str, Any]]) -> list[str]:
        served = set(telehealth_states_served(root))
        return [state for state in root.get("telehealthStates") or [] if state not in served]

    @strawberry.field(description="Your statements per approach, each with the approach's name.")
    def approaches(self, root: strawberry.Parent[dict[str, Any]]) -> list[MyApproachStatement]:
        return root.get("approaches") or []  # type: ignore[return-value]

    @strawberry.field(
        description="True when availability was not confirmed in the last 60 days: cards then show "
        "it as stale and the listing is demoted."
    )
    def availabilityStale(self, root: strawberry.Parent[dict[str, Any]]) -> bool:
        return availability_age(root.get("availabilityConfirmedAt"), datetime.now(UTC))[0]

    @strawberry.field(description="Whole days since availability was confirmed (null if never).")
    def daysSinceAvailabilityConfirmed(self, root: strawberry.Parent[dict[str, Any]]) -> int | None:
        return availability_age(root.get("availabilityConfirmedAt"), datetime.now(UTC))[1]

    @strawberry.field(description="The public profile exactly as visitors get it (null if there is none).")
    async def publicView(
        self, root: strawberry.Parent[dict[str, Any]], info: strawberry.Info
    ) -> Therapist | None:
        return await context_of(info).loaders.therapist.load(str(root["id"]))


async def my_profile(info: strawberry.Info) -> MyProfile | None:
    """Your own profile, private fields included; null while you have none. Needs your token."""
    context = context_of(info)
    context.trace.cacheable = False
    response = await context.clients.my_profile(context.require_authorization())
    if response.status == 200:
        return owner_body(context, response)  # type: ignore[return-value]
    if response.status == 404:
        return None
    rejection(response)  # raises for 401 and 403
    raise BadUserInput(f"The profiles service answered {response.status}", status=response.status)


# -- creating and deleting -------------------------------------------------------------------------


@strawberry.input(
    description="A new profile: name, title and location are needed; any other field of "
    "TherapistProfilePatch may be given too."
)
class NewProfileInput(TherapistProfilePatch):
    displayName: str
    title: str
    location: LocationInput


@strawberry.type(description="The profile was created.")
class ProfileCreated:
    profile: MyProfile


@strawberry.type(description="Your account has a profile already (one per account); nothing was created.")
class ProfileAlreadyExists:
    message: str
    therapistId: strawberry.ID


@strawberry.type(description="The profile was deleted: gone from its page, search and approach pages.")
class ProfileDeleted:
    therapistId: strawberry.ID


CreateMyProfileResult = Annotated[
    ProfileCreated | ValidationFailed | ProfileAlreadyExists, strawberry.union("CreateMyProfileResult")
]
DeleteMyProfileResult = Annotated[ProfileDeleted | NotFound, strawberry.union("DeleteMyProfileResult")]


async def existing_profile_id(context: GatewayContext, response: BackendResponse) -> str | None:
    """The id of the profile a 409 says the account has: from its details, else asked of /v1/me."""
    for detail in error_of(response).get("details") or ():
        if isinstance(detail, dict) and isinstance(detail.get("id"), str):
            return detail["id"]
    mine = await context.clients.my_profile(context.require_authorization())
    return str(mine.body["id"]) if mine.status == 200 else None


async def create_my_profile(info: strawberry.Info, input: NewProfileInput) -> CreateMyProfileResult:
    """Create your profile (one per account): the minimal fields first, the rest whenever."""
    context = context_of(info)
    response = await context.clients.create_therapist(merge_patch(input), context.require_authorization())
    if response.status == 201:
        changed(context, str(response.body["id"]))
        return ProfileCreated(profile=owner_body(context, response))  # type: ignore[arg-type]
    if response.status == 409 and error_of(response).get("code") == "profile_exists":
        existing = await existing_profile_id(context, response)
        if existing is not None:
            message = str(error_of(response).get("message") or "This account already has a profile")
            return ProfileAlreadyExists(message=message, therapistId=strawberry.ID(existing))
    rejected = rejection(response)
    if isinstance(rejected, ValidationFailed):
        return rejected
    raise BadUserInput(rejected.message, status=response.status)


async def delete_my_profile(info: strawberry.Info, therapistId: strawberry.ID) -> DeleteMyProfileResult:
    """Delete your profile everywhere: its page, search, approach pages and matching."""
    context = context_of(info)
    response = await context.clients.delete_therapist(str(therapistId), context.require_authorization())
    if response.status == 204:
        changed(context, str(therapistId))
        return ProfileDeleted(therapistId=therapistId)
    rejected = rejection(response)
    if isinstance(rejected, NotFound):
        return rejected
    raise BadUserInput(rejected.message, status=response.status)
