"""The profiles REST API (`/v1/therapists`, and `/v1/me` for the caller's own profile): each
route authenticates, parses its input, calls one use case of `application` and shapes the
answer; domain errors become statuses in `servicekit.http`."""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicekit.auth import ADMIN, THERAPIST, Principal, TokenVerifier, require_role
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.conditional import etag, if_match, not_modified
from servicekit.errors import BadRequest, invalid_input
from servicekit.http import json_response, parse_model, read_json
from services.profiles.application import (
    ChangeProfile,
    ConfirmAvailability,
    CreateProfile,
    DecideVerification,
    Profiles,
    ProfileTarget,
    RemoveStatement,
    SetStatement,
    change_profile,
    confirm_availability,
    confirm_ownership,
    create_profile,
    decide_verification,
    delete_profile,
    list_public_profiles,
    read_my_profile,
    read_owner_view,
    read_public_profile,
    read_verification_log,
    remove_statement,
    set_statement,
)
from services.profiles.domain import (
    ApproachStatementText,
    AvailabilityConfirmation,
    NewTherapistProfile,
    TherapistProfile,
    VerificationRequest,
    owner_view,
    parse_patch,
)

MAX_PAGE = 500
Q = TypeVar("Q", bound=BaseModel)


class ListingQuery(BaseModel):
    """The query of `GET /v1/therapists`."""

    first: int = Field(default=100, ge=1, le=MAX_PAGE, description="How many profiles a page holds")
    after: str = Field(default="", description="The `next` of the previous page")


class VerificationLogQuery(BaseModel):
    """The query of `GET /v1/licence-verifications` (an unknown parameter is a 400)."""

    model_config = ConfigDict(extra="forbid")

    first: int = Field(default=50, ge=1, le=MAX_PAGE, description="How many decisions a page holds")
    after: str = Field(default="", description="The `next` of the previous page")
    therapistId: str = Field(default="", description="Only the decisions on this therapist's licences")


def parse_query(model: type[Q], request: web.Request) -> Q:
    """The request's query parameters as `model`; a 400 naming each one that is not valid."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        details = invalid_input(exc).details
        names = ", ".join(detail["field"] for detail in details)
        raise BadRequest(f"Invalid query parameter: {names}", details=details) from exc


def _owner_view(
    profile: TherapistProfile, clock: Clock, *, status: int = 200, **headers: str
) -> web.Response:
    return json_response(
        owner_view(profile, clock.now()), status=status, headers={"ETag": etag(profile.version), **headers}
    )


class ProfilesApi:
    def __init__(self, uow: Profiles, verifier: TokenVerifier, clock: Clock = SYSTEM_CLOCK) -> None:
        self.uow = uow
        self.verifier = verifier
        self.clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/therapists", self.create),
            web.get("/v1/therapists", self.list_public),
            web.get("/v1/therapists/{id}", self.read_public),
            web.patch("/v1/therapists/{id}", self.patch),
            web.delete("/v1/therapists/{id}", self.delete),
            web.get("/v1/therapists/{id}/private", self.read_private),
            web.get("/v1/me", self.read_mine),
            web.get("/v1/therapists/{id}/ownership", self.check_ownership),
            web.put("/v1/therapists/{id}/approaches/{slug}", self.put_statement),
            web.delete("/v1/therapists/{id}/approaches/{slug}", self.delete_statement),
            web.post("/v1/therapists/{id}/availability", self.confirm_availability),
            web.post("/v1/therapists/{id}/licence-verifications", self.decide_verification),
            web.get("/v1/licence-verifications", self.read_verification_log),
        ]

    async def read_public(self, request: web.Request) -> web.Response:
        view = await read_public_profile(request.match_info["id"], self.uow)
        headers = {"ETag": etag(view.version)}
        if not_modified(request, headers["ETag"]):
            return web.Response(status=304, headers=headers)  # the client is current
        return json_response(view.model_dump(mode="json"), headers=headers)

    async def list_public(self, request: web.Request) -> web.Response:
        query = parse_query(ListingQuery, request)
        page = await list_public_profiles(query.after or None, query.first, self.uow)
        return json_response(page.model_dump(mode="json"))

    async def read_private(self, request: web.Request) -> web.Response:
        target = ProfileTarget(request.match_info["id"], await self._caller(request))
        return _owner_view(await read_owner_view(target, self.uow), self.clock)

    async def read_mine(self, request: web.Request) -> web.Response:
        """The caller's own profile: what `read_private` answers for it, found by the account."""
        return _owner_view(await read_my_profile(await self._caller(request), self.uow), self.clock)

    async def check_ownership(self, request: web.Request) -> web.Response:
        """204 if the caller owns the profile or is an admin (asked by other services)."""
        await confirm_ownership(
            ProfileTarget(request.match_info["id"], await self._caller(request)), self.uow
        )
        return web.Response(status=204)

    async def create(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        submitted = parse_model(NewTherapistProfile, await read_json(request))
        profile = await create_profile(CreateProfile(caller, submitted), self.uow, self.clock)
        return _owner_view(profile, self.clock, status=201, Location=f"/v1/therapists/{profile.id}")

    async def patch(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        patch = parse_patch(await read_json(request))
        command = ChangeProfile(await self._target(request, caller), patch)
        return _owner_view(await change_profile(command, self.uow, self.clock), self.clock)

    async def put_statement(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        body = parse_model(ApproachStatementText, await read_json(request))
        command = SetStatement(
            await self._target(request, caller), request.match_info["slug"], body.statement
        )
        return _owner_view(await set_statement(command, self.uow, self.clock), self.clock)

    async def delete_statement(self, request: web.Request) -> web.Response:
        command = RemoveStatement(await self._target(request), request.match_info["slug"])
        profile = await remove_statement(command, self.uow, self.clock)
        return web.Response(status=204, headers={"ETag": etag(profile.version)})

    async def confirm_availability(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        body = parse_model(AvailabilityConfirmation, await read_json(request))
        command = ConfirmAvailability(await self._target(request, caller), body.newClientStatus)
        return _owner_view(await confirm_availability(command, self.uow, self.clock), self.clock)

    async def decide_verification(self, request: web.Request) -> web.Response:
        """An administrator verifies or rejects one licence: 201 with the audit record."""
        caller = await require_role(request, self.verifier, ADMIN)
        body = parse_model(VerificationRequest, await read_json(request))
        command = DecideVerification(await self._target(request, caller), body)
        profile, record = await decide_verification(command, self.uow, self.clock)
        return json_response(
            record.model_dump(mode="json"), status=201, headers={"ETag": etag(profile.version)}
        )

    async def read_verification_log(self, request: web.Request) -> web.Response:
        """The audit log of verification decisions, newest first (administrators only)."""
        caller = await require_role(request, self.verifier, ADMIN)
        query = parse_query(VerificationLogQuery, request)
        page = await read_verification_log(
            caller, query.after or None, query.first, self.uow, therapist_id=query.therapistId or None
        )
        return json_response(page.model_dump(mode="json"))

    async def delete(self, request: web.Request) -> web.Response:
        await delete_profile(await self._target(request), self.uow, self.clock)
        return web.Response(status=204)

    async def _caller(self, request: web.Request) -> Principal:
        return await require_role(request, self.verifier, THERAPIST)

    async def _target(self, request: web.Request, caller: Principal | None = None) -> ProfileTarget:
        """The addressed profile, the caller and the request's If-Match (400 when garbled)."""
        caller = caller or await self._caller(request)
        return ProfileTarget(request.match_info["id"], caller, if_match(request))
