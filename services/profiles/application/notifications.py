"""The use case that tells a therapist an inquiry waits: the profiles service holds the therapist's
e-mail address, so it reacts to `inquiry.received.v1` by sending the notice.

At least once and never twice for the same inquiry: the notice is claimed in the service's
`notifications` before it is handed to the `Mailer` and marked sent after (see
`domain.notifications`). A mail the server did not take releases its claim, so the event that
asked for it can try again at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from integration_events.inquiries import InquiryReceived
from servicekit.backoff import until_it_succeeds
from servicekit.clock import Clock
from servicekit.consumer import Outcome
from servicekit.errors import Unavailable
from servicekit.unit_of_work import UnitOfWork
from services.profiles.application.profiles import ProfileRepository
from services.profiles.domain import (
    InquiryNotice,
    Notification,
    NotificationInProgress,
    claim_notice,
    sent,
)


class MailerUnavailable(Unavailable):
    """The mail server did not take the message for now (down, refusing, timing out)."""

    code = "mailer_unavailable"


class Mailer(Protocol):
    async def send(self, notice: InquiryNotice) -> None:
        """Hand `notice` to the mail server; MailerUnavailable when it could not, for now."""
        ...


class NotificationRepository(Protocol):
    async def get(self, inquiry_id: str) -> Notification | None: ...

    async def claim(self, claim: Notification, *, replacing: Notification | None) -> None:
        """Write `claim` if `replacing` is still what is held; NotificationInProgress if not."""
        ...

    async def release(self, claim: Notification) -> None:
        """Remove `claim`, if it is still the one held."""
        ...

    async def record(self, notification: Notification) -> None: ...


class NotificationRecords(Protocol):
    """What the notification use case holds inside one transaction."""

    profiles: ProfileRepository
    notifications: NotificationRepository


Notifications = UnitOfWork[NotificationRecords]


async def notify_therapist_of_inquiry(
    inquiry: InquiryReceived, uow: Notifications, clock: Clock, mailer: Mailer
) -> Outcome:
    """E-mail the therapist that `inquiry` waits; `stale` when that has been done already.

    A therapist without a profile or an e-mail address is not told: the event is applied with
    nothing sent. NotificationInProgress while another consumer sends it; MailerUnavailable
    (claim released) when the mail server did not take it.
    """
    profile = await uow.reads().profiles.get(inquiry.therapistId)
    if profile is None or profile.email is None:
        return Outcome.APPLIED
    notice = InquiryNotice(to=profile.email, inquiry_id=inquiry.id)
    claim = await _claim(inquiry, uow, clock.now())
    if claim is None:
        return Outcome.STALE
    try:
        await mailer.send(notice)
    except Exception:
        # Not sent: the next attempt need not wait for the claim to expire. (Cancelled mid-send,
        # the mail may be out: the claim stays and expires.)
        await uow.single_write(lambda tx: tx.notifications.release(claim))
        raise
    await _record_sent(claim, uow, clock.now())
    return Outcome.APPLIED


async def _claim(inquiry: InquiryReceived, uow: Notifications, now: datetime) -> Notification | None:
    # The first delivery, by far the usual case: the claim is one insert, atomic on its own.
    first = claim_notice(None, inquiry.id, inquiry.therapistId, now)
    try:
        await uow.single_write(lambda tx: tx.notifications.claim(first, replacing=None))
        return first
    except NotificationInProgress:
        pass  # claimed or sent before: what is held decides, in a transaction

    async def work(tx: NotificationRecords) -> Notification | None:
        held = await tx.notifications.get(inquiry.id)
        claim = claim_notice(held, inquiry.id, inquiry.therapistId, now)
        if claim is not None:
            await tx.notifications.claim(claim, replacing=held)
        return claim

    return await uow.run(work)


async def _record_sent(claim: Notification, uow: Notifications, at: datetime) -> None:
    # The mail is out: however long the database takes to take note, trying again (rather than
    # failing the event, whose retry would find the claim and send a second mail) is right.
    record = until_it_succeeds("notification_not_recorded", inquiry_id=claim.inquiryId)
    await record(uow.single_write, lambda tx: tx.notifications.record(sent(claim, at)))
