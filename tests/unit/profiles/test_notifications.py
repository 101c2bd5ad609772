"""Telling a therapist that an inquiry waits, over an in-memory unit of work and a recording
mailer: once per inquiry, again only after a claim was abandoned, never without an address."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integration_events.inquiries import INQUIRY_RECEIVED, InquiryReceived
from servicekit.auth import Principal
from servicekit.consumer import Outcome
from servicekit.envelope import new_event
from services.profiles.application import (
    CreateProfile,
    MailerUnavailable,
    create_profile,
    notify_therapist_of_inquiry,
)
from services.profiles.consumers import InquiryNotifier
from services.profiles.domain import (
    NOTICE_SUBJECT,
    NOTICE_TEXT,
    NewTherapistProfile,
    NotificationInProgress,
    NotificationState,
    claim_notice,
)
from tests.unit.profiles.fakes import RecordingMailer

OWNER = Principal("acct-1", frozenset({"therapist"}))
ADDRESS = "jo.park@example.org"


@pytest.fixture
def mailer():
    return RecordingMailer()


async def therapist(uow, now, **fields) -> str:
    submitted = NewTherapistProfile.model_validate(
        {"displayName": "Jo Park", "title": "LMFT", "location": {"city": "Reno", "state": "NV"}, **fields}
    )
    return (await create_profile(CreateProfile(OWNER, submitted), uow, now)).id


def received(therapist_id: str, inquiry_id: str = "inq-1", *, now) -> InquiryReceived:
    return InquiryReceived(id=inquiry_id, therapistId=therapist_id, version=1, receivedAt=now.now())


async def notify(inquiry, uow, now, mailer):
    return await notify_therapist_of_inquiry(inquiry, uow, now, mailer)


async def test_a_received_inquiry_sends_the_therapist_one_notice(uow, now, mailer):
    inquiry = received(await therapist(uow, now, email=ADDRESS), now=now)
    assert await notify(inquiry, uow, now, mailer) == Outcome.APPLIED
    [notice] = mailer.sent
    assert (notice.to, notice.inquiry_id) == (ADDRESS, "inq-1")
    assert notice.message_id == "<inquiry-inq-1@therapist-directory>"
    assert uow.state.notifications["inq-1"].state is NotificationState.SENT


async def test_a_duplicate_of_a_sent_inquiry_is_stale_and_sends_nothing(uow, now, mailer):
    inquiry = received(await therapist(uow, now, email=ADDRESS), now=now)
    await notify(inquiry, uow, now, mailer)
    assert await notify(inquiry, uow, now, mailer) == Outcome.STALE
    assert len(mailer.sent) == 1


async def test_a_claim_left_sending_for_over_a_minute_is_sent_again(uow, now, mailer):
    inquiry = received(await therapist(uow, now, email=ADDRESS), now=now)
    abandoned = claim_notice(None, inquiry.id, inquiry.therapistId, now.now())
    uow.state.notifications[inquiry.id] = abandoned  # a consumer died mid-send
    now.advance(seconds=61)
    assert await notify(inquiry, uow, now, mailer) == Outcome.APPLIED
    assert len(mailer.sent) == 1


async def test_a_fresh_claim_of_another_consumer_is_waited_for_not_sent_again(uow, now, mailer):
    inquiry = received(await therapist(uow, now, email=ADDRESS), now=now)
    uow.state.notifications[inquiry.id] = claim_notice(None, inquiry.id, inquiry.therapistId, now.now())
    now.advance(seconds=10)
    with pytest.raises(NotificationInProgress):
        await notify(inquiry, uow, now, mailer)
    assert mailer.sent == []


async def test_a_therapist_without_an_email_address_is_applied_with_nothing_sent(uow, now, mailer):
    inquiry = received(await therapist(uow, now), now=now)
    assert await notify(inquiry, uow, now, mailer) == Outcome.APPLIED
    assert mailer.sent == [] and uow.state.notifications == {}


async def test_an_inquiry_for_a_deleted_therapist_is_applied_with_nothing_sent(uow, now, mailer):
    assert await notify(received("gone", now=now), uow, now, mailer) == Outcome.APPLIED
    assert mailer.sent == []


async def test_a_notice_the_mail_server_did_not_take_is_released_for_the_next_attempt(uow, now):
    mailer = RecordingMailer(failures=1)
    inquiry = received(await therapist(uow, now, email=ADDRESS), now=now)
    with pytest.raises(MailerUnavailable):
        await notify(inquiry, uow, now, mailer)
    assert uow.state.notifications == {}
    assert await notify(inquiry, uow, now, mailer) == Outcome.APPLIED
    assert len(mailer.sent) == 1


async def test_the_notice_says_only_that_an_inquiry_waits(uow, now, mailer):
    about = "My practice is in Reno."
    inquiry = received(await therapist(uow, now, email=ADDRESS, bio={"about": about}), now=now)
    await notify(inquiry, uow, now, mailer)
    [notice] = mailer.sent
    assert (notice.subject, notice.text) == (NOTICE_SUBJECT, NOTICE_TEXT)
    assert "sign in" in notice.text.lower()
    assert all(word not in notice.text for word in (about, "Jo Park", ADDRESS, inquiry.id))


async def test_an_inquiry_id_unfit_for_a_message_id_is_refused(uow, now, mailer):
    inquiry = received(await therapist(uow, now, email=ADDRESS), "x>\r\nBcc: all@example.org", now=now)
    with pytest.raises(ValidationError):
        await notify(inquiry, uow, now, mailer)
    assert mailer.sent == []


async def test_the_consumer_holds_the_event_until_the_mail_server_takes_the_notice(uow, now):
    mailer = RecordingMailer(failures=2)
    inquiry = received(await therapist(uow, now, email=ADDRESS), now=now)
    event = new_event(
        type=INQUIRY_RECEIVED, source="/tests", subject=inquiry.id, data=inquiry.model_dump(mode="json")
    )
    notifier = InquiryNotifier(uow, mailer, now, first_delay=0.001)
    assert await notifier.apply(event) == Outcome.APPLIED
    assert (mailer.attempts, len(mailer.sent)) == (3, 1)
