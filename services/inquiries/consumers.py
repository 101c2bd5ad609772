"""What the inquiries service reacts to: therapist events, to know whom inquiries may be sent to,
and to forget a deleted therapist's inquiries with them.

Idempotent and order-safe by the therapist's version: a duplicate or older event changes
nothing, and a deletion leaves a tombstone so that a late update does not bring it back.
"""

from __future__ import annotations

from integration_events.therapists import TherapistDeleted, therapist_event_data
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.inquiries.application import Inquiries, TherapistChange, apply_therapist_event


class TherapistDirectory:
    """Applies therapist events to the therapists the inquiries service knows."""

    def __init__(self, uow: Inquiries) -> None:
        self.uow = uow

    async def apply(self, event: CloudEvent) -> Outcome:
        try:
            data = therapist_event_data(event.type, event.data)
        except KeyError:
            raise PoisonEvent(f"the inquiries service does not handle {event.type}") from None
        if isinstance(data, TherapistDeleted):
            change = TherapistChange(data.id, data.version, deleted=True)
        else:
            change = TherapistChange(data.id, data.version)
        return await apply_therapist_event(change, self.uow)
