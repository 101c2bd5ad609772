"""Answering searches, approach pages, matches and fits (which searches one therapist is a
result of) from this replica's index (matching's own query is in `matches.py`).

Pagination is keyset-based: a cursor carries the sort key and id of the last item, so items
inserted or removed before it do not shift the next page. Lists without text are ordered by a
per-bucket rotation key and paged with a range query on it; freshness likewise by its key; text
relevance by the engine's score (with the stale demotion and rotation jitter folded in as a
weight), paged by (score, id) with the last position as a starting hint; distance by the exact
distance to the place, then id.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import tantivy
from tantivy import Query

from servicekit.errors import BadRequest
from services.search import domain, geo
from services.search.domain import MatchQuestionnaire, SearchQuery, Sort, unknown_place
from services.search.explain import search_explanations
from services.search.index import (
    SCHEMA,
    UNSIGNED_MAX,
    Hit,
    SearchIndex,
    all_of,
    any_of,
    fee_at_most,
    replies_within,
    term,
)
from services.search.matches import Candidates, candidates

DEFAULT_ZIP_RADIUS_KM = 40.0
# Searches with at most this many matches are answered from one engine execution; past it, four
# (count, exact radius, facets, page). A national directory's typical search (text, three
# filters, 50 km of a metro) matches a few thousand therapists at a million profiles; a broad one
# (an approach alone) pays only for the larger first pass it discards.
SMALL_RESULT = 6000
# Engine work runs on a few threads: tantivy releases the GIL while it searches, so one
# request's search overlaps other requests' HTTP and JSON work on the event loop.
ENGINE_THREADS = int(os.environ.get("SEARCH_ENGINE_THREADS", "2"))
T = TypeVar("T")


@dataclass
class Page:
    total: int
    hits: list[Hit]
    cursors: list[str]
    has_next: bool
    facets: dict[str, list[dict[str, Any]]] | None = None
    explanations: list[dict[str, Any]] | None = None  # asked for: each hit's, in order


class SearchEngine:
    """Searches, approach pages and matches over the current index of this replica.

    Each answer pins one searcher for its whole work, so a commit landing meanwhile never mixes
    the hit addresses of two searchers.
    """

    def __init__(self, current: Callable[[], SearchIndex], *, threads: int = ENGINE_THREADS) -> None:
        self.current = current
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` on one of the engine's threads."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="search-engine")
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    # ---------------------------------------------------------------------------- search

    def place(self, q: SearchQuery) -> tuple[geo.Point | None, float | None]:
        """The centre and radius (km) of a place filter, if the query has one."""
        if q.zip:
            center = geo.zip_point(q.zip)
            if center is None:
                raise unknown_place("zip")
            return center, q.radius_km or DEFAULT_ZIP_RADIUS_KM
        if q.city and (q.radius_km or q.sort is Sort.DISTANCE):
            center = geo.city_point(q.city, q.state)
            if center is None:
                raise unknown_place("city")
            return center, q.radius_km
        return None, None

    def filters(self, index: SearchIndex, q: SearchQuery, radius_km: float | None) -> list[Query]:
        found: list[Query] = []
        if q.approaches:
            found.append(any_of("approach", {index.approaches.resolve(s) for s in q.approaches}))
        if q.issues:
            found.append(any_of("issue", q.issues))
        if q.state:
            found.append(term("state", q.state))
        if q.city and not radius_km:
            found.append(term("city", " ".join(q.city.lower().split())))
        if q.telehealth_state:
            found.append(term("telehealth_state", q.telehealth_state))
        if q.formats:
            found.append(any_of("format", q.formats))
        if q.new_client_status:
            found.append(any_of("new_client_status", q.new_client_status))
        if q.insurance:
            found.append(term("insurance", q.insurance))
        if q.max_fee is not None:
            found.append(fee_at_most(q.max_fee))
        if q.responds_within_hours is not None:
            found.append(replies_within(q.responds_within_hours))
        if q.sliding_scale is not None:
            found.append(term("sliding_scale", "true" if q.sliding_scale else "false"))
        if q.languages:
            found.append(any_of("language", q.languages))
        if q.gender:
            found.append(term("gender", q.gender.lower()))
        if q.lgbtq is not None:
            found.append(term("lgbtq", "true" if q.lgbtq else "false"))
        if q.race_ethnicity:
            found.append(term("race", q.race_ethnicity.lower()))
        if q.faith:
            found.append(term("faith", q.faith.lower()))
        if q.age_group:
            found.append(term("age_group", q.age_group))
        if q.verified_only:
            found.append(term("verified", "true"))
        return found

    def matching(self, index: SearchIndex, q: SearchQuery, radius_km: float | None) -> Query:
        """What a result of `q` must match, short of the exact radius check."""
        clauses = self.filters(index, q, radius_km)
        if q.text:
            clauses.insert(0, index.parse_text(q.text))
        return all_of(*clauses) if clauses else Query.all_query()

    def search(self, q: SearchQuery, bucket: int) -> Page:
        index = self.current()
        with index.pinned():
            return self._search(index, q, bucket)

    def _search(self, index: SearchIndex, q: SearchQuery, bucket: int) -> Page:
        center, radius_km = self.place(q)
        base = self.matching(index, q, radius_km)
        # One execution answers most searches: if every match fits in SMALL_RESULT, the page,
        # the exact radius check and the facet counts are all worked out from those rows.
        candidates = all_of(base, index.cells_query(center, radius_km)) if center and radius_km else base
        first_pass = index.searcher.search(
            candidates,
            limit=max(1, SMALL_RESULT),
            count=True,
            weight_by_field=f"w_{bucket}" if q.text else None,
        )
        if first_pass.count <= SMALL_RESULT:
            page = self._small(index, first_pass.hits, q, bucket, center, radius_km)
            query = candidates  # what ordered the page
        else:
            query = all_of(base, index.within(base, center, radius_km)) if center and radius_km else base
            total, facets = index.facets(query)
            page = self._page(index, query, q.sort, bool(q.text), q.first, q.after, bucket, center)
            page.total, page.facets = total, facets
        if not radius_km:
            for hit in page.hits:
                hit.distance_km = None
        if q.explain:
            page.explanations = search_explanations(index, query, q, bucket, page.hits)
        return page

    def _small(
        self,
        index: SearchIndex,
        hits: list[tuple[Any, Any]],
        q: SearchQuery,
        bucket: int,
        center: geo.Point | None,
        radius_km: float | None,
    ) -> Page:
        """Page and facets from every matching row (rows = (sort key, id, position in `hits`))."""
        searcher = index.searcher
        scores, addresses = zip(*hits, strict=True) if hits else ((), ())
        slots = np.array(searcher.fast_field_values("slot", list(addresses)), dtype=np.int64)
        by_distance = q.sort is Sort.DISTANCE
        found = index.distances(slots, center) if center is not None and (radius_km or by_distance) else None
        keys: Sequence[Any]
        if by_distance:
            assert found is not None
            keys = [1e9 if math.isnan(d) else round(d, 6) for d in found.tolist()]
            order = np.array(keys, dtype=np.float64)  # ascending order values: best first
        elif q.sort is Sort.RELEVANCE and q.text:
            keys = scores
            order = -np.array(keys, dtype=np.float64)
        else:
            field = f"rot_{bucket}" if q.sort is Sort.RELEVANCE else "fresh_key"
            keys = searcher.fast_field_values(field, list(addresses))
            order = ~np.array(keys, dtype=np.uint64)
        kept = np.flatnonzero(found <= radius_km) if radius_km and found is not None else np.arange(len(hits))
        facets = index.count_facets(slots[kept])
        total = len(kept)
        limit = q.first + 1
        if not q.after and total > limit:
            # Only rows up to the page's last sort value (ties included) can be on the first page.
            ranked = order[kept]
            kept = kept[ranked <= np.partition(ranked, limit - 1)[limit - 1]]
        ids = index.ids
        slot_list = slots.tolist()
        rows = [(keys[n], ids[slot_list[n]] or "", n) for n in kept.tolist()]
        if by_distance:
            rows.sort(key=lambda r: (r[0], r[1]))
        else:
            rows.sort(key=lambda r: (-r[0], r[1]))
        start = 0
        if q.after:
            key, last_id, _ = domain.decode_cursor(q.after, q.sort.value)
            at = next((n for n, r in enumerate(rows) if r[1] == last_id), None)
            if at is not None:
                start = at + 1
            elif by_distance:
                start = next((n for n, r in enumerate(rows) if (r[0], r[1]) > (key, last_id)), len(rows))
            else:
                start = next((n for n, r in enumerate(rows) if (-r[0], r[1]) > (-key, last_id)), len(rows))
        chosen = [r[2] for r in rows[start : start + q.first]]
        distances = None
        if found is not None:
            distances = [None if math.isnan(d) else d for d in found[chosen].tolist()]
        loaded = index.load_slots([keys[n] for n in chosen], [slot_list[n] for n in chosen], distances)
        page = self._finish(q.sort.value, loaded, q.first, start)
        page.has_next = len(rows) > start + q.first
        page.total, page.facets = total, facets
        return page

    def _page(
        self,
        index: SearchIndex,
        query: Query,
        sort: Sort,
        has_text: bool,
        first: int,
        after: str | None,
        bucket: int,
        center: geo.Point | None,
    ) -> Page:
        if sort is Sort.DISTANCE:
            return self._by_distance(index, query, first, after, center)
        if sort is Sort.RELEVANCE and has_text:
            return self._by_score(index, query, first, after, bucket)
        field = f"rot_{bucket}" if sort is Sort.RELEVANCE else "fresh_key"
        return self._by_key(index, query, field, sort.value, first, after, center)

    def _by_key(
        self,
        index: SearchIndex,
        query: Query,
        field: str,
        sort: str,
        first: int,
        after: str | None,
        center: geo.Point | None,
    ) -> Page:
        """Descending by a unique u64 fast field; the next page is a range query below the cursor."""
        position = 0
        if after:
            key, _, position = domain.decode_cursor(after, sort)
            # Keys are unsigned 64-bit: one outside that range (a forged cursor) pages from its end.
            bound = min(max(int(key), 0), UNSIGNED_MAX)
            below = Query.range_query(
                SCHEMA, field, tantivy.FieldType.Unsigned, upper_bound=bound, include_upper=False
            )
            query = all_of(query, below)
            position += 1
        hits = index.load(index.top(query, first + 1, order_by=field), center)
        return self._finish(sort, hits, first, position)

    def _by_score(self, index: SearchIndex, query: Query, first: int, after: str | None, bucket: int) -> Page:
        weight = f"w_{bucket}"
        if not after:
            hits = index.load(index.top(query, first + 1, weight_by=weight), None)
            hits.sort(key=lambda h: (-h.key, h.id))
            return self._finish(Sort.RELEVANCE.value, hits, first, 0)
        key, last_id, position = domain.decode_cursor(after, Sort.RELEVANCE.value)
        # Text scores drift a little as documents come and go (term statistics change), so the
        # page continues after the cursor's item where it ranks now; the (score, id) comparison
        # is the fallback for an item that has since disappeared.
        start = max(0, position - 8)
        window = first + 17
        while True:
            raw = index.top(query, window, weight_by=weight, offset=start)
            ids = index.slot_ids(raw)
            rows = sorted(
                (-score, tid or "", i) for i, ((score, _), tid) in enumerate(zip(raw, ids, strict=True))
            )
            at = next((n for n, row in enumerate(rows) if row[1] == last_id), None)
            exhausted = len(raw) < window
            if at is not None and (len(rows) - at - 1 > first or exhausted):
                rest = rows[at + 1 :]
                break
            if at is None and start > 0:
                start, window = 0, start + window * 2  # it moved up: look from the top
                continue
            if at is None and (exhausted or window > position + 4 * first + 1000):
                rest = [r for r in rows if r[:2] > (-float(key), last_id)]
                break
            window *= 2
        chosen = [raw[r[2]] for r in rest[: first + 1]]
        hits = index.load(chosen, None)
        hits.sort(key=lambda h: (-h.key, h.id))
        return self._finish(Sort.RELEVANCE.value, hits, first, start + len(rows) - len(rest))

    def _by_distance(
        self, index: SearchIndex, query: Query, first: int, after: str | None, center: geo.Point | None
    ) -> Page:
        assert center is not None
        raw = index.top(query, 1_000_000, order_by="slot")
        slots = index.searcher.fast_field_values("slot", [h[1] for h in raw])
        found = index.distances(np.array(slots, dtype=np.int64), center).tolist()
        rows = []
        for (_, address), slot, distance in zip(raw, slots, found, strict=True):
            key = round(1e9 if math.isnan(distance) else distance, 6)
            rows.append((key, index.ids[slot] or "", address))
        rows.sort(key=lambda r: (r[0], r[1]))
        position = 0
        if after:
            key, last_id, position = domain.decode_cursor(after, Sort.DISTANCE.value)
            rows = [r for r in rows if (r[0], r[1]) > (float(key), last_id)]
            position += 1
        hits = index.load([(r[0], r[2]) for r in rows[: first + 1]], center)
        return self._finish(Sort.DISTANCE.value, hits, first, position)

    @staticmethod
    def _finish(sort: str, hits: list[Hit], first: int, position: int) -> Page:
        has_next = len(hits) > first
        hits = hits[:first]
        cursors = [domain.encode_cursor(sort, h.key, h.id, position + i) for i, h in enumerate(hits)]
        return Page(total=0, hits=hits, cursors=cursors, has_next=has_next)

    # ---------------------------------------------------------------------------- fits

    def fits(self, therapist_id: str, queries: Sequence[SearchQuery]) -> domain.TherapistFits:
        """Which of `queries` the therapist is a result of, and the version of it that says so:
        each search's own query with the therapist's id as one more clause, and the same exact
        radius check as a search's."""
        places = []
        for position, q in enumerate(queries):  # a place no search could find is refused, listed or not
            try:
                places.append(self.place(q))
            except BadRequest as exc:
                raise domain.in_filter(position, exc) from None
        index = self.current()
        with index.pinned():
            slot = index.listed_row(therapist_id)
            if slot is None:
                return domain.TherapistFits(version=None, fits=[False] * len(queries))
            fits = []
            for q, (center, radius_km) in zip(queries, places, strict=True):
                query = all_of(term("id", therapist_id), self.matching(index, q, radius_km))
                if center and radius_km:
                    query = all_of(query, index.cells_query(center, radius_km))
                found = bool(index.searcher.search(query, limit=1, count=False).hits)
                if found and center and radius_km:
                    distance = index.nearest_km(slot, center)
                    found = distance is not None and distance <= radius_km
                fits.append(found)
            return domain.TherapistFits(version=int(index.row_version.data[slot]), fits=fits)

    # ---------------------------------------------------------------------------- approach page

    def specialists(self, slug: str, first: int, after: str | None, bucket: int) -> tuple[Page, str]:
        index = self.current()
        with index.pinned():
            return self._specialists(index, slug, first, after, bucket)

    def _specialists(
        self, index: SearchIndex, slug: str, first: int, after: str | None, bucket: int
    ) -> tuple[Page, str]:
        canonical = index.approaches.resolve(slug)
        query = term("approach", canonical)
        page = self._by_key(index, query, f"rot_{bucket}", "specialists", first, after, None)
        page.total = index.searcher.search(query, limit=1, count=True).count
        return page, canonical

    # ---------------------------------------------------------------------------- matching

    def match(self, answers: MatchQuestionnaire, bucket: int, explain: bool = False) -> Candidates:
        """The therapists who pass the questionnaire's hard filters, the best by preference points
        first (with distances from the client's place, if given; with explanations if asked)."""
        index = self.current()
        with index.pinned():
            return candidates(index, answers, bucket, explain=explain)
