"""Licence verification: an administrator's decision on one licence of a profile, and the audit
record it leaves.

A decision verifies a licence (its status becomes `verified`, with the time) or rejects it (its
status becomes `rejected`, with a reason). Either way it says what was checked (a register, a
document, a call), and the record names the administrator (the token's subject) and the time.
Every decision makes a new version of the profile, announced by the ordinary profile event,
whose public snapshot carries each licence's status and verification time; the record itself
(what was checked, the reason, who decided) is kept only in the audit log, which only
administrators read.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from integration_events.therapists import VerificationStatus
from servicekit.errors import BadRequest, InvalidInput, NotFound
from servicekit.text import free_text
from services.profiles.domain.fields import LicenceKindCode, StateCode, Strict
from services.profiles.domain.profile import TherapistProfile, revised, with_licences
from services.profiles.domain.rules import lic_key

MAX_NOTE_LENGTH = 2000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class Decision(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected"


class LicenceRef(Strict):
    """Which licence of the profile: its kind, issuing state and number, as the profile holds them."""

    kind: LicenceKindCode
    state: StateCode
    number: free_text(40, required=True)


class VerificationRequest(Strict):
    """The body of `POST /v1/therapists/{id}/licence-verifications` (administrators only)."""

    licence: LicenceRef
    decision: Decision
    checked: free_text(MAX_NOTE_LENGTH, required=True) = Field(
        description="What was checked: the register consulted, the document seen, the call made"
    )
    reason: free_text(MAX_NOTE_LENGTH, required=True) | None = Field(
        None, description="Why it was rejected: required to reject, refused to verify; never public"
    )

    @model_validator(mode="after")
    def _reason_goes_with_rejection(self) -> VerificationRequest:
        if self.decision is Decision.REJECTED and self.reason is None:
            raise ValueError("a rejection needs a reason")
        if self.decision is Decision.VERIFIED and self.reason is not None:
            raise ValueError("a reason is given only to reject")
        return self


class VerificationRecord(BaseModel):
    """One decision as the audit log keeps it."""

    id: str
    therapistId: str
    licence: LicenceRef
    decision: Decision
    checked: str
    reason: str | None
    decidedBy: str = Field(description="The deciding administrator's account (the token's subject)")
    decidedAt: datetime
    profileVersion: int = Field(description="The profile version the decision made")


class VerificationLogPage(BaseModel):
    """A page of `GET /v1/licence-verifications`: decisions, newest first."""

    items: list[VerificationRecord]
    next: str | None = Field(description="The `after` of the next page; null on the last page")


def decided(
    profile: TherapistProfile, request: VerificationRequest, *, admin_sub: str, at: datetime
) -> tuple[TherapistProfile, VerificationRecord]:
    """The next version of `profile` with the decision on its licence, and the decision's record.
    NotFound if the profile holds no such licence. A decision is always a new version (a licence
    verified again is verified at the new time), so every decision is announced."""
    wanted = (request.licence.kind, request.licence.state, request.licence.number)
    index = next((n for n, lic in enumerate(profile.licences) if lic_key(lic) == wanted), None)
    if index is None:
        raise NotFound("This profile holds no licence of that kind, state and number", field="licence")
    licence = profile.licences[index]
    if request.decision is Decision.VERIFIED and licence.expired:
        raise InvalidInput("An expired licence cannot be verified", field="decision")
    status = VerificationStatus(request.decision.value)
    changed = licence.model_copy(
        update={
            "verificationStatus": status,
            "verifiedAt": at if status == VerificationStatus.VERIFIED else None,
        }
    )
    licences = [*profile.licences[:index], changed, *profile.licences[index + 1 :]]
    after = revised(profile, with_licences(profile, licences), at=at)
    record = VerificationRecord(
        id=uuid.uuid4().hex,
        therapistId=profile.id,
        licence=request.licence,
        decision=request.decision,
        checked=request.checked,
        reason=request.reason,
        decidedBy=admin_sub,
        decidedAt=at,
        profileVersion=after.version,
    )
    return after, record


def log_cursor(record: VerificationRecord) -> str:
    """The `after` that continues the audit log after `record` (newest first: older ones): its
    time in microseconds since the epoch and its id, safe in a URL as it is."""
    return f"{(record.decidedAt - EPOCH) // MICROSECOND}.{record.id}"


def parse_log_cursor(after: str) -> tuple[datetime, str]:
    """The time and id of the record a cursor names; BadRequest if it is not one."""
    stamp, _, record_id = after.partition(".")
    if not stamp.isdigit() or len(stamp) > 18 or not record_id:
        raise BadRequest("Invalid query parameter: after (not a cursor this log gave)", field="after")
    return EPOCH + int(stamp) * MICROSECOND, record_id
