"""Contacting a therapist: a visitor's `sendInquiry`, the therapist's `myInquiries` and
`markInquiryAnswered`, all backed by the inquiries service.

Inquiries are health data: nothing here is cached (the trace is marked uncacheable) or logged.
The inquiries service decides who may read what; anyone but the owner or an admin gets what a
missing inquiry gets (an empty connection, `NotFound`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import strawberry

from gateway import inquiries
from gateway.clients import BackendResponse, error_of, rejected_input
from gateway.context import context_of
from gateway.errors import BadUserInput, Unauthenticated
from gateway.types.common import PageInfo, page_info, page_params
from gateway.types.mutations import NotFound, ValidationFailed, field_errors

# When the service gives no wait with a 429 (it always should), a minute is a fair guess.
DEFAULT_RETRY_AFTER_SECONDS = 60


@strawberry.input(description="A visitor's message to a therapist. Give an email address or a phone number.")
class InquiryInput:
    therapistId: strawberry.ID
    name: str = strawberry.field(description="The visitor's name, 1 to 200 characters.")
    email: str | None = None
    phone: str | None = None
    message: str = strawberry.field(description="1 to 2,000 characters, kept exactly as written.")
    consent: bool = strawberry.field(
        description="Must be true: the visitor agrees that the message is stored and passed on."
    )
    idempotencyKey: str | None = strawberry.field(
        default=None,
        description="The same key sends one inquiry however often it is sent (1 to 100 characters).",
    )
    homepage: str | None = strawberry.field(
        default=None, description="Leave empty (a field only bots fill in)."
    )


@strawberry.type(description="The inquiry was stored; the therapist is told that one waits.")
class InquirySent:
    id: strawberry.ID


@strawberry.type(description="Too many inquiries from this visitor or to this therapist for now.")
class RateLimited:
    message: str
    retryAfterSeconds: int


@strawberry.enum
class InquiryStatus(StrEnum):
    NEW = "new"
    ANSWERED = "answered"


@strawberry.type(description="An inquiry a visitor sent; only its therapist and admins read it.")
class Inquiry:
    id: strawberry.ID
    therapistId: strawberry.ID
    receivedAt: datetime
    name: str
    email: str | None
    phone: str | None
    message: str
    status: InquiryStatus
    answeredAt: datetime | None


@strawberry.type
class InquiryEdge:
    cursor: str
    node: Inquiry


@strawberry.type(description="A therapist's inquiries, newest first (Relay connection).")
class InquiryConnection:
    totalCount: int
    pageInfo: PageInfo
    edges: list[InquiryEdge]


SendInquiryResult = Annotated[
    InquirySent | ValidationFailed | NotFound | RateLimited, strawberry.union("SendInquiryResult")
]
MarkInquiryAnsweredResult = Annotated[Inquiry | NotFound, strawberry.union("MarkInquiryAnsweredResult")]


def inquiry_body(inquiry: InquiryInput) -> dict[str, Any]:
    """The input as the inquiries service's `POST /v1/inquiries` body (absent fields left out)."""
    body = {f.name: getattr(inquiry, f.name) for f in dataclasses.fields(inquiry)}
    body["therapistId"] = str(inquiry.therapistId)
    return {name: value for name, value in body.items() if value is not None}


def inquiry_of(node: dict[str, Any]) -> Inquiry:
    # A union member must be a typed object (a plain dict names no type).
    return Inquiry(**{f.name: node.get(f.name) for f in dataclasses.fields(Inquiry)})


def retry_after_seconds(response: BackendResponse) -> int:
    for detail in error_of(response).get("details") or ():
        wait = detail.get("retryAfterSeconds") if isinstance(detail, dict) else None
        if isinstance(wait, int) and not isinstance(wait, bool):
            return max(1, wait)
    header = response.headers.get("Retry-After", "")
    return max(1, int(header)) if header.isdigit() else DEFAULT_RETRY_AFTER_SECONDS


def message_of(response: BackendResponse) -> str:
    return str(error_of(response).get("message") or f"Rejected by the inquiries service ({response.status})")


def refused(response: BackendResponse) -> Exception:
    """The error for an answer no result type covers: a missing or invalid token, or a bug."""
    if response.status == 401:
        return Unauthenticated(message_of(response))
    if response.status in (400, 422):
        return rejected_input(response)
    return BadUserInput(message_of(response), status=response.status, reason=error_of(response).get("code"))


async def send_inquiry(info: strawberry.Info, input: InquiryInput) -> SendInquiryResult:
    """Write to a therapist (no account needed). Also for therapists not taking new clients."""
    context = context_of(info)
    context.trace.cacheable = False
    response = await inquiries.send_inquiry(context.clients, inquiry_body(input), context.client_address)
    if response.status in (200, 201):
        return InquirySent(id=response.body["id"])
    if response.status == 404:
        return NotFound(message=message_of(response))
    if response.status == 429:
        return RateLimited(message=message_of(response), retryAfterSeconds=retry_after_seconds(response))
    if response.status in (400, 422):
        details = error_of(response).get("details") or []
        return ValidationFailed(message=message_of(response), fieldErrors=field_errors(details))
    raise refused(response)


EMPTY_PAGE: dict[str, Any] = {"totalCount": 0, "pageInfo": {"hasNextPage": False}, "edges": []}


async def my_inquiries(
    info: strawberry.Info,
    therapistId: strawberry.ID,
    first: int | None = 20,
    after: str | None = None,
) -> InquiryConnection:
    """A therapist's inquiries, newest first (with the therapist's or an admin's token)."""
    context = context_of(info)
    context.trace.cacheable = False
    response = await inquiries.therapist_inquiries(
        context.clients, str(therapistId), page_params(first, after), context.require_authorization()
    )
    if response.status == 200:
        page = response.body
    elif response.status in (403, 404):
        page = EMPTY_PAGE
    else:
        raise refused(response)
    return {  # type: ignore[return-value]
        "totalCount": page.get("totalCount", 0),
        "pageInfo": page_info(page, after),
        "edges": page.get("edges") or [],
    }


async def mark_inquiry_answered(info: strawberry.Info, id: strawberry.ID) -> MarkInquiryAnsweredResult:
    """Note that you answered an inquiry (answering it again changes nothing)."""
    context = context_of(info)
    response = await inquiries.mark_answered(context.clients, str(id), context.require_authorization())
    if response.status == 200:
        return inquiry_of(response.body)
    if response.status in (403, 404):
        return NotFound(message=message_of(response))
    raise refused(response)
