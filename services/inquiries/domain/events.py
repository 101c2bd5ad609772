"""The events of inquiries: that one was received, and that it was answered. Ids and times only:
nothing the visitor wrote is ever part of an event."""

from __future__ import annotations

from integration_events.inquiries import (
    INQUIRY_ANSWERED,
    INQUIRY_RECEIVED,
    InquiryAnswered,
    InquiryReceived,
)
from servicekit.envelope import CloudEvent, new_event
from services.inquiries.domain.models import Inquiry

EVENT_SOURCE = "/directory/inquiries"


def received_event(inquiry: Inquiry) -> CloudEvent:
    data = InquiryReceived(
        id=inquiry.id, therapistId=inquiry.therapistId, version=1, receivedAt=inquiry.receivedAt
    )
    return new_event(
        type=INQUIRY_RECEIVED, source=EVENT_SOURCE, subject=inquiry.id, data=data.model_dump(mode="json")
    )


def answered_event(inquiry: Inquiry) -> CloudEvent:
    """`inquiry` as answered: its second and last version."""
    assert inquiry.answeredAt is not None
    data = InquiryAnswered(
        id=inquiry.id,
        therapistId=inquiry.therapistId,
        version=2,
        receivedAt=inquiry.receivedAt,
        answeredAt=inquiry.answeredAt,
    )
    return new_event(
        type=INQUIRY_ANSWERED, source=EVENT_SOURCE, subject=inquiry.id, data=data.model_dump(mode="json")
    )
