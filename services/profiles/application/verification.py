"""Licence verification: an administrator decides on one licence of a profile (verify it, or
reject it with a reason); the new version of the profile, its ordinary `therapist.updated`
event and the decision's audit record are one transaction. Only administrators decide, and only
administrators read the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.auth import Principal
from servicekit.clock import Clock
from servicekit.errors import Forbidden
from services.profiles.application.profiles import ProfileRecords, Profiles, ProfileTarget, _retried
from services.profiles.domain import (
    TherapistProfile,
    VerificationLogPage,
    VerificationRecord,
    VerificationRequest,
    decided,
    updated_event,
)


@dataclass(frozen=True)
class DecideVerification:
    target: ProfileTarget
    request: VerificationRequest


def _admin_only(caller: Principal, what: str) -> None:
    if not caller.is_admin:
        raise Forbidden(f"Only an administrator can {what}")


async def decide_verification(
    command: DecideVerification, uow: Profiles, clock: Clock
) -> tuple[TherapistProfile, VerificationRecord]:
    """Record the decision on the licence and announce the profile's new version."""
    _admin_only(command.target.caller, "verify or reject a licence")

    async def decide(
        _: ProfileRecords, profile: TherapistProfile
    ) -> tuple[TherapistProfile, VerificationRecord]:
        after, record = decided(profile, command.request, admin_sub=command.target.caller.sub, at=clock.now())

        async def work(tx: ProfileRecords) -> tuple[TherapistProfile, VerificationRecord]:
            await tx.profiles.replace(after)
            await tx.verifications.add(record)
            tx.emit(updated_event(after, profile))
            return after, record

        return await uow.run(work)

    return await _retried(command.target, uow, decide, recent_ok=True)


async def read_verification_log(
    caller: Principal, after: str | None, first: int, uow: Profiles, *, therapist_id: str | None = None
) -> VerificationLogPage:
    """The audit log's decisions, newest first (of one therapist, if named)."""
    _admin_only(caller, "read the licence verification log")
    items, next_cursor = await uow.reads().verifications.page(after, first, therapist_id=therapist_id)
    return VerificationLogPage(items=items, next=next_cursor)
