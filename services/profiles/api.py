"""The profiles REST API (`/v1/therapists`): routes, input checks, ownership.

Anyone reads the public view. A therapist creates one profile for their account and changes
only their own; an admin may create one for any account and change any. Every change is one
transaction holding the new version and its event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pymongo.errors import DuplicateKeyError

from servicekit.auth import THERAPIST, Principal, TokenVerifier, require_role
from servicekit.errors import ApiError
from servicekit.http import json_response, parse_model, read_json
from servicekit.merge_patch import merge_patch
from services.profiles import domain
from services.profiles.domain import (
    ApproachStatementText,
    AvailabilityConfirmation,
    NewTherapistProfile,
    ProfileContent,
    ProfileRuleViolation,
    TherapistProfile,
)
from services.profiles.store import ProfileStore, VersionConflict

WRITE_ATTEMPTS = 3
Change = Callable[[TherapistProfile], Awaitable[TherapistProfile | None]]


def _rule_error(exc: ProfileRuleViolation, status: int = 422) -> ApiError:
    code = "validation_failed" if status == 422 else "forbidden"
    return ApiError(status, code, str(exc), [{"field": exc.field, "message": str(exc), "type": "rule"}])


def _not_found(therapist_id: str) -> ApiError:
    return ApiError(404, "not_found", f"No therapist profile with id {therapist_id!r}")


def _version_headers(profile: TherapistProfile) -> dict[str, str]:
    return {"ETag": domain.etag(profile.version)}


def _owner_view(profile: TherapistProfile, *, status: int = 200, **headers: str) -> web.Response:
    return json_response(profile.model_dump(mode="json"), status=status,
                         headers={**_version_headers(profile), **headers})


DEFAULT_PAGE = 100
MAX_PAGE = 500


class ProfilesApi:
    def __init__(self, store: ProfileStore, verifier: TokenVerifier) -> None:
        self.store = store
        self.verifier = verifier

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/therapists", self.create),
            web.get("/v1/therapists", self.list_public),
            web.get("/v1/therapists/{id}", self.read_public),
            web.patch("/v1/therapists/{id}", self.patch),
            web.delete("/v1/therapists/{id}", self.delete),
            web.get("/v1/therapists/{id}/private", self.read_private),
            web.put("/v1/therapists/{id}/approaches/{slug}", self.put_statement),
            web.delete("/v1/therapists/{id}/approaches/{slug}", self.delete_statement),
            web.post("/v1/therapists/{id}/availability", self.confirm_availability),
        ]

    # --- reads ------------------------------------------------------------------------

    async def read_public(self, request: web.Request) -> web.Response:
        therapist_id = request.match_info["id"]
        profile = await self.store.find(therapist_id)
        if profile is None:
            raise _not_found(therapist_id)
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None and domain.if_match_allows(if_none_match, profile.version):
            return web.Response(status=304, headers=_version_headers(profile))  # the client is current
        return json_response(domain.public_view(profile).model_dump(mode="json"),
                             headers=_version_headers(profile))

    async def list_public(self, request: web.Request) -> web.Response:
        """Every profile's public view, a page at a time (for read models that rebuild)."""
        raw_first = request.query.get("first", str(DEFAULT_PAGE))
        if not raw_first.isdigit() or not 1 <= int(raw_first) <= MAX_PAGE:
            raise ApiError(400, "invalid_parameter", f"first must be a whole number from 1 to {MAX_PAGE}",
                           [{"field": "first", "message": "out of range", "type": "query"}])
        after = request.query.get("after") or None
        profiles = await self.store.page(after, int(raw_first))
        next_cursor = profiles[-1].id if len(profiles) == int(raw_first) else None
        return json_response({
            "items": [domain.public_view(p).model_dump(mode="json") for p in profiles],
            "next": next_cursor,
        })

    async def read_private(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        profile = await self._owned(request, principal)
        return _owner_view(profile)

    # --- writes -----------------------------------------------------------------------

    async def create(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        submitted = parse_model(NewTherapistProfile, await read_json(request))
        owner = submitted.ownerSub or principal.sub
        if owner != principal.sub and not principal.is_admin:
            raise ApiError(403, "forbidden", "Only an administrator can create a profile for another account")
        self._check_verification(principal, None, submitted)
        existing = await self.store.id_owned_by(owner)
        if existing is not None:
            raise self._already_has_profile(existing)
        content = await self._with_known_approaches(submitted, held=())
        profile = domain.new_profile(content, owner_sub=owner, at=domain.now())
        try:
            await self.store.insert(profile, domain.created_event(profile, traceparent=_trace(request)))
        except DuplicateKeyError:  # created concurrently, a moment ago
            raise self._already_has_profile(await self.store.id_owned_by(owner)) from None
        return _owner_view(profile, status=201, Location=f"/v1/therapists/{profile.id}")

    async def patch(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        patch = await read_json(request)
        if not isinstance(patch, dict):
            raise ApiError(422, "validation_failed", "A merge patch must be a JSON object",
                           [{"field": "(body)", "message": "must be an object", "type": "object_type"}])
        problems = domain.patch_problems(ProfileContent, patch)
        if problems:
            fields = ", ".join(p["field"] for p in problems)
            raise ApiError(422, "validation_failed", f"Unknown or read-only fields: {fields}", problems)

        async def patched(profile: TherapistProfile) -> TherapistProfile | None:
            before = domain.editable_content(profile)
            content = parse_model(ProfileContent, merge_patch(before, patch))
            self._check_verification(principal, profile, content)
            if "approaches" in patch:
                content = await self._with_known_approaches(
                    content, held=[a.slug for a in profile.approaches])
            if content.model_dump(mode="json") == before:
                return None  # nothing changes: no new version, no event
            return domain.revised(profile, content, at=domain.now())

        return _owner_view(await self._change(request, principal, patched))

    async def put_statement(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        slug = request.match_info["slug"]
        body = parse_model(ApproachStatementText, await read_json(request))
        current = (await self.store.current_slugs([slug])).get(slug)
        if current is None:
            raise ApiError(422, "unknown_approach",
                           f"Unknown approach {slug!r}: no approach with this slug is known to the directory",
                           [{"field": "slug", "message": "unknown approach", "type": "unknown_approach"}])

        async def with_statement(profile: TherapistProfile) -> TherapistProfile | None:
            content = domain.with_statement(profile, current, body.statement)
            return domain.revised(profile, content, at=domain.now())

        return _owner_view(await self._change(request, principal, with_statement))

    async def delete_statement(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        slug = request.match_info["slug"]

        async def without_statement(profile: TherapistProfile) -> TherapistProfile | None:
            content = domain.without_statement(profile, slug)
            if content is None:
                current = (await self.store.current_slugs([slug])).get(slug, slug)
                content = domain.without_statement(profile, current)
            if content is None:
                raise ApiError(404, "not_found", f"This profile has no statement for approach {slug!r}")
            return domain.revised(profile, content, at=domain.now())

        profile = await self._change(request, principal, without_statement)
        return web.Response(status=204, headers=_version_headers(profile))

    async def confirm_availability(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        body = parse_model(AvailabilityConfirmation, await read_json(request))

        async def confirmed(profile: TherapistProfile) -> TherapistProfile | None:
            return domain.with_availability(profile, body.newClientStatus, at=domain.now())

        return _owner_view(await self._change(request, principal, confirmed))

    async def delete(self, request: web.Request) -> web.Response:
        principal = await self._caller(request)
        if_match = request.headers.get("If-Match")
        for _ in range(WRITE_ATTEMPTS):
            profile = await self._owned(request, principal)
            try:
                await self.store.delete(profile, domain.deleted_event(profile, traceparent=_trace(request)))
            except VersionConflict:
                if if_match is not None:
                    raise self._stale(profile) from None
                continue
            return web.Response(status=204)
        raise self._busy()

    # --- shared steps -------------------------------------------------------------------

    async def _caller(self, request: web.Request) -> Principal:
        return await require_role(request, self.verifier, THERAPIST)

    async def _owned(
        self, request: web.Request, principal: Principal, *, recent_ok: bool = False
    ) -> TherapistProfile:
        """The addressed profile, if the caller may change it and `If-Match` holds.

        `recent_ok` accepts the version this process wrote last: the write that follows names the
        version it replaces, so a stale one fails safely and is retried with a fresh read.
        """
        therapist_id = request.match_info["id"]
        profile = await self.store.find(therapist_id, recent_ok=recent_ok)
        if profile is None:
            raise _not_found(therapist_id)
        if profile.ownerSub != principal.sub and not principal.is_admin:
            raise ApiError(403, "forbidden", "Only the profile's owner or an administrator can do this")
        if not domain.if_match_allows(request.headers.get("If-Match"), profile.version):
            if recent_ok:
                return await self._owned(request, principal)
            raise self._stale(profile)
        return profile

    async def _change(self, request: web.Request, principal: Principal, change: Change) -> TherapistProfile:
        """Read, change and store the profile with its event; re-read if it moved on meanwhile."""
        if_match = request.headers.get("If-Match")
        for attempt in range(WRITE_ATTEMPTS):
            profile = await self._owned(request, principal, recent_ok=attempt == 0)
            changed = await change(profile)
            if changed is None:
                return profile
            try:
                await self.store.replace(changed, domain.updated_event(changed, traceparent=_trace(request)))
            except VersionConflict:
                if if_match is not None:
                    raise self._stale(profile) from None
                continue
            return changed
        raise self._busy()

    def _check_verification(self, principal: Principal, before: TherapistProfile | None,
                            after: ProfileContent) -> None:
        if principal.is_admin:
            return
        try:
            domain.check_verification_unchanged(before, after)
        except ProfileRuleViolation as exc:
            raise _rule_error(exc, 403) from exc

    async def _with_known_approaches(self, content: ProfileContent, *, held: Any) -> ProfileContent:
        current = await self.store.current_slugs(a.slug for a in content.approaches)
        try:
            return domain.canonical_statements(content, current, held)
        except ProfileRuleViolation as exc:
            raise _rule_error(exc) from exc

    @staticmethod
    def _already_has_profile(existing: str | None) -> ApiError:
        return ApiError(409, "profile_exists", "This account already has a therapist profile",
                        [{"id": existing, "location": f"/v1/therapists/{existing}"}])

    @staticmethod
    def _stale(profile: TherapistProfile) -> ApiError:
        return ApiError(412, "precondition_failed",
                        f"If-Match does not name the current version ({profile.version}); "
                        "read the profile again and retry", headers=_version_headers(profile))

    @staticmethod
    def _busy() -> ApiError:
        return ApiError(409, "concurrent_modification",
                        "The profile kept changing while this request was applied; retry")


def _trace(request: web.Request) -> str | None:
    return request.headers.get("traceparent")
