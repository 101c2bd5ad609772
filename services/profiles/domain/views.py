"""What anyone may see of a profile (and what its events carry): nothing private; and what its
owner sees beside the profile itself (whether it is listed, which licences need attention)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from integration_events.therapists import TherapistPublicProfile, is_listed
from services.profiles.domain.licensing import LicenceNotice, Listing, licence_notices, listing_of, status_of
from services.profiles.domain.profile import TherapistProfile

PRIVATE_FIELDS = frozenset({"ownerSub", "email", "phone"})


def public_view(profile: TherapistProfile) -> TherapistPublicProfile:
    """The profile without its owner's account, email and phone, unpublished licence numbers,
    or the street and coordinates of a private practice location."""
    data = profile.model_dump(exclude=PRIVATE_FIELDS)
    data["licences"] = [
        {**lic, "number": lic["number"] if lic["numberPublic"] else None} for lic in data["licences"]
    ]
    data["locations"] = [
        {**loc, "street": None, "point": None} if loc["isPrivate"] else loc for loc in data["locations"]
    ]
    status = status_of(profile)
    data["licenceStatus"] = status
    data["listed"] = is_listed(status)
    return TherapistPublicProfile.model_validate(data)


class OwnerView(TherapistProfile):
    """What the owner (or an admin) reads: the whole profile, whether it is listed and why not,
    and the licences that need attention."""

    listing: Listing
    licenceNotices: list[LicenceNotice] = Field(
        description="Licences that expire within 30 days or have expired"
    )


def owner_view(profile: TherapistProfile, at: datetime) -> dict[str, Any]:
    """The owner's view of `profile` at `at`, as JSON."""
    return {
        **profile.model_dump(mode="json"),
        "listing": listing_of(profile).model_dump(mode="json"),
        "licenceNotices": [notice.model_dump(mode="json") for notice in licence_notices(profile, at)],
    }


class PublicProfilePage(BaseModel):
    """A page of `GET /v1/therapists`: public views in id order."""

    items: list[TherapistPublicProfile]
    next: str | None = Field(description="The `after` of the next page; null on the last page")
