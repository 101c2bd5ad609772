"""What an inquiry is: the form a visitor sends, what the visitor wrote (kept sealed at rest), the
inquiry as the service keeps it, and the views a therapist reads, each a pydantic model.

Free text is kept exactly as written (`servicekit.text.free_text`): a visitor's message reaches
the therapist with its line breaks, accents and typographic quotes, and control characters are
refused with a 422 naming the field.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from servicekit.text import CONTROL_CHARACTERS, free_text

NAME_MAX = 200
MESSAGE_MAX = 2_000
IDEMPOTENCY_KEY_MAX = 100
# The profiles service's email and phone patterns (an address also without control characters).
_ADDRESS_PART = rf"[^@\s{CONTROL_CHARACTERS}]+"
EMAIL_PATTERN = rf"{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}"
PHONE_PATTERN = r"\+?[0-9(][0-9 ().\-/]{5,28}[0-9]"


def _consented(value: bool) -> bool:
    if value is not True:
        raise ValueError("must be true: the visitor agrees that the therapist receives what they wrote")
    return value


def _matching(pattern: str, message: str, max_length: int) -> Any:
    """A string `pattern` matches whole, checked with Python's `re`: the same reading of the
    pattern as the JSON schema's consumers (schemathesis, hypothesis) give it."""
    compiled = re.compile(pattern)

    def validate(value: str) -> str:
        if len(value) > max_length or not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    schema = {
        "type": "string",
        "pattern": f"^(?:{pattern})$",
        "maxLength": max_length,
        "description": message,
    }
    return Annotated[str, AfterValidator(validate), WithJsonSchema(schema)]


Name = free_text(NAME_MAX, required=True)
Message = free_text(MESSAGE_MAX, required=True)
Email = _matching(EMAIL_PATTERN, "must be an email address", 254)
Phone = _matching(PHONE_PATTERN, "must be a phone number of digits, spaces and ( ) . - /", 30)
Consent = Annotated[
    StrictBool,
    AfterValidator(_consented),
    Field(json_schema_extra={"const": True}, description="Must be true"),
]
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=IDEMPOTENCY_KEY_MAX)]
TherapistId = Annotated[str, Field(min_length=1, max_length=100)]

# An inquiry needs a way to answer: an email address or a phone number (or both).
_ONE_CONTACT = {
    "anyOf": [
        {"required": ["email"], "properties": {"email": {"type": "string"}}},
        {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
    ]
}


class InquiryForm(BaseModel):
    """What a visitor sends: the body of `POST /v1/inquiries`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_ONE_CONTACT)

    therapistId: TherapistId = Field(description="The therapist written to")
    name: Name = Field(description="How the visitor wants to be addressed")
    email: Email | None = None
    phone: Phone | None = None
    message: Message = Field(description="Kept exactly as written")
    consent: Consent
    idempotencyKey: IdempotencyKey | None = Field(
        None, description="Sending the same key again answers 200 with the first inquiry, stores nothing"
    )
    homepage: str | None = Field(None, description="Leave out or empty: a field that people never fill in")


class InquiryStatus(StrEnum):
    NEW = "new"
    ANSWERED = "answered"


class VisitorMessage(BaseModel):
    """What the visitor wrote: health data, sealed at rest as one block."""

    model_config = ConfigDict(frozen=True)

    name: str
    email: str | None = None
    phone: str | None = None
    message: str


class Inquiry(BaseModel):
    """An inquiry as the service keeps it (the visitor's part unsealed)."""

    model_config = ConfigDict(frozen=True)

    id: str
    therapistId: str
    receivedAt: datetime
    status: InquiryStatus = InquiryStatus.NEW
    answeredAt: datetime | None = None
    visitor: VisitorMessage
    idempotencyKey: str | None = None


class InquiryReceipt(BaseModel):
    """What the visitor is told: the body of `POST /v1/inquiries`' answer."""

    id: str
    therapistId: str
    receivedAt: datetime


class InquiryNode(BaseModel):
    """An inquiry as its therapist reads it."""

    id: str
    therapistId: str
    receivedAt: datetime
    name: str
    email: str | None
    phone: str | None
    message: str
    status: InquiryStatus
    answeredAt: datetime | None


class InquiryEdge(BaseModel):
    cursor: str
    node: InquiryNode


class PageInfo(BaseModel):
    hasNextPage: bool
    endCursor: str | None


class InquiryConnection(BaseModel):
    """A page of a therapist's inquiries, newest first: the body of
    `GET /v1/therapists/{id}/inquiries`."""

    totalCount: int
    pageInfo: PageInfo
    edges: list[InquiryEdge]


class KnownTherapist(BaseModel):
    """A therapist the service has heard of, at the latest version it saw (deleted: a tombstone, so
    a late update does not bring them back)."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    deleted: bool = False


def node(inquiry: Inquiry) -> InquiryNode:
    fields: dict[str, Any] = inquiry.model_dump(exclude={"visitor", "idempotencyKey"})
    return InquiryNode(**fields, **inquiry.visitor.model_dump())


def receipt(inquiry: Inquiry) -> InquiryReceipt:
    return InquiryReceipt(id=inquiry.id, therapistId=inquiry.therapistId, receivedAt=inquiry.receivedAt)
