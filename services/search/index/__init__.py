"""This replica's in-process full-text index (tantivy) over the read model, by concern:

- `schema`: the engine's fields; `analysis`: the word forms a query word matches;
- `documents`: what is indexed of a therapist and the record each result reads back;
- `queries`: building engine queries; `facets`: counting facets here or in the engine;
- `files`: the index's folder and lock; `writer`: the records writer thread and the writer's memory;
- `search_index`: `SearchIndex`, which holds it all together.
"""

from services.search.index.documents import Approaches, Hit, index_document
from services.search.index.facets import FacetCodeRows, facet_aggregations
from services.search.index.files import INDEX_DIR_ENV, remove_abandoned_indexes
from services.search.index.queries import (
    UNSIGNED_MAX,
    all_of,
    any_of,
    fee_at_most,
    one_of,
    replies_within,
    term,
)
from services.search.index.schema import FACET_NAMES, FACETS, SCHEMA
from services.search.index.search_index import SearchIndex
from services.search.index.writer import BUILD_HEAP, UPDATE_HEAP

__all__ = [
    "BUILD_HEAP",
    "FACETS",
    "FACET_NAMES",
    "INDEX_DIR_ENV",
    "SCHEMA",
    "UNSIGNED_MAX",
    "UPDATE_HEAP",
    "Approaches",
    "FacetCodeRows",
    "Hit",
    "SearchIndex",
    "all_of",
    "any_of",
    "facet_aggregations",
    "fee_at_most",
    "index_document",
    "one_of",
    "remove_abandoned_indexes",
    "replies_within",
    "term",
]
