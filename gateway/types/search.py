"""`searchTherapists`: every filter, facet and sort order the search service offers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    get_object_definition,
    has_object_definition,
)

from gateway.card_fields import selects
from gateway.context import context_of
from gateway.types.common import PageInfo, page_info, page_params
from gateway.types.therapists import NewClientStatus, SessionFormat, TherapistCard


@strawberry.enum(description="Result order. RELEVANCE rotates near-equal results per visitor.")
class TherapistSort(Enum):
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    FRESHNESS = "freshness"


@strawberry.enum
class DistanceUnit(Enum):
    KM = "km"
    MI = "mi"


@strawberry.input(description="Search filters; every one is optional and they combine with AND.")
class TherapistFilter:
    approaches: list[str] | None = strawberry.field(default=None, description="Approach slugs (any of).")
    issues: list[str] | None = strawberry.field(default=None, description="Issue slugs (any of).")
    state: str | None = strawberry.field(default=None, description="Two-letter US state code.")
    city: str | None = None
    zip: str | None = None
    radius: float | None = strawberry.field(default=None, description="Distance around city or zip.")
    radiusUnit: DistanceUnit | None = None
    telehealthState: str | None = strawberry.field(
        default=None, description="Offers telehealth to clients in this state."
    )
    formats: list[SessionFormat] | None = None
    newClientStatus: list[NewClientStatus] | None = None
    insurance: str | None = None
    maxFee: int | None = strawberry.field(default=None, description="Highest session fee, in USD.")
    slidingScale: bool | None = None
    languages: list[str] | None = strawberry.field(default=None, description="BCP-47 tags (any of).")
    gender: str | None = None
    lgbtq: bool | None = None
    raceEthnicity: str | None = None
    faith: str | None = None
    ageGroup: str | None = None
    respondsWithinHours: int | None = strawberry.field(
        default=None, description="Usually answers inquiries within this many hours."
    )
    verifiedOnly: bool | None = strawberry.field(
        default=None,
        description="Only therapists with at least one licence an administrator verified that has "
        "not expired (a profile without a licence is left out).",
    )


def _filter_from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
    """A TherapistFilter from graphql-core's coerced input, as strawberry's general conversion
    builds it: every value is already coerced (enums to their members), so it is only copied
    (lists too, which graphql-core may share between requests), without that conversion's
    per-field type checks on every search."""
    names = {context.config.name_converter.from_field(f): f.python_name for f in _FILTER_FIELDS}
    fields: dict[str, Any] = dict.fromkeys(names.values())
    for name, given in value.items():
        fields[names[name]] = list(given) if isinstance(given, list) else given
    return cls(**fields)


# Every filter field is a scalar, an enum or a list of them, whose coerced values need no
# conversion; a nested input would need strawberry's.
def _named(field_type: Any) -> Any:
    while isinstance(field_type, StrawberryOptional | StrawberryList):
        field_type = field_type.of_type
    return field_type


_FILTER_FIELDS = get_object_definition(TherapistFilter, strict=True).fields
assert not any(has_object_definition(_named(f.type)) for f in _FILTER_FIELDS), (
    "TherapistFilter gained a nested input, which needs strawberry's conversion: drop _filter_from_input"
)
get_object_definition(TherapistFilter, strict=True).from_input = _filter_from_input

# GraphQL filter field -> the search service's query parameter (services/search/openapi.json).
REPEATED_PARAMS = {
    "approaches": "approach",
    "issues": "issue",
    "formats": "format",
    "newClientStatus": "newClientStatus",
    "languages": "language",
}
SINGLE_PARAMS = (
    "state",
    "city",
    "zip",
    "radius",
    "radiusUnit",
    "telehealthState",
    "insurance",
    "maxFee",
    "slidingScale",
    "gender",
    "lgbtq",
    "raceEthnicity",
    "faith",
    "ageGroup",
    "respondsWithinHours",
    "verifiedOnly",
)


def _param_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def filter_parameters(text: str | None, filter: TherapistFilter | None) -> dict[str, Any]:
    """The search service's parameters for `text` and `filter`, as JSON values (a repeatable one
    as a list), in the order they are sent."""
    found: dict[str, Any] = {}
    if text:
        found["text"] = text
    if filter is not None:
        for field, param in REPEATED_PARAMS.items():
            if values := getattr(filter, field):
                found[param] = [v.value if isinstance(v, Enum) else v for v in values]
        for field in SINGLE_PARAMS:
            value = getattr(filter, field)
            if value is not None:
                found[field] = value.value if isinstance(value, Enum) else value
    return found


def search_params(
    text: str | None,
    filter: TherapistFilter | None,
    sort: TherapistSort | None,
    first: int | None,
    after: str | None,
) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for param, value in filter_parameters(text, filter).items():
        params.extend((param, _param_value(v)) for v in (value if isinstance(value, list) else [value]))
    if sort is not None:
        params.append(("sort", sort.value))
    return params + page_params(first, after)


@strawberry.type
class TherapistEdge:
    cursor: str
    node: TherapistCard


@strawberry.type(description="A facet value and how many results have it.")
class FacetValue:
    value: str

    @strawberry.field
    def count(self, root: strawberry.Parent[dict[str, Any]]) -> int:
        return int(root.get("count") or 0)


@strawberry.type(description="Counts over the whole result set, for refining a search.")
class SearchFacets:
    approaches: list[FacetValue]
    issues: list[FacetValue]
    states: list[FacetValue]
    cities: list[FacetValue]
    formats: list[FacetValue]
    newClientStatus: list[FacetValue]
    insurance: list[FacetValue]
    languages: list[FacetValue]
    genders: list[FacetValue]
    ageGroups: list[FacetValue]
    slidingScale: list[FacetValue]
    telehealthStates: list[FacetValue]
    raceEthnicity: list[FacetValue]
    faiths: list[FacetValue]
    lgbtq: list[FacetValue]
    verified: list[FacetValue] = strawberry.field(
        description='"true": how many results have at least one verified licence that has not '
        'expired (what verifiedOnly keeps); "false": how many have none.'
    )
    maxFee: list[FacetValue] = strawberry.field(
        description="Per fee ceiling in USD (the value), how many results' lowest fee is at most it."
    )


FACETS = tuple(SearchFacets.__annotations__)


@strawberry.type(description="Search results (Relay connection) with facet counts.")
class TherapistConnection:
    totalCount: int
    pageInfo: PageInfo
    edges: list[TherapistEdge]
    facets: SearchFacets


async def search_therapists(
    info: strawberry.Info,
    text: str | None = None,
    filter: TherapistFilter | None = None,
    sort: TherapistSort | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> TherapistConnection:
    """Find therapists by free text and filters; near-equal results rotate per visitor."""
    context = context_of(info)
    params = search_params(text, filter, sort, first, after)
    if selects(info, ("edges", "node"), "explanation"):  # asked of search only when selected
        params.append(("explain", "true"))
    page = await context.clients.search_therapists(params, context.trace, context.visitor_session)
    facets = page.get("facets") or {}
    return {  # type: ignore[return-value]
        "totalCount": page.get("totalCount", 0),
        "pageInfo": page_info(page, after),
        "edges": page.get("edges") or [],
        "facets": {name: facets.get(name) or [] for name in FACETS},
    }
