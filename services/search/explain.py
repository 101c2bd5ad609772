"""Why each result is where it is ("why this listing"), asked of this replica's index only when a
caller wants it (`explain=true`): the engine scores each result again with the very query that
ordered the page (relevance, and for a match each preference it meets), the index gives the
weight and key it stored, and `domain.ranking` takes those apart into the factors of the value
the page is ordered by and composes them as the engine does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tantivy import Occur, Query

from services.search import domain
from services.search.domain import SearchQuery, Sort
from services.search.index import Hit, SearchIndex, term


def only(index: SearchIndex, query: Query, therapist_id: str) -> Query:
    """`query` restricted to one therapist, scoring exactly as `query` does (the restriction adds 0)."""
    return Query.boolean_query(
        [(Occur.Must, query), (Occur.Must, Query.const_score_query(term("id", therapist_id), 0.0))]
    )


def _score_and_weight(index: SearchIndex, query: Query, hit: Hit, bucket: int) -> tuple[float, float]:
    """The engine's unweighted score of the hit under `query`, and the weight stored for `bucket`."""
    [(score, address)] = index.searcher.search(only(index, query, hit.id), limit=1, count=False).hits
    [weight] = index.searcher.fast_field_values(f"w_{bucket}", [address])
    return float(score), float(weight)


def _demotions(hit: Hit, now: datetime) -> dict[str, bool]:
    confirmed = domain.parse_time(hit.card.get("availabilityConfirmedAt"))
    return {"stale": domain.is_stale(confirmed, now), "unresponsive": bool(hit.card.get("unresponsive"))}


def search_explanations(
    index: SearchIndex,
    query: Query,
    q: SearchQuery,
    bucket: int,
    hits: Sequence[Hit],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The explanation of each hit of a search page ordered by `query` (the engine's own query)."""
    now = now or datetime.now(UTC)
    found = []
    for hit in hits:
        if q.sort is Sort.DISTANCE:
            found.append(domain.explain_distance_rank(float(hit.key)))
        elif q.sort is Sort.FRESHNESS:
            found.append(domain.explain_freshness_rank(int(hit.key)))
        elif q.text:
            relevance, weight = _score_and_weight(index, query, hit, bucket)
            found.append(domain.explain_text_rank(hit.id, bucket, relevance, weight, **_demotions(hit, now)))
        else:
            found.append(domain.explain_rotation_rank(hit.id, bucket, int(hit.key), **_demotions(hit, now)))
    return found


def match_explanations(
    index: SearchIndex,
    preferences: Sequence[tuple[str, Query, float]],
    bucket: int,
    hits: Sequence[Hit],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The explanation of each match: the preferences the engine finds it to meet (each scored on
    its own, as the match query sums them) and its weight."""
    now = now or datetime.now(UTC)
    found = []
    for hit in hits:
        met = [
            (label, points)
            for label, query, points in preferences
            if index.searcher.search(only(index, query, hit.id), limit=1, count=False).hits
        ]
        [(_, address)] = index.searcher.search(term("id", hit.id), limit=1, count=False).hits
        [weight] = index.searcher.fast_field_values(f"w_{bucket}", [address])
        found.append(domain.explain_match_rank(hit.id, bucket, met, float(weight), **_demotions(hit, now)))
    return found
