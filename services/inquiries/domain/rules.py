"""The rules of inquiries: what a sendable form is, how an inquiry begins and is answered, how
long it is kept, how a page of them is addressed, and what the service refuses, as
`servicekit.errors` domain errors.

Pure: the clock's reading and every stored fact a rule needs are handed in.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicekit.errors import BadRequest, DomainError, InvalidInput, NotFound
from services.inquiries.domain.models import (
    Inquiry,
    InquiryConnection,
    InquiryEdge,
    InquiryForm,
    InquiryReceipt,
    InquiryStatus,
    KnownTherapist,
    PageInfo,
    VisitorMessage,
    node,
)


class RateLimited(DomainError):
    """Too many inquiries from this client, or to this therapist, for now."""

    code = "rate_limited"

    def __init__(self, retry_after_seconds: int) -> None:
        message = f"Too many inquiries for now; try again in {retry_after_seconds} seconds"
        super().__init__(
            message,
            details=[{"field": None, "message": message, "retryAfterSeconds": retry_after_seconds}],
        )
        self.retry_after_seconds = retry_after_seconds


class IdempotencyKeyTaken(Exception):
    """Another inquiry was stored with the same idempotency key meanwhile (a double click)."""


def require_contact(form: InquiryForm) -> None:
    """An inquiry the therapist cannot answer is refused: it needs an email address or a phone."""
    if form.email is None and form.phone is None:
        message = "give an email address or a phone number (or both), so the therapist can answer"
        raise InvalidInput(
            "An email address or a phone number is required",
            details=[
                {"field": "email", "message": message, "type": "contact_required"},
                {"field": "phone", "message": message, "type": "contact_required"},
            ],
        )


def is_honeypot_filled(form: InquiryForm) -> bool:
    """People never see the `homepage` field; software that fills in every field does."""
    return bool(form.homepage)


def new_id() -> str:
    return str(uuid.uuid4())


def decoy_receipt(form: InquiryForm, *, now: datetime) -> InquiryReceipt:
    """What a sender caught by the honeypot is told: a receipt like any other, for nothing kept."""
    return InquiryReceipt(id=new_id(), therapistId=form.therapistId, receivedAt=now)


def new_inquiry(form: InquiryForm, *, now: datetime) -> Inquiry:
    visitor = VisitorMessage(name=form.name, email=form.email, phone=form.phone, message=form.message)
    return Inquiry(
        id=new_id(),
        therapistId=form.therapistId,
        receivedAt=now,
        visitor=visitor,
        idempotencyKey=form.idempotencyKey,
    )


def answered(inquiry: Inquiry, *, now: datetime) -> Inquiry | None:
    """The inquiry marked answered now; None when it was answered already (nothing changes)."""
    if inquiry.status is InquiryStatus.ANSWERED:
        return None
    return inquiry.model_copy(update={"status": InquiryStatus.ANSWERED, "answeredAt": now})


def accepts_inquiries(therapist: KnownTherapist | None) -> bool:
    """Only a therapist the service has heard of, and not deleted since, can be written to."""
    return therapist is not None and not therapist.deleted


def is_news(held: KnownTherapist | None, version: int) -> bool:
    """Whether a therapist event at `version` is newer than what is held."""
    return held is None or version > held.version


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Inquiries received before this moment are past retention and deleted."""
    return now - timedelta(days=retention_days)


def therapist_not_found(therapist_id: str) -> NotFound:
    """Also the answer to anyone who may not read a therapist's inquiries: it tells them nothing."""
    return NotFound(
        f"No therapist with the id {therapist_id!r} can be found here",
        details=[{"field": "therapistId", "message": "no such therapist"}],
    )


def inquiry_not_found(inquiry_id: str) -> NotFound:
    """Also the answer to anyone who may not touch the inquiry."""
    return NotFound(
        f"No inquiry with the id {inquiry_id!r}",
        details=[{"field": "id", "message": "no such inquiry"}],
    )


@dataclass(frozen=True)
class PagePosition:
    """Where a page of a therapist's inquiries (newest first) continues: after this one."""

    received_at: datetime
    inquiry_id: str


def encode_cursor(inquiry: Inquiry) -> str:
    raw = json.dumps({"r": inquiry.receivedAt.isoformat(), "i": inquiry.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> PagePosition:
    try:
        data: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = PagePosition(datetime.fromisoformat(data["r"]), data["i"])
        if not isinstance(position.inquiry_id, str) or position.received_at.tzinfo is None:
            raise ValueError("not a cursor of this service")
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest(
            "The 'after' cursor is not valid",
            code="invalid_cursor",
            details=[{"field": "after", "message": "not a cursor this service gave"}],
        ) from exc
    return position


def connection(inquiries: list[Inquiry], *, total: int, has_next: bool) -> InquiryConnection:
    edges = [InquiryEdge(cursor=encode_cursor(inquiry), node=node(inquiry)) for inquiry in inquiries]
    return InquiryConnection(
        totalCount=total,
        pageInfo=PageInfo(hasNextPage=has_next, endCursor=edges[-1].cursor if edges else None),
        edges=edges,
    )
