"""The approaches REST API (`/v1/approaches`): public reads with ETags, admin-only writes.

Each handler parses the request, calls one use case and shapes its answer; domain errors become
statuses in `servicekit.http`. Old slugs keep resolving: a read answers 301 to the current slug
(308 for writes, which keeps the method), and the batch filter `?slug=` accepts old slugs too.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from servicekit.auth import ADMIN, TokenVerifier, require_role
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.conditional import etag, if_match, not_modified
from servicekit.errors import BadRequest
from servicekit.http import json_response, parse_model, read_json
from services.approaches.application import (
    LOCATION,
    Catalogue,
    ChangeApproach,
    DeleteApproach,
    change_approach,
    create_approach,
    delete_approach,
    list_approaches,
    read_approach,
)
from services.approaches.domain import Approach, ApproachContent
from services.approaches.domain.models import Slug

BASE = "/v1/approaches"
MAX_BATCH = 100


class CatalogueQuery(BaseModel):
    """The query of `GET /v1/approaches`."""

    slug: list[Slug] = Field(
        [],
        max_length=MAX_BATCH,
        description="Only the approaches these slugs name, former slugs too (unknown ones are skipped)",
    )


class ApproachList(BaseModel):
    """The body of `GET /v1/approaches`."""

    items: list[Approach] = Field(description="Sorted by name")


def _catalogue_query(request: web.Request) -> CatalogueQuery:
    try:
        return CatalogueQuery.model_validate({"slug": request.query.getall("slug", [])})
    except ValidationError as exc:
        raise BadRequest(
            f"Query parameter 'slug' must be at most {MAX_BATCH} slugs (lowercase letters, digits and "
            "hyphens)",
            details=[
                {"field": "slug", "message": error["msg"], "type": error["type"]}
                for error in exc.errors(include_url=False, include_input=False)
            ],
        ) from exc


def _approach_response(approach: Approach, *, status: int = 200, location: bool = False) -> web.Response:
    headers = {"ETag": etag(approach.revision)}
    if location:
        headers["Location"] = LOCATION.format(slug=approach.slug)
    return json_response(approach.model_dump(mode="json"), status=status, headers=headers)


def _cached_or(request: web.Request, current_etag: str, body: bytes) -> web.Response:
    """304 when the client already holds this representation, else the JSON body."""
    if not_modified(request, current_etag):
        return web.Response(status=304, headers={"ETag": current_etag})
    return web.Response(body=body, content_type="application/json", headers={"ETag": current_etag})


class ApproachesApi:
    def __init__(
        self,
        uow: Catalogue,
        verifier: TokenVerifier,
        *,
        document: dict[str, Any],
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.uow = uow
        self.verifier = verifier
        self.document = document
        self.clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(BASE, self.create),
            web.get(BASE, self.catalogue),
            web.get(BASE + "/{slug}", self.read),
            web.patch(BASE + "/{slug}", self.change),
            web.delete(BASE + "/{slug}", self.delete),
            web.get("/openapi.json", self.openapi),
        ]

    async def create(self, request: web.Request) -> web.Response:
        await require_role(request, self.verifier, ADMIN)
        content = parse_model(ApproachContent, await read_json(request))
        approach = await create_approach(content, self.uow, self.clock)
        return _approach_response(approach, status=201, location=True)

    async def catalogue(self, request: web.Request) -> web.Response:
        approaches = await list_approaches(_catalogue_query(request).slug, self.uow)
        body = orjson.dumps({"items": [approach.model_dump(mode="json") for approach in approaches]})
        return _cached_or(request, etag(hashlib.sha256(body).hexdigest()[:32]), body)

    async def read(self, request: web.Request) -> web.Response:
        approach = await read_approach(request.match_info["slug"], self.uow)
        return _cached_or(request, etag(approach.revision), orjson.dumps(approach.model_dump(mode="json")))

    async def change(self, request: web.Request) -> web.Response:
        await require_role(request, self.verifier, ADMIN)
        patch = await read_json(request)
        slug = request.match_info["slug"]
        approach = await change_approach(ChangeApproach(slug, patch, if_match(request)), self.uow, self.clock)
        return _approach_response(approach, location=approach.slug != slug)

    async def delete(self, request: web.Request) -> web.Response:
        await require_role(request, self.verifier, ADMIN)
        await delete_approach(DeleteApproach(request.match_info["slug"], if_match(request)), self.uow)
        return web.Response(status=204)

    async def openapi(self, request: web.Request) -> web.Response:
        return json_response(self.document)
