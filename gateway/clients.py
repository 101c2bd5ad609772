"""Calls to the profiles, approaches and search services over their REST APIs (their OpenAPI documents).

Public reads go through the shared read cache, tagged with what they were built from; each read
records its tags (and, for search, the visitor's rotation bucket) in the request's
`ReadTrace`, so the whole response can be cached and invalidated the same way. What is read or
written with the caller's token (owner views, private fields included) never is. The inquiries
service's calls, which carry health data and are never cached, are in `gateway.inquiries`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import orjson
from prometheus_client import Counter

from gateway.cache import (
    APPROACH_LIST,
    SEARCH,
    SPECIALISTS,
    BoundedMap,
    SingleFlight,
    TaggedCache,
    approach_tag,
    therapist_tag,
)
from gateway.errors import BackendUnavailable, BadUserInput

BACKEND_CALLS = Counter(
    "directory_gateway_backend_calls_total",
    "Calls the gateway made to the services",
    ["backend", "outcome"],
)
READ_CACHE = Counter(
    "directory_gateway_read_cache_total", "Service reads answered from the cache or not", ["result"]
)

NO_SESSION = "-"
Params = Sequence[tuple[str, str]]


@dataclass
class ReadTrace:
    """What one GraphQL request read: the tags of its data and whether it may be cached."""

    tags: set[str] = field(default_factory=set)
    # The rotation bucket of the search reads that took part; None = rotation played no part.
    rotation_bucket: str | None = None
    cacheable: bool = True


@dataclass(frozen=True)
class BackendResponse:
    status: int
    body: Any
    headers: Mapping[str, str]
    raw: bytes = b""  # the body as it came


def path_segment(value: str) -> str:
    """A client-given id or slug as one URL path segment (no traversal into other routes)."""
    return quote(value, safe="")


def shown_therapists(page: dict[str, Any] | None) -> set[str]:
    """The tags of the therapists on a page of cards; SEARCH if one of them has no id."""
    tags = set()
    for edge in (page or {}).get("edges") or ():
        therapist_id = (edge.get("node") or {}).get("id")
        tags.add(SEARCH if therapist_id is None else therapist_tag(str(therapist_id)))
    return tags


def approach_tags(requested_slug: str, approach: dict[str, Any] | None) -> set[str]:
    tags = {approach_tag(requested_slug)}
    if approach is not None:
        tags |= {approach_tag(approach["slug"]), f"approach-id:{approach['id']}"}
    return tags


class ServiceClients:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        urls: Mapping[str, str],
        read_cache: TaggedCache,
        rotation_buckets: BoundedMap,
        *,
        timeout_seconds: float,
    ) -> None:
        self.session = session
        self.urls = urls
        self.cache = read_cache
        self.rotation_buckets = rotation_buckets
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._reads: SingleFlight[tuple[Any, set[str]]] = SingleFlight()

    async def request(
        self,
        backend: str,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> BackendResponse:
        base_url = self.urls.get(backend)
        if base_url is None:
            raise BackendUnavailable(f"The {backend} service is not configured", service=backend)
        send_headers = dict(headers or {})
        data = None
        if body is not None:
            data = orjson.dumps(body)
            send_headers["Content-Type"] = content_type
        try:
            async with self.session.request(
                method,
                base_url + path,
                params=params,
                data=data,
                headers=send_headers,
                timeout=self.timeout,
            ) as response:
                raw = await response.read()
                status, response_headers = response.status, response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            BACKEND_CALLS.labels(backend, "unreachable").inc()
            raise BackendUnavailable(f"The {backend} service is not reachable", service=backend) from exc
        if status >= 500:
            BACKEND_CALLS.labels(backend, "5xx").inc()
            raise BackendUnavailable(f"The {backend} service failed ({status})", service=backend)
        BACKEND_CALLS.labels(backend, "ok").inc()
        try:
            parsed = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError as exc:
            raise BackendUnavailable(
                f"The {backend} service answered malformed JSON", service=backend
            ) from exc
        return BackendResponse(status, parsed, response_headers, raw)

    async def reachable(self, backend: str) -> bool:
        try:
            async with self.session.get(
                self.urls[backend] + "/healthz", timeout=aiohttp.ClientTimeout(total=1.0)
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    # -- reads through the cache --------------------------------------------------------------

    async def _cached(
        self, key: str, trace: ReadTrace, fetch: Callable[[], Awaitable[tuple[Any, set[str]]]]
    ) -> Any:
        entry = self.cache.get(key)
        if entry is not None:
            READ_CACHE.labels("hit").inc()
            trace.tags |= entry.tags
            return entry.value
        READ_CACHE.labels("miss").inc()
        since = self.cache.generation

        async def fetch_and_keep() -> tuple[Any, set[str]]:
            fetched = await fetch()
            self.cache.put(key, fetched[0], fetched[1], since=since)
            return fetched

        # Concurrent misses of one key share a read (the subscribers of a therapist who just
        # changed, a popular page after an invalidation), but only within one cache generation:
        # a read begun before an invalidation never answers a request made after it.
        value, tags = await self._reads.run(f"{since}|{key}", fetch_and_keep)
        trace.tags |= tags
        return value

    async def approach(self, slug: str, trace: ReadTrace) -> dict[str, Any] | None:
        """One approach; an old slug is followed (301) to the approach it now names."""

        async def fetch() -> tuple[Any, set[str]]:
            response = await self.request("approaches", "GET", f"/v1/approaches/{path_segment(slug)}")
            value = response.body if response.status == 200 else None
            return value, approach_tags(slug, value)

        return await self._cached(approach_tag(slug), trace, fetch)

    async def approaches_by_slugs(
        self, slugs: Sequence[str], trace: ReadTrace
    ) -> dict[str, dict[str, Any] | None]:
        """Several approaches in at most one call (`?slug=a&slug=b`); old slugs resolve too."""
        found: dict[str, dict[str, Any] | None] = {}
        missing: list[str] = []
        for slug in dict.fromkeys(slugs):
            entry = self.cache.get(approach_tag(slug))
            if entry is None:
                missing.append(slug)
            else:
                trace.tags |= entry.tags
                found[slug] = entry.value
        READ_CACHE.labels("hit").inc(len(found))
        if not missing:
            return found
        READ_CACHE.labels("miss").inc(len(missing))
        since = self.cache.generation
        response = await self.request(
            "approaches", "GET", "/v1/approaches", params=[("slug", slug) for slug in missing]
        )
        by_slug: dict[str, dict[str, Any]] = {}
        for item in (response.body or {}).get("items", []) if response.status == 200 else []:
            by_slug[item["slug"]] = item
            for old in item.get("previousSlugs") or ():
                by_slug.setdefault(old, item)
        for slug in missing:
            value = by_slug.get(slug)
            tags = approach_tags(slug, value)
            self.cache.put(approach_tag(slug), value, tags, since=since)
            trace.tags |= tags
            found[slug] = value
        return found

    async def all_approaches(self, trace: ReadTrace) -> list[dict[str, Any]]:
        async def fetch() -> tuple[Any, set[str]]:
            response = await self.request("approaches", "GET", "/v1/approaches")
            return (response.body or {}).get("items", []), {APPROACH_LIST}

        return await self._cached("approaches:all", trace, fetch)

    async def therapist(self, therapist_id: str, trace: ReadTrace) -> dict[str, Any] | None:
        """A therapist's public profile from the profiles service (None if there is none)."""

        async def fetch() -> tuple[Any, set[str]]:
            response = await self.request("profiles", "GET", f"/v1/therapists/{path_segment(therapist_id)}")
            return (response.body if response.status == 200 else None), {therapist_tag(therapist_id)}

        return await self._cached(therapist_tag(therapist_id), trace, fetch)

    async def card(self, therapist_id: str, trace: ReadTrace) -> dict[str, Any] | None:
        """A listed therapist's search card (None if search does not list them)."""

        async def fetch() -> tuple[Any, set[str]]:
            response = await self.request("search", "GET", f"/v1/therapists/{path_segment(therapist_id)}")
            if response.status not in (200, 404):
                raise BackendUnavailable(f"The search service answered {response.status}", service="search")
            return (response.body if response.status == 200 else None), {SEARCH, therapist_tag(therapist_id)}

        return await self._cached(f"card:{therapist_id}", trace, fetch)

    async def specialists(
        self, slug: str, params: Params, trace: ReadTrace, visitor_session: str | None
    ) -> dict[str, Any]:
        path = f"/v1/approaches/{path_segment(slug)}/specialists"
        return await self._search_read(
            path, params, trace, visitor_session, {SPECIALISTS, approach_tag(slug)}, card_tags=True
        )

    async def search_therapists(
        self, params: Params, trace: ReadTrace, visitor_session: str | None
    ) -> dict[str, Any]:
        return await self._search_read("/v1/therapists", params, trace, visitor_session, {SEARCH})

    async def _search_read(
        self,
        path: str,
        params: Params,
        trace: ReadTrace,
        visitor_session: str | None,
        tags: set[str],
        *,
        card_tags: bool = False,
    ) -> dict[str, Any]:
        """`card_tags`: the answer is a page of cards (`edges[].node`), which also takes the tag
        of each therapist it shows, so that their edits reach it."""
        # Search orders near-equal results by the visitor's rotation bucket, so a cached read
        # is only reused within the bucket search reported for this visitor.
        key = f"{path}?{urlencode(params)}"
        bucket = self.rotation_bucket(visitor_session)
        if bucket is not None:
            entry = self.cache.get(f"{key}|{bucket}")
            if entry is not None:
                READ_CACHE.labels("hit").inc()
                trace.tags |= entry.tags
                trace.rotation_bucket = bucket
                return orjson.loads(entry.value) if entry.value else None
        READ_CACHE.labels("miss").inc()
        since = self.cache.generation
        headers = {"X-Visitor-Session": visitor_session} if visitor_session else None
        response = await self.request("search", "GET", path, params=params, headers=headers)
        search_answer(response)
        bucket = self.learn_rotation_bucket(visitor_session, response.headers.get("X-Rotation-Bucket"))
        if card_tags:
            tags = tags | shown_therapists(response.body)
        # Kept as the bytes search sent: most searches are never asked again, and thousands of
        # parsed pages held for minutes would be objects the garbage collector walks on and on.
        self.cache.put(f"{key}|{bucket}", response.raw, tags, since=since)
        trace.tags |= tags
        trace.rotation_bucket = bucket
        return response.body

    def rotation_bucket(self, visitor_session: str | None) -> str | None:
        """The bucket search put this visitor in, if known (None until search has told us)."""
        if not visitor_session:
            return NO_SESSION
        return self.rotation_buckets.get(visitor_session)

    def learn_rotation_bucket(self, visitor_session: str | None, reported: str | None) -> str:
        if not visitor_session:
            return NO_SESSION
        # Without a reported bucket the visitor's own session is the only safe key.
        bucket = f"b{reported}" if reported is not None else f"s:{visitor_session}"
        self.rotation_buckets.set(visitor_session, bucket)
        return bucket

    async def match(
        self,
        questionnaire: dict[str, Any],
        trace: ReadTrace,
        visitor_session: str | None,
        *,
        explain: bool = False,
    ) -> dict[str, Any]:
        """Find Your Match (`explain`: with each match's rank explanation). The answers are health
        data: never cached, never logged."""
        trace.cacheable = False
        headers = {"X-Visitor-Session": visitor_session} if visitor_session else None
        params = [("explain", "true")] if explain else None
        response = await self.request(
            "search", "POST", "/v1/match", params=params, body=questionnaire, headers=headers
        )
        return search_answer(response)

    async def therapist_fits(self, therapist_id: str, searches: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Which of `searches` (search parameters as JSON values) the therapist is a result of
        now, and the therapist's version search answered from; never cached: it is asked
        because the therapist just changed."""
        path = f"/v1/therapists/{path_segment(therapist_id)}/fits"
        return search_answer(await self.request("search", "POST", path, body={"filters": list(searches)}))

    # -- on behalf of the caller, with the caller's token: never through the read cache ----------

    async def my_profile(self, authorization: str) -> BackendResponse:
        """The caller's own profile (the owner's view, private fields included)."""
        return await self.request("profiles", "GET", "/v1/me", headers={"Authorization": authorization})

    async def create_therapist(self, profile: dict[str, Any], authorization: str) -> BackendResponse:
        return await self.request(
            "profiles", "POST", "/v1/therapists", body=profile, headers={"Authorization": authorization}
        )

    async def delete_therapist(self, therapist_id: str, authorization: str) -> BackendResponse:
        return await self.request(
            "profiles",
            "DELETE",
            f"/v1/therapists/{path_segment(therapist_id)}",
            headers={"Authorization": authorization},
        )

    async def patch_therapist(
        self, therapist_id: str, patch: dict[str, Any], authorization: str, if_match: int | None
    ) -> BackendResponse:
        headers = {"Authorization": authorization}
        if if_match is not None:
            headers["If-Match"] = str(if_match)
        return await self.request(
            "profiles",
            "PATCH",
            f"/v1/therapists/{path_segment(therapist_id)}",
            body=patch,
            headers=headers,
            content_type="application/merge-patch+json",
        )

    async def confirm_availability(
        self, therapist_id: str, new_client_status: str, authorization: str
    ) -> BackendResponse:
        return await self.request(
            "profiles",
            "POST",
            f"/v1/therapists/{path_segment(therapist_id)}/availability",
            body={"newClientStatus": new_client_status},
            headers={"Authorization": authorization},
        )

    async def put_approach_statement(
        self, therapist_id: str, slug: str, statement: str, authorization: str
    ) -> BackendResponse:
        return await self.request(
            "profiles",
            "PUT",
            statement_path(therapist_id, slug),
            body={"statement": statement},
            headers={"Authorization": authorization},
        )

    async def delete_approach_statement(
        self, therapist_id: str, slug: str, authorization: str
    ) -> BackendResponse:
        return await self.request(
            "profiles",
            "DELETE",
            statement_path(therapist_id, slug),
            headers={"Authorization": authorization},
        )


def statement_path(therapist_id: str, slug: str) -> str:
    return f"/v1/therapists/{path_segment(therapist_id)}/approaches/{path_segment(slug)}"


def error_of(response: BackendResponse) -> dict[str, Any]:
    body = response.body if isinstance(response.body, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def search_answer(response: BackendResponse) -> Any:
    """The body of a search answer; BadUserInput for arguments search refused."""
    if response.status in (400, 422):
        raise rejected_input(response)
    if response.status != 200:
        raise BackendUnavailable(f"The search service answered {response.status}", service="search")
    return response.body


def rejected_input(response: BackendResponse) -> BadUserInput:
    error = error_of(response)
    return BadUserInput(
        str(error.get("message") or "The request's arguments were rejected"),
        details=error.get("details") or [],
    )
