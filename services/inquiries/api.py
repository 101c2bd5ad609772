"""The inquiries REST API: visitors send (`POST /v1/inquiries`, no account), therapists and admins
read (`GET /v1/therapists/{id}/inquiries`) and mark answered (`POST /v1/inquiries/{id}/answered`).

Each handler parses the request, calls one use case and shapes its answer; domain errors become
statuses in `servicekit.http`, a refusal for sending too often a 429 with `Retry-After`. What a
therapist reads is health data: answered with `Cache-Control: no-store`, and never logged.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicekit.auth import TokenVerifier, authenticate
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.errors import ApiError, BadRequest, invalid_input
from servicekit.http import json_response, parse_model, read_json
from services.inquiries.application import (
    Inquiries,
    ListInquiries,
    MarkAnswered,
    OwnershipChecker,
    SendingLimits,
    SendInquiry,
    list_inquiries,
    mark_inquiry_answered,
    send_inquiry,
)
from services.inquiries.domain import InquiryForm, RateLimited, node

BASE = "/v1/inquiries"
LOCATION = BASE + "/{id}"
# Set by the gateway to the visitor's address: the key of the per-client rate limit.
CLIENT_HEADER = "X-Client-Address"
UNKNOWN_CLIENT = "unknown"
PRIVATE = {"Cache-Control": "no-store"}
MAX_PAGE = 100


class InquiriesQuery(BaseModel):
    """The query of `GET /v1/therapists/{id}/inquiries`."""

    model_config = ConfigDict(extra="forbid")

    first: int = Field(20, ge=1, le=MAX_PAGE, description="How many inquiries a page holds")
    after: str = Field("", description="The `endCursor` of the previous page (none: the newest)")


def _query(request: web.Request) -> InquiriesQuery:
    try:
        return InquiriesQuery.model_validate(dict(request.query))
    except ValidationError as exc:
        details = invalid_input(exc).details
        raise BadRequest(
            f"Invalid query parameter: {', '.join(d['field'] for d in details)}", details=details
        ) from exc


def _rate_limited(exc: RateLimited) -> ApiError:
    return ApiError(
        429, exc.code, exc.message, exc.details, headers={"Retry-After": str(exc.retry_after_seconds)}
    )


class InquiriesApi:
    def __init__(
        self,
        uow: Inquiries,
        verifier: TokenVerifier,
        ownership: OwnershipChecker,
        limits: SendingLimits,
        *,
        document: dict[str, Any],
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.uow = uow
        self.verifier = verifier
        self.ownership = ownership
        self.limits = limits
        self.document = document
        self.clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(BASE, self.send),
            web.get("/v1/therapists/{id}/inquiries", self.inquiries),
            web.post(BASE + "/{id}/answered", self.mark_answered),
            web.get("/openapi.json", self.openapi),
        ]

    async def send(self, request: web.Request) -> web.Response:
        form = parse_model(InquiryForm, await read_json(request))
        client = request.headers.get(CLIENT_HEADER) or UNKNOWN_CLIENT
        try:
            sent = await send_inquiry(SendInquiry(form, client), self.uow, self.clock, self.limits)
        except RateLimited as exc:
            raise _rate_limited(exc) from exc
        body = sent.receipt.model_dump(mode="json")
        if sent.replayed:
            return json_response(body)
        return json_response(body, status=201, headers={"Location": LOCATION.format(id=sent.receipt.id)})

    async def inquiries(self, request: web.Request) -> web.Response:
        credentials = await self._credentials(request)
        query = _query(request)
        command = ListInquiries(request.match_info["id"], credentials, query.first, query.after or None)
        page = await list_inquiries(command, self.uow, self.ownership)
        return json_response(page.model_dump(mode="json"), headers=PRIVATE)

    async def mark_answered(self, request: web.Request) -> web.Response:
        command = MarkAnswered(request.match_info["id"], await self._credentials(request))
        inquiry = await mark_inquiry_answered(command, self.uow, self.clock, self.ownership)
        return json_response(node(inquiry).model_dump(mode="json"), headers=PRIVATE)

    async def openapi(self, request: web.Request) -> web.Response:
        return json_response(self.document)

    async def _credentials(self, request: web.Request) -> str:
        """The caller's Authorization, once its token is known to be valid (401 otherwise): the
        profiles service decides who may read, this service who is someone at all."""
        await authenticate(request, self.verifier)
        return request.headers["Authorization"]
