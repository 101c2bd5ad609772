"""Who consumes which events: the durable queues of the system, declared by every service.

Each service declares all of them at start-up (RabbitMQ declarations are idempotent), so an
event published before its consumer ever ran is queued, not dropped as unroutable.
"""

from __future__ import annotations

from dataclasses import dataclass

from integration_events.approaches import APPROACH_EVENT_TYPES
from integration_events.inquiries import INQUIRY_EVENT_TYPES, INQUIRY_RECEIVED
from integration_events.therapists import THERAPIST_EVENT_TYPES


@dataclass(frozen=True)
class Subscription:
    queue: str
    event_types: tuple[str, ...]

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dead"


SEARCH_EVENTS = Subscription(
    "search.events", THERAPIST_EVENT_TYPES + APPROACH_EVENT_TYPES + INQUIRY_EVENT_TYPES
)
PROFILES_APPROACH_EVENTS = Subscription("profiles.approach-events", APPROACH_EVENT_TYPES)
# The profiles service holds therapists' email addresses: it tells a therapist an inquiry waits.
PROFILES_INQUIRY_EVENTS = Subscription("profiles.inquiry-events", (INQUIRY_RECEIVED,))
# The inquiries service learns which therapists exist (and forgets a deleted one's inquiries).
INQUIRIES_THERAPIST_EVENTS = Subscription("inquiries.therapist-events", THERAPIST_EVENT_TYPES)
# The approaches service counts which therapists reference each approach (delete is refused
# while any do).
APPROACHES_THERAPIST_EVENTS = Subscription("approaches.therapist-events", THERAPIST_EVENT_TYPES)

DURABLE_SUBSCRIPTIONS = (
    SEARCH_EVENTS,
    PROFILES_APPROACH_EVENTS,
    PROFILES_INQUIRY_EVENTS,
    APPROACHES_THERAPIST_EVENTS,
    INQUIRIES_THERAPIST_EVENTS,
)
