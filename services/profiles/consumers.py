"""What the profiles service learns from other services, and what it does about it.

Approach events keep `known_approaches` up to date, so a statement can be written for an
approach as soon as its event has arrived. Applying is idempotent and order-safe by version.

`inquiry.received.v1` means a visitor wrote to a therapist: the service, which holds the
therapist's e-mail address, tells them that an inquiry waits. While the mail server does not take
the notice, the event waits here (unacknowledged, trying again) rather than spending its retries:
an outage of any length loses no notice and parks none in the dead-letter queue.
"""

from __future__ import annotations

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.inquiries import INQUIRY_RECEIVED, InquiryReceived
from servicekit.backoff import FIRST_DELAY, until_it_succeeds
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.profiles.application import (
    Mailer,
    MailerUnavailable,
    Notifications,
    Profiles,
    forget_approach,
    learn_approach,
    notify_therapist_of_inquiry,
)
from services.profiles.domain import NotificationInProgress


class ApproachCatalogue:
    """Applies `directory.approach.*.v1` events to the approaches the profiles service knows."""

    def __init__(self, uow: Profiles) -> None:
        self.uow = uow

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type in (APPROACH_CREATED, APPROACH_UPDATED):
            return await learn_approach(ApproachSnapshot.model_validate(event.data), self.uow)
        if event.type == APPROACH_DELETED:
            return await forget_approach(ApproachDeleted.model_validate(event.data), self.uow)
        raise PoisonEvent(f"the profiles service does not handle {event.type}")


class InquiryNotifier:
    """Applies `directory.inquiry.received.v1`: the therapist is told by e-mail that it waits."""

    def __init__(
        self,
        uow: Notifications,
        mailer: Mailer,
        clock: Clock = SYSTEM_CLOCK,
        *,
        first_delay: float = FIRST_DELAY,
    ) -> None:
        self.uow = uow
        self.mailer = mailer
        self.clock = clock
        self.first_delay = first_delay

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type != INQUIRY_RECEIVED:
            raise PoisonEvent(f"the profiles service does not handle {event.type}")
        inquiry = InquiryReceived.model_validate(event.data)
        waiting = until_it_succeeds(
            "inquiry_notice_waits",
            retry_on=(MailerUnavailable, NotificationInProgress),
            first_delay=self.first_delay,
            event_id=event.id,
            inquiry_id=inquiry.id,
        )
        return await waiting(notify_therapist_of_inquiry, inquiry, self.uow, self.clock, self.mailer)
