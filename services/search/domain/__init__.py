"""The search side's own model, pure rules without I/O:

- `cards`: the card search shows of a therapist (`SearchCard`) and what is read off a profile;
- `ranking`: fair ordering (staleness, rotation buckets, ordering keys);
- `cursors`: opaque keyset cursors;
- `search_query`: the parameters of a search and of an approach page, validated (`SearchQuery`);
- `matching`: the Find Your Match questionnaire and why a therapist matches it;
- `responsiveness`: how a therapist answers inquiries (measured from their times only);
- `answers`: the pages the service answers.
"""

from integration_events.therapists import STALE_AFTER, is_stale
from services.search.domain.answers import (
    FacetCount,
    MatchEdge,
    MatchPage,
    PageInfo,
    SearchEdge,
    SearchFacets,
    SearchPage,
    SpecialistEdge,
    SpecialistsPage,
)
from services.search.domain.cards import (
    ANSWER_FIELDS,
    SearchCard,
    card_from_profile,
    licensed_states,
    lowest_fee,
    parse_time,
)
from services.search.domain.cursors import decode_cursor, encode_cursor
from services.search.domain.matching import (
    ACCEPTING,
    IN_PERSON_RADIUS_KM,
    MATCH_WEIGHTS,
    MatchPayment,
    MatchPreferences,
    MatchQuestionnaire,
    match_reasons,
)
from services.search.domain.ranking import (
    BUCKET_HEADER,
    ROTATION_BUCKETS,
    ROTATION_SPREAD,
    STALE_FACTOR,
    VISITOR_COOKIE,
    VISITOR_HEADER,
    freshness_key,
    ordering_keys,
    relevance_weights,
    rotation_bucket,
    rotation_keys,
)
from services.search.domain.responsiveness import (
    NOT_MEASURED,
    SWEEP_EVERY,
    InquiryTimes,
    Responsiveness,
    measure,
    replies_quickly,
)
from services.search.domain.search_query import (
    FORMATS,
    NEW_CLIENT_STATUSES,
    PageParameters,
    SearchParameters,
    SearchQuery,
    Sort,
    invalid_parameter,
    page_parameters,
    search_query,
    unknown_place,
)

__all__ = [
    "ACCEPTING",
    "ANSWER_FIELDS",
    "BUCKET_HEADER",
    "FORMATS",
    "IN_PERSON_RADIUS_KM",
    "MATCH_WEIGHTS",
    "NEW_CLIENT_STATUSES",
    "NOT_MEASURED",
    "ROTATION_BUCKETS",
    "ROTATION_SPREAD",
    "STALE_AFTER",
    "STALE_FACTOR",
    "SWEEP_EVERY",
    "VISITOR_COOKIE",
    "VISITOR_HEADER",
    "FacetCount",
    "InquiryTimes",
    "MatchEdge",
    "MatchPage",
    "MatchPayment",
    "MatchPreferences",
    "MatchQuestionnaire",
    "PageInfo",
    "PageParameters",
    "Responsiveness",
    "SearchCard",
    "SearchEdge",
    "SearchFacets",
    "SearchPage",
    "SearchParameters",
    "SearchQuery",
    "Sort",
    "SpecialistEdge",
    "SpecialistsPage",
    "card_from_profile",
    "decode_cursor",
    "encode_cursor",
    "freshness_key",
    "invalid_parameter",
    "is_stale",
    "licensed_states",
    "lowest_fee",
    "match_reasons",
    "measure",
    "ordering_keys",
    "page_parameters",
    "parse_time",
    "relevance_weights",
    "replies_quickly",
    "rotation_bucket",
    "rotation_keys",
    "search_query",
    "unknown_place",
]
