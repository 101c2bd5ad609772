"""What anyone may see of a profile (and what its events carry): nothing private."""

from __future__ import annotations

from pydantic import BaseModel, Field

from integration_events.therapists import TherapistPublicProfile
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
    return TherapistPublicProfile.model_validate(data)


class PublicProfilePage(BaseModel):
    """A page of `GET /v1/therapists`: public views in id order."""

    items: list[TherapistPublicProfile]
    next: str | None = Field(description="The `after` of the next page; null on the last page")
