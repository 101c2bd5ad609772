"""Therapist events, published by the profiles service.

`data` of created/updated is the therapist's full *public* profile plus its `version`.
Nothing private (licence numbers the therapist has not published, private street addresses,
email, phone) is ever part of it: the profiles service builds this model from its public view.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

THERAPIST_CREATED = "directory.therapist.created.v1"
THERAPIST_UPDATED = "directory.therapist.updated.v1"
THERAPIST_DELETED = "directory.therapist.deleted.v1"
THERAPIST_EVENT_TYPES = (THERAPIST_CREATED, THERAPIST_UPDATED, THERAPIST_DELETED)


class _Snapshot(BaseModel):
    # Consumers accept fields they do not know yet, so publishers can add fields safely.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# A listing whose new-client status was last confirmed longer ago than this is shown as stale
# and demoted; search applies it and the therapist's own view warns before it.
STALE_AFTER = timedelta(days=60)


def is_stale(confirmed_at: datetime | None, now: datetime) -> bool:
    """Whether availability confirmed at `confirmed_at` (None: never) is stale at `now`."""
    return confirmed_at is None or now - confirmed_at > STALE_AFTER


class NewClientStatus(StrEnum):
    """FHIR Plan-Net new-patient codes, plus `waitlist`."""

    ACCEPTING = "newpt"
    NOT_ACCEPTING = "nopt"
    EXISTING_ONLY = "existptonly"
    EXISTING_AND_FAMILY = "existptfam"
    WAITLIST = "waitlist"


class SessionFormat(StrEnum):
    """How sessions are delivered (Plan-Net's delivery method, split by channel)."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"


class VerificationStatus(StrEnum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    EXPIRED = "expired"
    REJECTED = "rejected"  # an administrator checked it and could not verify it (why: admins only)


class LicenceStatus(StrEnum):
    """What a profile's licences say about it, as its public card shows."""

    LICENSED = "licensed"  # at least one licence that has not expired
    EXPIRED = "expired"  # licences given, every one expired: the profile is not listed
    NOT_GIVEN = "not_given"  # no licence given (listed as before, shown as "licence not given")


def licence_status(expired: Iterable[bool]) -> LicenceStatus:
    """The status of a profile whose licences' `expired` flags are `expired`."""
    flags = list(expired)
    if not flags:
        return LicenceStatus.NOT_GIVEN
    return LicenceStatus.EXPIRED if all(flags) else LicenceStatus.LICENSED


def is_listed(status: LicenceStatus) -> bool:
    """Whether search, approach pages and matching show a profile with this licence status."""
    return status != LicenceStatus.EXPIRED


class PrimaryLocation(_Snapshot):
    city: str = ""
    state: str


class GeoPoint(_Snapshot):
    lat: float
    lon: float


class PublicPracticeLocation(_Snapshot):
    """A practice location as the public may see it.

    A private (home) office contributes only its city, state and ZIP code, so that people can
    find the therapist nearby; its street address never leaves the profiles service.
    """

    label: str | None = None
    street: str | None = None
    city: str = ""
    state: str
    postalCode: str | None = None
    point: GeoPoint | None = None
    isPrivate: bool = False


class PublicLicence(_Snapshot):
    kind: str
    state: str
    number: str | None = None  # present only when the therapist chose to publish it
    expires: date | None = None
    verificationStatus: VerificationStatus = VerificationStatus.UNVERIFIED
    # When an administrator last verified it; None unless `verificationStatus` is verified.
    verifiedAt: datetime | None = None
    # Set by the profiles service once the expiry date has passed in the issuing state.
    expired: bool = False

    @property
    def verified_and_valid(self) -> bool:
        """Verified by an administrator and not expired: what `verifiedOnly` asks for."""
        return self.verificationStatus == VerificationStatus.VERIFIED and not self.expired


class SessionFee(_Snapshot):
    sessionType: str  # individual, couples, family, group, intake
    amountUsd: int = Field(ge=0)


class SlidingScale(_Snapshot):
    minUsd: int = Field(ge=0)
    maxUsd: int = Field(ge=0)


class Money(_Snapshot):
    fees: list[SessionFee] = []
    slidingScale: SlidingScale | None = None
    freeConsultation: bool = False
    insurance: list[str] = []  # plan identifiers, e.g. "aetna", "bcbs", "medicaid-tx"
    outOfNetworkSuperbill: bool = False


class IssueTreated(_Snapshot):
    slug: str
    top: bool = False


class Identity(_Snapshot):
    """Self-described, optional, shown only when the therapist fills it in."""

    gender: str | None = None
    raceEthnicity: list[str] = []
    lgbtq: bool | None = None
    faith: str | None = None


class Bio(_Snapshot):
    helpWith: str = ""
    approach: str = ""
    about: str = ""


class ApproachStatement(_Snapshot):
    slug: str
    statement: str


class TherapistPublicProfile(_Snapshot):
    """Data of `therapist.created.v1` and `therapist.updated.v1`."""

    id: str
    version: int = Field(ge=1)
    displayName: str
    title: str
    location: PrimaryLocation
    pronouns: str | None = None
    photoUrl: str | None = None
    yearsInPractice: int | None = None
    licences: list[PublicLicence] = []
    npi: str | None = None
    taxonomyCode: str | None = None
    locations: list[PublicPracticeLocation] = []
    telehealthStates: list[str] = []  # as the therapist declared them
    # The declared states the therapist's valid licences (and their compacts) allow them to serve
    # online: what search filters and matches on. None from a publisher that predates it.
    telehealthStatesServed: list[str] | None = None
    # From the licences when a publisher predates it.
    licenceStatus: LicenceStatus | None = None
    listed: bool = True  # false: not in search, approach pages or matching (all licences expired)
    formats: list[SessionFormat] = []
    newClientStatus: NewClientStatus | None = None
    availabilityConfirmedAt: datetime | None = None
    money: Money = Money()
    approaches: list[ApproachStatement] = []
    issues: list[IssueTreated] = []
    populations: list[str] = []
    ageGroups: list[str] = []
    languages: list[str] = []
    identity: Identity = Identity()
    bio: Bio = Bio()
    createdAt: datetime
    updatedAt: datetime

    @model_validator(mode="after")
    def _status_from_licences(self) -> TherapistPublicProfile:
        if self.licenceStatus is None:
            self.licenceStatus = licence_status(lic.expired for lic in self.licences)
        return self


class TherapistDeleted(_Snapshot):
    """Data of `therapist.deleted.v1`: the last version plus one."""

    id: str
    version: int = Field(ge=1)


def therapist_event_data(event_type: str, data: dict) -> TherapistPublicProfile | TherapistDeleted:
    """The data of a therapist event as its model: the public profile, or the deletion.
    KeyError for a type that is no therapist event; pydantic's ValidationError for bad data."""
    model = {
        THERAPIST_CREATED: TherapistPublicProfile,
        THERAPIST_UPDATED: TherapistPublicProfile,
        THERAPIST_DELETED: TherapistDeleted,
    }[event_type]
    return model.model_validate(data)
