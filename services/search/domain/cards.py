"""Cards: what search shows of a therapist (public data only), and the rules read off a profile.

A card is built once, when a profile is indexed, from the stored public profile
(`TherapistPublicProfile` in JSON form) and the therapist's measured responsiveness (a change
of either re-indexes it); each answer adds `availabilityStale` (and `distanceKm`
for a search around a place), so `SearchCard` is the card as the service answers it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from integration_events.therapists import (
    ApproachStatement,
    Identity,
    IssueTreated,
    LicenceStatus,
    Money,
    NewClientStatus,
    PrimaryLocation,
    PublicLicence,
    SessionFormat,
    licence_status,
)
from services.search.domain.responsiveness import Responsiveness, card_fields


class VerifiedLicence(BaseModel):
    """A licence an administrator verified (and that has not expired), as a card shows it."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    state: str
    verifiedAt: datetime


class SearchCard(BaseModel):
    """A therapist as search, approach pages and matching list them."""

    model_config = ConfigDict(extra="forbid")

    id: str
    displayName: str
    title: str
    location: PrimaryLocation
    pronouns: str | None
    photoUrl: str | None
    newClientStatus: NewClientStatus | None
    availabilityConfirmedAt: datetime | None
    availabilityStale: bool = Field(description="Availability not confirmed for 60 days (demoted)")
    formats: list[SessionFormat]
    telehealthStates: list[str] = Field(description="As the therapist declared them")
    telehealthStatesServed: list[str] = Field(
        description="The declared states their valid licences (and compacts) allow: what the "
        "telehealthState filter and matching use"
    )
    licenceStatus: LicenceStatus = Field(description="not_given: no licence given (shown as such)")
    verifiedLicences: list[VerifiedLicence] = Field(
        description="The licences an administrator verified that have not expired, with when: "
        '"licence verified <date>"'
    )
    languages: list[str]
    approaches: list[ApproachStatement] = Field(description="Current slugs (renamed ones resolved)")
    issues: list[IssueTreated]
    money: Money
    identity: Identity
    ageGroups: list[str]
    updatedAt: datetime
    responsiveness: Responsiveness
    unresponsive: bool = Field(
        description="3 or more inquiries unanswered for 7 days and none answered meanwhile (demoted)"
    )
    # Absent (never null) unless the search had a place and a radius.
    distanceKm: float | SkipJsonSchema[None] = Field(
        default=None, description="Only when a place filter with a radius is given"
    )


# What is added to a stored card when it is answered.
ANSWER_FIELDS = ("availabilityStale", "distanceKm")


def card_from_profile(
    profile: dict[str, Any],
    canonical_slug: dict[str, str],
    responsiveness: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored card (a `SearchCard` less `ANSWER_FIELDS`, in JSON form) of a stored public
    profile and its measured responsiveness; approach slugs are resolved to their current slug
    (renames)."""
    seen: set[str] = set()
    approaches = []
    for item in profile["approaches"]:
        slug = canonical_slug.get(item["slug"], item["slug"])
        if slug not in seen:
            seen.add(slug)
            approaches.append({"slug": slug, "statement": item["statement"]})
    money = profile["money"]
    return {
        "id": profile["id"],
        "displayName": profile["displayName"],
        "title": profile["title"],
        "location": {"city": profile["location"]["city"], "state": profile["location"]["state"]},
        "pronouns": profile.get("pronouns"),
        "photoUrl": profile.get("photoUrl"),
        "newClientStatus": profile.get("newClientStatus"),
        "availabilityConfirmedAt": profile.get("availabilityConfirmedAt"),
        "formats": profile["formats"],
        "telehealthStates": profile["telehealthStates"],
        "telehealthStatesServed": telehealth_states_served(profile),
        "licenceStatus": profile.get("licenceStatus")
        or licence_status(bool(lic.get("expired")) for lic in profile["licences"]),
        "verifiedLicences": verified_licences(profile),
        "languages": profile["languages"],
        "approaches": approaches,
        "issues": [{"slug": i["slug"], "top": i["top"]} for i in profile["issues"]],
        "money": {
            "fees": money["fees"],
            "slidingScale": money["slidingScale"],
            "freeConsultation": money["freeConsultation"],
            "insurance": money["insurance"],
            "outOfNetworkSuperbill": money["outOfNetworkSuperbill"],
        },
        "identity": profile["identity"],
        "ageGroups": profile["ageGroups"],
        "updatedAt": profile["updatedAt"],
        **card_fields(responsiveness),
    }


def verified_licences(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored public profile's licences that are verified and valid, as the card shows them
    (`PublicLicence.verified_and_valid` says which)."""
    return [
        {"kind": lic.kind, "state": lic.state, "verifiedAt": lic.verifiedAt.isoformat()}
        for lic in (PublicLicence.model_validate(raw) for raw in profile["licences"])
        if lic.verified_and_valid and lic.verifiedAt is not None
    ]


def lowest_fee(profile: dict[str, Any]) -> int | None:
    """What the cheapest regular session can cost: the lowest fee or the sliding scale's floor."""
    money = profile["money"]
    amounts = [f["amountUsd"] for f in money["fees"] if f["sessionType"] != "intake"]
    if money["slidingScale"] is not None:
        amounts.append(money["slidingScale"]["minUsd"])
    return min(amounts) if amounts else None


def telehealth_states_served(profile: dict[str, Any]) -> list[str]:
    """The states a stored public profile serves online, as profiles derived them from its
    licences; the declared ones only from a publisher that predates the derivation."""
    served = profile.get("telehealthStatesServed")
    return profile["telehealthStates"] if served is None else served


def is_listed(profile: dict[str, Any]) -> bool:
    """Whether search, approach pages and matching show the profile (not: every licence expired)."""
    return profile.get("listed", True)


def licensed_states(profile: dict[str, Any]) -> list[str]:
    """States where the therapist may practise: licences not expired, else (no licence given)
    the practice locations' states."""
    states = {lic["state"].upper() for lic in profile["licences"] if not lic.get("expired")}
    if not profile["licences"]:
        states = {
            profile["location"]["state"].upper(),
            *(loc["state"].upper() for loc in profile["locations"]),
        }
    return sorted(states)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
