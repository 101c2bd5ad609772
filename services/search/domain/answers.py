"""What the service answers: pages of cards with their cursors, facet counts, and matches.

These models document the answers (the OpenAPI document is built from them, and tests validate
real answers against them); the API writes the JSON itself, copying stored cards in as bytes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import SkipJsonSchema

from services.search.domain.cards import SearchCard

_EXACT = ConfigDict(extra="forbid")


class PageInfo(BaseModel):
    model_config = _EXACT
    hasNextPage: bool
    endCursor: str | None


class RankFactor(BaseModel):
    model_config = _EXACT
    factor: str = Field(
        description="textRelevance, matchPoints, hardFilters, preference, scale, demotion, rotation, "
        "weight, standing, tieBreak, distance or updated"
    )
    value: float
    description: str = Field(description="The factor in plain words")


class RankExplanation(BaseModel):
    """Why a result is where it is: every factor of the value the results are ordered by."""

    model_config = _EXACT
    order: str = Field(description="relevance, match, rotation, distance or freshness")
    rank: float = Field(description="The value the results are ordered by (highest first; distance: lowest)")
    rankExact: str = Field(description="The same value in decimal digits, exactly")
    composition: str = Field(
        description="sum: rank is the sum of the factors' values; product: rank is textRelevance (or "
        "matchPoints) times weight in single precision, weight being scale x demotion x rotation"
    )
    factors: list[RankFactor]
    summary: str


class ExplainedCard(SearchCard):
    """A card, with its rank's explanation when `explain=true` asked for it."""

    explanation: RankExplanation | SkipJsonSchema[None] = Field(
        default=None, description="Only with explain=true"
    )


class FacetCount(BaseModel):
    model_config = _EXACT
    value: str
    count: int


class SearchFacets(BaseModel):
    """Counts over the whole result set, per filter with values to choose from (most first)."""

    model_config = _EXACT
    approaches: list[FacetCount]
    issues: list[FacetCount]
    states: list[FacetCount]
    cities: list[FacetCount] = Field(description="'City, ST'; the 25 most frequent")
    formats: list[FacetCount]
    newClientStatus: list[FacetCount]
    insurance: list[FacetCount]
    languages: list[FacetCount] = Field(description="The 30 most frequent")
    genders: list[FacetCount]
    ageGroups: list[FacetCount]
    slidingScale: list[FacetCount]
    telehealthStates: list[FacetCount]
    raceEthnicity: list[FacetCount]
    faiths: list[FacetCount]
    lgbtq: list[FacetCount]
    verified: list[FacetCount] = Field(
        description='"true": how many results have at least one licence verified by an administrator '
        'and not expired (what verifiedOnly keeps); "false": how many have none'
    )
    maxFee: list[FacetCount] = Field(
        description="Per fee ceiling in USD (the value), how many results' lowest fee is at most it"
    )


class SearchEdge(BaseModel):
    model_config = _EXACT
    cursor: str
    node: ExplainedCard


class SearchPage(BaseModel):
    """Matching cards, facet counts over all matches."""

    model_config = _EXACT
    totalCount: int
    pageInfo: PageInfo
    edges: list[SearchEdge]
    facets: SearchFacets


# A node of an approach page asked for with `field`: the fields named, and only those.
SearchCardFields = create_model(
    "SearchCardFields",
    __config__=_EXACT,
    __doc__="The fields of a SearchCard that the `field` parameters name, and no others.",
    **{
        name: (info.annotation, Field(None, description=info.description))
        for name, info in SearchCard.model_fields.items()
    },
)


class SpecialistEdge(BaseModel):
    model_config = _EXACT
    cursor: str
    statement: str = Field(description="The therapist's own words about this approach")
    node: SearchCard | SearchCardFields = Field(description="The card, or with `field` the fields named")  # type: ignore[valid-type]


class SpecialistsPage(BaseModel):
    """Therapists practising an approach, each with their statement."""

    model_config = _EXACT
    totalCount: int
    pageInfo: PageInfo
    edges: list[SpecialistEdge]


class MatchEdge(BaseModel):
    model_config = _EXACT
    node: ExplainedCard
    score: float = Field(description="Share of the preference points earned (0 to 1)")
    reasons: list[str] = Field(description="Why this therapist matched, in words")


class MatchPage(BaseModel):
    """Matches with the reasons they matched."""

    model_config = _EXACT
    totalCount: int
    edges: list[MatchEdge]


class TherapistFits(BaseModel):
    """Which of the searches asked about the therapist is a result of, in this replica's index."""

    model_config = _EXACT
    version: int | None = Field(
        description="The therapist's version the answer reflects; null if this replica lists no such therapist"
    )
    fits: list[bool] = Field(
        description="Per search asked about, in order: the therapist is one of its results"
    )
