"""The search service's read-only REST API (`/v1`): the HTTP adapter. Each handler reads the
request, calls one use case and writes the answer; `GET /openapi.json` describes them all.

Visitors pass their session in `X-Visitor-Session` (or the `visitor_session` cookie); it is only
ever reduced to one of 16 rotation buckets, echoed in `X-Rotation-Bucket`. Match answers are
health data: the handler keeps them in memory for the request only and logs nothing about them.
Search answers copy each stored card's JSON bytes into the body (with `availabilityStale` and
`distanceKm` spliced in) instead of parsing and re-encoding it; `domain.SearchPage` documents
the result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_origin

import orjson
from aiohttp import web
from multidict import MultiMapping
from pydantic import BaseModel

from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.http import json_response, parse_model, read_json
from services.search import application, domain
from services.search.domain import (
    BUCKET_HEADER,
    MatchOptions,
    MatchQuestionnaire,
    PageParameters,
    SearchParameters,
    invalid_parameter,
    page_parameters,
    search_query,
)
from services.search.engine import Page, SearchEngine
from services.search.index import Hit
from services.search.openapi import openapi_document

VARY = "X-Visitor-Session, Cookie"


def visitor_bucket(request: web.Request) -> int:
    session = request.headers.get(domain.VISITOR_HEADER) or request.cookies.get(domain.VISITOR_COOKIE)
    return domain.rotation_bucket(session)


def query_parameters(
    query: MultiMapping[str], model: type[BaseModel], *, once: bool = True
) -> dict[str, Any]:
    """The query string as `model`'s input: a repeatable parameter (a tuple field) with every
    value given, any other with its first. The first parameter the model does not know, or
    (`once`) that is given more than once, is named in a 400."""
    fields = model.model_fields
    values: dict[str, Any] = {}
    for name in query:
        field = fields.get(name)
        if field is None:
            raise invalid_parameter(name, "unknown parameter")
        if get_origin(field.annotation) is tuple:
            values[name] = query.getall(name)
        elif once and len(query.getall(name)) > 1:
            raise invalid_parameter(name, "give it once")
        else:
            values.setdefault(name, query[name])
    return values


def render_card(hit: Hit, now: datetime) -> dict[str, Any]:
    """The `SearchCard` of a hit, as JSON-ready data."""
    card = dict(hit.card)
    confirmed = card["availabilityConfirmedAt"]
    card["availabilityStale"] = domain.is_stale(datetime.fromisoformat(confirmed) if confirmed else None, now)
    if hit.distance_km is not None:
        card["distanceKm"] = round(hit.distance_km, 1)
    return card


_CONFIRMED_KEY = b'"availabilityConfirmedAt":'


def render_card_json(hit: Hit, now: datetime) -> bytes:
    """`render_card` as JSON, spliced into the stored card's bytes (no parse, no re-encoding)."""
    raw = hit.raw
    at = raw.find(_CONFIRMED_KEY) + len(_CONFIRMED_KEY)
    confirmed = (
        None if raw[at] != 0x22 else datetime.fromisoformat(raw[at + 1 : raw.index(b'"', at + 1)].decode())
    )
    extra = b',"availabilityStale":true' if domain.is_stale(confirmed, now) else b',"availabilityStale":false'
    if hit.distance_km is not None:
        extra += b',"distanceKm":' + orjson.dumps(round(hit.distance_km, 1))
    return raw[:-1] + extra + b"}"


def _page_info(page: Page) -> dict[str, Any]:
    return {"hasNextPage": page.has_next, "endCursor": page.cursors[-1] if page.cursors else None}


def _headers(bucket: int) -> dict[str, str]:
    return {BUCKET_HEADER: str(bucket), "Vary": VARY}


class SearchApi:
    def __init__(self, engine: SearchEngine, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/therapists", self.search),
            web.get("/v1/therapists/{id}", self.therapist),
            web.post("/v1/therapists/{id}/fits", self.fits),
            web.get("/v1/approaches/{slug}/specialists", self.specialists),
            web.post("/v1/match", self.match),
            web.get("/openapi.json", self.openapi),
        ]

    async def search(self, request: web.Request) -> web.Response:
        query = search_query(query_parameters(request.query, SearchParameters))
        bucket = visitor_bucket(request)
        page = await application.search_therapists(query, bucket, self.engine)
        now = self.clock.now()
        # A `SearchPage`, with each stored card copied in as bytes.
        edges = b",".join(
            b'{"cursor":' + orjson.dumps(c) + b',"node":' + render_card_json(h, now) + b"}"
            for h, c in zip(page.hits, page.cursors, strict=True)
        )
        if page.explanations is not None:  # asked for: spliced into each node
            edges = b",".join(
                b'{"cursor":'
                + orjson.dumps(c)
                + b',"node":'
                + render_card_json(h, now)[:-1]
                + b',"explanation":'
                + orjson.dumps(e)
                + b"}}"
                for h, c, e in zip(page.hits, page.cursors, page.explanations, strict=True)
            )
        body = b"".join(
            [
                b'{"totalCount":',
                orjson.dumps(page.total),
                b',"pageInfo":',
                orjson.dumps(_page_info(page)),
                b',"edges":[',
                edges,
                b'],"facets":',
                orjson.dumps(page.facets),
                b"}",
            ]
        )
        return web.Response(body=body, content_type="application/json", headers=_headers(bucket))

    async def therapist(self, request: web.Request) -> web.Response:
        hit = await application.read_card(request.match_info["id"], self.engine)
        return json_response(render_card(hit, self.clock.now()))

    async def fits(self, request: web.Request) -> web.Response:
        queries = domain.fit_queries(await read_json(request))
        found = await application.therapist_fits(request.match_info["id"], queries, self.engine)
        return json_response(found.model_dump(), headers={"Cache-Control": "no-store"})

    async def specialists(self, request: web.Request) -> web.Response:
        paging = page_parameters(query_parameters(request.query, PageParameters, once=False))
        bucket = visitor_bucket(request)
        found = await application.find_specialists(request.match_info["slug"], paging, bucket, self.engine)
        now = self.clock.now()
        edges = []
        for hit, cursor in zip(found.page.hits, found.page.cursors, strict=True):
            statement = next((a["statement"] for a in hit.card["approaches"] if a["slug"] == found.slug), "")
            node = render_card(hit, now)
            if paging.field:  # only what the caller will read: the rest of each card is most of the bytes
                node = {name: node[name] for name in paging.field if name in node}
            edges.append({"cursor": cursor, "statement": statement, "node": node})
        body = {"totalCount": found.page.total, "pageInfo": _page_info(found.page), "edges": edges}
        return json_response(body, headers=_headers(bucket))

    async def match(self, request: web.Request) -> web.Response:
        answers = parse_model(MatchQuestionnaire, await read_json(request))
        explain = parse_model(MatchOptions, dict(request.query)).explain
        bucket = visitor_bucket(request)
        found = await application.match_therapists(answers, bucket, self.engine, self.clock, explain=explain)
        now = self.clock.now()
        edges = [
            {
                "node": render_card(m.hit, now) | ({"explanation": m.explanation} if m.explanation else {}),
                "score": m.score,
                "reasons": m.reasons,
            }
            for m in found.matches
        ]
        return json_response(
            {"totalCount": found.total, "edges": edges},
            headers={**_headers(bucket), "Cache-Control": "no-store"},
        )

    async def openapi(self, _: web.Request) -> web.Response:
        return json_response(openapi_document())
