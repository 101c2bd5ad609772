"""Therapists: the full public profile (from profiles) and the search card (from search)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.context import context_of
from gateway.errors import BackendUnavailable
from gateway.types.common import Location
from integration_events import therapists as events

if TYPE_CHECKING:
    from gateway.types.approaches import Approach

NewClientStatus = strawberry.enum(
    events.NewClientStatus, description="Whether the therapist takes new clients (FHIR Plan-Net codes)."
)
SessionFormat = strawberry.enum(events.SessionFormat, description="How sessions are delivered.")
VerificationStatus = strawberry.enum(events.VerificationStatus)


@strawberry.type(description="A therapist's own words about how they practise one approach.")
class TherapistApproach:
    slug: str
    statement: str

    @strawberry.field(description="The approach (null if it no longer exists).")
    async def approach(
        self, root: strawberry.Parent[dict[str, Any]], info: strawberry.Info
    ) -> Annotated[Approach, strawberry.lazy("gateway.types.approaches")] | None:
        return await context_of(info).loaders.approach.load(root["slug"])


@strawberry.type
class IssueTreated:
    slug: str
    top: bool


@strawberry.type
class SessionFee:
    sessionType: str
    amountUsd: int


@strawberry.type
class SlidingScale:
    minUsd: int
    maxUsd: int


@strawberry.type
class Money:
    fees: list[SessionFee]
    slidingScale: SlidingScale | None
    freeConsultation: bool
    insurance: list[str]
    outOfNetworkSuperbill: bool


@strawberry.type(description="Self-described identity; each part only when the therapist gives it.")
class Identity:
    gender: str | None
    raceEthnicity: list[str]
    lgbtq: bool | None
    faith: str | None


@strawberry.type
class Bio:
    helpWith: str
    approach: str
    about: str


@strawberry.type
class Licence:
    kind: str
    state: str
    number: str | None = strawberry.field(description="Only when the therapist publishes it.")
    expires: date | None
    verificationStatus: VerificationStatus


@strawberry.type
class GeoPoint:
    lat: float
    lon: float


@strawberry.type(description="A practice location; a private office shows no street address.")
class PracticeLocation:
    label: str | None
    street: str | None
    city: str
    state: str
    postalCode: str | None
    point: GeoPoint | None
    isPrivate: bool


@strawberry.type(description="How a therapist answered the inquiries of the last 90 days.")
class Responsiveness:
    answeredShare: float | None = strawberry.field(
        description="The share of them answered, 0 to 1 (null when none was received)."
    )
    medianReplyHours: float | None = strawberry.field(
        description="Median hours from receipt to answer among the answered (null when none was)."
    )
    sampleSize: int = strawberry.field(description="Inquiries received in the last 90 days.")


# What a card says before search has measured anything (or a search from before inquiries).
NO_RESPONSIVENESS = {"answeredShare": None, "medianReplyHours": None, "sampleSize": 0}


@strawberry.type
class TherapistFields:
    """What a profile and a search card have in common (read from the services' JSON)."""

    id: strawberry.ID
    displayName: str = strawberry.field(description="The name exactly as the therapist writes it.")
    title: str = strawberry.field(description="Profession title, e.g. Licensed Clinical Social Worker.")
    location: Location
    pronouns: str | None
    photoUrl: str | None
    newClientStatus: NewClientStatus | None
    availabilityConfirmedAt: datetime | None
    formats: list[SessionFormat]
    telehealthStates: list[str]
    languages: list[str] = strawberry.field(description="BCP-47 language tags.")
    approaches: list[TherapistApproach]
    issues: list[IssueTreated]
    money: Money
    identity: Identity
    ageGroups: list[str]
    updatedAt: datetime


@strawberry.type(description="A therapist's public profile.")
class Therapist(TherapistFields):
    version: int
    yearsInPractice: int | None
    licences: list[Licence]
    npi: str | None
    taxonomyCode: str | None = strawberry.field(description="NUCC taxonomy code, e.g. 106H00000X.")
    locations: list[PracticeLocation]
    populations: list[str]
    bio: Bio
    createdAt: datetime

    @strawberry.field(description="How they answer inquiries (null when search does not list them).")
    async def responsiveness(
        self, root: strawberry.Parent[dict[str, Any]], info: strawberry.Info
    ) -> Responsiveness | None:
        card = await _card_of(root, info)
        return None if card is None else card.get("responsiveness") or NO_RESPONSIVENESS  # type: ignore[return-value]

    @strawberry.field(
        description="True when search demotes them for unanswered inquiries, as their card says "
        "(null when search does not list them)."
    )
    async def unresponsive(
        self, root: strawberry.Parent[dict[str, Any]], info: strawberry.Info
    ) -> bool | None:
        card = await _card_of(root, info)
        return None if card is None else bool(card.get("unresponsive"))


async def _card_of(root: dict[str, Any], info: strawberry.Info) -> dict[str, Any] | None:
    """Search's card of the therapist, or None when search does not list them or is away."""
    context = context_of(info)
    try:
        return await context.loaders.card.load(str(root["id"]))
    except BackendUnavailable:
        # The profile stays readable while search is away; such an answer is not cached.
        context.trace.cacheable = False
        return None


@strawberry.type(description="A therapist as search and matching list them.")
class TherapistCard(TherapistFields):
    availabilityStale: bool = strawberry.field(
        description="True when availability was not confirmed in the last 60 days."
    )
    distanceKm: float | None = strawberry.field(
        description="Distance from the searched place (only when a radius was given)."
    )

    @strawberry.field(description="How they answer inquiries (last 90 days).")
    def responsiveness(self, root: strawberry.Parent[dict[str, Any]]) -> Responsiveness:
        return root.get("responsiveness") or NO_RESPONSIVENESS  # type: ignore[return-value]

    @strawberry.field(
        description="True when 3 or more inquiries went unanswered for 7 days and none was answered "
        "in that time (demoted, like stale availability)."
    )
    def unresponsive(self, root: strawberry.Parent[dict[str, Any]]) -> bool:
        return bool(root.get("unresponsive"))


async def therapist(info: strawberry.Info, id: strawberry.ID) -> Therapist | None:
    """A therapist's public profile, or null if there is none."""
    return await context_of(info).loaders.therapist.load(str(id))
