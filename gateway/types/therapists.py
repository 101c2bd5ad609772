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
LicenceStatus = strawberry.enum(
    events.LicenceStatus,
    description="What the therapist's licences say: LICENSED (one at least not expired), EXPIRED "
    "(every one expired: not listed), NOT_GIVEN (no licence given; show it as such).",
)


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
    verifiedAt: datetime | None = strawberry.field(
        default=None, description="When an administrator verified it (only while VERIFIED)."
    )

    @strawberry.field(description="True once its expiry date has passed in the issuing state.")
    def expired(self, root: strawberry.Parent[dict[str, Any]]) -> bool:
        return bool(root.get("expired"))


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


def telehealth_states_served(profile: dict[str, Any]) -> list[str]:
    """The telehealth states profiles derived from the licences; the declared ones from a
    profiles service that predates the derivation."""
    served = profile.get("telehealthStatesServed")
    return profile.get("telehealthStates") or [] if served is None else served


@strawberry.type(
    description='A licence an administrator verified and that has not expired: "licence verified <date>".'
)
class VerifiedLicence:
    kind: str
    state: str
    verifiedAt: datetime


def verified_licences(root: dict[str, Any]) -> list[dict[str, Any]]:
    """A card's verified licences as search listed them, or a profile's, read off its licences."""
    listed = root.get("verifiedLicences")
    if listed is not None:
        return listed
    licences = (events.PublicLicence.model_validate(raw) for raw in root.get("licences") or [])
    return [
        {"kind": lic.kind, "state": lic.state, "verifiedAt": lic.verifiedAt}
        for lic in licences
        if lic.verified_and_valid and lic.verifiedAt is not None
    ]


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
    telehealthStates: list[str] = strawberry.field(description="The states as the therapist declared them.")
    languages: list[str] = strawberry.field(description="BCP-47 language tags.")
    approaches: list[TherapistApproach]
    issues: list[IssueTreated]
    money: Money
    identity: Identity
    ageGroups: list[str]
    updatedAt: datetime

    @strawberry.field(
        description="The declared telehealth states their valid licences (and the interstate "
        "compacts those belong to) allow them to serve: what the telehealthState filter and "
        "matching use."
    )
    def telehealthStatesServed(self, root: strawberry.Parent[dict[str, Any]]) -> list[str]:
        return telehealth_states_served(root)

    @strawberry.field(description='What their licences say; NOT_GIVEN is shown as "licence not given".')
    def licenceStatus(self, root: strawberry.Parent[dict[str, Any]]) -> LicenceStatus:
        status = root.get("licenceStatus")
        if status is None:
            status = events.licence_status(bool(lic.get("expired")) for lic in root.get("licences") or [])
        return events.LicenceStatus(status)  # type: ignore[return-value]

    @strawberry.field(
        description="Their licences an administrator verified that have not expired, each with "
        'when ("licence verified <date>"); a rejection is never shown.'
    )
    def verifiedLicences(self, root: strawberry.Parent[dict[str, Any]]) -> list[VerifiedLicence]:
        return verified_licences(root)  # type: ignore[return-value]


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

    @strawberry.field(
        description="False when search, approach pages and matching do not show them: every "
        "licence they gave has expired."
    )
    def listed(self, root: strawberry.Parent[dict[str, Any]]) -> bool:
        return root.get("listed") is not False

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


@strawberry.type(description="One factor of a result's rank, in plain words and as a number.")
class RankFactor:
    factor: str = strawberry.field(
        description="textRelevance, matchPoints, hardFilters, preference, scale, demotion, rotation, "
        "weight, standing, tieBreak, distance or updated."
    )
    value: float
    description: str


@strawberry.type(
    description="Why this listing is where it is: every factor of the value the results are "
    "ordered by, as search computed it."
)
class RankExplanation:
    order: str = strawberry.field(description="relevance, match, rotation, distance or freshness.")
    rank: float = strawberry.field(description="The value the results are ordered by.")
    rankExact: str = strawberry.field(description="The same value in decimal digits, exactly.")
    composition: str = strawberry.field(
        description="sum: rank is the sum of the factors' values; product: rank is textRelevance "
        "(or matchPoints) times weight in single precision, weight being scale x demotion x rotation."
    )
    factors: list[RankFactor]
    summary: str


# The card key each of TherapistCard's resolved fields reads (gateway.card_fields asks search
# for the keys a query reads; a resolved field missing here makes it ask for the whole card).
CARD_RESOLVER_READS = {
    "responsiveness": "responsiveness",
    "unresponsive": "unresponsive",
    "verifiedLicences": "verifiedLicences",
}


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

    @strawberry.field(
        description="Why this listing: every factor of its rank (text relevance, distance, "
        "preference score, rotation bucket, demotion), in searchTherapists and findMatch; search "
        "works it out only when this field is selected. Null on approach pages."
    )
    def explanation(self, root: strawberry.Parent[dict[str, Any]]) -> RankExplanation | None:
        return root.get("explanation")  # type: ignore[return-value]


async def therapist(info: strawberry.Info, id: strawberry.ID) -> Therapist | None:
    """A therapist's public profile, or null if there is none."""
    return await context_of(info).loaders.therapist.load(str(id))
