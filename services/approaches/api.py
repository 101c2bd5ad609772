"""The approaches REST API (`/v1/approaches`): public reads with ETags, admin-only writes.

Old slugs keep resolving: a read answers 301 to the current slug (308 for writes, which keeps
the method), and the batch filter `?slug=` accepts old slugs too.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from aiohttp import web
from pydantic import ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession

from servicekit.auth import ADMIN, require_role
from servicekit.errors import ApiError, validation_error
from servicekit.http import json_response, parse_model, read_json
from servicekit.unit_of_work import run_in_transaction
from servicekit.runtime import ServiceRuntime
from services.approaches import domain
from services.approaches.domain import Approach, ApproachContent, InvalidPatch
from services.approaches.openapi import openapi_document
from services.approaches.store import ApproachStore, SlugTaken

BASE = "/v1/approaches"
MAX_BATCH = 100


def _location(slug: str) -> str:
    return f"{BASE}/{slug}"


def _not_found(slug: str) -> ApiError:
    return ApiError(404, "approach_not_found", f"No approach has the slug {slug!r}",
                    [{"field": "slug", "message": "no approach has this slug"}])


def _slug_taken(exc: SlugTaken) -> ApiError:
    return ApiError(409, "slug_taken", f"The slug {exc.slug!r} already names an approach (now or before a "
                    "rename, and old slugs keep resolving)",
                    [{"field": "slug", "message": "already names an approach"}])


def _moved(request: web.Request, approach: Approach) -> ApiError:
    status = 301 if request.method in ("GET", "HEAD") else 308
    location = _location(approach.slug)
    return ApiError(status, "approach_moved", f"This approach's slug is now {approach.slug!r}",
                    [{"field": "slug", "message": f"renamed to {approach.slug}"}],
                    headers={"Location": location})


def _check_precondition(if_match: str | None, approach: Approach) -> None:
    if not domain.if_match_holds(if_match, approach):
        raise ApiError(412, "precondition_failed",
                       f"The approach has changed: it is at version {approach.version}",
                       [{"field": "If-Match", "message": f"the current ETag is {approach.etag}"}],
                       headers={"ETag": approach.etag})


def _approach_response(approach: Approach, *, status: int = 200, location: bool = False) -> web.Response:
    headers = {"ETag": approach.etag}
    if location:
        headers["Location"] = _location(approach.slug)
    return json_response(approach.model_dump(mode="json"), status=status, headers=headers)


def _cached_or(request: web.Request, etag: str, body: bytes) -> web.Response:
    """304 when the client already holds this representation, else the JSON body."""
    if domain.none_match(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers={"ETag": etag})
    return web.Response(body=body, content_type="application/json", headers={"ETag": etag})


class ApproachesApi:
    def __init__(self, runtime: ServiceRuntime, store: ApproachStore) -> None:
        self.runtime = runtime
        self.store = store

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_post(BASE, self.create)
        router.add_get(BASE, self.list_approaches)
        router.add_get(BASE + "/{slug}", self.read)
        router.add_patch(BASE + "/{slug}", self.patch)
        router.add_delete(BASE + "/{slug}", self.delete)
        router.add_get("/openapi.json", self.openapi)

    async def _current(
        self, request: web.Request, session: AsyncClientSession | None = None
    ) -> Approach:
        """The approach the path's slug names; raises 404, or a redirect for an old slug."""
        slug = request.match_info["slug"]
        approach = await self.store.find_by_slug(slug, session=session)
        if approach is None:
            raise _not_found(slug)
        if approach.slug != slug:
            raise _moved(request, approach)
        return approach

    async def _commit(self, work) -> Any:
        rows: list = []

        async def attempt(session: AsyncClientSession) -> Any:
            rows.clear()
            return await work(session, rows)

        result = await run_in_transaction(self.runtime.mongo, attempt)
        self.runtime.outbox.hand_over(rows)
        return result

    async def create(self, request: web.Request) -> web.Response:
        await require_role(request, self.runtime.verifier, ADMIN)
        content = parse_model(ApproachContent, await read_json(request))
        approach = domain.new_approach(content)

        async def work(session: AsyncClientSession, rows: list) -> None:
            await self.store.insert(approach, session)
            rows.append(await self.runtime.outbox.add(domain.created_event(approach), session))

        try:
            await self._commit(work)
        except SlugTaken as exc:
            raise _slug_taken(exc) from exc
        return _approach_response(approach, status=201, location=True)

    async def list_approaches(self, request: web.Request) -> web.Response:
        wanted = request.query.getall("slug", [])
        if wanted:
            invalid = [slug for slug in wanted if not domain.is_slug(slug)]
            if invalid:
                raise ApiError(400, "invalid_parameter", "Query parameter 'slug' must be slugs "
                               "(lowercase letters, digits and hyphens)",
                               [{"field": "slug", "message": f"not a slug: {s!r}"} for s in invalid])
            if len(wanted) > MAX_BATCH:
                raise ApiError(400, "invalid_parameter", f"At most {MAX_BATCH} 'slug' parameters at once",
                               [{"field": "slug", "message": f"at most {MAX_BATCH}"}])
            approaches = await self.store.find_by_slugs(wanted)
        else:
            approaches = await self.store.all()
        approaches.sort(key=lambda a: (a.name.casefold(), a.slug))
        body = orjson.dumps({"items": [a.model_dump(mode="json") for a in approaches]})
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return _cached_or(request, etag, body)

    async def read(self, request: web.Request) -> web.Response:
        approach = await self._current(request)
        return _cached_or(request, approach.etag, orjson.dumps(approach.model_dump(mode="json")))

    async def patch(self, request: web.Request) -> web.Response:
        await require_role(request, self.runtime.verifier, ADMIN)
        patch = await read_json(request)
        if_match = request.headers.get("If-Match")

        async def work(session: AsyncClientSession, rows: list) -> Approach:
            current = await self._current(request, session)
            _check_precondition(if_match, current)
            try:
                revised = domain.revise(current, patch)
            except InvalidPatch as exc:
                raise ApiError(422, "validation_failed", str(exc), exc.details) from exc
            except ValidationError as exc:
                raise validation_error(exc) from exc
            if revised is None:
                return current
            await self.store.replace(revised, session)
            rows.append(await self.runtime.outbox.add(domain.updated_event(revised), session))
            return revised

        try:
            approach = await self._commit(work)
        except SlugTaken as exc:
            raise _slug_taken(exc) from exc
        return _approach_response(approach, location=approach.slug != request.match_info["slug"])

    async def delete(self, request: web.Request) -> web.Response:
        await require_role(request, self.runtime.verifier, ADMIN)
        if_match = request.headers.get("If-Match")

        async def work(session: AsyncClientSession, rows: list) -> None:
            approach = await self._current(request, session)
            _check_precondition(if_match, approach)
            count = await self.store.reference_count(approach, session)
            if count:
                noun = "therapist references" if count == 1 else "therapists reference"
                raise ApiError(409, "approach_in_use",
                               f"{count} {noun} this approach; it cannot be deleted while any do",
                               [{"field": "slug", "message": f"referenced by {count} therapists",
                                 "therapistCount": count}])
            await self.store.delete(approach, session)
            rows.append(await self.runtime.outbox.add(domain.deleted_event(approach), session))

        await self._commit(work)
        return web.Response(status=204)

    async def openapi(self, request: web.Request) -> web.Response:
        return json_response(openapi_document())
