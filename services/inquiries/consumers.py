"""What the inquiries service reacts to: therapist events, to know whom inquiries may be sent to,
and to forget a deleted therapist's inquiries with them.

Idempotent and order-safe by the therapist's version: a duplicate or older event changes
nothing, and a deletion leaves a tombstone so that a late update does not bring it back.
"""

from __future__ import annotations

from integration_events.therapists import THERAPIST_UPDATED, TherapistDeleted, therapist_event_data
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.inquiries.application import Inquiries, TherapistChange, apply_therapist_event

# Therapists remembered as recorded by this process; past this many it starts again.
KNOWN_KEPT = 100_000


class TherapistDirectory:
    """Applies therapist events to the therapists the inquiries service knows.

    The service keeps only whether a therapist exists, so an update of one it has recorded here
    changes nothing and is not written: their record stays until their deletion, which is always
    written (and a late update after it is stale anyway)."""

    def __init__(self, uow: Inquiries) -> None:
        self.uow = uow
        self._recorded: set[str] = set()

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type == THERAPIST_UPDATED and event.data.get("id") in self._recorded:
            return Outcome.UNCHANGED
        try:
            data = therapist_event_data(event.type, event.data)
        except KeyError:
            raise PoisonEvent(f"the inquiries service does not handle {event.type}") from None
        if isinstance(data, TherapistDeleted):
            self._recorded.discard(data.id)
            return await apply_therapist_event(TherapistChange(data.id, data.version, deleted=True), self.uow)
        outcome = await apply_therapist_event(TherapistChange(data.id, data.version), self.uow)
        if outcome is Outcome.APPLIED:
            if len(self._recorded) >= KNOWN_KEPT:
                self._recorded.clear()
            self._recorded.add(data.id)
        return outcome
