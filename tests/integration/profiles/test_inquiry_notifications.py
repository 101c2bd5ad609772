"""The therapist is told that an inquiry waits: `inquiry.received.v1` on the real broker becomes one
mail at the therapist's address on a real SMTP server, once per inquiry, even across an outage."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from prometheus_client import REGISTRY

from integration_events.inquiries import INQUIRY_RECEIVED, InquiryReceived
from servicekit.envelope import CloudEvent, new_event
from services.profiles.domain import NOTICE_SUBJECT, NOTICE_TEXT
from tests.integration.profiles.conftest import SENDER
from tests.support import eventually


def received(therapist_id: str) -> CloudEvent:
    inquiry = InquiryReceived(
        id=f"inq-{uuid.uuid4().hex[:12]}", therapistId=therapist_id, version=1, receivedAt=datetime.now(UTC)
    )
    return new_event(
        type=INQUIRY_RECEIVED, source="/tests", subject=inquiry.id, data=inquiry.model_dump(mode="json")
    )


def consumed(outcome: str) -> float:
    labels = {"service": "profiles", "type": INQUIRY_RECEIVED, "outcome": outcome}
    return REGISTRY.get_sample_value("directory_events_consumed_total", labels) or 0.0


async def therapist_with_address(profiles) -> tuple[str, str]:
    address = f"t-{uuid.uuid4().hex[:10]}@example.org"
    return (await profiles.create(email=address))["id"], address


async def publish(profiles, event: CloudEvent) -> None:
    await profiles.app["runtime"].bus.publish(event)


async def test_a_received_inquiry_mails_the_therapist_that_it_waits(profiles, smtp):
    therapist_id, address = await therapist_with_address(profiles)
    event = received(therapist_id)
    await publish(profiles, event)
    [mail] = await smtp.wait_for(1, to=address)
    assert (mail.sender, mail.recipients) == (SENDER, (address,))
    assert mail.subject == NOTICE_SUBJECT
    assert mail.message_id == f"<inquiry-{event.subject}@therapist-directory>"
    assert mail.text == NOTICE_TEXT


async def test_the_same_event_twice_sends_one_mail(profiles, smtp):
    therapist_id, address = await therapist_with_address(profiles)
    event = received(therapist_id)
    stale_before = consumed("stale")
    await publish(profiles, event)
    await publish(profiles, event)
    await smtp.wait_for(1, to=address)
    await eventually(lambda: consumed("stale") > stale_before, what="the duplicate found stale")
    assert len(smtp.to(address)) == 1


async def test_a_therapist_without_an_email_address_gets_no_mail(profiles, smtp):
    therapist = await profiles.create()
    applied_before, mails_before = consumed("applied"), len(smtp.received)
    await publish(profiles, received(therapist["id"]))
    await eventually(lambda: consumed("applied") > applied_before, what="the event applied")
    assert len(smtp.received) == mails_before


async def test_a_notice_waits_out_an_smtp_outage_and_is_sent_once_it_is_over(profiles, smtp):
    therapist_id, address = await therapist_with_address(profiles)
    await smtp.stop()
    try:
        await publish(profiles, received(therapist_id))
        # Long enough for the consumer's retry budget to run out, were the event not held.
        await asyncio.sleep(2)
    finally:
        await smtp.start()
    [mail] = await smtp.wait_for(1, to=address, timeout=15)
    assert mail.subject == NOTICE_SUBJECT
