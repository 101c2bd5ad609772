"""The search service's read-only REST API (`/v1`), as agreed in INTERFACES.md.

Visitors pass their session in `X-Visitor-Session` (or the `visitor_session` cookie); it is only
ever reduced to one of 16 rotation buckets, echoed in `X-Rotation-Bucket`. Match answers are
health data: the handler keeps them in memory for the request only and logs nothing about them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

import orjson
from aiohttp import web

from servicekit.errors import ApiError
from servicekit.http import json_response, parse_model, read_json
from services.search import domain
from services.search.domain import MatchQuestionnaire, parse_search_query
from services.search.engine import Page, SearchEngine
from services.search.index import Hit
from services.search.openapi import openapi_document

VARY = "X-Visitor-Session, Cookie"
T = TypeVar("T")


def visitor_bucket(request: web.Request) -> int:
    session = request.headers.get(domain.VISITOR_HEADER) or request.cookies.get(domain.VISITOR_COOKIE)
    return domain.rotation_bucket(session)


def render_card(hit: Hit, now: datetime) -> dict[str, Any]:
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


def _first(request: web.Request, default: int) -> int:
    raw = request.query.get("first")
    if raw is None:
        return default
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 100:
        raise ApiError(
            400,
            "invalid_parameter",
            "Invalid query parameter 'first': an integer from 1 to 100",
            [{"field": "first", "message": "an integer from 1 to 100"}],
        )
    return int(raw)


# Engine work runs on a few threads: tantivy releases the GIL while it searches, so one
# request's search overlaps other requests' HTTP and JSON work on the event loop.
ENGINE_THREADS = int(os.environ.get("SEARCH_ENGINE_THREADS", "2"))


class SearchApi:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.pool = ThreadPoolExecutor(ENGINE_THREADS, thread_name_prefix="search-engine")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, work, *args)

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_get("/v1/therapists", self.search)
        router.add_get("/v1/therapists/{id}", self.therapist)
        router.add_get("/v1/approaches/{slug}/specialists", self.specialists)
        router.add_post("/v1/match", self.match)
        router.add_get("/openapi.json", self.openapi)

    @staticmethod
    def _respond(body: dict[str, Any], bucket: int) -> web.Response:
        return json_response(body, headers={"X-Rotation-Bucket": str(bucket), "Vary": VARY})

    async def search(self, request: web.Request) -> web.Response:
        query = parse_search_query(request.query)
        bucket = visitor_bucket(request)
        page = await self._run(self.engine.search, query, bucket)
        now = domain.now_utc()
        # The same document as {"totalCount", "pageInfo", "edges": [{"cursor", "node"}], "facets"},
        # with each stored card copied in as bytes.
        edges = b",".join(
            b'{"cursor":' + orjson.dumps(c) + b',"node":' + render_card_json(h, now) + b"}"
            for h, c in zip(page.hits, page.cursors, strict=True)
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
        return web.Response(
            body=body,
            content_type="application/json",
            headers={"X-Rotation-Bucket": str(bucket), "Vary": VARY},
        )

    async def therapist(self, request: web.Request) -> web.Response:
        index = self.engine.current()
        with index.pinned():
            hit = index.card(request.match_info["id"])
        if hit is None:
            raise ApiError(404, "not_found", "No therapist with this id is listed")
        return json_response(render_card(hit, domain.now_utc()))

    async def specialists(self, request: web.Request) -> web.Response:
        unknown = set(request.query) - {"first", "after"}
        if unknown:
            name = sorted(unknown)[0]
            raise ApiError(
                400,
                "invalid_parameter",
                f"Invalid query parameter '{name}': unknown parameter",
                [{"field": name, "message": "unknown parameter"}],
            )
        bucket = visitor_bucket(request)
        page, slug = await self._run(
            self.engine.specialists,
            request.match_info["slug"],
            _first(request, 20),
            request.query.get("after") or None,
            bucket,
        )
        now = domain.now_utc()
        edges = []
        for hit, cursor in zip(page.hits, page.cursors, strict=True):
            statement = next((a["statement"] for a in hit.card["approaches"] if a["slug"] == slug), "")
            edges.append({"cursor": cursor, "statement": statement, "node": render_card(hit, now)})
        return self._respond({"totalCount": page.total, "pageInfo": _page_info(page), "edges": edges}, bucket)

    async def match(self, request: web.Request) -> web.Response:
        answers = parse_model(MatchQuestionnaire, await read_json(request))
        bucket = visitor_bucket(request)
        total, matches = await self._run(self.engine.match, answers, bucket)
        now = domain.now_utc()
        response = self._respond(
            {
                "totalCount": total,
                "edges": [
                    {"node": render_card(hit, now), "score": score, "reasons": reasons}
                    for hit, score, reasons in matches
                ],
            },
            bucket,
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    async def openapi(self, _: web.Request) -> web.Response:
        return json_response(openapi_document())
