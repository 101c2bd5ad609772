"""What the inquiries service reacts to: therapist events, to know whom inquiries may be sent to,
and to forget a deleted therapist's inquiries with them.

Idempotent and order-safe by the therapist's version: a duplicate or older event changes
nothing, and a deletion leaves a tombstone so that a late update does not bring it back.
"""

from __future__ import annotations

from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    TherapistDeleted,
    TherapistPublicProfile,
)
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.inquiries.application import Inquiries, TherapistChange, apply_therapist_event


class TherapistDirectory:
    """Applies therapist events to the therapists the inquiries service knows."""

    def __init__(self, uow: Inquiries) -> None:
        self.uow = uow

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type in (THERAPIST_CREATED, THERAPIST_UPDATED):
            profile = TherapistPublicProfile.model_validate(event.data)
            change = TherapistChange(profile.id, profile.version)
        elif event.type == THERAPIST_DELETED:
            deleted = TherapistDeleted.model_validate(event.data)
            change = TherapistChange(deleted.id, deleted.version, deleted=True)
        else:
            raise PoisonEvent(f"the inquiries service does not handle {event.type}")
        return await apply_therapist_event(change, self.uow)
