"""Building engine queries: terms, sets, ranges, grid cells, and the query of a search text.

The text query and the cell cover are cached for the texts and places asked most; the caches
are bounded because both come from anyone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import tantivy
from tantivy import Occur, Query

from services.search import geo
from services.search.index.analysis import WORD_FORMS
from services.search.index.schema import SCHEMA, TEXT_BOOSTS

# A limit that no result set reaches: "every hit".
ALL_HITS = 1_000_000
UNSIGNED_MAX = 2**64 - 1

# Parses query text for every index (they share the schema and the analysers); holds no documents.
_QUERY_PARSER = tantivy.Index(SCHEMA)


def term(field_name: str, value: str) -> Query:
    return Query.term_query(SCHEMA, field_name, value)


def any_of(field_name: str, values: Iterable[str]) -> Query:
    values = list(values)
    return (
        term(field_name, values[0]) if len(values) == 1 else Query.term_set_query(SCHEMA, field_name, values)
    )


def fee_at_most(amount: int) -> Query:
    # Fees are unsigned 64-bit fields: a higher ceiling leaves out no fee, as the highest does.
    ceiling = min(amount, UNSIGNED_MAX)
    return Query.range_query(SCHEMA, "min_fee", tantivy.FieldType.Unsigned, upper_bound=ceiling)


def replies_within(hours: float) -> Query:
    """Therapists whose median reply to inquiries took at most `hours`."""
    return Query.range_query(SCHEMA, "reply_hours", tantivy.FieldType.Float, upper_bound=float(hours))


def all_of(*queries: Query) -> Query:
    return Query.boolean_query([(Occur.Must, q) for q in queries]) if len(queries) != 1 else queries[0]


def one_of(*queries: Query) -> Query:
    return Query.boolean_query([(Occur.Should, q) for q in queries]) if len(queries) != 1 else queries[0]


@functools.lru_cache(maxsize=4096)
def text_query(text: str) -> Query:
    """Every word must occur somewhere (BM25 over all text, in any of its forms); matches in the
    stemmed name and approach fields add to the score."""
    matched = WORD_FORMS.query(text)
    if matched is None:  # no word in it (punctuation only): nothing matches
        return Query.empty_query()
    boosted, _errors = _QUERY_PARSER.parse_query_lenient(
        text, default_field_names=list(TEXT_BOOSTS), field_boosts=TEXT_BOOSTS
    )
    return Query.boolean_query([(Occur.Must, matched), (Occur.Should, boosted)])


@functools.lru_cache(maxsize=4096)
def cells_query(center: geo.Point, radius_km: float) -> Query:
    """Every grid cell the circle touches: a superset of the exact radius filter."""
    cover = geo.cover_circle(center, radius_km)
    cells = cover.inside + cover.edge
    return any_of("cell", cells) if cells else Query.empty_query()
